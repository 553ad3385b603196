package store

import (
	"context"
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
