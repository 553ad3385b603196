package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"

	"handover/crypto/blind"
	"handover/crypto/seal"
	"handover/store/model"
)

// destroyedSet picks every step-th customer of n, 100 in all.
func destroyedSet(n int) []model.CustomerNo {
	var nos []model.CustomerNo
	for i := n / 100; i <= n; i += n / 100 {
		nos = append(nos, model.CustomerNo(i))
	}
	return nos[:100]
}

// valuesOf are what must not survive of customer i (book(i)), quoted as in the records'
// JSON so that 张三17 is not found inside 张三170.
func valuesOf(i int) []string {
	b := book(i)
	return []string{`"` + b.Customer.Name + `"`, `"` + b.Customer.IDNumber + `"`, `"` + b.Customer.Phone + `"`}
}

// TestDestroyLeavesNoTrace destroys 100 customers of a 10,000-customer vault. Afterwards no
// file of the vault holds their names, identity numbers or phone numbers in any encoding; the
// database, opened with every version of every key, has no key of theirs and no index entry,
// and no value that any key the vault holds decrypts mentions them; the other customers read
// exactly as before and the counts fell by what left.
func TestDestroyLeavesNoTrace(t *testing.T) {
	n := 10_000
	if testing.Short() {
		n = 1_000
	}
	s, master := newStore(t)
	fill(t, s, n)
	gone := destroyedSet(n)
	isGone := map[model.CustomerNo]bool{}
	for _, no := range gone {
		isGone[no] = true
	}
	before := map[model.CustomerNo]string{}
	var leaving Counts
	if err := s.EachCustomer(ctx, func(b *CustomerBook) error {
		if isGone[b.Customer.No] {
			leaving.add(b)
		} else {
			before[b.Customer.No] = fmt.Sprint(*b)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// A later version and a deleted index entry exist before the destruction, so the rewrite
	// has old versions and tombstones to drop.
	if err := s.PutMeta("test/old", "first"); err != nil {
		t.Fatal(err)
	}
	if err := s.PutMeta("test/old", "second"); err != nil {
		t.Fatal(err)
	}
	counts := s.Counts()
	t0 := time.Now()
	res, err := s.DestroyCustomers(ctx, "DP-test", gone, func(p string) { t.Logf("%v %s", time.Since(t0), p) })
	if err != nil {
		t.Fatal(err)
	}
	if res.Removed != leaving || len(res.Missing) != 0 {
		t.Fatalf("removed %+v, want %+v; missing %v", res.Removed, leaving, res.Missing)
	}
	after := s.Counts()
	if after.Customers != counts.Customers-100 || after.Loans != counts.Loans-leaving.Loans ||
		after.Repayments != counts.Repayments-leaving.Repayments || after.Documents != counts.Documents-leaving.Documents ||
		after.DocumentBytes != counts.DocumentBytes-leaving.DocumentBytes {
		t.Fatalf("counts %+v after %+v, leaving %+v", after, counts, leaving)
	}
	for _, no := range gone {
		if _, err := s.Customer(no); !errors.Is(err, ErrKeyDestroyed) {
			t.Fatalf("customer %d: %v", no, err)
		}
		b := book(int(no))
		if hits, err := s.Find(ctx, blind.IDNumber, b.Customer.IDNumber); err != nil || len(hits) != 0 {
			t.Fatalf("search finds customer %d: %v %v", no, hits, err)
		}
	}
	seen := 0
	if err := s.EachCustomer(ctx, func(b *CustomerBook) error {
		seen++
		if before[b.Customer.No] != fmt.Sprint(*b) {
			return fmt.Errorf("customer %d changed", b.Customer.No)
		}
		return nil
	}); err != nil || seen != n-100 {
		t.Fatalf("walk after destruction: %d customers, %v", seen, err)
	}
	if s.PendingDestroy() != "" {
		t.Fatal("the journal survived the run")
	}
	path := s.Dir().Path()
	keys := s.keys
	meta, audit := s.meta, s.audit
	_ = keys
	s.Close()
	scanFiles(t, path, gone)
	scanDatabase(t, path, master, gone, meta, audit)
}

// encodings are the ways a value could sit in a file: UTF-8, GBK (and GB18030, the same for
// these characters), UTF-16 in both byte orders.
func encodings(v string) [][]byte {
	out := [][]byte{[]byte(v)}
	if b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(v)); err == nil {
		out = append(out, b)
	}
	for _, e := range []unicode.Endianness{unicode.LittleEndian, unicode.BigEndian} {
		if b, err := unicode.UTF16(e, unicode.IgnoreBOM).NewEncoder().Bytes([]byte(v)); err == nil {
			out = append(out, b)
		}
	}
	return out
}

// scanFiles reads every byte of every file in the vault folder.
func scanFiles(t *testing.T, path string, gone []model.CustomerNo) {
	t.Helper()
	var needles [][]byte
	for _, no := range gone {
		for _, v := range valuesOf(int(no)) {
			needles = append(needles, encodings(strings.Trim(v, `"`))...)
		}
	}
	// Every needle indexed by its first four bytes, so each file is read once.
	byPrefix := map[uint32][][]byte{}
	for _, nd := range needles {
		k := binary.LittleEndian.Uint32(nd[:4])
		byPrefix[k] = append(byPrefix[k], nd)
	}
	files := 0
	err := filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files++
		for i := 0; i+4 <= len(b); i++ {
			for _, nd := range byPrefix[binary.LittleEndian.Uint32(b[i:])] {
				if bytes.HasPrefix(b[i:], nd) {
					t.Errorf("%s holds a destroyed value at byte %d", p, i)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 3 {
		t.Fatalf("scanned only %d files", files)
	}
}

// scanDatabase opens the database with every version of every key and tries every key the
// vault holds on every value.
func scanDatabase(t *testing.T, path string, master []byte, gone []model.CustomerNo, meta, audit *seal.Sealer) {
	t.Helper()
	kt, err := openKeyTable(filepath.Join(path, keyTableName), seal.Derive(master, "keytable"), false)
	if err != nil {
		t.Fatal(err)
	}
	defer kt.close()
	isGone := map[model.CustomerNo]bool{}
	for _, no := range gone {
		isGone[no] = true
		if _, err := kt.Get(no); !errors.Is(err, ErrKeyDestroyed) {
			t.Fatalf("key of customer %d: %v", no, err)
		}
	}
	var needles []string
	for _, no := range gone {
		needles = append(needles, valuesOf(int(no))...)
	}
	db, err := badger.Open(badgerOptions(filepath.Join(path, dbDir), seal.Derive(master, "badger"), nil).WithReadOnly(true))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	entries, values, opened := 0, 0, 0
	unopened := map[byte]int{}
	err = db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{AllVersions: true})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			entries++
			item := it.Item()
			k := item.KeyCopy(nil)
			var no model.CustomerNo
			switch k[0] {
			case pCustomer, pLoan, pRepayment, pDocument, pChunk:
				no = model.CustomerNo(binary.BigEndian.Uint64(k[1:9]))
			case pIndex:
				no, _ = indexEntry(k)
			}
			if isGone[no] {
				t.Errorf("a key of destroyed customer %d survives (table %c, deleted %v)", no, k[0], item.IsDeletedOrExpired())
				continue
			}
			if item.IsDeletedOrExpired() && k[0] != pMeta {
				t.Errorf("a tombstone survives the rewrite: table %c", k[0])
			}
			v, err := item.ValueCopy(nil)
			if err != nil || len(v) == 0 {
				continue
			}
			values++
			sealers := []*seal.Sealer{meta, audit}
			if no != 0 {
				if sl, err := kt.Get(no); err == nil {
					sealers = append(sealers, sl)
				}
			}
			ok := false
			for _, sl := range sealers {
				plain, err := sl.Open(k, v)
				if err != nil {
					continue
				}
				opened++
				ok = true
				if k[0] == pIndexPage {
					items, whole := decodePage(blind.Kind(k[1]), plain)
					if !whole {
						t.Errorf("index page %x does not decode", k)
					}
					for _, it := range items {
						if isGone[it.no] {
							t.Errorf("an index page still names destroyed customer %d", it.no)
						}
					}
				}
				for _, nd := range needles {
					if bytes.Contains(plain, []byte(nd)) {
						t.Errorf("a value under %q mentions a destroyed customer", k[:1])
					}
				}
			}
			if !ok {
				unopened[k[0]]++
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(unopened) > 0 {
		t.Fatalf("values no key opens, by table: %v (of %d values): the scan is not reading what the vault holds", unopened, values)
	}
	t.Logf("%d entries, %d values, all opened, none mentions a destroyed customer", entries, opened)
}

// The child half of TestDestroyKilled: destroy, and let the parent kill the process.
func init() {
	dir := os.Getenv("HANDOVER_TEST_DESTROY")
	if dir == "" {
		return
	}
	d, err := OpenDir(dir)
	if err != nil {
		os.Exit(3)
	}
	s, err := Open(d, bytes.Repeat([]byte{0x42}, 32), false)
	if err != nil {
		os.Exit(4)
	}
	if at := os.Getenv("HANDOVER_TEST_DESTROY_AT"); at != "" {
		crashAt = func(step string) {
			if step == at {
				os.Stdout.WriteString(step + "\n")
				syscallKill()
			}
		}
	}
	os.Stdout.WriteString("open\n")
	if _, err := s.DestroyCustomers(context.Background(), "DP-kill", destroyedSet(2000), func(p string) { os.Stdout.WriteString(p + "\n") }); err != nil {
		os.Exit(5)
	}
	os.Exit(0)
}

// TestDestroyKilled kills a destruction run with SIGKILL at 20 random instants (and at the
// four instants between its steps); each time the next open finishes it, and the vault then
// equals one destroyed without interruption.
func TestDestroyKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns 25 processes")
	}
	const n = 2000
	s, _ := newStore(t)
	fill(t, s, n)
	src := s.Dir().Path()
	s.Close()
	ref := filepath.Join(t.TempDir(), "ref")
	copyTree(t, src, ref)
	want := destroyIn(t, ref, nil)

	// How long an uninterrupted run takes, to spread the kills over it.
	timed := filepath.Join(t.TempDir(), "timed")
	copyTree(t, src, timed)
	t0 := time.Now()
	runChild(t, timed, 0)
	span := time.Since(t0)
	// Twenty SIGKILLs at random instants (which mostly fall in the rewrite, the longest
	// step), and four at the instants between the steps, which random ones rarely hit.
	steps := []string{"destroy-erased", "destroy-deleted", "rewrite-written", "rewrite-moved"}
	kills := 20 + len(steps)
	reached := map[string]int{}
	for i := range kills {
		target := filepath.Join(t.TempDir(), "v"+strconv.Itoa(i))
		copyTree(t, src, target)
		if i < len(steps) {
			t.Setenv("HANDOVER_TEST_DESTROY_AT", steps[i%len(steps)])
			reached[runChild(t, target, 0)]++
			os.Unsetenv("HANDOVER_TEST_DESTROY_AT")
		} else {
			reached[runChild(t, target, time.Duration(rand.Int64N(int64(span))))]++
		}
		got := destroyIn(t, target, func(s *Store) {
			if run := s.PendingDestroy(); run != "" {
				t.Errorf("kill %d: the open left the run %s unfinished", i, run)
			}
		})
		if !got.equal(want) {
			t.Fatalf("kill %d: the vault differs from one destroyed without interruption", i)
		}
	}
	t.Logf("%d kills over a run of %v; the phase each had reached: %v", kills, span, reached)
}

// runChild runs the destruction in a child process, killed after delay (0: not killed), and
// returns the last phase the child reported.
func runChild(t *testing.T, dir string, delay time.Duration) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "HANDOVER_TEST_DESTROY="+dir)
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 5)
	if _, err := out.Read(buf); err != nil { // opened: the run starts now
		t.Fatalf("child: %v", err)
	}
	var said bytes.Buffer
	done := make(chan struct{})
	go func() { said.ReadFrom(out); close(done) }()
	if delay > 0 {
		time.Sleep(delay)
		cmd.Process.Kill()
	}
	<-done
	cmd.Wait()
	lines := strings.Fields(said.String())
	if len(lines) == 0 {
		return "open"
	}
	return lines[len(lines)-1]
}

// destroyIn opens the vault (finishing any interrupted run), runs the destruction (a no-op
// when it is done), and snapshots it.
func destroyIn(t *testing.T, dir string, check func(*Store)) *bookSnapshot {
	t.Helper()
	d, err := OpenDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	s, err := Open(d, bytes.Repeat([]byte{0x42}, 32), false)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if check != nil {
		check(s)
	}
	if s.Counts().Customers != 2000-100 {
		if _, err := s.DestroyCustomers(ctx, "DP-kill", destroyedSet(2000), nil); err != nil {
			t.Fatal(err)
		}
	}
	snap, err := snapshotOf(s)
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

// syscallKill ends this process at once, as SIGKILL would: no deferred function runs.
func syscallKill() {
	p, _ := os.FindProcess(os.Getpid())
	p.Kill()
	select {}
}

// Destroying every customer takes the whole-book path: the key table cleared as a whole and
// the book's tables dropped; nothing of the book is left and the vault's own records stay.
func TestDestroyWholeBook(t *testing.T) {
	s, _ := newStore(t)
	fill(t, s, 300)
	if _, err := s.AppendAudit([]byte(`{"action":"x"}`)); err != nil {
		t.Fatal(err)
	}
	nos, err := s.CustomerNos(ctx)
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.DestroyCustomers(ctx, "DP-all", nos, nil)
	if err != nil || res.Removed.Customers != 300 {
		t.Fatalf("%+v %v", res, err)
	}
	if c := s.Counts(); c.Customers != 0 || c.Loans != 0 || c.Repayments != 0 || c.Documents != 0 || c.DocumentBytes != 0 {
		t.Fatalf("counts %+v", c)
	}
	if keys, records, err := s.BookTraces(ctx); err != nil || keys != 0 || records != 0 {
		t.Fatalf("traces: %d keys, %d records, %v", keys, records, err)
	}
	if rep, err := s.VerifyAudit(ctx, nil); err != nil || rep.Problem != nil || rep.Events != 1 {
		t.Fatalf("the audit log after the book went: %+v %v", rep, err)
	}
	if err := s.EachCustomer(ctx, func(*CustomerBook) error { return errors.New("a customer") }); err != nil {
		t.Fatal(err)
	}
}
