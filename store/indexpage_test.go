package store

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/dgraph-io/badger/v4"

	"handover/crypto/blind"
	"handover/store/model"
)

// importBooks writes customers 1..n through an import writer, checkpointing every `every`
// customers, as an import does (undone: as a receive does).
func importBooks(t *testing.T, s *Store, n, every int, undone bool) {
	t.Helper()
	w := s.NewImportWriter()
	if undone {
		w.UndoneOnCrash()
	}
	for i := 1; i <= n; i++ {
		b := book(i)
		b.Documents = nil
		if _, err := w.Add(b); err != nil {
			t.Fatal(err)
		}
		if i%every == 0 {
			if err := w.Checkpoint(); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// pagesOf counts the index pages and the items in them.
func pagesOf(t *testing.T, s *Store) (pages, items int) {
	t.Helper()
	err := s.eachPage(ctx, []byte{pIndexPage}, func(_ []byte, its []indexItem) error {
		pages++
		items += len(its)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return pages, items
}

func TestIndexPagesAcrossCheckpoints(t *testing.T) {
	for _, undone := range []bool{false, true} {
		t.Run(fmt.Sprintf("undoneOnCrash=%v", undone), func(t *testing.T) {
			s, _ := newStore(t)
			importBooks(t, s, 600, 50, undone)
			// ID, phone, name prefix and two contracts per customer; no customer number.
			pages, items := pagesOf(t, s)
			if items != 600*5 {
				t.Fatalf("%d index items, want %d", items, 600*5)
			}
			if undone && pages > 4*pageBuckets {
				t.Fatalf("a receive's writer stored %d pages: it should gather its items", pages)
			}
			if n := bucketPages(t, s, blind.NamePrefix, "张"); n != 1 {
				// 12 transactions each wrote a page there; the writer's last merged them.
				t.Fatalf("the bucket of 张 has %d pages, want 1", n)
			}
			if !undone && pages > 3*pageBuckets+1 {
				t.Fatalf("%d pages: the writer did not merge its pages when it closed", pages)
			}
			for _, no := range []int{1, 50, 51, 299, 600} {
				n := strconv.Itoa(no)
				for _, q := range []struct {
					kind  blind.Kind
					value string
					loan  uint32
				}{{blind.IDNumber, "11010519491231002X" + n, 0}, {blind.Phone, "1380013" + n, 0}, {blind.Contract, "HT-" + n + "-B", 2}} {
					hits, err := s.Find(ctx, q.kind, q.value)
					if err != nil || len(hits) != 1 || hits[0] != (Hit{Customer: model.CustomerNo(no), Loan: q.loan}) {
						t.Errorf("Find(%c, %q) = %v, %v", q.kind, q.value, hits, err)
					}
				}
			}
			// 张三1, 张三10-19, 张三100-199: in customer order, whatever page holds them.
			hits, err := s.FindNamePrefix(ctx, "张三1", 0)
			if err != nil || len(hits) != 111 {
				t.Fatalf("name prefix: %d hits, %v", len(hits), err)
			}
			for i := 1; i < len(hits); i++ {
				if hits[i].Customer <= hits[i-1].Customer {
					t.Fatalf("hits out of customer order: %v", hits[i-1:i+1])
				}
			}
			if hits, _ := s.FindNamePrefix(ctx, "张", 7); len(hits) != 7 || hits[6].Customer != 7 {
				t.Fatalf("limit: %v", hits)
			}
		})
	}
}

// TestIndexPagesBeforePages reads, destroys and counts the one-key-per-item index of vaults
// written before pages, beside pages.
func TestIndexPagesBeforePages(t *testing.T) {
	s, _ := newStore(t)
	importBooks(t, s, 20, 10, false)
	// Customer 21 as an older version wrote it: the record, and its index as keys.
	w := s.NewImportWriter()
	b := book(21)
	b.Documents = nil
	p, err := w.Prepare(21, b)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Commit(p); err != nil {
		t.Fatal(err)
	}
	w.index = nil
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	for _, it := range p.index {
		if err := s.rawSet(kIndex(it.kind, it.tag, it.sub, it.no, it.extra), nil); err != nil {
			t.Fatal(err)
		}
	}
	if hits, err := s.Find(ctx, blind.IDNumber, "11010519491231002X21"); err != nil || len(hits) != 1 || hits[0].Customer != 21 {
		t.Fatalf("an index key of an older vault is not found: %v, %v", hits, err)
	}
	if hits, err := s.FindNamePrefix(ctx, "张三2", 0); err != nil || len(hits) != 3 { // 2, 20, 21
		t.Fatalf("name prefix over keys and pages: %v, %v", hits, err)
	}
	gone := []model.CustomerNo{3, 21}
	if _, records, err := s.Traces(ctx, gone); err != nil || records == 0 {
		t.Fatalf("traces before destruction: %d, %v", records, err)
	}
	if _, err := s.DestroyCustomers(ctx, "DP-pages", gone, nil); err != nil {
		t.Fatal(err)
	}
	if keys, records, err := s.Traces(ctx, gone); err != nil || keys != 0 || records != 0 {
		t.Fatalf("after destruction: %d keys, %d records, %v", keys, records, err)
	}
	if _, items := pagesOf(t, s); items != 19*5 {
		t.Fatalf("%d items left in pages, want %d", items, 19*5)
	}
	for _, no := range []int{2, 4, 20} {
		if hits, err := s.Find(ctx, blind.IDNumber, "11010519491231002X"+strconv.Itoa(no)); err != nil || len(hits) != 1 {
			t.Fatalf("customer %d after destroying others: %v, %v", no, hits, err)
		}
	}
}

// TestDamagedIndexPage: a page that fails authentication makes a search of its bucket an
// error naming the index, never a shorter answer.
func TestDamagedIndexPage(t *testing.T) {
	s, _ := newStore(t)
	importBooks(t, s, 30, 10, false)
	want := s.tagger.Tag(blind.IDNumber, blind.Normalize("11010519491231002X7"))
	var key []byte
	err := s.iterate(ctx, kIndexPagePrefix(blind.IDNumber, pageBucket(want)), false, func(it *badger.Item) (bool, error) {
		key = it.KeyCopy(nil)
		return false, nil
	})
	if err != nil || key == nil {
		t.Fatal("no page in the bucket", err)
	}
	raw, err := s.rawGet(key)
	if err != nil {
		t.Fatal(err)
	}
	raw[len(raw)/2] ^= 1
	if err := s.rawSet(key, raw); err != nil {
		t.Fatal(err)
	}
	hits, err := s.Find(ctx, blind.IDNumber, "11010519491231002X7")
	var ce *CorruptError
	if !errors.As(err, &ce) || ce.What != "index" || hits != nil {
		t.Fatalf("search over a damaged page = %v, %v", hits, err)
	}
	// A writer that closes merges crowded buckets from the disk; it leaves the damaged one
	// as it is and still closes cleanly: its own data is committed.
	for j := 0; j < 2*maxBucketPages; j++ {
		w := s.NewImportWriter()
		b := book(100 + j)
		b.Documents = nil
		b.Customer.IDNumber = "11010519491231002X7" // the damaged page's bucket
		if _, err := w.Add(b); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatalf("writer %d: Close with a damaged page in a crowded bucket: %v", j, err)
		}
	}
	if _, err := s.Find(ctx, blind.IDNumber, "11010519491231002X7"); !errors.As(err, &ce) || ce.What != "index" {
		t.Fatalf("the damaged page was merged away silently: %v", err)
	}
	// A destruction refuses before it erases anything, as it does for a damaged record.
	if _, err := s.DestroyCustomers(ctx, "DP-damaged", []model.CustomerNo{7}, nil); !errors.As(err, &ce) || ce.What != "index" {
		t.Fatalf("destruction over a damaged page: %v", err)
	}
	if _, err := s.Customer(7); err != nil {
		t.Fatalf("the refused destruction touched customer 7: %v", err)
	}
	var j destroyJournal
	if err := s.GetMeta(metaDestroyJournal, &j); !errors.Is(err, ErrNotFound) {
		t.Fatalf("the refused destruction left a journal: %+v, %v", j, err)
	}
}

func TestDecodePageRefusesPartItems(t *testing.T) {
	it := indexItem{kind: blind.Phone, tag: blind.Tag{1, 2, 3}, no: 77, extra: 5}
	pt := appendPageItem(nil, it)
	got, ok := decodePage(blind.Phone, pt)
	if !ok || len(got) != 1 || got[0] != it {
		t.Fatalf("round trip: %v %v", got, ok)
	}
	if _, ok := decodePage(blind.Phone, pt[:len(pt)-1]); ok {
		t.Fatal("a cut page decodes")
	}
}

// TestCommitterSealsUnderEachKey: an import's loans and repayments are sealed by the
// committer under their customer's key; one whose key is missing fails the checkpoint
// whole, and the error reaches the writer's caller.
func TestCommitterSealsUnderEachKey(t *testing.T) {
	s, _ := newStore(t)
	importBooks(t, s, 3, 3, false)
	w := s.NewImportWriter()
	if err := w.AddLoan(model.Loan{Customer: 2, Seq: 3, Contract: "HT-late"}); err != nil {
		t.Fatal(err)
	}
	if err := w.AddRepayments(2, 3, []model.Repayment{{Loan: 3, Principal: 5}}); err != nil {
		t.Fatal(err)
	}
	if err := w.Checkpoint(); err != nil {
		t.Fatal(err)
	}
	if err := w.AddLoan(model.Loan{Customer: 99, Seq: 1, Contract: "HT-nobody"}); err != nil {
		t.Fatal(err)
	}
	if err := w.AddLoan(model.Loan{Customer: 1, Seq: 3, Contract: "HT-lost"}); err != nil {
		t.Fatal(err)
	}
	w.Checkpoint()
	if err := w.Close(); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a loan of a customer without a key: Close = %v", err)
	}
	if loans, err := s.Loans(ctx, 2); err != nil || len(loans) != 3 || loans[2].Contract != "HT-late" {
		t.Fatalf("loans of #2: %v, %v", loans, err)
	}
	if rs, err := s.Repayments(ctx, 2, 3); err != nil || len(rs) != 1 || rs[0].Principal != 5 {
		t.Fatalf("repayments of #2's third loan: %v, %v", rs, err)
	}
	if loans, _ := s.Loans(ctx, 1); len(loans) != 2 {
		t.Fatalf("the failed checkpoint's loan of #1 was committed: %v", loans)
	}
	if hits, _ := s.Find(ctx, blind.Contract, "HT-lost"); len(hits) != 0 {
		t.Fatalf("the failed checkpoint's index was committed: %v", hits)
	}
}

// bucketPages counts the pages of the bucket of value's tag under kind.
func bucketPages(t *testing.T, s *Store, kind blind.Kind, value string) int {
	t.Helper()
	n := 0
	tag := s.tagger.Tag(kind, value)
	err := s.iterate(ctx, kIndexPagePrefix(kind, pageBucket(tag)), true, func(*badger.Item) (bool, error) {
		n++
		return true, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestIndexPagesCompacted: a writer replaces every mergeEvery pages it wrote into a bucket by
// one, in the transaction that would have added the next, and merges the rest when it
// closes; a bucket that many writers left with more than maxBucketPages pages is merged from
// the disk. Nothing is lost or doubled, and searches answer as before.
func TestIndexPagesCompacted(t *testing.T) {
	for _, batch := range []int{8192, 7} {
		t.Run(fmt.Sprintf("maxMergedPages=%d", batch), func(t *testing.T) {
			defer func(n int) { maxMergedPages = n }(maxMergedPages)
			maxMergedPages = batch
			s, _ := newStore(t)
			importBooks(t, s, 400, 10, false) // 40 checkpoints: up to 40 pages per bucket
			importBooks2 := func() {
				// loans of existing customers, a page per checkpoint again
				w := s.NewImportWriter()
				for i := 1; i <= 400; i++ {
					if err := w.AddLoan(model.Loan{Customer: model.CustomerNo(i), Seq: 3, Contract: "HT-" + strconv.Itoa(i) + "-C"}); err != nil {
						t.Fatal(err)
					}
					if i%10 == 0 {
						if err := w.Checkpoint(); err != nil {
							t.Fatal(err)
						}
					}
				}
				if err := w.Close(); err != nil {
					t.Fatal(err)
				}
			}
			importBooks2()
			perBucket := map[[2]byte]int{}
			err := s.eachPage(ctx, []byte{pIndexPage}, func(k []byte, _ []indexItem) error {
				perBucket[[2]byte{k[1], k[2]}]++
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			for b, n := range perBucket {
				if n > maxBucketPages {
					t.Errorf("bucket %c/%d keeps %d pages", b[0], b[1], n)
				}
			}
			// Every name starts with 张: each of the 40 checkpoints wrote a page there, merged
			// at the 16th, the 32nd and when the writer closed.
			if n := bucketPages(t, s, blind.NamePrefix, "张"); n != 3 {
				t.Fatalf("the bucket of 张 has %d pages after merging, want 3", n)
			}
			if hits, err := s.FindNamePrefix(ctx, "张三3", 0); err != nil || len(hits) != 1+10+100 {
				t.Fatalf("name prefix after merging: %d hits, %v", len(hits), err)
			}
			if _, items := pagesOf(t, s); items != 400*6 {
				t.Fatalf("%d items after merging, want %d", items, 400*6)
			}
			// 40 writers of 10 customers each leave a page each in the bucket of 张: past
			// maxBucketPages, the bucket is merged from the disk.
			for j := 0; j < 40; j++ {
				w := s.NewImportWriter()
				for i := 1; i <= 10; i++ {
					b := book(1000 + 10*j + i)
					b.Documents = nil
					if _, err := w.Add(b); err != nil {
						t.Fatal(err)
					}
				}
				if err := w.Close(); err != nil {
					t.Fatal(err)
				}
			}
			if n := bucketPages(t, s, blind.NamePrefix, "张"); n >= 43 || n > maxBucketPages {
				t.Fatalf("the bucket of 张 has %d pages after 40 more writers", n)
			}
			if _, items := pagesOf(t, s); items != 400*6+400*5 {
				t.Fatalf("%d items after merging from the disk, want %d", items, 400*6+400*5)
			}
			if hits, err := s.FindNamePrefix(ctx, "张三13", 0); err != nil || len(hits) != 1+10+100 { // 13, 130-139, 1300-1399
				t.Fatalf("name prefix after merging from the disk: %d hits, %v", len(hits), err)
			}
			for _, no := range []int{1, 200, 400} {
				n := strconv.Itoa(no)
				for _, q := range []struct {
					kind  blind.Kind
					value string
					loan  uint32
				}{{blind.IDNumber, "11010519491231002X" + n, 0}, {blind.Contract, "HT-" + n + "-C", 3}, {blind.Contract, "HT-" + n + "-A", 1}} {
					if hits, err := s.Find(ctx, q.kind, q.value); err != nil || len(hits) != 1 || hits[0] != (Hit{Customer: model.CustomerNo(no), Loan: q.loan}) {
						t.Errorf("Find(%c, %q) = %v, %v", q.kind, q.value, hits, err)
					}
				}
			}
			// The page numbers stored with the counts cover every page: a new one never
			// reuses a number.
			var stored Counts
			if err := s.GetMeta("counts", &stored); err != nil || stored.NextPage != s.Counts().NextPage {
				t.Fatalf("stored next_page %d, in memory %d, %v", stored.NextPage, s.Counts().NextPage, err)
			}
			err = s.iterate(ctx, []byte{pIndexPage}, true, func(it *badger.Item) (bool, error) {
				if n := binary.BigEndian.Uint64(it.Key()[3:]); n >= stored.NextPage {
					t.Errorf("page %d at or above next_page %d", n, stored.NextPage)
				}
				return true, nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestFormatVersion: a vault of the format before index pages opens and is marked as the
// new format before anything is written, so that an older program refuses it rather than
// searching it without its pages; a newer format is refused.
func TestFormatVersion(t *testing.T) {
	s, master := newStore(t)
	d := s.Dir()
	path := d.Path()
	s.Close()
	d.Close()
	setVersion := func(v int) {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(path, manifestName))
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		json.Unmarshal(b, &m)
		m["version"] = v
		b, _ = json.Marshal(m)
		if err := os.WriteFile(filepath.Join(path, manifestName), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	setVersion(1)
	d, err := OpenDir(path)
	if err != nil {
		t.Fatalf("a version 1 vault: %v", err)
	}
	if d.Manifest.Version != 1 {
		t.Fatalf("version %d before opening", d.Manifest.Version)
	}
	s, err = Open(d, master, false)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	d.Close()
	if d, err = OpenDir(path); err != nil || d.Manifest.Version != formatVersion {
		t.Fatalf("after opening: %+v, %v", d, err)
	}
	d.Close()
	setVersion(formatVersion + 1)
	if _, err := OpenDir(path); err == nil || !strings.Contains(err.Error(), "newer than this program") {
		t.Fatalf("a newer format: %v", err)
	}
}

// TestSortByBucketAndMergeRuns checks the two sorts sealPages uses against a sort of the
// whole: sortByBucket leaves each kind and bucket one run in compareItems order, and
// mergeRuns of sorted runs (empty ones included) is the sorted whole.
func TestSortByBucketAndMergeRuns(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	item := func() indexItem {
		var it indexItem
		it.kind = blind.Kind("ipnc"[rng.IntN(4)])
		it.tag[0], it.tag[1] = byte(rng.IntN(256)), byte(rng.IntN(4)) // ties on purpose
		it.no = model.CustomerNo(rng.IntN(50))
		it.extra = uint32(rng.IntN(3))
		return it
	}
	var buf []indexItem
	for _, n := range []int{0, 1, 2, 63, 1000, 20000} {
		items := make([]indexItem, n)
		for i := range items {
			items[i] = item()
		}
		want := slices.Clone(items)
		slices.SortFunc(want, compareItems)
		got := sortByBucket(items, &buf)
		if len(got) != n {
			t.Fatalf("%d items: %d sorted", n, len(got))
		}
		seen := map[[2]byte]bool{}
		for i := 0; i < len(got); {
			j := i + 1
			for j < len(got) && got[j].kind == got[i].kind && pageBucket(got[j].tag) == pageBucket(got[i].tag) {
				j++
			}
			k := [2]byte{byte(got[i].kind), pageBucket(got[i].tag)}
			if seen[k] {
				t.Fatalf("%d items: kind %c bucket %d in two runs", n, k[0], k[1])
			}
			seen[k] = true
			if !slices.IsSortedFunc(got[i:j], compareItems) {
				t.Fatalf("%d items: a run is not sorted", n)
			}
			i = j
		}
		regrouped := slices.Clone(got)
		slices.SortFunc(regrouped, compareItems)
		if !slices.Equal(regrouped, want) {
			t.Fatalf("%d items: sortByBucket lost or changed items", n)
		}

		// The same items as sorted runs of random lengths, some empty.
		var runs []indexItem
		var ends []int
		for rest := slices.Clone(items); ; {
			k := min(len(rest), rng.IntN(n/3+2))
			run := slices.Clone(rest[:k])
			slices.SortFunc(run, compareItems)
			runs = append(runs, run...)
			ends = append(ends, len(runs))
			rest = rest[k:]
			if len(rest) == 0 {
				break
			}
		}
		if merged := mergeRuns(runs, ends); !slices.Equal(merged, want) {
			t.Fatalf("%d items in %d runs: merged wrongly", n, len(ends))
		}
	}
	if got := mergeRuns([]indexItem{{no: 2}, {no: 1}}, []int{1}); !slices.IsSortedFunc(got, compareItems) {
		t.Fatal("runs that do not cover the items were not sorted whole")
	}
}
