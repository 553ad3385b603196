package store

import (
	"context"
	"encoding/binary"
	"encoding/json"

	"github.com/dgraph-io/badger/v4"

	"handover/app/model"
)

// QuarantineKey names one quarantine record: the importing file's ID and the row.
type QuarantineKey struct {
	File [8]byte
	Row  uint32
}

// Quarantine calls fn with every quarantine record of file (all files when file is nil), in
// file and row order, until fn returns false. The JSON is the caller's (app/importer).
func (s *Store) Quarantine(ctx context.Context, file *[8]byte, fn func(k QuarantineKey, record []byte) (bool, error)) error {
	prefix := []byte{pQuarantine}
	if file != nil {
		prefix = append(prefix, file[:]...)
	}
	return s.iterate(ctx, prefix, false, func(it *badger.Item) (bool, error) {
		pt, err := openItem(s.meta, it)
		if err != nil {
			return false, &CorruptError{What: "quarantine"}
		}
		var k QuarantineKey
		copy(k.File[:], it.Key()[1:9])
		k.Row = binary.BigEndian.Uint32(it.Key()[9:])
		more, err := fn(k, pt)
		clear(pt)
		return more, err
	})
}

// QuarantineRecord reads one quarantine record into v.
func (s *Store) QuarantineRecord(k QuarantineKey, v any) error {
	return s.getSealed(s.meta, kQuarantine(k.File, k.Row), v, 0, "quarantine")
}

// MetaPrefix calls fn with every meta document whose name starts with prefix.
func (s *Store) MetaPrefix(ctx context.Context, prefix string, fn func(name string, doc []byte) (bool, error)) error {
	return s.iterate(ctx, kMeta(prefix), false, func(it *badger.Item) (bool, error) {
		pt, err := openItem(s.meta, it)
		if err != nil {
			return false, &CorruptError{What: "meta"}
		}
		return fn(string(it.Key()[1:]), pt)
	})
}

// ScanBook calls customer with every customer and the loans stored with them, then loan
// with every loan an import stored separately. An import builds its lookup tables from it.
func (s *Store) ScanBook(ctx context.Context, customer func(c model.Customer, loans []model.Loan) error, loan func(l model.Loan) error) error {
	err := s.iterate(ctx, []byte{pCustomer}, false, func(it *badger.Item) (bool, error) {
		no := model.CustomerNo(binary.BigEndian.Uint64(it.Key()[1:]))
		sl, err := s.keys.Get(no)
		if err != nil {
			if err == ErrKeyDestroyed {
				return true, nil
			}
			return false, err
		}
		pt, err := openItem(sl, it)
		if err != nil {
			return false, &CorruptError{Customer: no, What: "customer"}
		}
		var rec storedCustomer
		err = json.Unmarshal(pt, &rec)
		clear(pt)
		if err != nil {
			return false, &CorruptError{Customer: no, What: "customer"}
		}
		return true, customer(rec.Customer, rec.Loans)
	})
	if err != nil {
		return err
	}
	return s.iterate(ctx, []byte{pLoan}, false, func(it *badger.Item) (bool, error) {
		no := model.CustomerNo(binary.BigEndian.Uint64(it.Key()[1:]))
		sl, err := s.keys.Get(no)
		if err != nil {
			if err == ErrKeyDestroyed {
				return true, nil
			}
			return false, err
		}
		pt, err := openItem(sl, it)
		if err != nil {
			return false, &CorruptError{Customer: no, What: "loan"}
		}
		var l model.Loan
		if err := json.Unmarshal(pt, &l); err != nil {
			return false, &CorruptError{Customer: no, What: "loan"}
		}
		return true, loan(l)
	})
}
