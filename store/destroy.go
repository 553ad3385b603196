package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/pb"

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
	All       bool               `json:"all,omitempty"` // every customer: the whole book
	Customers []model.CustomerNo `json:"customers"`     // sorted; empty when All
	// Quarantine are the quarantined rows that hold these customers' values (refused rows
	// belong to no customer, so they are found by value when the plan is made); with All,
	// every quarantined row goes.
	Quarantine []QuarantineKey `json:"quarantine,omitempty"`
	// Evidence are checklist evidence files the plan names as holding these customers'
	// data: their content goes, their description stays marked destroyed.
	Evidence []string `json:"evidence,omitempty"`
	Leaving  Counts   `json:"leaving"` // what the run removes from the counts
	Phase    string   `json:"phase"`   // erase, delete, rewrite
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
	return s.DestroyCustomersWith(ctx, run, nos, DestroyAlso{}, phase)
}

// DestroyAlso is what goes with the customers besides their records: the quarantined rows
// holding their values (refused rows belong to no customer) and the checklist evidence files
// that name them (the program cannot read inside those; the plan's author names them).
type DestroyAlso struct {
	Quarantine []QuarantineKey
	Evidence   []string
}

// DestroyCustomersWith is DestroyCustomers that also deletes what also names.
func (s *Store) DestroyCustomersWith(ctx context.Context, run string, nos []model.CustomerNo, also DestroyAlso, phase func(string)) (*DestroyResult, error) {
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
		j = destroyJournal{Run: run, Customers: slices.Sorted(slices.Values(nos)), Quarantine: also.Quarantine, Evidence: also.Evidence, Phase: "erase"}
		j.Customers = slices.Compact(j.Customers)
		res := &DestroyResult{Run: run}
		if c := s.Counts(); int64(len(j.Customers)) == c.Customers && s.allExist(ctx, j.Customers) {
			// The whole book: what leaves is the book's counts, the key table is cleared as a
			// whole and the book's tables dropped, instead of customer by customer.
			j.All, j.Customers = true, nil
			j.Leaving = Counts{Customers: c.Customers, Loans: c.Loans, Repayments: c.Repayments, Documents: c.Documents, DocumentBytes: c.DocumentBytes}
		}
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
		// Every index page must open before any key is erased, as every record must above:
		// a damaged page found in the delete phase would stop the run where it cannot go back.
		if !j.All {
			if _, err := s.deletePageItems(ctx, j.Customers, nil); err != nil {
				return nil, err
			}
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
		erase := func() error { return s.keys.destroyMany(j.Customers) }
		if j.All {
			erase = func() error { return s.keys.fill(1, s.Counts().NextCustomer, destroyedMark) }
		}
		if err := erase(); err != nil {
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
		del := func() error { return s.deleteCustomers(ctx, j.Customers, j.Quarantine) }
		if j.All {
			del = func() error { return s.db.DropPrefix(append(bookPrefixes, []byte{pQuarantine})...) }
		}
		if err := del(); err != nil {
			return err
		}
		if err := s.destroyEvidence(j.Run, j.Evidence); err != nil {
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
	if err := kt.settle(); err != nil {
		return err
	}
	gone := bytes.Repeat([]byte{destroyedMark}, keySlotSize)
	for _, no := range nos {
		if _, err := kt.f.WriteAt(gone, slotOffset(no)); err != nil {
			return err
		}
	}
	return kt.f.Sync()
}

// allExist says whether every number in nos (sorted) holds a customer record.
func (s *Store) allExist(ctx context.Context, nos []model.CustomerNo) bool {
	i := 0
	ok := true
	_ = s.iterate(ctx, []byte{pCustomer}, true, func(it *badger.Item) (bool, error) {
		no := model.CustomerNo(binary.BigEndian.Uint64(it.Key()[1:9]))
		if i >= len(nos) || nos[i] != no {
			ok = false
			return false, nil
		}
		i++
		return true, nil
	})
	return ok && i == len(nos)
}

// deleteCustomers deletes every key of the customers nos (sorted): their records and
// documents by prefix, their index entries by a scan of the index.
func (s *Store) deleteCustomers(ctx context.Context, nos []model.CustomerNo, quarantine []QuarantineKey) error {
	wb := s.db.NewWriteBatch()
	defer wb.Cancel()
	del := func(k []byte) error { return wb.Delete(bytes.Clone(k)) }
	for _, q := range quarantine {
		if err := del(kQuarantine(q.File, q.Row)); err != nil {
			return err
		}
	}
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
	if _, err := s.deletePageItems(ctx, nos, wb); err != nil {
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
	// One iterator over the newest live version of every key, written through a loader with
	// a few batches in flight: memory stays at a few batches whatever the size of the book
	// (Badger's Stream buffers up to a gigabyte between its readers and its writer).
	ldr := ndb.NewKVLoader(4)
	err = s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{PrefetchValues: true, PrefetchSize: 64})
		defer it.Close()
		n := 0
		for it.Rewind(); it.Valid(); it.Next() {
			if n++; n%4096 == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
			item := it.Item()
			if item.IsDeletedOrExpired() || skip[string(item.Key())] {
				continue
			}
			v, err := item.ValueCopy(nil)
			if err != nil {
				return err
			}
			if err := ldr.Set(&pb.KV{Key: item.KeyCopy(nil), Value: v, UserMeta: []byte{item.UserMeta()}, Version: item.Version()}); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		err = ldr.Finish()
	}
	if err != nil {
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
	if err != nil {
		return 0, 0, err
	}
	items, err := s.deletePageItems(ctx, nos, nil)
	return keys, records + items, err
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

// BookTraces counts what is left of the whole book: key-table slots still holding a key and
// keys in the book's tables. After a destruction of every customer both are zero.
func (s *Store) BookTraces(ctx context.Context) (keys, records int, err error) {
	next := s.Counts().NextCustomer
	for no := model.CustomerNo(1); no < next; no++ {
		if _, err := s.keys.Get(no); err == nil {
			keys++
		} else if !errors.Is(err, ErrKeyDestroyed) && !errors.Is(err, ErrNotFound) {
			return 0, 0, err
		}
	}
	s.keys.Forget()
	for _, p := range bookPrefixes {
		if err := s.iterate(ctx, p, true, func(*badger.Item) (bool, error) {
			records++
			return true, nil
		}); err != nil {
			return 0, 0, err
		}
	}
	return keys, records, nil
}
