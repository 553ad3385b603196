package vault

import (
	"context"
	"time"

	"handover/app/retention"
	"handover/store"
	"handover/store/model"
)

var shanghai = func() *time.Location {
	if l, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return l
	}
	return time.FixedZone("CST", 8*3600)
}()

// RetentionReport is what must be kept and until when (retention show): per class its rule,
// and how many customers fall due in each year. Customer numbers only, never values.
type RetentionReport struct {
	AsOf    model.Date         `json:"as_of"`
	Classes []retention.Class  `json:"classes"`
	Active  int64              `json:"active"`      // relationship not ended (a loan open)
	Ended   int64              `json:"ended"`       // ended, retention running
	Due     []model.CustomerNo `json:"due"`         // retention ended by AsOf
	ByYear  map[int]int64      `json:"due_by_year"` // year → customers falling due that year
	Held    int64              `json:"held"`        // customers under an active hold
}

// Retention reports the book's retention as of day (Asia/Shanghai).
func (s *Session) Retention(ctx context.Context, day model.Date) (*RetentionReport, error) {
	st, err := s.gate(PermView)
	if err != nil {
		return nil, err
	}
	rules, err := retention.Load()
	if err != nil {
		return nil, err
	}
	holds, err := loadHolds(ctx, st)
	if err != nil {
		return nil, err
	}
	rep := &RetentionReport{AsOf: day, Classes: rules.Classes, ByYear: map[int]int64{}, Due: []model.CustomerNo{}}
	err = st.EachCustomer(ctx, func(b *store.CustomerBook) error {
		for _, h := range holds {
			if h.Active(day) && h.Covers(b.Customer.No) {
				rep.Held++
				break
			}
		}
		end, ok := retention.RelationshipEnd(b.Loans, b.Repayments)
		if !ok {
			rep.Active++
			return nil
		}
		rep.Ended++
		due := rules.DueDate(end)
		rep.ByYear[due.Y]++
		if !day.Before(due) {
			rep.Due = append(rep.Due, b.Customer.No)
		}
		return nil
	})
	return rep, err
}

// dueCustomers lists the customers whose retention has ended by day.
func (s *Session) dueCustomers(ctx context.Context, st *store.Store, day model.Date) ([]model.CustomerNo, error) {
	rules, err := retention.Load()
	if err != nil {
		return nil, err
	}
	var out []model.CustomerNo
	err = st.EachCustomer(ctx, func(b *store.CustomerBook) error {
		if end, ok := retention.RelationshipEnd(b.Loans, b.Repayments); ok && !day.Before(rules.DueDate(end)) {
			out = append(out, b.Customer.No)
		}
		return nil
	})
	return out, err
}
