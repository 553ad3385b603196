package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"

	"handover/crypto/blind"
	"handover/store/model"
)

var ctx = context.Background()

func newStore(t testing.TB) (*Store, []byte) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "vault")
	d, err := CreateDir(dir, Manifest{})
	if err != nil {
		t.Fatal(err)
	}
	master := bytes.Repeat([]byte{0x42}, 32)
	s, err := Open(d, master, true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.Close()
		d.Close()
	})
	return s, master
}

func book(i int) *Book {
	n := strconv.Itoa(i)
	return &Book{
		Customer: model.Customer{Name: "张三" + n, IDNumber: "11010519491231002X" + n, Phone: "1380013" + n},
		Loans: []model.Loan{
			{Contract: "HT-" + n + "-A", Principal: 100000},
			{Contract: "HT-" + n + "-B", Principal: 250050},
		},
		Repayments: []model.Repayment{{Loan: 1, Principal: 100}, {Loan: 1, Principal: 200}, {Loan: 2, Principal: 7}},
		Documents:  []DocumentData{{Meta: model.Document{Kind: "other", Name: "a.bin"}, Content: bytes.Repeat([]byte{byte(i)}, ChunkSize+10)}},
	}
}

func fill(t testing.TB, s *Store, n int) {
	t.Helper()
	w := s.NewWriter()
	for i := 1; i <= n; i++ {
		if _, err := w.Add(book(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestWriteAndRead(t *testing.T) {
	s, _ := newStore(t)
	fill(t, s, 50)
	c := s.Counts()
	want := Counts{Customers: 50, Loans: 100, Repayments: 150, Documents: 50, DocumentBytes: 50 * (ChunkSize + 10), NextCustomer: 51}
	if c.NextPage == 0 {
		t.Fatal("the index's pages are not numbered in the counts")
	}
	c.NextPage = 0
	if c != want {
		t.Fatalf("counts %+v, want %+v", c, want)
	}
	cust, err := s.Customer(7)
	if err != nil || cust.Name != "张三7" || cust.No != 7 {
		t.Fatalf("customer 7 = %+v, %v", cust, err)
	}
	loans, err := s.Loans(ctx, 7)
	if err != nil || len(loans) != 2 || loans[1].Principal != 250050 || loans[1].Seq != 2 {
		t.Fatalf("loans = %+v, %v", loans, err)
	}
	reps, err := s.Repayments(ctx, 7, 1)
	if err != nil || len(reps) != 2 || reps[1].Principal != 200 || reps[1].Seq != 2 {
		t.Fatalf("repayments = %+v, %v", reps, err)
	}
	var doc bytes.Buffer
	if err := s.WriteDocument(ctx, 7, 1, &doc); err != nil || !bytes.Equal(doc.Bytes(), book(7).Documents[0].Content) {
		t.Fatalf("document round trip failed: %v", err)
	}
	nos, err := s.CustomerNos(ctx)
	if err != nil || len(nos) != 50 || nos[0] != 1 || nos[49] != 50 {
		t.Fatalf("customer numbers = %v, %v", nos, err)
	}
}

func TestSearch(t *testing.T) {
	s, _ := newStore(t)
	fill(t, s, 300)
	tests := []struct {
		kind  blind.Kind
		value string
		want  model.CustomerNo
		loan  uint32
	}{
		{blind.IDNumber, "11010519491231002x123", 123, 0}, // lower-case x is normalised
		{blind.Phone, "１３８００１３42", 42, 0},                 // full-width digits too
		{blind.Contract, "HT-77-B", 77, 2},
	}
	for _, tc := range tests {
		hits, err := s.Find(ctx, tc.kind, tc.value)
		if err != nil || len(hits) != 1 || hits[0].Customer != tc.want || hits[0].Loan != tc.loan {
			t.Errorf("Find(%c, %q) = %+v, %v", tc.kind, tc.value, hits, err)
		}
	}
	if hits, _ := s.Find(ctx, blind.IDNumber, "110105194912310021"); len(hits) != 0 {
		t.Errorf("unknown number found %+v", hits)
	}
	hits, err := s.FindNamePrefix(ctx, "张三1", 0)
	if err != nil || len(hits) != 1+10+100 { // 1, 10-19, 100-199
		t.Fatalf("name prefix: %d hits, %v", len(hits), err)
	}
	if hits, _ := s.FindNamePrefix(ctx, "张", 5); len(hits) != 5 {
		t.Fatalf("limit not applied: %d", len(hits))
	}
}

// TestFlippedByteIsCorruption is the acceptance test: a flipped byte inside a stored value
// is reported as corruption of that customer, nothing garbled is returned, and the other
// customers still read.
func TestFlippedByteIsCorruption(t *testing.T) {
	s, _ := newStore(t)
	fill(t, s, 20)
	raw, err := s.rawGet(customerKey(5))
	if err != nil {
		t.Fatal(err)
	}
	for _, pos := range []int{0, 1, len(raw) / 2, len(raw) - 1} {
		bad := bytes.Clone(raw)
		bad[pos] ^= 0x20
		if err := s.rawSet(customerKey(5), bad); err != nil {
			t.Fatal(err)
		}
		c, err := s.Customer(5)
		var ce *CorruptError
		if !errors.As(err, &ce) || ce.Customer != 5 || ce.What != "customer" {
			t.Fatalf("flip at %d: err = %v", pos, err)
		}
		if c.Name != "" || c.IDNumber != "" {
			t.Fatalf("flip at %d: garbled data returned: %+v", pos, c)
		}
		if hits, _ := s.Find(ctx, blind.Phone, "13800135"); len(hits) != 1 || !hits[0].Corrupt {
			t.Fatalf("search must show the damaged candidate as damaged, got %+v", hits)
		}
	}
	for _, no := range []model.CustomerNo{4, 6, 20} {
		if c, err := s.Customer(no); err != nil || c.No != no {
			t.Fatalf("customer %d unreadable after damage to 5: %v", no, err)
		}
	}
	// A record moved to another customer's key is refused too.
	other, _ := s.rawGet(customerKey(6))
	if err := s.rawSet(customerKey(5), other); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Customer(5); err == nil {
		t.Fatal("customer 6's record accepted as customer 5")
	}
}

// TestDiskDamageNeverGarbles flips random bytes in the database files on disk. Whatever
// Badger then does, every read either returns the original record or an error.
func TestDiskDamageNeverGarbles(t *testing.T) {
	s, master := newStore(t)
	fill(t, s, 400)
	want := map[model.CustomerNo]model.Customer{}
	for no := model.CustomerNo(1); no <= 400; no++ {
		want[no], _ = s.Customer(no)
	}
	d := s.Dir()
	path := d.Path()
	s.Close()
	r := rand.New(rand.NewPCG(1, 2))
	var files []string
	filepath.Walk(filepath.Join(path, dbDir), func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() && info.Size() > 0 && filepath.Ext(p) == ".sst" {
			files = append(files, p)
		}
		return nil
	})
	if len(files) == 0 {
		t.Skip("no table files were written") // the data is still in the memtable log
	}
	for _, f := range files {
		b, _ := os.ReadFile(f)
		for range 20 {
			b[r.IntN(len(b))] ^= byte(1 + r.IntN(255))
		}
		os.WriteFile(f, b, 0o600)
	}
	s2, err := Open(d, master, false)
	if err != nil {
		return // refusing to open a damaged database is a correct outcome
	}
	defer s2.Close()
	for no, orig := range want {
		func() {
			defer func() {
				if p := recover(); p != nil {
					t.Fatalf("reading damaged customer %d panicked: %v", no, p)
				}
			}()
			c, err := s2.Customer(no)
			if err == nil && c != orig {
				t.Fatalf("customer %d read back garbled: %+v", no, c)
			}
		}()
	}
}

func TestDestroyedKey(t *testing.T) {
	s, _ := newStore(t)
	fill(t, s, 3)
	if err := s.keys.Destroy(2); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Customer(2); !errors.Is(err, ErrKeyDestroyed) {
		t.Fatalf("destroyed customer read: %v", err)
	}
	if hits, _ := s.Find(ctx, blind.Phone, "13800132"); len(hits) != 0 {
		t.Fatalf("destroyed customer found by search: %+v", hits)
	}
	// The key slot on disk is overwritten: no passphrase can bring the key back.
	b, _ := os.ReadFile(filepath.Join(s.Dir().Path(), keyTableName))
	slot := b[slotOffset(2) : slotOffset(2)+keySlotSize]
	if !bytes.Equal(slot, bytes.Repeat([]byte{destroyedMark}, keySlotSize)) {
		t.Fatal("key slot still holds data after destruction")
	}
	if _, err := s.Customer(3); err != nil {
		t.Fatal(err)
	}
}

func TestReopenKeepsCountsAndWrongKey(t *testing.T) {
	s, master := newStore(t)
	fill(t, s, 10)
	seq, err := s.AppendAudit([]byte(`{"action":"x"}`))
	if err != nil || seq != 1 {
		t.Fatal(seq, err)
	}
	d := s.Dir()
	s.Close()
	wrong := bytes.Repeat([]byte{1}, 32)
	if _, err := Open(d, wrong, false); err == nil {
		t.Fatal("opened with the wrong master key")
	}
	s2, err := Open(d, master, false)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if c := s2.Counts(); c.Customers != 10 || c.NextCustomer != 11 {
		t.Fatalf("counts after reopen: %+v", c)
	}
	if seq, _ := s2.AppendAudit([]byte(`{}`)); seq != 2 {
		t.Fatalf("audit sequence restarted at %d", seq)
	}
}

func TestDirLockAndManifest(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "v")
	d, err := CreateDir(dir, Manifest{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = OpenDir(dir)
	var iu *InUseError
	if !errors.As(err, &iu) || iu.PID != os.Getpid() {
		t.Fatalf("second holder: %v", err)
	}
	d.Close()
	d2, err := OpenDir(dir)
	if err != nil {
		t.Fatalf("reopen after release: %v", err)
	}
	d2.Close()
	if _, err := CreateDir(dir, Manifest{}); !errors.Is(err, ErrExists) {
		t.Fatalf("create over a vault: %v", err)
	}
	if _, err := OpenDir(t.TempDir()); !errors.Is(err, ErrNotVault) {
		t.Fatalf("open empty folder: %v", err)
	}
}

// A crash between creating a memtable log and writing to it leaves a 0-byte .mem file;
// the vault must still open (Badger issue #2207).
func TestOpenAfterCrashLeftEmptyMemtable(t *testing.T) {
	s, master := newStore(t)
	fill(t, s, 5)
	d := s.Dir()
	s.Close()
	if err := os.WriteFile(filepath.Join(d.Path(), dbDir, "00099.mem"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(d, master, false)
	if err != nil {
		t.Fatalf("open after crash: %v", err)
	}
	defer s2.Close()
	if c, err := s2.Customer(5); err != nil || c.No != 5 {
		t.Fatalf("customer 5 after crash: %v", err)
	}
}

// Repayments that arrive after a customer was written are stored as segments and read
// after the ones stored with the customer.
func TestLaterRepaymentSegments(t *testing.T) {
	s, _ := newStore(t)
	fill(t, s, 2)
	sl, err := s.keys.Get(2)
	if err != nil {
		t.Fatal(err)
	}
	k := binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(customerPrefix(pRepayment, 2), 1), 1)
	seg, _ := json.Marshal([]storedRepayment{{Principal: 999}})
	if err := s.rawSet(k, sl.Seal(nil, k, seg)); err != nil {
		t.Fatal(err)
	}
	reps, err := s.Repayments(ctx, 2, 1)
	if err != nil || len(reps) != 3 || reps[2].Principal != 999 || reps[2].Seq != 3 || reps[2].Contract != "HT-2-A" {
		t.Fatalf("repayments = %+v, %v", reps, err)
	}
	if _, err := s.Repayments(ctx, 2, 9); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown loan: %v", err)
	}
}

// EachCustomer returns what the per-customer read functions return.
func TestEachCustomerMatchesReads(t *testing.T) {
	s, _ := newStore(t)
	fill(t, s, 30)
	w := s.NewImportWriter()
	if err := w.AddLoan(model.Loan{Customer: 3, Seq: 3, Contract: "LATE-3"}); err != nil {
		t.Fatal(err)
	}
	if err := w.AddRepayments(3, 3, []model.Repayment{{Principal: 7}}); err != nil {
		t.Fatal(err)
	}
	if err := w.AddRepayments(3, 1, []model.Repayment{{Principal: 8}}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.keys.Destroy(5); err != nil {
		t.Fatal(err)
	}
	seen := 0
	err := s.EachCustomer(ctx, func(b *CustomerBook) error {
		seen++
		no := b.Customer.No
		c, _ := s.Customer(no)
		loans, _ := s.Loans(ctx, no)
		docs, _ := s.Documents(ctx, no)
		if !reflect.DeepEqual(b.Customer, c) || !reflect.DeepEqual(b.Loans, loans) || len(b.Repayments) != len(loans) || len(b.Documents) != len(docs) {
			t.Fatalf("customer %d: %+v", no, b)
		}
		for i, l := range loans {
			reps, _ := s.Repayments(ctx, no, l.Seq)
			if len(reps) != len(b.Repayments[i]) || (len(reps) > 0 && !reflect.DeepEqual(reps, b.Repayments[i])) {
				t.Fatalf("customer %d loan %d: %+v vs %+v", no, l.Seq, reps, b.Repayments[i])
			}
		}
		return nil
	})
	if err != nil || seen != 29 {
		t.Fatalf("seen %d, %v", seen, err)
	}
	// A walk without repayments sees the same customers, loans and documents, no repayments.
	seen = 0
	err = s.EachCustomerWith(ctx, WalkOptions{NoRepayments: true}, func(b *CustomerBook) error {
		seen++
		c, _ := s.Customer(b.Customer.No)
		loans, _ := s.Loans(ctx, b.Customer.No)
		if !reflect.DeepEqual(b.Customer, c) || !reflect.DeepEqual(b.Loans, loans) || b.Repayments != nil {
			t.Fatalf("customer %d without repayments: %+v", b.Customer.No, b)
		}
		return nil
	})
	if err != nil || seen != 29 {
		t.Fatalf("without repayments: seen %d, %v", seen, err)
	}
}

// A walk without repayments still checks the rest of what it saw against the stored counts.
func TestEachCustomerNoRepaymentsChecksCounts(t *testing.T) {
	s, _ := newStore(t)
	fill(t, s, 10)
	if err := s.EachCustomerWith(ctx, WalkOptions{NoRepayments: true}, func(*CustomerBook) error { return nil }); err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	s.counts.Loans++ // what a damaged book would look like to the walk
	s.mu.Unlock()
	if err := s.UpdateMeta([]MetaChange{{Name: "counts", Value: s.Counts()}}); err != nil {
		t.Fatal(err)
	}
	var de *DamageError
	if err := s.EachCustomerWith(ctx, WalkOptions{NoRepayments: true}, func(*CustomerBook) error { return nil }); !errors.As(err, &de) {
		t.Fatalf("a walk without repayments missed a loan count that differs: %v", err)
	}
}

func TestAppendSegmentMatchesEncodingJSON(t *testing.T) {
	segs := [][]storedRepayment{
		{{Paid: model.Date{Y: 2023, M: 1, D: 5}, Principal: 100, Interest: 5}},
		{{Due: model.Date{Y: 2023, M: 2, D: 1}, Paid: model.Date{Y: 2023, M: 2, D: 3}, Principal: -1, Interest: 0, Penalty: 7, Channel: "银行转账"},
			{Paid: model.Date{Y: 2024, M: 12, D: 31}, Principal: 1 << 40, Channel: `a"b<c>&\` + "\n\u2028"}},
		{{Paid: model.Date{Y: 2024, M: 3, D: 15}, Amount: 450050, Channel: "柜台"}},
		{},
	}
	for _, seg := range segs {
		want, _ := json.Marshal(seg)
		if got := appendSegment(nil, seg); string(got) != string(want) {
			t.Errorf("appendSegment = %s\nencoding/json = %s", got, want)
		}
	}
}
