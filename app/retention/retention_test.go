package retention

import (
	"slices"
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

// Each record counts from its own end: a loan and its repayments from the loan's
// settlement, identity records and ID scans from the relationship's end, a contract scan
// from its loan; the customer falls due when the last of them does.
func TestScheduleByRecord(t *testing.T) {
	d := func(y, m, day int) model.Date { return model.Date{Y: y, M: m, D: day} }
	r, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	early := model.Loan{Contract: "C-1", Status: model.StatusSettled, Maturity: d(2012, 3, 1)}
	late := model.Loan{Contract: "C-2", Status: model.StatusSettled, Maturity: d(2018, 5, 20)}
	open := model.Loan{Contract: "C-3", Status: model.StatusNormal, Maturity: d(2028, 1, 1)}
	docs := []model.Document{{Kind: "id_card_front"}, {Kind: "contract", Contract: "C-1"}, {Kind: "contract", Contract: "C-9"}, {Kind: "scan"}}
	type rec struct {
		class string
		n     int64
		due   model.Date
		open  bool
	}
	for _, c := range []struct {
		name     string
		book     Book
		want     []rec
		customer model.Date
		isOpen   bool
	}{
		{"two settled loans", Book{Loans: []model.Loan{early, late}, Repayments: [][]model.Repayment{{{Paid: d(2012, 4, 2)}, {Paid: d(2011, 1, 1)}}, nil}, Documents: docs},
			[]rec{
				{"identity", 1, d(2028, 5, 20), false},
				{"transaction", 1, d(2022, 4, 2), false}, {"transaction", 2, d(2022, 4, 2), false},
				{"transaction", 1, d(2028, 5, 20), false},
				{"documents_identity", 1, d(2028, 5, 20), false},
				{"documents_contract", 1, d(2022, 4, 2), false},
				{"documents_contract", 1, d(2028, 5, 20), false}, // C-9 names no loan: the relationship's end
				{"documents_other", 1, d(2028, 5, 20), false},
			}, d(2028, 5, 20), false},
		{"a loan still open", Book{Loans: []model.Loan{early, open}, Documents: docs[:2]},
			[]rec{
				{"identity", 1, model.Date{}, true},
				{"transaction", 1, d(2022, 3, 1), false},
				{"transaction", 1, model.Date{}, true},
				{"documents_identity", 1, model.Date{}, true},
				{"documents_contract", 1, d(2022, 3, 1), false},
			}, model.Date{}, true},
		{"an end set by hand closes the open loan", Book{Loans: []model.Loan{early, open}, EndSet: d(2020, 1, 15)},
			[]rec{
				{"identity", 1, d(2030, 1, 15), false},
				{"transaction", 1, d(2022, 3, 1), false},
				{"transaction", 1, d(2030, 1, 15), false},
			}, d(2030, 1, 15), false},
		{"no loans and no end", Book{}, []rec{{"identity", 1, model.Date{}, true}}, model.Date{}, true},
	} {
		var got []rec
		due := r.Schedule(c.book, func(cl *Class, n int64, at model.Date, open bool) { got = append(got, rec{cl.ID, n, at, open}) })
		if !slices.Equal(got, c.want) {
			t.Errorf("%s:\n got  %v\n want %v", c.name, got, c.want)
		}
		if due.Customer != c.customer || due.Open != c.isOpen {
			t.Errorf("%s: customer due %v open %v", c.name, due.Customer, due.Open)
		}
	}
}

// Every record kind and every document kind has exactly one class; a rule set without one
// is refused.
func TestRulesCoverEveryRecord(t *testing.T) {
	r, _ := Load()
	for _, kind := range []string{"id_card_front", "id_card_back", "contract", "other", "anything"} {
		if r.classOf(RecordDocument, kind) == nil {
			t.Errorf("no class for documents of kind %q", kind)
		}
	}
	broken := &Rules{Classes: []Class{{ID: "identity", Records: []string{RecordCustomer}, Years: 10, From: FromRelationshipEnd}}}
	if broken.check() == nil {
		t.Error("rules without a class for loans were accepted")
	}
}
