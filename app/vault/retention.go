package vault

import (
	"context"
	"encoding/json"
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

// RetentionReport is what must be kept and until when (retention show): per class its rule
// and how many of its records fall due when; per customer, how many are active, ended and
// due, and in which year they fall due. Customer numbers only, never values.
type RetentionReport struct {
	AsOf    model.Date         `json:"as_of"`
	Classes []retention.Class  `json:"classes"`
	Records []ClassCount       `json:"records"`     // per class of record in the book
	Active  int64              `json:"active"`      // customers with a record whose clock has not started
	Ended   int64              `json:"ended"`       // every clock started, retention running or ended
	Due     []model.CustomerNo `json:"due"`         // every record's retention ended by AsOf
	ByYear  map[int]int64      `json:"due_by_year"` // year → customers falling due that year
	Held    int64              `json:"held"`        // customers under an active hold
}

// ClassCount is how many records of one class the book holds and when they fall due.
type ClassCount struct {
	Class   string        `json:"class"`
	Records int64         `json:"records"`
	Open    int64         `json:"open"` // the clock has not started (the loan or relationship is open)
	Due     int64         `json:"due"`  // retention ended by the report's day
	ByYear  map[int]int64 `json:"due_by_year"`
	// DueKept are due records kept because their customer is not due as a whole:
	// destruction deletes whole customers.
	DueKept int64 `json:"due_kept"`
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
	counts := map[string]*ClassCount{}
	for _, c := range rules.Classes {
		if c.From != retention.FromHandoverEnd {
			counts[c.ID] = &ClassCount{Class: c.ID, ByYear: map[int]int64{}}
			rep.Records = append(rep.Records, ClassCount{})
		}
	}
	ends, err := loadEnds(ctx, st)
	if err != nil {
		return nil, err
	}
	var dueNow []dueRecord
	err = st.EachCustomer(ctx, func(b *store.CustomerBook) error {
		for _, h := range holds {
			if h.Active(day) && h.Covers(b.Customer.No) {
				rep.Held++
				break
			}
		}
		dueNow = dueNow[:0]
		due := rules.Schedule(bookOf(b, ends), func(c *retention.Class, n int64, at model.Date, open bool) {
			cc := counts[c.ID]
			cc.Records += n
			switch {
			case open:
				cc.Open += n
			case !day.Before(at):
				cc.Due += n
				dueNow = append(dueNow, dueRecord{cc, n})
				cc.ByYear[at.Y] += n
			default:
				cc.ByYear[at.Y] += n
			}
		})
		if due.Open {
			rep.Active++
		} else {
			rep.Ended++
			rep.ByYear[due.Customer.Y]++
		}
		if !due.Open && !day.Before(due.Customer) {
			rep.Due = append(rep.Due, b.Customer.No)
			return nil
		}
		for _, d := range dueNow {
			d.c.DueKept += d.n
		}
		return nil
	})
	i := 0
	for _, c := range rules.Classes {
		if cc := counts[c.ID]; cc != nil {
			rep.Records[i] = *cc
			i++
		}
	}
	return rep, err
}

type dueRecord struct {
	c *ClassCount
	n int64
}

// bookOf is a customer's records as the retention rules see them.
func bookOf(b *store.CustomerBook, ends map[model.CustomerNo]model.Date) retention.Book {
	return retention.Book{Loans: b.Loans, Repayments: b.Repayments, Documents: b.Documents, EndSet: ends[b.Customer.No]}
}

// dueCustomers lists the customers every record of whom has reached the end of its
// retention by day.
func (s *Session) dueCustomers(ctx context.Context, st *store.Store, day model.Date) ([]model.CustomerNo, error) {
	rules, err := retention.Load()
	if err != nil {
		return nil, err
	}
	ends, err := loadEnds(ctx, st)
	if err != nil {
		return nil, err
	}
	var out []model.CustomerNo
	err = st.EachCustomer(ctx, func(b *store.CustomerBook) error {
		if due := rules.Schedule(bookOf(b, ends), nil); !due.Open && !day.Before(due.Customer) {
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
	err := s.doMeta(PermChecklist, audit.DealRetention, "", detail, func(st *store.Store) ([]store.MetaChange, error) {
		rules, err := retention.Load()
		if err != nil {
			return nil, err
		}
		switch {
		case keeper != checklist.KeeperTransferor && keeper != checklist.KeeperTransferee:
			return nil, ErrKeeper
		case years < rules.CustomerYears():
			return nil, ErrRetentionYears
		case confirmedBy == "":
			return nil, ErrConfirmedBy
		}
		d, err := loadDeal(st)
		if err != nil {
			return nil, err
		}
		d.Retention = &checklist.RetentionKeeper{Keeper: keeper, Years: years, ConfirmedBy: confirmedBy, By: s.op.Name, At: s.v.opts.Now().UTC()}
		out = d
		return []store.MetaChange{{Name: metaDeal, Value: d}}, nil
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
		for _, c := range rep.Records {
			for _, cl := range rep.Classes {
				if cl.ID == c.Class {
					r.Records = append(r.Records, report.RetentionRecords{Class: cl, Records: c.Records, Open: c.Open, Due: c.Due, Kept: c.DueKept, ByYear: c.ByYear})
				}
			}
		}
		if d, err := loadDeal(st); err == nil && d.Retention != nil {
			r.Keeper, r.KeeperYears, r.KeeperConfirmed = d.Retention.Keeper, d.Retention.Years, d.Retention.ConfirmedBy
		}
		var rs Restriction
		if st.GetMeta(metaRestriction, &rs) == nil {
			r.Restricted, r.RestrictReason = rs.At, rs.Reason
		}
		holds, err := loadHolds(ctx, st)
		if err != nil {
			return err
		}
		for _, h := range holds {
			rh := report.RetentionHold{ID: h.ID, Case: h.Case, Customers: len(h.Customers)}
			if h.Released != nil {
				rh.Released = h.Released.At
			}
			r.Holds = append(r.Holds, rh)
		}
		pdf, err = report.RenderRetention(r, lang)
		return err
	})
	return pdf, err
}

const metaEndPrefix = "retention-end/"

// RelationshipEndSet is a relationship end set by hand for one customer, with the reason
// (the loans do not show it: a written-off loan, a settlement outside the book).
type RelationshipEndSet struct {
	Date   model.Date `json:"date"`
	Reason string     `json:"reason"`
	By     string     `json:"by"`
	At     time.Time  `json:"at"`
}

// ErrEndReason asks why a relationship end is set by hand.
var ErrEndReason = errors.New("say why the relationship ended on that date (recorded)")

// SetRelationshipEnd sets the relationship end of the customers nos by hand, with the reason;
// their retention counts from it instead of from their loans.
func (s *Session) SetRelationshipEnd(ctx context.Context, nos []model.CustomerNo, day model.Date, reason string) error {
	reason = strings.TrimSpace(reason)
	detail := map[string]string{"customers": strconv.Itoa(len(nos)), "date": day.String(), "reason": reason}
	return s.doMeta(PermChecklist, audit.RetentionEnd, "", detail, func(st *store.Store) ([]store.MetaChange, error) {
		if reason == "" {
			return nil, ErrEndReason
		}
		if day.IsZero() {
			return nil, ErrEndReason
		}
		var changes []store.MetaChange
		rec := RelationshipEndSet{Date: day, Reason: reason, By: s.op.Name, At: s.v.opts.Now().UTC()}
		for _, no := range nos {
			if _, err := st.Customer(no); err != nil {
				return nil, fmt.Errorf("customer %d: %w", no, err)
			}
			if last, err := lastRecorded(ctx, st, no); err != nil {
				return nil, err
			} else if day.Before(last) {
				return nil, &EndBeforeRecordsError{Customer: no, Last: last}
			}
			changes = append(changes, store.MetaChange{Name: metaEndPrefix + strconv.FormatUint(uint64(no), 10), Value: rec})
		}
		return changes, nil
	})
}

// EndBeforeRecordsError refuses a relationship end set before a settlement or repayment the
// book records for the customer: the records would fall due before their own retention ends.
type EndBeforeRecordsError struct {
	Customer model.CustomerNo
	Last     model.Date
}

func (e *EndBeforeRecordsError) Error() string {
	return fmt.Sprintf("customer %d: the book records a settlement or repayment on %s, after that date; the relationship cannot have ended before it", e.Customer, e.Last)
}

// lastRecorded is the latest day a settled loan ended or a repayment was received.
func lastRecorded(ctx context.Context, st *store.Store, no model.CustomerNo) (model.Date, error) {
	loans, err := st.Loans(ctx, no)
	if err != nil {
		return model.Date{}, err
	}
	var last model.Date
	for _, l := range loans {
		reps, err := st.Repayments(ctx, no, l.Seq)
		if err != nil {
			return model.Date{}, err
		}
		end, ok := retention.LoanEnd(l, reps)
		if !ok {
			end = model.Date{}
			for _, r := range reps {
				if end.Before(r.Paid) {
					end = r.Paid
				}
			}
		}
		if last.Before(end) {
			last = end
		}
	}
	return last, nil
}

func loadEnds(ctx context.Context, st *store.Store) (map[model.CustomerNo]model.Date, error) {
	out := map[model.CustomerNo]model.Date{}
	err := st.MetaPrefix(ctx, metaEndPrefix, func(name string, b []byte) (bool, error) {
		var r RelationshipEndSet
		n, err := strconv.ParseUint(strings.TrimPrefix(name, metaEndPrefix), 10, 64)
		if err != nil || json.Unmarshal(b, &r) != nil {
			return false, &store.CorruptError{What: "relationship end"}
		}
		out[model.CustomerNo(n)] = r.Date
		return true, nil
	})
	return out, err
}
