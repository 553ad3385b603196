package store

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"

	"github.com/dgraph-io/badger/v4"
)

// Operator is a person who may unlock the vault. The role here, sealed under the vault key,
// is the one that counts; the copy in the slot header only labels the unlock screen.
type Operator struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Role    string `json:"role"`
	Created string `json:"created"`
}

// PutOperator stores an operator record.
func (s *Store) PutOperator(o Operator) error { return s.putSealed(s.meta, kOperator(o.ID), o) }

// Operator reads one operator record.
func (s *Store) Operator(id string) (Operator, error) {
	var o Operator
	err := s.getSealed(s.meta, kOperator(id), &o, 0, "operator")
	if errors.Is(err, ErrNotFound) {
		err = ErrNoOperator
	}
	return o, err
}

// Operators lists every operator record.
func (s *Store) Operators(ctx context.Context) ([]Operator, error) {
	var out []Operator
	err := s.iterate(ctx, []byte{pOperator}, false, func(it *badger.Item) (bool, error) {
		pt, err := openItem(s.meta, it)
		if err != nil {
			return false, &CorruptError{What: "operator"}
		}
		var o Operator
		if err := json.Unmarshal(pt, &o); err != nil {
			return false, &CorruptError{What: "operator"}
		}
		out = append(out, o)
		return true, nil
	})
	return out, err
}

// DeleteOperator removes an operator record.
func (s *Store) DeleteOperator(id string) error {
	return s.db.Update(func(txn *badger.Txn) error { return txn.Delete(kOperator(id)) })
}

// AppendAudit stores one audit event and returns its sequence number (from 1). Events are
// sealed under the audit key; the tamper-evident log is built on this sequence.
func (s *Store) AppendAudit(event []byte) (uint64, error) {
	seq := s.auditSeq.Add(1)
	k := kAudit(seq)
	err := s.db.Update(func(txn *badger.Txn) error {
		return txn.Set(k, s.audit.Seal(nil, k, event))
	})
	return seq, err
}

// AuditEvents calls fn with each audit event from sequence number from on, in order.
func (s *Store) AuditEvents(ctx context.Context, from uint64, fn func(seq uint64, event []byte) bool) error {
	return s.db.View(func(txn *badger.Txn) error {
		opts := badger.DefaultIteratorOptions
		opts.Prefix = []byte{pAudit}
		it := txn.NewIterator(opts)
		defer it.Close()
		for it.Seek(kAudit(from)); it.Valid(); it.Next() {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			seq := binary.BigEndian.Uint64(it.Item().Key()[1:])
			pt, err := openItem(s.audit, it.Item())
			if err != nil {
				return &CorruptError{What: "audit"}
			}
			if !fn(seq, pt) {
				return nil
			}
		}
		return nil
	})
}
