package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"

	"github.com/dgraph-io/badger/v4"

	"handover/app/model"
)

// Entry of EachCustomer: one customer with everything stored about them, in the order the
// read functions return it.
type CustomerBook struct {
	Customer   model.Customer
	Loans      []model.Loan
	Repayments [][]model.Repayment // by loan, Repayments[i] belongs to Loans[i]
	Documents  []model.Document
}

// EachCustomer calls fn with every customer in number order. It walks the customer,
// loan, repayment and document ranges side by side in one read transaction, so reading a
// whole book costs four iterators instead of several per customer: this is how figures,
// digests and packages read a million customers. Customers whose key was destroyed are
// skipped.
func (s *Store) EachCustomer(ctx context.Context, fn func(*CustomerBook) error) (err error) {
	defer recoverCorrupt(&err, 0, "database")
	return s.db.View(func(txn *badger.Txn) error {
		open := func(p byte, values bool) *badger.Iterator {
			opts := badger.DefaultIteratorOptions
			opts.Prefix = []byte{p}
			opts.PrefetchValues = values
			it := txn.NewIterator(opts)
			it.Rewind()
			return it
		}
		cs, ls, rs, ds := open(pCustomer, true), open(pLoan, true), open(pRepayment, true), open(pDocument, true)
		defer cs.Close()
		defer ls.Close()
		defer rs.Close()
		defer ds.Close()
		n := 0
		for ; cs.Valid(); cs.Next() {
			if n++; n%1024 == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
			no := model.CustomerNo(binary.BigEndian.Uint64(cs.Item().Key()[1:]))
			prefix := func(p byte) []byte { return customerPrefix(p, no) }
			sl, err := s.keys.Get(no)
			if errors.Is(err, ErrKeyDestroyed) {
				continue
			}
			if err != nil {
				return err
			}
			// open decrypts every item of it under prefix p that belongs to this customer.
			each := func(it *badger.Iterator, p byte, what string, fn func(k, pt []byte) error) error {
				pre := prefix(p)
				for ; it.Valid(); it.Next() {
					k := it.Item().Key()
					if c := bytes.Compare(k[:len(pre)], pre); c > 0 {
						return nil
					} else if c < 0 {
						continue // a destroyed customer's leftovers
					}
					pt, err := openItem(sl, it.Item())
					if err != nil {
						return &CorruptError{Customer: no, What: what}
					}
					if err := fn(k, pt); err != nil {
						return err
					}
				}
				return nil
			}
			var rec storedCustomer
			pt, err := openItem(sl, cs.Item())
			if err != nil {
				return &CorruptError{Customer: no, What: "customer"}
			}
			if err := unmarshalRecord(pt, &rec, no, "customer"); err != nil {
				return err
			}
			b := &CustomerBook{Customer: rec.Customer, Loans: rec.Loans}
			if err := each(ls, pLoan, "loan", func(_, pt []byte) error {
				var l model.Loan
				err := unmarshalRecord(pt, &l, no, "loan")
				b.Loans = append(b.Loans, l)
				return err
			}); err != nil {
				return err
			}
			b.Repayments = make([][]model.Repayment, len(b.Loans))
			add := func(loan uint32, seg []storedRepayment) error {
				if loan == 0 || int(loan) > len(b.Loans) {
					return &CorruptError{Customer: no, What: "repayment"}
				}
				for _, r := range seg {
					rp := r.expand(no, loan, uint32(len(b.Repayments[loan-1])+1))
					rp.Contract = b.Loans[loan-1].Contract
					b.Repayments[loan-1] = append(b.Repayments[loan-1], rp)
				}
				return nil
			}
			for i, seg := range rec.Repayments {
				if err := add(uint32(i+1), seg); err != nil {
					return err
				}
			}
			if err := each(rs, pRepayment, "repayment", func(k, pt []byte) error {
				var seg []storedRepayment
				if err := unmarshalRecord(pt, &seg, no, "repayment"); err != nil {
					return err
				}
				return add(binary.BigEndian.Uint32(k[9:]), seg)
			}); err != nil {
				return err
			}
			if err := each(ds, pDocument, "document", func(_, pt []byte) error {
				var d model.Document
				err := json.Unmarshal(pt, &d)
				b.Documents = append(b.Documents, d)
				if err != nil {
					return &CorruptError{Customer: no, What: "document"}
				}
				return nil
			}); err != nil {
				return err
			}
			if err := fn(b); err != nil {
				return err
			}
		}
		return nil
	})
}
