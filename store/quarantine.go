package store

import (
	"context"
	"encoding/binary"

	"github.com/dgraph-io/badger/v4"

	"handover/store/model"
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

// ScanBook calls fn with every customer and all their loans: those stored with the
// customer and those an import stored separately, in loan order. An import builds its
// lookup tables from it, so only what identifies them is read: the customer's number,
// identity number and customer number, and each loan's customer, number and contract (the
// rest of each record, a demo book's repayments most of it, is skipped, not decoded).
// Customers whose key was destroyed are skipped. Like EachCustomer, it checks what it saw
// against the counts of the same snapshot: a lookup built from part of the book would let a
// duplicate in.
func (s *Store) ScanBook(ctx context.Context, fn func(c model.Customer, loans []model.Loan) error) (err error) {
	defer recoverCorrupt(&err, 0, "database")
	return s.db.View(func(txn *badger.Txn) error {
		var stored, seen Counts
		var destroyed int64
		if err := getSealedTxn(txn, s.meta, kMeta("counts"), &stored, 0, "meta"); err != nil {
			return err
		}
		opts := badger.DefaultIteratorOptions
		opts.PrefetchSize = 64
		opts.Prefix = []byte{pCustomer}
		cs := txn.NewIterator(opts)
		defer cs.Close()
		opts.Prefix = []byte{pLoan}
		ls := txn.NewIterator(opts)
		defer ls.Close()
		ls.Rewind()
		var loans []model.Loan
		i := 0
		for cs.Rewind(); cs.Valid(); cs.Next() {
			if i++; i%4096 == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
			no := model.CustomerNo(binary.BigEndian.Uint64(cs.Item().Key()[1:]))
			sl, err := s.keys.Get(no)
			if err == ErrKeyDestroyed {
				destroyed++
				continue
			} else if err != nil {
				return err
			}
			var rec scannedCustomer
			if err := openItemJSON(sl, cs.Item(), &rec, no, "customer"); err != nil {
				return err
			}
			loans = loans[:0]
			for _, l := range rec.Loans {
				loans = append(loans, l.loan())
			}
			// Loose loans are keyed by customer too: take those up to this customer.
			for ; ls.Valid(); ls.Next() {
				lno := model.CustomerNo(binary.BigEndian.Uint64(ls.Item().Key()[1:]))
				if lno > no {
					break
				}
				if lno < no {
					continue // its customer's key was destroyed
				}
				var l scannedLoan
				if err := openItemJSON(sl, ls.Item(), &l, no, "loan"); err != nil {
					return err
				}
				loans = append(loans, l.loan())
			}
			seen.Customers++
			seen.Loans += int64(len(loans))
			if err := fn(model.Customer{No: rec.No, IDNumber: rec.IDNumber, Number: rec.Number}, loans); err != nil {
				return err
			}
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		return checkWalk(Counts{Customers: seen.Customers, Loans: seen.Loans, Repayments: stored.Repayments,
			Documents: stored.Documents, DocumentBytes: stored.DocumentBytes}, stored, destroyed)
	})
}

// scannedCustomer and scannedLoan are what ScanBook reads of a record, under the tags of
// model.Customer and model.Loan.
type scannedCustomer struct {
	No       model.CustomerNo `json:"no"`
	IDNumber string           `json:"id_number"`
	Number   string           `json:"customer_number"`
	Loans    []scannedLoan    `json:"loans"`
}

type scannedLoan struct {
	Customer model.CustomerNo `json:"customer"`
	Seq      uint32           `json:"seq"`
	Contract string           `json:"contract"`
}

func (l scannedLoan) loan() model.Loan {
	return model.Loan{Customer: l.Customer, Seq: l.Seq, Contract: l.Contract}
}
