package demo

import (
	"context"

	"handover/app/figures"
	"handover/store"
	"handover/store/model"
)

// BookFigures computes the figures of customers [0, n) of g's book, digest included,
// without a vault: what a vault holding exactly this book must show. The import's round
// trip (demo --export-csv, then import) is checked against it.
func BookFigures(ctx context.Context, g *Generator, n int) (*figures.Figures, error) {
	acc := figures.NewAccumulator()
	for i := range n {
		if i%4096 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		b := g.Book(i)
		cb := &store.CustomerBook{Customer: b.Customer, Loans: make([]model.Loan, len(b.Loans)),
			Repayments: make([][]model.Repayment, len(b.Loans))}
		for j, l := range b.Loans {
			l.Seq = uint32(j + 1)
			cb.Loans[j] = l
		}
		for _, r := range b.Repayments {
			cb.Repayments[r.Loan-1] = append(cb.Repayments[r.Loan-1], r)
		}
		for _, d := range b.Documents {
			m := d.Meta
			m.Size = int64(len(d.Content)) // as the vault's writer records it
			cb.Documents = append(cb.Documents, m)
		}
		acc.Add(cb)
	}
	return acc.Figures(), nil
}
