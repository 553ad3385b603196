package vault

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"handover/app/audit"
	"handover/app/checklist"
	"handover/app/doc"
	"handover/app/report"
	"handover/store"
	"handover/store/model"
)

// Business continuity (seed §五.2, docs/CONTINUITY.md): the plan both parties follow from the
// cut-off (when the old repayment account closes and the new one opens, who handles
// complaints, who reports to the credit reference system from when), the customers with
// repayments falling due soon after the cut-off, and the register of repayments the
// transferor still receives after it and forwards to the transferee.

// Errors of continuity, meant for the user.
var (
	ErrContinuityPlan    = errors.New("record the continuity plan first ('handover continuity plan')")
	ErrCreditReporter    = errors.New("the credit reporting party must be the transferor or the transferee")
	ErrComplaintsRouting = errors.New("say who handles complaints and disputes from the cut-off, and how they are passed on")
	ErrPaymentAmount     = errors.New("a forwarded repayment's amount must be more than zero")
	ErrBeforeCutoff      = errors.New("a repayment received before the cut-off is the transferor's own: the register holds those received on or after it")
	ErrForwardedBefore   = errors.New("a repayment cannot be forwarded before it was received")
	ErrPaymentUnknown    = errors.New("the register holds no repayment with that ID")
	ErrPaymentForwarded  = errors.New("this repayment has already been forwarded")
)

const (
	metaContinuityPlan   = "continuity/plan"
	metaContinuityPrefix = "continuity/payment/"
)

// ContinuityPlan is what both parties follow from the cut-off.
type ContinuityPlan struct {
	Cutoff              model.Date `json:"cutoff"`                // from the notice settings
	OldAccountCloses    model.Date `json:"old_account_closes"`    // the transferor's account stops taking repayments
	NewAccountFrom      model.Date `json:"new_account_from"`      // the transferee's account takes them
	Complaints          string     `json:"complaints"`            // who handles complaints and disputes, and how they are passed on
	CreditReporter      string     `json:"credit_reporter"`       // transferor or transferee
	CreditReportingFrom model.Date `json:"credit_reporting_from"` // from when
	By                  string     `json:"by"`
	At                  time.Time  `json:"at"`
}

// SetContinuityPlan records the plan. The cut-off comes from the notice settings, so the
// letters and the plan cannot disagree.
func (s *Session) SetContinuityPlan(ctx context.Context, p ContinuityPlan) (*ContinuityPlan, error) {
	p.Complaints = strings.TrimSpace(p.Complaints)
	detail := map[string]string{"old_account_closes": p.OldAccountCloses.String(), "new_account_from": p.NewAccountFrom.String(),
		"credit_reporter": p.CreditReporter, "credit_reporting_from": p.CreditReportingFrom.String()}
	err := s.doMeta(PermChecklist, audit.ContinuityPlan, "", detail, func(st *store.Store) ([]store.MetaChange, error) {
		n, err := loadNoticeSetup(st)
		if err != nil {
			return nil, err
		}
		switch {
		case p.OldAccountCloses.IsZero():
			return nil, &SetupError{Field: "old_account_closes", Reason: "is not a date"}
		case p.NewAccountFrom.IsZero():
			return nil, &SetupError{Field: "new_account_from", Reason: "is not a date"}
		case n.Cutoff.Before(p.NewAccountFrom):
			return nil, &SetupError{Field: "new_account_from", Reason: "must be on or before the cut-off (" + n.Cutoff.String() + "), the day the letters tell borrowers to pay the new account"}
		case p.OldAccountCloses.Before(n.Cutoff):
			return nil, &SetupError{Field: "old_account_closes", Reason: "must be on or after the cut-off (" + n.Cutoff.String() + "): borrowers who have not read the letter still pay there"}
		case p.CreditReporter != checklist.KeeperTransferor && p.CreditReporter != checklist.KeeperTransferee:
			return nil, ErrCreditReporter
		case p.CreditReportingFrom.IsZero():
			return nil, &SetupError{Field: "credit_reporting_from", Reason: "is not a date"}
		case p.Complaints == "":
			return nil, ErrComplaintsRouting
		}
		p.Cutoff, p.By, p.At = n.Cutoff, s.op.Name, s.v.opts.Now().UTC()
		return []store.MetaChange{{Name: metaContinuityPlan, Value: p}}, nil
	})
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// ContinuityPlanOf returns the recorded plan.
func (s *Session) ContinuityPlanOf() (*ContinuityPlan, error) {
	st, err := s.read(PermView)
	if err != nil {
		return nil, err
	}
	return metaRecord[ContinuityPlan](st, metaContinuityPlan, ErrContinuityPlan)
}

// DueBucket is how many customers and instalments fall due within Days of the cut-off.
type DueBucket struct {
	Days        int                `json:"days"`
	Customers   int64              `json:"customers"`
	Instalments int64              `json:"instalments"`
	CustomerNos []model.CustomerNo `json:"customer_numbers"`
	Outstanding model.Fen          `json:"outstanding"` // principal outstanding on those customers' open loans
}

// ContinuityDue lists, for each window (30, 60, 90 days after the cut-off), the customers
// with an instalment falling due in it. The book holds loans, not their schedules: an open
// loan is taken to fall due monthly on its disbursement day, from the month after
// disbursement to its maturity (the schedule most small loans follow; docs/CONTINUITY.md).
func (s *Session) ContinuityDue(ctx context.Context, windows []int) ([]DueBucket, model.Date, error) {
	st, err := s.gate(PermView)
	if err != nil {
		return nil, model.Date{}, err
	}
	n, err := loadNoticeSetup(st)
	if err != nil {
		return nil, model.Date{}, err
	}
	slices.Sort(windows)
	out := make([]DueBucket, len(windows))
	for i, w := range windows {
		out[i] = DueBucket{Days: w, CustomerNos: []model.CustomerNo{}}
	}
	cut := n.Cutoff
	err = st.EachCustomerWith(ctx, store.WalkOptions{NoRepayments: true}, func(b *store.CustomerBook) error {
		for i, w := range windows {
			end := cut.AddDays(w)
			var count int64
			var owed model.Fen
			for _, l := range b.Loans {
				if l.Status == model.StatusSettled {
					continue
				}
				if k := instalmentsBetween(l, cut, end); k > 0 {
					count += k
					owed += l.Outstanding
				}
			}
			if count > 0 {
				out[i].Customers++
				out[i].Instalments += count
				out[i].Outstanding += owed
				out[i].CustomerNos = append(out[i].CustomerNos, b.Customer.No)
			}
		}
		return nil
	})
	return out, cut, err
}

// instalmentsBetween counts a loan's monthly due dates in (from, to].
func instalmentsBetween(l model.Loan, from, to model.Date) int64 {
	var n int64
	for k := 1; k <= max(l.TermMonths, 1) && k <= 1200; k++ {
		due := l.Disbursed.AddMonths(k)
		if l.Maturity.Before(due) {
			due = l.Maturity
		}
		if to.Before(due) {
			break
		}
		if from.Before(due) {
			n++
		}
		if due == l.Maturity {
			break
		}
	}
	return n
}

// ForwardedPayment is a repayment the transferor received on or after the cut-off, and its
// forwarding to the transferee.
type ForwardedPayment struct {
	ID        string           `json:"id"`
	Customer  model.CustomerNo `json:"customer"`
	Amount    model.Fen        `json:"amount"`
	Received  model.Date       `json:"received"`
	Forwarded model.Date       `json:"forwarded,omitzero"`
	Evidence  []PaymentProof   `json:"evidence,omitempty"`
	By        string           `json:"by"`
	At        time.Time        `json:"at"`
}

// PaymentProof is a file that shows a receipt or a forwarding (a bank slip), by its hash.
type PaymentProof struct {
	What   string `json:"what"` // received, forwarded
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
}

func proof(what, name string, r io.Reader) (*PaymentProof, error) {
	if r == nil {
		return nil, nil
	}
	h := sha256.New()
	if _, err := io.Copy(h, io.LimitReader(r, store.MaxEvidenceSize)); err != nil {
		return nil, err
	}
	return &PaymentProof{What: what, Name: name, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// AddForwardedPayment registers a repayment the transferor received on or after the cut-off;
// forwarded, if not zero, is the day it was passed on. proofName and proofFile (optional) are
// the bank slip, recorded by its SHA-256.
func (s *Session) AddForwardedPayment(ctx context.Context, no model.CustomerNo, amount model.Fen, received, forwarded model.Date, proofName string, proofFile io.Reader) (*ForwardedPayment, error) {
	var out *ForwardedPayment
	detail := map[string]string{"amount_fen": strconv.FormatInt(int64(amount), 10), "received": received.String()}
	err := s.doMeta(PermChecklist, audit.ContinuityPayment, custTarget(no), detail, func(st *store.Store) ([]store.MetaChange, error) {
		n, err := loadNoticeSetup(st)
		if err != nil {
			return nil, err
		}
		if _, err := st.Customer(no); err != nil {
			return nil, fmt.Errorf("customer %d: %w", no, err)
		}
		switch {
		case amount <= 0:
			return nil, ErrPaymentAmount
		case received.IsZero() || received.Before(n.Cutoff):
			return nil, ErrBeforeCutoff
		case !forwarded.IsZero() && forwarded.Before(received):
			return nil, ErrForwardedBefore
		}
		p := &ForwardedPayment{ID: "FP-" + strings.ToUpper(store.NewID("p")[2:10]), Customer: no, Amount: amount, Received: received,
			Forwarded: forwarded, By: s.op.Name, At: s.v.opts.Now().UTC()}
		what := "received"
		if !forwarded.IsZero() {
			what = "forwarded"
		}
		if pr, err := proof(what, proofName, proofFile); err != nil {
			return nil, err
		} else if pr != nil {
			p.Evidence = append(p.Evidence, *pr)
		}
		detail["payment"] = p.ID
		out = p
		return []store.MetaChange{{Name: metaContinuityPrefix + p.ID, Value: p}}, nil
	})
	return out, err
}

// ForwardPayment records that a registered repayment was passed on to the transferee on day.
func (s *Session) ForwardPayment(ctx context.Context, id string, day model.Date, proofName string, proofFile io.Reader) (*ForwardedPayment, error) {
	var out *ForwardedPayment
	detail := map[string]string{"payment": id, "forwarded": day.String()}
	err := s.doMeta(PermChecklist, audit.ContinuityForward, "", detail, func(st *store.Store) ([]store.MetaChange, error) {
		var p ForwardedPayment
		if err := st.GetMeta(metaContinuityPrefix+id, &p); errors.Is(err, store.ErrNotFound) {
			return nil, ErrPaymentUnknown
		} else if err != nil {
			return nil, err
		}
		switch {
		case !p.Forwarded.IsZero():
			return nil, ErrPaymentForwarded
		case day.IsZero() || day.Before(p.Received):
			return nil, ErrForwardedBefore
		}
		p.Forwarded = day
		if pr, err := proof("forwarded", proofName, proofFile); err != nil {
			return nil, err
		} else if pr != nil {
			p.Evidence = append(p.Evidence, *pr)
		}
		out = &p
		return []store.MetaChange{{Name: metaContinuityPrefix + id, Value: p}}, nil
	})
	return out, err
}

// PaymentRegister is the register with its totals: it reconciles when everything received
// was forwarded.
type PaymentRegister struct {
	Payments    []ForwardedPayment `json:"payments"`
	Received    model.Fen          `json:"received"`
	Forwarded   model.Fen          `json:"forwarded"`
	Outstanding model.Fen          `json:"outstanding"`
	Reconciles  bool               `json:"reconciles"`
}

// ForwardedPayments returns the register, by date received.
func (s *Session) ForwardedPayments(ctx context.Context) (*PaymentRegister, error) {
	st, err := s.read(PermView)
	if err != nil {
		return nil, err
	}
	return loadPayments(ctx, st)
}

func loadPayments(ctx context.Context, st *store.Store) (*PaymentRegister, error) {
	r := &PaymentRegister{Payments: []ForwardedPayment{}}
	err := st.MetaPrefix(ctx, metaContinuityPrefix, func(_ string, b []byte) (bool, error) {
		var p ForwardedPayment
		if err := json.Unmarshal(b, &p); err != nil {
			return false, &store.CorruptError{What: "forwarded payment"}
		}
		r.Payments = append(r.Payments, p)
		r.Received += p.Amount
		if !p.Forwarded.IsZero() {
			r.Forwarded += p.Amount
		}
		return true, nil
	})
	slices.SortFunc(r.Payments, func(a, b ForwardedPayment) int {
		if c := a.Received.Compare(b.Received); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	r.Outstanding = r.Received - r.Forwarded
	r.Reconciles = r.Outstanding == 0
	return r, err
}

// continuityFacts reads what servicing_handed_over follows from.
func continuityFacts(ctx context.Context, st *store.Store, f *checklist.Facts) error {
	var p ContinuityPlan
	f.ContinuityPlanned = st.GetMeta(metaContinuityPlan, &p) == nil
	r, err := loadPayments(ctx, st)
	if err != nil {
		return err
	}
	f.PaymentsForwarded = r.Reconciles
	return nil
}

// continuityItems are the checklist items both parties sign off for the change-over.
var continuityItems = []string{"repayment_channel_switched", "complaints_routed", "credit_reporting_handed_over"}

// ContinuityReportPDF draws the continuity report in lang: the plan, the customers falling
// due within 30, 60 and 90 days of the cut-off, the items both parties sign off, and the
// register of forwarded repayments with its reconciliation. It is audited.
func (s *Session) ContinuityReportPDF(ctx context.Context, lang string) ([]byte, error) {
	due, cut, err := s.ContinuityDue(ctx, []int{30, 60, 90})
	if err != nil {
		return nil, err
	}
	var pdf []byte
	err = s.do(PermView, audit.ContinuityReport, "", nil, func(st *store.Store) error {
		r := &report.Continuity{Vault: s.v.Manifest().ID, Workstation: s.v.opts.Workstation, Issued: s.v.opts.Now().UTC().Truncate(time.Second), Cutoff: cut}
		var p ContinuityPlan
		if st.GetMeta(metaContinuityPlan, &p) == nil {
			r.Planned, r.OldCloses, r.NewFrom, r.Complaints = true, p.OldAccountCloses, p.NewAccountFrom, p.Complaints
			r.CreditReporter, r.CreditFrom, r.PlannedBy = p.CreditReporter, p.CreditReportingFrom, p.By
		}
		for _, b := range due {
			r.Due = append(r.Due, report.ContinuityDue{Days: b.Days, Customers: b.Customers, Instalments: b.Instalments, Outstanding: b.Outstanding})
		}
		view, err := s.evaluate(ctx, st)
		if err != nil {
			return err
		}
		for _, id := range append(slices.Clone(continuityItems), "servicing_handed_over") {
			if it, ok := view.Item(id); ok {
				r.Items = append(r.Items, report.ContinuityItem{Title: it.Title[doc.Lang(lang)], State: doc.Label(doc.Lang(lang), "state."+it.State)})
			}
		}
		reg, err := loadPayments(ctx, st)
		if err != nil {
			return err
		}
		r.Received, r.Forwarded = reg.Received, reg.Forwarded
		for _, pay := range reg.Payments {
			r.Payments = append(r.Payments, report.ContinuityPayment{ID: pay.ID, Customer: pay.Customer, Amount: pay.Amount, Received: pay.Received, Forwarded: pay.Forwarded})
		}
		pdf, err = report.RenderContinuity(r, lang)
		return err
	})
	return pdf, err
}
