package vault

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"handover/app/audit"
	"handover/app/checklist"
	"handover/app/report"
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

// Errors of the retention arrangement, meant for the user.
var (
	ErrKeeper           = errors.New("the keeper of the AML records must be the transferor or the transferee")
	ErrRetentionYears   = errors.New("the AML records must be kept at least as long as the retention rules say (10 years after the relationship ends)")
	ErrConfirmedBy      = errors.New("name who confirmed the retention reading (counsel or the compliance officer)")
	ErrKeptByTransferor = errors.New("the deal says the transferor keeps the AML records: restrict the vault to storage only and destroy customers as their retention ends (scope due), not the whole book")
)

// SetRetention records in the deal who keeps the customer identity and transaction records
// after the handover, for how many years after the relationship ends, and who confirmed
// that reading. The checklist's retention_set item follows from it.
func (s *Session) SetRetention(ctx context.Context, keeper string, years int, confirmedBy string) (*checklist.Deal, error) {
	confirmedBy = strings.TrimSpace(confirmedBy)
	var out *checklist.Deal
	detail := map[string]string{"keeper": keeper, "years": strconv.Itoa(years), "confirmed_by": confirmedBy}
	err := s.do(PermChecklist, audit.DealRetention, "", detail, func(st *store.Store) error {
		rules, err := retention.Load()
		if err != nil {
			return err
		}
		switch {
		case keeper != checklist.KeeperTransferor && keeper != checklist.KeeperTransferee:
			return ErrKeeper
		case years < rules.CustomerYears():
			return ErrRetentionYears
		case confirmedBy == "":
			return ErrConfirmedBy
		}
		d, err := loadDeal(st)
		if err != nil {
			return err
		}
		d.Retention = &checklist.RetentionKeeper{Keeper: keeper, Years: years, ConfirmedBy: confirmedBy, By: s.op.Name, At: s.v.opts.Now().UTC()}
		out = d
		return st.PutMeta(metaDeal, d)
	})
	return out, err
}

// RetentionReportPDF draws the retention report as of day, in lang. It is audited.
func (s *Session) RetentionReportPDF(ctx context.Context, day model.Date, lang string) ([]byte, error) {
	rep, err := s.Retention(ctx, day)
	if err != nil {
		return nil, err
	}
	var pdf []byte
	err = s.do(PermView, audit.RetentionReport, "", map[string]string{"as_of": day.String()}, func(st *store.Store) error {
		r := &report.Retention{Vault: s.v.Manifest().ID, Workstation: s.v.opts.Workstation, Issued: s.v.opts.Now().UTC().Truncate(time.Second),
			AsOf: day, Classes: rep.Classes, Active: rep.Active, Ended: rep.Ended, Due: int64(len(rep.Due)), Held: rep.Held, ByYear: rep.ByYear}
		if d, err := loadDeal(st); err == nil && d.Retention != nil {
			r.Keeper = fmt.Sprintf("%s · %d · %s", d.Retention.Keeper, d.Retention.Years, d.Retention.ConfirmedBy)
		}
		var rs Restriction
		if st.GetMeta(metaRestriction, &rs) == nil {
			r.Restricted = rs.At.In(shanghai).Format("2006-01-02") + " · " + rs.Reason
		}
		holds, err := loadHolds(ctx, st)
		if err != nil {
			return err
		}
		for _, h := range holds {
			state := "active"
			if h.Released != nil {
				state = "released " + h.Released.At.In(shanghai).Format("2006-01-02")
			}
			scope := "all"
			if !h.All {
				scope = fmt.Sprint(len(h.Customers))
			}
			r.Holds = append(r.Holds, fmt.Sprintf("%s · %s · %s · %s", h.ID, h.Case, scope, state))
		}
		pdf, err = report.RenderRetention(r, lang)
		return err
	})
	return pdf, err
}
