package store

import (
	"github.com/dgraph-io/badger/v4"

	"handover/app/model"
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
