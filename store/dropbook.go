package store

import (
	"bytes"

	"github.com/dgraph-io/badger/v4"

	"handover/store/model"
)

// bookPrefixes are the tables that hold customers' data, as opposed to the vault's own
// records (meta, operators, audit log).
var bookPrefixes = [][]byte{{pCustomer}, {pLoan}, {pRepayment}, {pDocument}, {pChunk}, {pIndex}, {pIndexPage}}

// DropBook removes every customer's records, clears the data keys of the customers it
// numbered and sets the counts back to zero. It undoes a receive that stopped before its
// end: a receive writes only into an empty book, so an empty book is the state before it.
// Clearing the key slots makes any copy of the dropped records left in Badger's files
// unreadable, as destruction does.
func (s *Store) DropBook() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.db.DropPrefix(bookPrefixes...); err != nil {
		return err
	}
	if err := s.keys.clear(1, s.counts.NextCustomer); err != nil {
		return err
	}
	s.counts = Counts{NextCustomer: 1}
	return s.PutMeta("counts", s.counts)
}

// DeleteMeta removes a meta document; removing an absent one is not an error.
func (s *Store) DeleteMeta(name string) error {
	return s.db.Update(func(txn *badger.Txn) error { return txn.Delete(kMeta(name)) })
}

// clear empties the key slots of customers [from, to) and syncs.
func (kt *KeyTable) clear(from, to model.CustomerNo) error { return kt.fill(from, to, emptySlotValue) }

// fill writes every byte of the slots of customers [from, to) with b, drops their cached keys
// and syncs: empty slots (a receive undone) or destroyed ones (cryptographic erase).
func (kt *KeyTable) fill(from, to model.CustomerNo, b byte) error {
	kt.mu.Lock()
	clear(kt.cache)
	kt.mu.Unlock()
	if err := kt.settle(); err != nil {
		return err
	}
	const batch = 16384
	block := bytes.Repeat([]byte{b}, keySlotSize*batch)
	for no := from; no < to; no += batch {
		n := min(batch, int(to-no))
		if _, err := kt.f.WriteAt(block[:n*keySlotSize], slotOffset(no)); err != nil {
			return err
		}
	}
	return kt.f.Sync()
}
