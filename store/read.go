package store

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/dgraph-io/badger/v4"

	"handover/crypto/blind"
	"handover/crypto/seal"
	"handover/store/model"
)

// record reads one customer's record.
func (s *Store) record(no model.CustomerNo) (storedCustomer, error) {
	var rec storedCustomer
	sl, err := s.keys.Get(no)
	if err != nil {
		return rec, err
	}
	err = s.getSealed(sl, kCustomer(no), &rec, no, "customer")
	return rec, err
}

// Customer reads one customer.
func (s *Store) Customer(no model.CustomerNo) (model.Customer, error) {
	rec, err := s.record(no)
	if err != nil {
		return model.Customer{}, err
	}
	return rec.Customer, nil
}

// Loans reads all loans of a customer, in order: those stored with the customer, then those
// an import added later under their own keys.
func (s *Store) Loans(ctx context.Context, no model.CustomerNo) ([]model.Loan, error) {
	rec, err := s.record(no)
	if err != nil {
		return nil, err
	}
	return s.loansOf(ctx, no, rec)
}

func (s *Store) loansOf(ctx context.Context, no model.CustomerNo, rec storedCustomer) ([]model.Loan, error) {
	loans := rec.Loans
	err := s.eachSealed(ctx, customerPrefix(pLoan, no), no, "loan", func(b []byte) error {
		var l model.Loan
		err := unmarshalRecord(b, &l, no, "loan")
		loans = append(loans, l)
		return err
	})
	return loans, err
}

// Repayments reads the repayments of one loan of a customer, in order: those stored with the
// customer, then any segments that arrived later.
func (s *Store) Repayments(ctx context.Context, no model.CustomerNo, loan uint32) ([]model.Repayment, error) {
	rec, err := s.record(no)
	if err != nil {
		return nil, err
	}
	loans, err := s.loansOf(ctx, no, rec)
	if err != nil {
		return nil, err
	}
	if loan == 0 || int(loan) > len(loans) {
		return nil, ErrNotFound
	}
	contract := loans[loan-1].Contract
	var out []model.Repayment
	add := func(seg []storedRepayment) {
		for _, r := range seg {
			rp := r.expand(no, loan, uint32(len(out)+1))
			rp.Contract = contract
			out = append(out, rp)
		}
	}
	if int(loan) <= len(rec.Repayments) {
		add(rec.Repayments[loan-1])
	}
	prefix := binary.BigEndian.AppendUint32(customerPrefix(pRepayment, no), loan)
	err = s.eachSealed(ctx, prefix, no, "repayment", func(b []byte) error {
		var seg []storedRepayment
		err := unmarshalRecord(b, &seg, no, "repayment")
		add(seg)
		return err
	})
	return out, err
}

// Documents reads the document metadata of a customer.
func (s *Store) Documents(ctx context.Context, no model.CustomerNo) ([]model.Document, error) {
	var out []model.Document
	err := s.eachSealed(ctx, customerPrefix(pDocument, no), no, "document", func(b []byte) error {
		var d model.Document
		err := unmarshalRecord(b, &d, no, "document")
		out = append(out, d)
		return err
	})
	return out, err
}

// WriteDocument writes the content of one document to w, chunk by chunk. Only the chunks
// its metadata counts are read: an import stopped inside a document may have left more.
func (s *Store) WriteDocument(ctx context.Context, no model.CustomerNo, doc uint32, w io.Writer) error {
	sl, err := s.keys.Get(no)
	if err != nil {
		return err
	}
	var m model.Document
	if err := s.getSealed(sl, kDocument(no, doc), &m, no, "document"); err != nil {
		return err
	}
	r := s.NewDocumentReader()
	defer r.Close()
	return r.writeChunks(ctx, sl, no, doc, m.Chunks, w)
}

// WriteDocumentOf is WriteDocument for a document whose metadata the caller has just read
// from this store (a walk's CustomerBook.Documents): only its chunks are read. An export
// copies tens of thousands of small scans, and the second read of each one's metadata
// was a fifth of the time spent fetching them.
func (s *Store) WriteDocumentOf(ctx context.Context, d model.Document, w io.Writer) error {
	r := s.NewDocumentReader()
	defer r.Close()
	return r.WriteDocument(ctx, d, w)
}

// DocumentReader reads the content of many documents in one read transaction. Badger
// registers each transaction's start and end with one goroutine of its own (its oracle's
// watermark); a transaction per scan made the export wait on it for a quarter of its
// document reading. A DocumentReader is for one goroutine at a time.
type DocumentReader struct {
	s   *Store
	txn *badger.Txn
	pt  []byte // the plaintext buffer, reused from chunk to chunk and wiped on Close
}

// NewDocumentReader starts a read transaction; Close ends it.
func (s *Store) NewDocumentReader() *DocumentReader {
	return &DocumentReader{s: s, txn: s.db.NewTransaction(false)}
}

// Close ends the transaction and wipes the plaintext buffer.
func (r *DocumentReader) Close() {
	clear(r.pt[:cap(r.pt)])
	r.pt = nil
	r.txn.Discard()
}

// WriteDocument writes d's content to w, for d read from this store (see WriteDocumentOf).
func (r *DocumentReader) WriteDocument(ctx context.Context, d model.Document, w io.Writer) error {
	sl, err := r.s.keys.Get(d.Customer)
	if err != nil {
		return err
	}
	return r.writeChunks(ctx, sl, d.Customer, d.Seq, d.Chunks, w)
}

// writeChunks opens each chunk in place from Badger's buffer into the reused plaintext
// buffer.
func (r *DocumentReader) writeChunks(ctx context.Context, sl *seal.Sealer, no model.CustomerNo, doc, chunks uint32, w io.Writer) error {
	for c := uint32(0); c < chunks; c++ {
		key := kChunk(no, doc, c)
		it, err := r.txn.Get(key)
		if errors.Is(err, badger.ErrKeyNotFound) {
			return &CorruptError{Customer: no, What: "document"}
		}
		if err != nil {
			return err
		}
		if err := it.Value(func(v []byte) error {
			pt, oerr := sl.OpenAppend(r.pt[:0], key, v)
			if oerr != nil {
				return &CorruptError{Customer: no, What: "document"}
			}
			r.pt = pt
			return nil
		}); err != nil {
			return err
		}
		if _, err := w.Write(r.pt); err != nil {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	return nil
}

// eachSealed opens every record under prefix with the customer's key. It stops at the first
// record that fails authentication: a damaged record is reported, never passed on.
func (s *Store) eachSealed(ctx context.Context, prefix []byte, no model.CustomerNo, what string, fn func([]byte) error) error {
	sl, err := s.keys.Get(no)
	if err != nil {
		return err
	}
	return s.iterate(ctx, prefix, false, func(it *badger.Item) (bool, error) {
		pt, err := openItem(sl, it)
		if err != nil {
			return false, &CorruptError{Customer: no, What: what}
		}
		return true, fn(pt)
	})
}

func openItem(sl *seal.Sealer, it *badger.Item) ([]byte, error) {
	var pt []byte
	err := it.Value(func(v []byte) error {
		var err error
		pt, err = sl.Open(it.Key(), v)
		return err
	})
	return pt, err
}

func unmarshalRecord(b []byte, v any, no model.CustomerNo, what string) error {
	if err := unmarshalValue(b, v); err != nil {
		return &CorruptError{Customer: no, What: what}
	}
	return nil
}

// CustomerNos lists every customer number in order. Only keys are read, so this is fast
// enough to back a virtual list of a million rows (8 MB of memory).
// The list must hold every customer the counts say: an iterator that ended at a damaged
// block would otherwise show a shorter list as the whole book.
func (s *Store) CustomerNos(ctx context.Context) (nos []model.CustomerNo, err error) {
	defer recoverCorrupt(&err, 0, "database")
	err = s.db.View(func(txn *badger.Txn) error {
		var stored Counts
		if err := getSealedTxn(txn, s.meta, kMeta("counts"), &stored, 0, "meta"); err != nil {
			return err
		}
		nos = make([]model.CustomerNo, 0, stored.Customers)
		opts := badger.DefaultIteratorOptions
		opts.Prefix, opts.PrefetchValues = []byte{pCustomer}, false
		it := txn.NewIterator(opts)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			if len(nos)%4096 == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
			nos = append(nos, model.CustomerNo(binary.BigEndian.Uint64(it.Item().Key()[1:])))
		}
		if int64(len(nos)) != stored.Customers {
			return &DamageError{File: dbDir, Detail: fmt.Sprintf("the list of customers has %d where the vault counts %d", len(nos), stored.Customers)}
		}
		return nil
	})
	return nos, err
}

// Hit is a search result: a customer, and for contract searches the loan.
type Hit struct {
	Customer model.CustomerNo
	Loan     uint32
	// Corrupt is set when the candidate's record failed authentication, so it could not be
	// confirmed; the UI shows it as damaged rather than dropping it silently.
	Corrupt bool
}

// Find looks up customers by exact identity number, phone or contract number.
func (s *Store) Find(ctx context.Context, kind blind.Kind, value string) ([]Hit, error) {
	want := blind.Normalize(value)
	if want == "" {
		return nil, nil
	}
	return s.scanIndex(ctx, kind, []blind.Tag{s.tagger.Tag(kind, want), {}}, 0, func(h Hit) (bool, error) {
		switch kind {
		case blind.Contract:
			loans, err := s.Loans(ctx, h.Customer)
			if err != nil {
				return false, err
			}
			if h.Loan == 0 || int(h.Loan) > len(loans) {
				return false, nil
			}
			return blind.Normalize(loans[h.Loan-1].Contract) == want, nil
		default:
			c, err := s.Customer(h.Customer)
			if err != nil {
				return false, err
			}
			switch kind {
			case blind.IDNumber:
				return blind.Normalize(c.IDNumber) == want, nil
			case blind.CustomerNumber:
				return blind.Normalize(c.Number) == want, nil
			}
			return blind.Normalize(c.Phone) == want, nil
		}
	})
}

// FindNamePrefix finds customers whose name starts with prefix, at most limit of them.
func (s *Store) FindNamePrefix(ctx context.Context, prefix string, limit int) ([]Hit, error) {
	want := blind.Normalize(prefix)
	ps := namePrefixes(want)
	if len(ps) == 0 {
		return nil, nil
	}
	tags := []blind.Tag{s.tagger.Tag(blind.NamePrefix, ps[0])}
	if len(ps) == 2 {
		tags = append(tags, s.tagger.Tag(blind.NamePrefix, ps[1]))
	}
	return s.scanIndex(ctx, blind.NamePrefix, tags, limit, func(h Hit) (bool, error) {
		c, err := s.Customer(h.Customer)
		if err != nil {
			return false, err
		}
		return strings.HasPrefix(blind.Normalize(c.Name), want), nil
	})
}

// scanIndex confirms the index's candidates for tags, in customer order, and keeps those
// that confirm says are real hits, at most limit of them when limit is positive.
func (s *Store) scanIndex(ctx context.Context, kind blind.Kind, tags []blind.Tag, limit int, confirm func(Hit) (bool, error)) ([]Hit, error) {
	cands, err := s.indexCandidates(ctx, kind, tags...)
	if err != nil {
		return nil, err
	}
	var hits []Hit
	for i, h := range cands {
		if i%256 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		ok, err := confirm(h)
		var ce *CorruptError
		switch {
		case errors.As(err, &ce):
			h.Corrupt, ok = true, true
		case errors.Is(err, ErrKeyDestroyed), errors.Is(err, ErrNotFound):
			ok = false // a destroyed customer's stale entry
		case err != nil:
			return nil, err
		}
		if ok {
			hits = append(hits, h)
		}
		if limit > 0 && len(hits) >= limit {
			break
		}
	}
	return hits, nil
}
