package retention

import (
	"testing"

	"handover/store/model"
)

func TestRulesLoadAndSayWhatIsForCounsel(t *testing.T) {
	r, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if r.CustomerYears() != 10 {
		t.Fatalf("customer records kept %d years", r.CustomerYears())
	}
	for _, c := range r.Classes {
		if c.Law["zh-CN"] == "" || c.Law["en"] == "" || c.Name["zh-CN"] == "" || c.Name["en"] == "" || c.Note["zh-CN"] == "" || c.Note["en"] == "" || c.Years < 1 {
			t.Errorf("class %s is incomplete", c.ID)
		}
	}
}

func TestRelationshipEnd(t *testing.T) {
	d := func(y, m, day int) model.Date { return model.Date{Y: y, M: m, D: day} }
	settled := model.Loan{Status: model.StatusSettled, Maturity: d(2020, 6, 30)}
	open := model.Loan{Status: model.StatusNormal, Maturity: d(2027, 1, 1)}
	for _, c := range []struct {
		name  string
		loans []model.Loan
		reps  [][]model.Repayment
		end   model.Date
		ok    bool
	}{
		{"no loans", nil, nil, model.Date{}, false},
		{"an open loan", []model.Loan{settled, open}, nil, model.Date{}, false},
		{"settled at maturity", []model.Loan{settled}, nil, d(2020, 6, 30), true},
		{"paid after maturity", []model.Loan{settled}, [][]model.Repayment{{{Paid: d(2020, 8, 15)}}}, d(2020, 8, 15), true},
	} {
		end, ok := RelationshipEnd(c.loans, c.reps)
		if end != c.end || ok != c.ok {
			t.Errorf("%s: %v %v", c.name, end, ok)
		}
	}
	r, _ := Load()
	if got := r.DueDate(d(2020, 2, 29)); got != d(2030, 2, 28) {
		t.Errorf("due %v", got)
	}
}
