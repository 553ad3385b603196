// Package retention says how long each class of record must be kept and when each
// customer's records fall due for deletion (PIPL Art. 19 and 47; the AML Law's ten years
// after the relationship ends). The rules are data (assets/retention.json); where the law is
// unclear for a small-loan company, a rule says so and the screens and reports show
// "confirm with counsel".
package retention

import (
	"encoding/json"
	"fmt"

	"handover/assets"
	"handover/store/model"
)

// Text is one string in every UI language.
type Text map[string]string

// Class is one class of record and its rule.
type Class struct {
	ID      string `json:"id"`
	Name    Text   `json:"name"`
	Years   int    `json:"years"`
	From    string `json:"from"` // relationship_end, handover_end
	Law     Text   `json:"law"`  // in every language
	Note    Text   `json:"note"`
	Counsel bool   `json:"counsel"` // the reading is for counsel to confirm
}

// Rules are every class.
type Rules struct {
	Format  string  `json:"format"`
	Version int     `json:"version"`
	Classes []Class `json:"classes"`
}

// Load reads the rules.
func Load() (*Rules, error) {
	var r Rules
	if err := json.Unmarshal(assets.Retention, &r); err != nil || r.Format != "handover-retention/v1" {
		return nil, fmt.Errorf("retention rules: %v", err)
	}
	return &r, nil
}

// CustomerYears is how long a customer's records are kept after the relationship ends: the
// longest of the classes counted from it.
func (r *Rules) CustomerYears() int {
	y := 0
	for _, c := range r.Classes {
		if c.From == "relationship_end" {
			y = max(y, c.Years)
		}
	}
	return y
}

// RelationshipEnd is the day a customer's relationship ended: the last repayment or maturity
// of their loans once every loan is settled. ok is false while a loan is open (or the
// customer has none recorded: then nothing says the relationship ended).
func RelationshipEnd(loans []model.Loan, repayments [][]model.Repayment) (end model.Date, ok bool) {
	if len(loans) == 0 {
		return model.Date{}, false
	}
	for i, l := range loans {
		if l.Status != model.StatusSettled {
			return model.Date{}, false
		}
		last := l.Maturity
		if i < len(repayments) {
			for _, rp := range repayments[i] {
				if last.Before(rp.Paid) {
					last = rp.Paid
				}
			}
		}
		if end.Before(last) {
			end = last
		}
	}
	return end, true
}

// DueDate is when records whose relationship ended on end may be deleted.
func (r *Rules) DueDate(end model.Date) model.Date { return end.AddMonths(12 * r.CustomerYears()) }
