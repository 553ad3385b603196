package store

import (
	"encoding/json"

	"github.com/dgraph-io/badger/v4"
	"handover/crypto/merkle"
)

// MetaChange is one meta record to write (or delete) together with an audit event.
type MetaChange struct {
	Name   string
	Value  any  // stored as JSON unless Delete
	Delete bool // remove the record
}

// AppendAuditWith appends one audit event and applies changes in the same transaction: an
// operation's record and the event that reports it become durable together or not at all.
func (s *Store) AppendAuditWith(event []byte, changes []MetaChange) (uint64, error) {
	s.auditMu.Lock()
	defer s.auditMu.Unlock()
	size, stack := s.auditTree.State()
	seq := s.auditSeq.Load() + 1
	s.auditTree.Append(merkle.LeafHash(event))
	root := s.auditTree.Root()
	rec := make([]byte, 0, 33+len(event))
	rec = append(append(append(rec, auditRecordV1), root[:]...), event...)
	k := kAudit(seq)
	nsize, nstack := s.auditTree.State()
	state, _ := json.Marshal(auditTreeState{Size: nsize, Stack: nstack})
	err := s.db.Update(func(txn *badger.Txn) error {
		if err := txn.Set(k, s.audit.Seal(nil, k, rec)); err != nil {
			return err
		}
		if err := s.applyMeta(txn, changes); err != nil {
			return err
		}
		return txn.Set(kMeta("audit-tree"), s.meta.Seal(nil, kMeta("audit-tree"), state))
	})
	if err != nil {
		s.auditTree.Restore(size, stack) // the event is not in the log
		return 0, err
	}
	s.auditSeq.Store(seq)
	return seq, nil
}

// UpdateMeta writes and deletes several meta records in one transaction.
func (s *Store) UpdateMeta(changes []MetaChange) error {
	return s.db.Update(func(txn *badger.Txn) error { return s.applyMeta(txn, changes) })
}

func (s *Store) applyMeta(txn *badger.Txn, changes []MetaChange) error {
	for _, c := range changes {
		k := kMeta(c.Name)
		if c.Delete {
			if err := txn.Delete(k); err != nil {
				return err
			}
			continue
		}
		b, err := json.Marshal(c.Value)
		if err != nil {
			return err
		}
		if err := txn.Set(k, s.meta.Seal(nil, k, b)); err != nil {
			return err
		}
	}
	return nil
}
