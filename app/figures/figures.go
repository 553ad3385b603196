// Package figures computes the figures of a loan book that both parties agree on and that
// go on the handover certificate: counts, outstanding principal by status and by five-tier
// class, overdue buckets, documents, and the book digest. They are computed here and
// nowhere else, from the same walk over the vault, so that the transferor's certificate and
// the transferee's check after receiving a package can only differ if the data does.
// docs/FIGURES.md defines each figure and the digest byte for byte.
package figures

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"sort"

	"handover/store"
	"handover/store/model"
)

// Figures of one book. Money is in fen. The JSON keys are part of the certificate
// statement.
type Figures struct {
	Customers     int64 `json:"customers"`
	Loans         int64 `json:"loans"`
	Repayments    int64 `json:"repayments"`
	Documents     int64 `json:"documents"`
	DocumentBytes int64 `json:"document_bytes"`

	Principal          model.Fen                      `json:"principal"`   // sum of loan principals
	Outstanding        model.Fen                      `json:"outstanding"` // sum of outstanding principal
	OutstandingByState map[model.LoanStatus]model.Fen `json:"outstanding_by_status"`
	OutstandingByClass map[model.Class]model.Fen      `json:"outstanding_by_class"`
	Overdue            []Bucket                       `json:"overdue"`
	Repaid             model.Fen                      `json:"repaid"` // principal + interest + penalty received

	// Digest is the book digest (hex SHA-256): see Leaf and Combine.
	Digest string `json:"digest"`
}

// Bucket is a range of days overdue with its loans and outstanding principal.
type Bucket struct {
	Label       string    `json:"label"` // "0", "1-30", …, "361+"
	From, To    int       `json:"-"`
	Loans       int64     `json:"loans"`
	Outstanding model.Fen `json:"outstanding"`
}

// Buckets are the overdue ranges of the regulator's usual reporting.
func newBuckets() []Bucket {
	return []Bucket{{Label: "0", From: 0, To: 0}, {Label: "1-30", From: 1, To: 30}, {Label: "31-90", From: 31, To: 90},
		{Label: "91-180", From: 91, To: 180}, {Label: "181-360", From: 181, To: 360}, {Label: "361+", From: 361, To: 1 << 30}}
}

// leafRecord is what a customer contributes to the digest: everything stored about them
// except what only this vault knows (internal numbers, where a row was imported from).
type leafRecord struct {
	Customer   model.Customer      `json:"customer"`
	Loans      []model.Loan        `json:"loans"`
	Repayments [][]model.Repayment `json:"repayments"`
	Documents  []leafDocument      `json:"documents"`
}

type leafDocument struct {
	Kind     string `json:"kind"`
	Name     string `json:"name"`
	MIME     string `json:"mime"`
	Size     int64  `json:"size"`
	SHA256   string `json:"sha256"`
	Contract string `json:"contract,omitempty"`
}

// Leaf is the digest of one customer's record: SHA-256 of its canonical JSON (Go's
// encoding/json of leafRecord: fields in declaration order, no spaces), with internal
// numbers and import sources zeroed.
func Leaf(b *store.CustomerBook) [32]byte {
	r := leafRecord{Customer: b.Customer, Loans: make([]model.Loan, len(b.Loans)), Repayments: make([][]model.Repayment, len(b.Repayments))}
	r.Customer.No, r.Customer.Source = 0, ""
	for i, l := range b.Loans {
		l.Customer, l.Seq = 0, 0
		r.Loans[i] = l
	}
	for i, rs := range b.Repayments {
		r.Repayments[i] = make([]model.Repayment, len(rs))
		for j, rp := range rs {
			rp.Customer, rp.Loan, rp.Seq = 0, 0, 0
			r.Repayments[i][j] = rp
		}
	}
	r.Documents = make([]leafDocument, len(b.Documents))
	for i, d := range b.Documents {
		r.Documents[i] = leafDocument{Kind: d.Kind, Name: d.Name, MIME: d.MIME, Size: d.Size, SHA256: d.SHA256, Contract: d.Contract}
	}
	j, _ := json.Marshal(r)
	defer clear(j)
	return sha256.Sum256(j)
}

// Combine is the book digest of a set of leaves: SHA-256 of "handover-book-v1\n" followed by
// the leaves in ascending byte order. Sorting makes it independent of the order and
// numbering of customers, which differ between the two parties' vaults.
func Combine(leaves [][32]byte) string {
	slices.SortFunc(leaves, func(a, b [32]byte) int { return bytes.Compare(a[:], b[:]) })
	h := sha256.New()
	h.Write([]byte("handover-book-v1\n"))
	for _, l := range leaves {
		h.Write(l[:])
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Compute walks the whole book once.
func Compute(ctx context.Context, st *store.Store) (*Figures, error) {
	return ComputeOf(ctx, st, nil)
}

// ComputeOf computes the figures of the customers keep accepts (all when keep is nil): a
// package of a selection states the selection's figures.
func ComputeOf(ctx context.Context, st *store.Store, keep func(model.CustomerNo) bool) (*Figures, error) {
	acc := NewAccumulator()
	err := st.EachCustomer(ctx, func(b *store.CustomerBook) error {
		if keep == nil || keep(b.Customer.No) {
			acc.Add(b)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return acc.Figures(), nil
}

// Accumulator computes the figures of the customers added to it, for a caller that walks
// the book for its own reasons (an export) and should not walk it twice. It holds one leaf
// (32 bytes) per customer.
type Accumulator struct {
	f      *Figures
	leaves [][32]byte
}

// NewAccumulator starts empty figures.
func NewAccumulator() *Accumulator {
	return &Accumulator{f: &Figures{OutstandingByState: map[model.LoanStatus]model.Fen{}, OutstandingByClass: map[model.Class]model.Fen{},
		Overdue: newBuckets()}}
}

// Add counts one customer with everything that belongs to them, and returns their leaf of
// the book digest (so a caller that also lists leaves computes it once).
func (a *Accumulator) Add(b *store.CustomerBook) [32]byte {
	f := a.f
	f.Customers++
	for i, l := range b.Loans {
		f.Loans++
		f.Principal += l.Principal
		f.Outstanding += l.Outstanding
		f.OutstandingByState[l.Status] += l.Outstanding
		f.OutstandingByClass[l.Class] += l.Outstanding
		for k := range f.Overdue {
			if l.OverdueDays >= f.Overdue[k].From && l.OverdueDays <= f.Overdue[k].To {
				f.Overdue[k].Loans++
				f.Overdue[k].Outstanding += l.Outstanding
			}
		}
		if i < len(b.Repayments) {
			for _, r := range b.Repayments[i] {
				f.Repayments++
				f.Repaid += r.Total()
			}
		}
	}
	for _, d := range b.Documents {
		f.Documents++
		f.DocumentBytes += d.Size
	}
	leaf := Leaf(b)
	a.leaves = append(a.leaves, leaf)
	return leaf
}

// Figures returns the figures of everyone added, with the digest.
func (a *Accumulator) Figures() *Figures {
	f := *a.f
	f.Digest = Combine(a.leaves)
	return &f
}

// DifferingKeys lists the JSON keys of the figures in which a and b differ.
func DifferingKeys(a, b *Figures) []string {
	ma, mb := asMap(a), asMap(b)
	var out []string
	for k, v := range ma {
		if !bytes.Equal(v, mb[k]) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

func asMap(f *Figures) map[string]json.RawMessage {
	js, _ := json.Marshal(f)
	var m map[string]json.RawMessage
	json.Unmarshal(js, &m)
	return m
}
