package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/pb"
	"github.com/dgraph-io/ristretto/v2/z"

	"handover/store/atomicfile"
	"handover/store/model"
)

// Destroying customers, in an order that a crash at any instant cannot undo or leave half
// done (docs/VAULT.md, "Destruction"):
//
//  1. what leaves is counted while the records can still be read, and a journal naming the
//     run, its customers and those counts is committed;
//  2. each customer's data key is overwritten in the key table and synced: from here on
//     every copy of their records, current or stale, is noise (cryptographic erase);
//  3. their records, documents and search-index entries are deleted, and the counts are
//     lowered in the transaction that moves the journal on;
//  4. the database is rewritten into a fresh folder holding only the latest live version of
//     every other key (no tombstone, no old version, no stale index tag), swapped in by two
//     renames, and the old folder removed.
//
// A run found in the journal at the next open is finished there (resumeDestroy), the same way.

// ErrDestroyInProgress refuses a second destruction while another is unfinished.
var ErrDestroyInProgress = errors.New("another destruction run is unfinished in this vault")

const metaDestroyJournal = "destroy/journal"

// destroyJournal is the state of a destruction run.
type destroyJournal struct {
	Run       string             `json:"run"`
	Customers []model.CustomerNo `json:"customers"` // sorted
	Leaving   Counts             `json:"leaving"`   // what the run removes from the counts
	Phase     string             `json:"phase"`     // erase, delete, rewrite
}

// DestroyResult says what a run removed.
type DestroyResult struct {
	Run     string
	Removed Counts
	Missing []model.CustomerNo // numbers in the run that held no customer
}

// DestroyCustomers destroys the customers nos under the run name run (the plan's ID): keys
// erased, records and index entries deleted, database rewritten. Calling it again with the
// same run after an interruption finishes that run; a different run while one is unfinished
// is refused. progress, if not nil, is told the phase as it starts.
func (s *Store) DestroyCustomers(ctx context.Context, run string, nos []model.CustomerNo, phase func(string)) (*DestroyResult, error) {
	if phase == nil {
		phase = func(string) {}
	}
	var j destroyJournal
	err := s.GetMeta(metaDestroyJournal, &j)
	switch {
	case err == nil && j.Run != run:
		return nil, fmt.Errorf("%w (%s)", ErrDestroyInProgress, j.Run)
	case errors.Is(err, ErrNotFound):
		phase("count")
		j = destroyJournal{Run: run, Customers: slices.Sorted(slices.Values(nos)), Phase: "erase"}
		j.Customers = slices.Compact(j.Customers)
		res := &DestroyResult{Run: run}
		for _, no := range j.Customers {
			c, err := s.countCustomer(ctx, no)
			if errors.Is(err, ErrNotFound) {
				res.Missing = append(res.Missing, no)
				continue
			}
			if err != nil {
				return nil, err
			}
			j.Leaving.plus(c)
		}
		if err := s.PutMeta(metaDestroyJournal, j); err != nil {
			return nil, err
		}
	case err != nil:
		return nil, err
	}
	if err := s.finishDestroy(ctx, &j, phase); err != nil {
		return nil, err
	}
	return &DestroyResult{Run: run, Removed: j.Leaving}, nil
}

func (c *Counts) plus(o Counts) {
	c.Customers += o.Customers
	c.Loans += o.Loans
	c.Repayments += o.Repayments
	c.Documents += o.Documents
	c.DocumentBytes += o.DocumentBytes
}

// countCustomer is what one customer contributes to the counts.
func (s *Store) countCustomer(ctx context.Context, no model.CustomerNo) (Counts, error) {
	rec, err := s.record(no)
	if err != nil {
		return Counts{}, err
	}
	loans, err := s.loansOf(ctx, no, rec)
	if err != nil {
		return Counts{}, err
	}
	c := Counts{Customers: 1, Loans: int64(len(loans))}
	for i := range loans {
		rs, err := s.Repayments(ctx, no, uint32(i+1))
		if err != nil {
			return Counts{}, err
		}
		c.Repayments += int64(len(rs))
	}
	docs, err := s.Documents(ctx, no)
	if err != nil {
		return Counts{}, err
	}
	for _, d := range docs {
		c.Documents++
		c.DocumentBytes += d.Size
	}
	return c, nil
}

// finishDestroy runs the journal's remaining phases.
func (s *Store) finishDestroy(ctx context.Context, j *destroyJournal, phase func(string)) error {
	if j.Phase == "erase" {
		phase("erase")
		if err := s.keys.destroyMany(j.Customers); err != nil {
			return err
		}
		crashAt("destroy-erased")
		j.Phase = "delete"
		if err := s.PutMeta(metaDestroyJournal, j); err != nil {
			return err
		}
	}
	if j.Phase == "delete" {
		phase("delete")
		if err := s.deleteCustomers(ctx, j.Customers); err != nil {
			return err
		}
		crashAt("destroy-deleted")
		// The counts fall in the same transaction that moves the journal on, so they fall once.
		s.mu.Lock()
		c := s.counts
		c.Customers -= j.Leaving.Customers
		c.Loans -= j.Leaving.Loans
		c.Repayments -= j.Leaving.Repayments
		c.Documents -= j.Leaving.Documents
		c.DocumentBytes -= j.Leaving.DocumentBytes
		next := *j
		next.Phase = "rewrite"
		err := s.UpdateMeta([]MetaChange{{Name: "counts", Value: c}, {Name: metaDestroyJournal, Value: next}})
		if err == nil {
			s.counts = c
		}
		s.mu.Unlock()
		if err != nil {
			return err
		}
		j.Phase = "rewrite"
	}
	if j.Phase == "rewrite" {
		// The journal is removed before the copy, so the fresh database never holds it; a
		// crash before the swap leaves the old one, whose journal says to rewrite again.
		phase("rewrite")
		if err := s.rewrite(ctx, metaDestroyJournal); err != nil {
			return err
		}
	}
	return nil
}

// destroyMany overwrites the slots of nos and syncs once.
func (kt *KeyTable) destroyMany(nos []model.CustomerNo) error {
	kt.mu.Lock()
	for _, no := range nos {
		delete(kt.cache, no)
	}
	kt.mu.Unlock()
	gone := bytes.Repeat([]byte{destroyedMark}, keySlotSize)
	for _, no := range nos {
		if _, err := kt.f.WriteAt(gone, slotOffset(no)); err != nil {
			return err
		}
	}
	return kt.f.Sync()
}

// deleteCustomers deletes every key of the customers nos (sorted): their records and
// documents by prefix, their index entries by a scan of the index.
func (s *Store) deleteCustomers(ctx context.Context, nos []model.CustomerNo) error {
	wb := s.db.NewWriteBatch()
	defer wb.Cancel()
	del := func(k []byte) error { return wb.Delete(bytes.Clone(k)) }
	for _, no := range nos {
		for _, p := range []byte{pCustomer, pLoan, pRepayment, pDocument, pChunk} {
			if err := s.iterate(ctx, customerPrefix(p, no), true, func(it *badger.Item) (bool, error) {
				return true, del(it.Key())
			}); err != nil {
				return err
			}
		}
	}
	err := s.iterate(ctx, []byte{pIndex}, true, func(it *badger.Item) (bool, error) {
		no, _ := indexEntry(it.Key())
		if _, found := slices.BinarySearch(nos, no); found {
			return true, del(it.Key())
		}
		return true, nil
	})
	if err != nil {
		return err
	}
	return wb.Flush()
}

// rewrite copies the latest live version of every key (except the meta records named in
// drop) into a fresh database and swaps it in, so that no file of the vault keeps a deleted
// record, an old version or a stale index entry. Crash-safe through the folder names:
// db.new is complete before db is renamed away (openDB finishes or discards a swap).
func (s *Store) rewrite(ctx context.Context, drop ...string) error {
	path := filepath.Join(s.dir.path, dbDir)
	fresh, old := path+".new", path+".old"
	if err := os.RemoveAll(fresh); err != nil {
		return err
	}
	ndb, err := openBadger(fresh, s.dbKey, true, false)
	if err != nil {
		return err
	}
	skip := map[string]bool{}
	for _, name := range drop {
		skip[string(kMeta(name))] = true
	}
	sw := ndb.NewStreamWriter()
	if err := sw.Prepare(); err != nil {
		ndb.Close()
		return err
	}
	st := s.db.NewStream()
	st.LogPrefix = "handover.rewrite"
	st.KeyToList = func(key []byte, itr *badger.Iterator) (*pb.KVList, error) {
		item := itr.Item() // the newest version comes first
		if item.IsDeletedOrExpired() || skip[string(key)] {
			return nil, nil
		}
		v, err := item.ValueCopy(nil)
		if err != nil {
			return nil, err
		}
		return &pb.KVList{Kv: []*pb.KV{{Key: item.KeyCopy(nil), Value: v, UserMeta: []byte{item.UserMeta()}, Version: item.Version()}}}, nil
	}
	st.Send = func(buf *z.Buffer) error { return sw.Write(buf) }
	if err := st.Orchestrate(ctx); err != nil {
		sw.Cancel()
		ndb.Close()
		return err
	}
	if err := sw.Flush(); err != nil {
		ndb.Close()
		return err
	}
	if err := ndb.Close(); err != nil {
		return err
	}
	crashAt("rewrite-written")
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.db.Close(); err != nil {
		return err
	}
	s.db = nil
	if err := os.Rename(path, old); err != nil {
		return err
	}
	crashAt("rewrite-moved")
	if err := os.Rename(fresh, path); err != nil {
		return err
	}
	if err := atomicfile.SyncDir(s.dir.path); err != nil {
		return err
	}
	if err := os.RemoveAll(old); err != nil {
		return err
	}
	db, err := openBadger(path, s.dbKey, false, false)
	if err != nil {
		return err
	}
	s.db = db
	return nil
}

// finishSwap completes or discards a rewrite interrupted between its renames, before the
// database opens: db.new beside a missing db is the complete copy; db.new beside db is an
// unfinished one; db.old is what a finished swap had still to remove.
func finishSwap(vaultPath string) error {
	path := filepath.Join(vaultPath, dbDir)
	fresh, old := path+".new", path+".old"
	_, errDB := os.Stat(path)
	_, errNew := os.Stat(fresh)
	switch {
	case os.IsNotExist(errDB) && errNew == nil:
		if err := os.Rename(fresh, path); err != nil {
			return err
		}
		if err := atomicfile.SyncDir(vaultPath); err != nil {
			return err
		}
	case errNew == nil:
		if err := os.RemoveAll(fresh); err != nil {
			return err
		}
	}
	return os.RemoveAll(old)
}

// resumeDestroy finishes a destruction run an interruption left in the journal. Past the
// erase nothing can be undone, so the only way is forward.
func (s *Store) resumeDestroy(ctx context.Context) error {
	var j destroyJournal
	err := s.GetMeta(metaDestroyJournal, &j)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return s.finishDestroy(ctx, &j, func(string) {})
}

// PendingDestroy names the run an interruption left unfinished, or "".
func (s *Store) PendingDestroy() string {
	var j destroyJournal
	if s.GetMeta(metaDestroyJournal, &j) != nil {
		return ""
	}
	return j.Run
}

// Traces counts what is left of customers nos (sorted): key-table slots still holding a key,
// and database keys (records, documents, index entries) still naming them. A verified
// destruction has none of either.
func (s *Store) Traces(ctx context.Context, nos []model.CustomerNo) (keys, records int, err error) {
	for _, no := range nos {
		if _, err := s.keys.Get(no); err == nil {
			keys++
		} else if !errors.Is(err, ErrKeyDestroyed) && !errors.Is(err, ErrNotFound) {
			return 0, 0, err
		}
		for _, p := range []byte{pCustomer, pLoan, pRepayment, pDocument, pChunk} {
			if err := s.iterate(ctx, customerPrefix(p, no), true, func(*badger.Item) (bool, error) {
				records++
				return true, nil
			}); err != nil {
				return 0, 0, err
			}
		}
	}
	err = s.iterate(ctx, []byte{pIndex}, true, func(it *badger.Item) (bool, error) {
		no, _ := indexEntry(it.Key())
		if _, found := slices.BinarySearch(nos, no); found {
			records++
		}
		return true, nil
	})
	return keys, records, err
}

// CountCustomers is what the customers nos contribute to the counts, and which of the
// numbers hold no customer.
func (s *Store) CountCustomers(ctx context.Context, nos []model.CustomerNo) (Counts, []model.CustomerNo, error) {
	var total Counts
	var missing []model.CustomerNo
	for _, no := range nos {
		c, err := s.countCustomer(ctx, no)
		if errors.Is(err, ErrNotFound) {
			missing = append(missing, no)
			continue
		}
		if err != nil {
			return Counts{}, nil, err
		}
		total.plus(c)
	}
	return total, missing, nil
}
