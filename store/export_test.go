package store

import (
	"encoding/json"

	"github.com/dgraph-io/badger/v4"

	"handover/crypto/merkle"
	"handover/store/model"
)

// RawCustomerForTest returns the sealed bytes of a customer record as stored.
func (s *Store) rawGet(k []byte) ([]byte, error) {
	var v []byte
	err := s.db.View(func(txn *badger.Txn) error {
		it, err := txn.Get(k)
		if err != nil {
			return err
		}
		v, err = it.ValueCopy(nil)
		return err
	})
	return v, err
}

func (s *Store) rawSet(k, v []byte) error {
	return s.db.Update(func(txn *badger.Txn) error { return txn.Set(k, v) })
}

func customerKey(no model.CustomerNo) []byte { return kCustomer(no) }

func (s *Store) rawDelete(k []byte) error {
	return s.db.Update(func(txn *badger.Txn) error { return txn.Delete(k) })
}

// appendAuditBatch appends many events in few transactions, exactly as AppendAudit would
// one by one: for building large logs in tests and benchmarks.
func (s *Store) appendAuditBatch(events [][]byte) error {
	s.auditMu.Lock()
	defer s.auditMu.Unlock()
	return s.db.Update(func(txn *badger.Txn) error {
		for _, ev := range events {
			seq := s.auditSeq.Load() + 1
			s.auditTree.Append(merkle.LeafHash(ev))
			root := s.auditTree.Root()
			rec := append(append([]byte{auditRecordV1}, root[:]...), ev...)
			k := kAudit(seq)
			if err := txn.Set(k, s.audit.Seal(nil, k, rec)); err != nil {
				return err
			}
			s.auditSeq.Store(seq)
		}
		size, stack := s.auditTree.State()
		state, _ := json.Marshal(auditTreeState{Size: size, Stack: stack})
		return txn.Set(kMeta("audit-tree"), s.meta.Seal(nil, kMeta("audit-tree"), state))
	})
}
