// Package retention says how long each class of record must be kept and when each record
// falls due for deletion (PIPL Art. 19 and 47; the AML Law's ten years after the
// relationship or the transaction ends). The rules are data (assets/retention.json), one per
// class of record: identity records count from the end of the customer's relationship, a
// loan and its repayments from the loan's own settlement, scanned documents by their kind.
// Where the law is unclear for a small-loan company, a rule says so and the screens and
// reports show "confirm with counsel".
package retention

import (
	"encoding/json"
	"fmt"
	"slices"

	"handover/assets"
	"handover/store/model"
)

// Text is one string in every UI language.
type Text map[string]string

// Kinds of record a class applies to.
const (
	RecordCustomer  = "customer"  // the customer record (identity data, guarantors)
	RecordLoan      = "loan"      // a loan contract
	RecordRepayment = "repayment" // a repayment received
	RecordDocument  = "document"  // a scanned document, by its kind
	RecordHandover  = "handover"  // the handover's own records (the compliance archive)
)

// Where a class's period counts from.
const (
	FromRelationshipEnd = "relationship_end" // the customer's last loan settled, or an end set by hand
	FromLoanEnd         = "loan_end"         // the record's own loan settled
	FromHandoverEnd     = "handover_end"     // the handover completed
)

// Class is one class of record and its rule.
type Class struct {
	ID      string   `json:"id"`
	Name    Text     `json:"name"`
	Records []string `json:"records"`         // the kinds of record it applies to
	Kinds   []string `json:"kinds,omitempty"` // for documents: the document kinds; empty: every other kind
	Years   int      `json:"years"`
	From    string   `json:"from"`
	Law     Text     `json:"law"` // in every language
	Note    Text     `json:"note"`
	Counsel bool     `json:"counsel"` // the reading is for counsel to confirm
}

// Rules are every class.
type Rules struct {
	Format  string  `json:"format"`
	Version int     `json:"version"`
	Classes []Class `json:"classes"`
}

// Load reads the rules and checks that every record has exactly one class.
func Load() (*Rules, error) {
	var r Rules
	if err := json.Unmarshal(assets.Retention, &r); err != nil {
		return nil, fmt.Errorf("retention rules: %w", err)
	}
	if r.Format != "handover-retention/v1" {
		return nil, fmt.Errorf("retention rules: format %q", r.Format)
	}
	if err := r.check(); err != nil {
		return nil, fmt.Errorf("retention rules: %w", err)
	}
	return &r, nil
}

func (r *Rules) check() error {
	for _, rec := range []string{RecordCustomer, RecordLoan, RecordRepayment, RecordHandover} {
		if r.classOf(rec, "") == nil {
			return fmt.Errorf("no class for %s records", rec)
		}
	}
	if r.classOf(RecordDocument, "\x00any other kind") == nil {
		return fmt.Errorf("no class for documents of other kinds")
	}
	for _, c := range r.Classes {
		switch {
		case c.Years < 1:
			return fmt.Errorf("class %s: %d years", c.ID, c.Years)
		case c.From != FromRelationshipEnd && c.From != FromLoanEnd && c.From != FromHandoverEnd:
			return fmt.Errorf("class %s: from %q", c.ID, c.From)
		}
	}
	return nil
}

// classOf is the class of a record of kind rec (and document kind, for documents): the
// class naming the kind, else the one naming none.
func (r *Rules) classOf(rec, kind string) *Class {
	var fallback *Class
	for i := range r.Classes {
		c := &r.Classes[i]
		if !slices.Contains(c.Records, rec) {
			continue
		}
		if rec != RecordDocument || slices.Contains(c.Kinds, kind) {
			return c
		}
		if len(c.Kinds) == 0 && fallback == nil {
			fallback = c
		}
	}
	return fallback
}

// CustomerYears is the least number of years a customer's records are kept after the
// relationship ends: the longest of the classes applying to them.
func (r *Rules) CustomerYears() int {
	y := 0
	for _, c := range r.Classes {
		if c.From != FromHandoverEnd {
			y = max(y, c.Years)
		}
	}
	return y
}

// LoanEnd is the day a loan ended: its last repayment or its maturity, whichever is later,
// once it is settled. ok is false while it is open.
func LoanEnd(l model.Loan, reps []model.Repayment) (end model.Date, ok bool) {
	if l.Status != model.StatusSettled {
		return model.Date{}, false
	}
	end = l.Maturity
	for _, rp := range reps {
		if end.Before(rp.Paid) {
			end = rp.Paid
		}
	}
	return end, true
}

// RelationshipEnd is the day a customer's relationship ended: the latest end of their loans
// once every loan is settled. ok is false while a loan is open (or the customer has none
// recorded: then nothing says the relationship ended).
func RelationshipEnd(loans []model.Loan, repayments [][]model.Repayment) (end model.Date, ok bool) {
	if len(loans) == 0 {
		return model.Date{}, false
	}
	for i, l := range loans {
		var reps []model.Repayment
		if i < len(repayments) {
			reps = repayments[i]
		}
		e, ok := LoanEnd(l, reps)
		if !ok {
			return model.Date{}, false
		}
		if end.Before(e) {
			end = e
		}
	}
	return end, true
}

// DueDate is when records whose relationship ended on end may be deleted.
func (r *Rules) DueDate(end model.Date) model.Date { return end.AddMonths(12 * r.CustomerYears()) }

// Book is one customer's records as the rules see them. EndSet is a relationship end set by
// hand (a loan written off, a settlement outside the book); it ends every loan still open
// on that day too.
type Book struct {
	Loans      []model.Loan
	Repayments [][]model.Repayment // Repayments[i] belongs to Loans[i]
	Documents  []model.Document
	EndSet     model.Date // zero: none
}

// Due is when one customer's records fall due, class by class.
type Due struct {
	// Customer is when the customer as a whole may be deleted: the latest due date of all
	// their records. Open is true while any record's clock has not started.
	Customer model.Date
	Open     bool
}

// Schedule calls record for each of the customer's records (loans with their repayments
// counted together by class) with its class and due date (open: the clock has not started)
// and returns when the customer as a whole falls due.
func (r *Rules) Schedule(b Book, record func(c *Class, n int64, due model.Date, open bool)) Due {
	rel, relOK := b.EndSet, !b.EndSet.IsZero()
	if !relOK {
		rel, relOK = RelationshipEnd(b.Loans, b.Repayments)
	}
	var out Due
	add := func(c *Class, n int64, end model.Date, ended bool) {
		if n == 0 {
			return
		}
		var due model.Date
		if ended {
			due = end.AddMonths(12 * c.Years)
			if out.Customer.Before(due) {
				out.Customer = due
			}
		} else {
			out.Open = true
		}
		if record != nil {
			record(c, n, due, !ended)
		}
	}
	cust := r.classOf(RecordCustomer, "")
	add(cust, 1, rel, relOK)
	loanEnds := map[string]model.Date{}
	for i, l := range b.Loans {
		var reps []model.Repayment
		if i < len(b.Repayments) {
			reps = b.Repayments[i]
		}
		end, ok := LoanEnd(l, reps)
		if !ok && !b.EndSet.IsZero() {
			end, ok = b.EndSet, true
		}
		if ok && l.Contract != "" {
			loanEnds[l.Contract] = end
		}
		// A loan's class may count from its own end or from the relationship's.
		clock := func(c *Class) (model.Date, bool) {
			if c.From == FromRelationshipEnd {
				return rel, relOK
			}
			return end, ok
		}
		loan, rep := r.classOf(RecordLoan, ""), r.classOf(RecordRepayment, "")
		le, lok := clock(loan)
		add(loan, 1, le, lok)
		re, rok := clock(rep)
		add(rep, int64(len(reps)), re, rok)
	}
	for _, d := range b.Documents {
		c := r.classOf(RecordDocument, d.Kind)
		end, ok := rel, relOK
		if c.From == FromLoanEnd {
			// A contract counts from the loan it belongs to; one matching no loan in the
			// book, from the relationship's end.
			if e, found := loanEnds[d.Contract]; found {
				end, ok = e, true
			}
		}
		add(c, 1, end, ok)
	}
	if out.Open {
		out.Customer = model.Date{}
	}
	return out
}
