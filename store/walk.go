package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"sync"

	"github.com/dgraph-io/badger/v4"

	"handover/store/model"
)

// Entry of EachCustomer: one customer with everything stored about them, in the order the
// read functions return it.
type CustomerBook struct {
	Customer   model.Customer
	Loans      []model.Loan
	Repayments [][]model.Repayment // by loan, Repayments[i] belongs to Loans[i]
	Documents  []model.Document
}

// rawBook is one customer's records decrypted but not yet decoded.
type rawBook struct {
	no         model.CustomerNo
	customer   []byte
	loans      [][]byte
	repayments []rawSegment
	documents  [][]byte
}

type rawSegment struct {
	loan uint32
	pt   []byte
}

// walkBatch is a run of customers decoded together; done closes when books (or err) is set.
type walkBatch struct {
	raw   []rawBook
	books []*CustomerBook
	err   error
	done  chan struct{}
}

// walkBatchSize customers go to a decoder at a time: large enough that handing them over
// costs nothing, small enough that a few batches in flight stay a few megabytes.
const walkBatchSize = 64

// EachCustomer calls fn with every customer in number order. It walks the customer,
// loan, repayment and document ranges side by side in one read transaction, so reading a
// whole book costs four iterators instead of several per customer: this is how figures,
// digests and packages read a million customers. Customers whose key was destroyed are
// skipped.
//
// A walk is complete or an error: Badger's iterators end quietly at a block that fails its
// checksum, so what the walk saw is compared with the counts stored in the same snapshot,
// and a difference is a DamageError rather than a smaller book.
//
// Decoding JSON is most of a walk's work, so the iterating goroutine only decrypts; batches
// of customers are decoded on every core, and fn still sees them one by one, in order, on
// the caller's goroutine.
func (s *Store) EachCustomer(ctx context.Context, fn func(*CustomerBook) error) (err error) {
	return s.EachCustomerWith(ctx, WalkOptions{}, fn)
}

// WalkOptions leave out what a walk does not need.
type WalkOptions struct {
	// NoRepayments walks customers and loans only: the books fn sees have no repayments, and
	// the check against the stored counts leaves repayments out. Notices and the
	// continuity list need loans, not the millions of repayments behind them.
	NoRepayments bool
}

// EachCustomerWith is EachCustomer with options.
func (s *Store) EachCustomerWith(ctx context.Context, opts WalkOptions, fn func(*CustomerBook) error) (err error) {
	defer recoverCorrupt(&err, 0, "database")
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	workers := max(1, runtime.GOMAXPROCS(0))
	jobs := make(chan *walkBatch, workers)
	ordered := make(chan *walkBatch, 2*workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range jobs {
				b.books, b.err = decodeBatch(b.raw, opts)
				b.raw = nil
				close(b.done)
			}
		}()
	}
	iterErr := make(chan error, 1)
	var stored Counts   // set by the iterator before its first batch
	var destroyed int64 // customers skipped because their key is gone
	go func() {
		defer func() {
			if r := recover(); r != nil {
				iterErr <- &CorruptError{What: "database"}
			}
			close(jobs)
			close(ordered)
		}()
		iterErr <- s.iterateRaw(ctx, opts, &stored, &destroyed, func(batch []rawBook) bool {
			b := &walkBatch{raw: batch, done: make(chan struct{})}
			select {
			case ordered <- b:
			case <-ctx.Done():
				return false
			}
			select {
			case jobs <- b:
				return true
			case <-ctx.Done():
				close(b.done)
				return false
			}
		})
	}()
	// However this ends, stop the iterator and the decoders before returning.
	defer func() {
		cancel()
		for range ordered {
		}
		wg.Wait()
	}()
	var seen Counts
	for b := range ordered {
		<-b.done
		if b.err != nil {
			return b.err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		for _, book := range b.books {
			seen.add(book)
			if err := fn(book); err != nil {
				return err
			}
		}
	}
	// ordered is closed only after the iterator has said how it ended.
	if err := <-iterErr; err != nil {
		return err
	}
	if opts.NoRepayments {
		seen.Repayments = stored.Repayments
	}
	return checkWalk(seen, stored, destroyed)
}

func (c *Counts) add(b *CustomerBook) {
	c.Customers++
	c.Loans += int64(len(b.Loans))
	for _, rs := range b.Repayments {
		c.Repayments += int64(len(rs))
	}
	c.Documents += int64(len(b.Documents))
	for _, d := range b.Documents {
		c.DocumentBytes += d.Size
	}
}

// checkWalk compares what a whole walk saw with the counts stored with the book. A destroyed
// customer's records cannot be counted, so then only customers are compared.
func checkWalk(seen, stored Counts, destroyed int64) error {
	type figure struct {
		what       string
		seen, want int64
	}
	figs := []figure{{"customers", seen.Customers + destroyed, stored.Customers}}
	if destroyed == 0 {
		figs = append(figs, figure{"loans", seen.Loans, stored.Loans}, figure{"repayments", seen.Repayments, stored.Repayments},
			figure{"documents", seen.Documents, stored.Documents}, figure{"document bytes", seen.DocumentBytes, stored.DocumentBytes})
	}
	for _, f := range figs {
		if f.seen != f.want {
			return &DamageError{File: dbDir, Detail: fmt.Sprintf("reading the whole book found %d %s where the vault counts %d", f.seen, f.what, f.want)}
		}
	}
	return nil
}

// iterateRaw decrypts every customer's records in number order and hands them on in
// batches; it stops when emit returns false.
// stored receives the counts of the same snapshot and destroyed the customers skipped.
func (s *Store) iterateRaw(ctx context.Context, opts WalkOptions, stored *Counts, destroyed *int64, emit func([]rawBook) bool) error {
	return s.db.View(func(txn *badger.Txn) error {
		if err := getSealedTxn(txn, s.meta, kMeta("counts"), stored, 0, "meta"); err != nil {
			return err
		}
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
		batch := make([]rawBook, 0, walkBatchSize)
		for ; cs.Valid(); cs.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			no := model.CustomerNo(binary.BigEndian.Uint64(cs.Item().Key()[1:]))
			sl, err := s.keys.Get(no)
			if errors.Is(err, ErrKeyDestroyed) {
				*destroyed++
				continue
			}
			if err != nil {
				return err
			}
			// each decrypts every item of it under prefix p that belongs to this customer.
			each := func(it *badger.Iterator, p byte, what string, fn func(k, pt []byte)) error {
				pre := customerPrefix(p, no)
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
					fn(k, pt)
				}
				return nil
			}
			rb := rawBook{no: no}
			if rb.customer, err = openItem(sl, cs.Item()); err != nil {
				return &CorruptError{Customer: no, What: "customer"}
			}
			if err := each(ls, pLoan, "loan", func(_, pt []byte) { rb.loans = append(rb.loans, pt) }); err != nil {
				return err
			}
			if !opts.NoRepayments {
				if err := each(rs, pRepayment, "repayment", func(k, pt []byte) {
					rb.repayments = append(rb.repayments, rawSegment{loan: binary.BigEndian.Uint32(k[9:]), pt: pt})
				}); err != nil {
					return err
				}
			}
			if err := each(ds, pDocument, "document", func(_, pt []byte) { rb.documents = append(rb.documents, pt) }); err != nil {
				return err
			}
			if batch = append(batch, rb); len(batch) == walkBatchSize {
				if !emit(batch) {
					return ctx.Err()
				}
				batch = make([]rawBook, 0, walkBatchSize)
			}
		}
		if len(batch) > 0 && !emit(batch) {
			return ctx.Err()
		}
		return nil
	})
}

// decodeBatch decodes a batch of customers; a record that does not decode is reported as
// corrupt, naming the customer.
func decodeBatch(raw []rawBook, opts WalkOptions) (books []*CustomerBook, err error) {
	defer recoverCorrupt(&err, 0, "database")
	books = make([]*CustomerBook, 0, len(raw))
	for i := range raw {
		decode := decodeBook
		if opts.NoRepayments {
			decode = decodeBookNoRepayments
		}
		b, err := decode(&raw[i])
		if err != nil {
			return nil, err
		}
		books = append(books, b)
	}
	return books, nil
}

// customerAndLoans is a customer's record without its repayments.
type customerAndLoans struct {
	model.Customer
	Loans []model.Loan `json:"loans,omitempty"`
}

// decodeBookNoRepayments decodes the customer and loans only; encoding/json skips the
// repayments held in the customer record without building them.
func decodeBookNoRepayments(rb *rawBook) (*CustomerBook, error) {
	no := rb.no
	var rec customerAndLoans
	if err := unmarshalRecord(rb.customer, &rec, no, "customer"); err != nil {
		return nil, err
	}
	b := &CustomerBook{Customer: rec.Customer, Loans: rec.Loans}
	for _, pt := range rb.loans {
		var l model.Loan
		if err := unmarshalRecord(pt, &l, no, "loan"); err != nil {
			return nil, err
		}
		b.Loans = append(b.Loans, l)
	}
	for _, pt := range rb.documents {
		var d model.Document
		if err := json.Unmarshal(pt, &d); err != nil {
			return nil, &CorruptError{Customer: no, What: "document"}
		}
		b.Documents = append(b.Documents, d)
	}
	return b, nil
}

func decodeBook(rb *rawBook) (*CustomerBook, error) {
	no := rb.no
	var rec storedCustomer
	if err := unmarshalRecord(rb.customer, &rec, no, "customer"); err != nil {
		return nil, err
	}
	b := &CustomerBook{Customer: rec.Customer, Loans: rec.Loans}
	for _, pt := range rb.loans {
		var l model.Loan
		if err := unmarshalRecord(pt, &l, no, "loan"); err != nil {
			return nil, err
		}
		b.Loans = append(b.Loans, l)
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
			return nil, err
		}
	}
	for _, s := range rb.repayments {
		var seg []storedRepayment
		if err := unmarshalRecord(s.pt, &seg, no, "repayment"); err != nil {
			return nil, err
		}
		if err := add(s.loan, seg); err != nil {
			return nil, err
		}
	}
	for _, pt := range rb.documents {
		var d model.Document
		if err := json.Unmarshal(pt, &d); err != nil {
			return nil, &CorruptError{Customer: no, What: "document"}
		}
		b.Documents = append(b.Documents, d)
	}
	return b, nil
}
