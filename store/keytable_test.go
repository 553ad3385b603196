package store

import (
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"handover/crypto/seal"
	"handover/store/model"
)

func newKeyTable(t *testing.T) (*KeyTable, string, seal.Key) {
	t.Helper()
	path := filepath.Join(t.TempDir(), keyTableName)
	kek := seal.NewKey()
	kt, err := openKeyTable(path, kek, true)
	if err != nil {
		t.Fatal(err)
	}
	return kt, path, kek
}

// sameKey says whether two sealers hold the same key: what one seals, the other opens.
func sameKey(a, b *seal.Sealer) bool {
	_, err := b.Open([]byte("ad"), a.Seal(nil, []byte("ad"), []byte("x")))
	return err == nil
}

// New's slots are written in blocks and Get reads them in blocks. Whatever the order of
// New, Get, Destroy and Sync, each customer reads back the key New made, from the cache, the
// pending slots, a block or the file, in this process and after the table is reopened.
func TestKeyTableBlocksAnswerAsTheFile(t *testing.T) {
	kt, path, kek := newKeyTable(t)
	made := map[model.CustomerNo]*seal.Sealer{}
	mk := func(no model.CustomerNo) {
		s, err := kt.New(no)
		if err != nil {
			t.Fatal(err)
		}
		made[no] = s
	}
	// In order across several pending blocks and read blocks, then out of order, then a
	// number made again (a resumed import reuses the numbers of customers never committed).
	for no := model.CustomerNo(1); no <= 3000; no++ {
		mk(no)
	}
	for _, no := range []model.CustomerNo{5000, 4000, 4001, 3500, 10} {
		mk(no)
	}
	if err := kt.Destroy(7); err != nil {
		t.Fatal(err)
	}
	delete(made, 7)
	check := func(kt *KeyTable, when string) {
		t.Helper()
		kt.Forget() // every Get below comes from the pending slots, a block or the file
		for no, want := range made {
			got, err := kt.Get(no)
			if err != nil || !sameKey(want, got) {
				t.Fatalf("%s: customer #%d: err %v, same key %v", when, no, err, err == nil && sameKey(want, got))
			}
		}
		for _, no := range []model.CustomerNo{3001, 3499, 4002, 5001, 9999} {
			if _, err := kt.Get(no); !errors.Is(err, ErrNotFound) {
				t.Fatalf("%s: customer #%d never made: %v, want ErrNotFound", when, no, err)
			}
		}
		if _, err := kt.Get(7); !errors.Is(err, ErrKeyDestroyed) {
			t.Fatalf("%s: customer #7 destroyed: %v", when, err)
		}
	}
	check(kt, "before Sync")
	// A key made after its block was read must not be answered from the stale block.
	if _, err := kt.Get(3002); !errors.Is(err, ErrNotFound) {
		t.Fatal(err)
	}
	mk(3002)
	check(kt, "after a block went stale")
	if err := kt.Sync(); err != nil {
		t.Fatal(err)
	}
	check(kt, "after Sync")
	if err := kt.close(); err != nil {
		t.Fatal(err)
	}
	re, err := openKeyTable(path, kek, false)
	if err != nil {
		t.Fatal(err)
	}
	defer re.close()
	check(re, "reopened")
}

// A slot cleared or filled after New must stay cleared: the pending slots reach the file
// first, not over it.
func TestKeyTableFillAfterPendingNew(t *testing.T) {
	kt, _, _ := newKeyTable(t)
	defer kt.close()
	for no := model.CustomerNo(1); no <= 10; no++ {
		if _, err := kt.New(no); err != nil {
			t.Fatal(err)
		}
	}
	if err := kt.clear(1, 11); err != nil {
		t.Fatal(err)
	}
	if err := kt.Sync(); err != nil {
		t.Fatal(err)
	}
	for no := model.CustomerNo(1); no <= 10; no++ {
		if _, err := kt.Get(no); !errors.Is(err, ErrNotFound) {
			t.Fatalf("customer #%d after clear: %v", no, err)
		}
	}
}

// Walk workers read keys side by side (go test -race).
func TestKeyTableConcurrentGet(t *testing.T) {
	kt, _, _ := newKeyTable(t)
	defer kt.close()
	made := make([]*seal.Sealer, 2001)
	for no := 1; no <= 2000; no++ {
		s, err := kt.New(model.CustomerNo(no))
		if err != nil {
			t.Fatal(err)
		}
		made[no] = s
	}
	kt.Forget()
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for no := 1 + w*500; no <= (w+1)*500; no++ {
				s, err := kt.Get(model.CustomerNo(no))
				if err != nil || !sameKey(made[no], s) {
					t.Errorf("customer #%d: %v", no, err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// A failed write of pending slots loses keys whose New had succeeded: every Sync after it
// fails, so that no record sealed under them is committed.
func TestKeyTableLostSlotsFailEverySync(t *testing.T) {
	kt, path, _ := newKeyTable(t)
	if _, err := kt.New(1); err != nil {
		t.Fatal(err)
	}
	rw := kt.f
	ro, err := os.Open(path) // writes fail, fsync does not
	if err != nil {
		t.Fatal(err)
	}
	kt.f = ro
	if _, err := kt.New(5); err == nil {
		t.Fatal("New wrote customer #1's pending slot through a read-only file")
	}
	for i := range 2 {
		if err := kt.Sync(); err == nil {
			t.Fatalf("Sync %d succeeded after customer #1's key was lost", i+1)
		}
	}
	kt.f = rw
	ro.Close()
	kt.close()
}

// TestKeyTableSyncsOnlyWhatWasWritten: a Sync with no key made since the last one does not
// fsync (an import's loans and repayments synced the table at every checkpoint), and keys
// made after a Sync are synced by the next.
func TestKeyTableSyncsOnlyWhatWasWritten(t *testing.T) {
	kt, _, _ := newKeyTable(t)
	fsyncs := 0
	old := syncFile
	syncFile = func(f *os.File) error { fsyncs++; return old(f) }
	defer func() { syncFile = old }()
	steps := []struct {
		make  int // keys made before the Sync
		fsync bool
	}{{3, true}, {0, false}, {0, false}, {1, true}, {0, false}}
	next := model.CustomerNo(1)
	for i, s := range steps {
		for range s.make {
			if _, err := kt.New(next); err != nil {
				t.Fatal(err)
			}
			next++
		}
		before := fsyncs
		if err := kt.Sync(); err != nil {
			t.Fatal(err)
		}
		if got := fsyncs > before; got != s.fsync {
			t.Errorf("step %d: fsync %v, want %v", i, got, s.fsync)
		}
	}
	if err := kt.Destroy(1); err != nil {
		t.Fatal(err)
	}
	before := fsyncs
	if err := kt.Sync(); err != nil || fsyncs == before {
		t.Errorf("after a destruction: err %v, fsync %v; want one (conservative)", err, fsyncs > before)
	}
}
