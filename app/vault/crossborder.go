package vault

import (
	"context"
	"slices"
	"strings"

	"handover/app/checklist"
	"handover/store"
	"handover/store/model"
)

// crossBorderCounts counts the individuals a transfer abroad provides, and those with
// sensitive information (a bank account, a loan or an identity number: financial accounts
// are sensitive, PIPL Art. 28; identity numbers, GB/T 35273-2020 Annex B), over the whole
// book or the customers of a scope.
func crossBorderCounts(ctx context.Context, st *store.Store, scope []model.CustomerNo) (individuals, sensitive int64, err error) {
	isSensitive := func(c model.Customer, loans int) bool {
		return c.BankCard != "" || c.IDNumber != "" || loans > 0
	}
	if scope == nil {
		err = st.EachCustomerWith(ctx, store.WalkOptions{NoRepayments: true}, func(b *store.CustomerBook) error {
			individuals++
			if isSensitive(b.Customer, len(b.Loans)) {
				sensitive++
			}
			return nil
		})
		return individuals, sensitive, err
	}
	for _, no := range scope {
		if err := ctx.Err(); err != nil {
			return 0, 0, err
		}
		c, err := st.Customer(no)
		if err != nil {
			return 0, 0, err
		}
		loans, err := st.Loans(ctx, no)
		if err != nil {
			return 0, 0, err
		}
		individuals++
		if isSensitive(c, len(loans)) {
			sensitive++
		}
	}
	return individuals, sensitive, nil
}

// crossBorderRecord counts the transfer (the whole book, or a scope), derives the weakest
// basis the thresholds allow, and checks the basis and what it rests on against it.
func (s *Session) crossBorderRecord(ctx context.Context, st *store.Store, basis string, given *checklist.CrossBorder, scope []model.CustomerNo) (*checklist.CrossBorder, error) {
	t, err := checklist.LoadThresholds()
	if err != nil {
		return nil, err
	}
	cb := &checklist.CrossBorder{}
	if given != nil {
		*cb = *given
	}
	if basis != "" {
		cb.Basis = basis
	}
	if !slices.Contains(checklist.Bases, cb.Basis) {
		return nil, checklist.ErrNeedsBasis
	}
	if cb.PriorIndividuals < 0 || cb.PriorSensitive < 0 {
		return nil, &checklist.CrossBorderError{Reason: "prior"}
	}
	n, sens, err := crossBorderCounts(ctx, st, scope)
	if err != nil {
		return nil, err
	}
	cb.Individuals, cb.Sensitive = n+cb.PriorIndividuals, sens+cb.PriorSensitive
	cb.Required = t.Required(cb.Individuals, cb.Sensitive, cb.CIIO)
	cb.Rules = t.Effective
	cb.Destination = strings.TrimSpace(cb.Destination)
	return cb, checklist.CheckCrossBorder(cb)
}

// checkExportAbroad re-checks the recorded cross-border basis against the export's own
// scope at the moment of export: the book may have grown since the item was completed.
func (s *Session) checkExportAbroad(ctx context.Context, st *store.Store, view *ChecklistView, scope []model.CustomerNo) error {
	if view.Deal.RecipientLocation == checklist.Mainland {
		return nil
	}
	it, ok := view.Item("cross_border")
	if !ok || it.Rec == nil || it.Rec.CrossBorder == nil {
		return nil // the gate already refused an export without the item done
	}
	rec := *it.Rec.CrossBorder
	_, err := s.crossBorderRecord(ctx, st, rec.Basis, &rec, scope)
	return err
}
