package vault

import (
	"testing"

	"handover/app/audit"
	"handover/store"
	"handover/store/model"
)

// The retention report counts records class by class from their own ends: a customer whose
// old loan is due but whose newer loan is not keeps the old loan's records ("due, kept"),
// and only a customer all of whose records are due is listed for deletion.
func TestRetentionByClassOfRecord(t *testing.T) {
	admin, _, transferor := destroyFixture(t, 0)
	admin.Lock()
	s, err := admin.Vault().Unlock(transferor, "operator-pass")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Lock()
	d := func(y, m, day int) model.Date { return model.Date{Y: y, M: m, D: day} }
	loan := func(seq uint32, contract string, maturity model.Date) model.Loan {
		return model.Loan{Seq: seq, Contract: contract, Principal: 100000, TermMonths: 12, Disbursed: maturity.AddMonths(-12), Maturity: maturity, Status: model.StatusSettled, Class: model.ClassPass}
	}
	books := []*store.Book{
		{ // everything ended in 2012: due by 2026
			Customer:   model.Customer{Name: "张三", IDNumber: "11010519491231002X"},
			Loans:      []model.Loan{loan(1, "OLD-1", d(2012, 3, 1))},
			Repayments: []model.Repayment{{Loan: 1, Seq: 1, Contract: "OLD-1", Paid: d(2012, 3, 1), Principal: 100000}},
			Documents: []store.DocumentData{{Meta: model.Document{Kind: "contract", Contract: "OLD-1", Name: "c.pdf", MIME: "application/pdf"}, Content: []byte("%PDF-1")},
				{Meta: model.Document{Kind: "id_card_front", Name: "id.jpg", MIME: "image/jpeg"}, Content: []byte{0xff, 0xd8}}},
		},
		{ // an old loan due, a newer one not: the old one's records are due but kept
			Customer:  model.Customer{Name: "李四", IDNumber: "110105194912310037"},
			Loans:     []model.Loan{loan(1, "OLD-2", d(2012, 3, 1)), loan(2, "NEW-2", d(2020, 6, 30))},
			Documents: []store.DocumentData{{Meta: model.Document{Kind: "contract", Contract: "OLD-2", Name: "c.pdf", MIME: "application/pdf"}, Content: []byte("%PDF-1")}},
		},
	}
	err = s.Bulk(ctx, audit.DemoGenerate, func(w *store.Writer) error {
		for _, b := range books {
			if _, err := w.Add(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := s.Retention(ctx, d(2026, 12, 1))
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Due) != 1 || rep.Due[0] != 1 || rep.Ended != 2 || rep.Active != 0 || rep.ByYear[2022] != 1 || rep.ByYear[2030] != 1 {
		t.Fatalf("customers: due %v ended %d active %d by year %v", rep.Due, rep.Ended, rep.Active, rep.ByYear)
	}
	want := map[string]ClassCount{
		"identity":           {Records: 2, Due: 1},
		"transaction":        {Records: 4, Due: 3, DueKept: 1}, // 3 loans and 1 repayment; the second customer's old loan is kept
		"documents_identity": {Records: 1, Due: 1},
		"documents_contract": {Records: 2, Due: 2, DueKept: 1},
		"documents_other":    {},
	}
	for _, c := range rep.Records {
		w, ok := want[c.Class]
		if !ok {
			t.Errorf("unexpected class %s", c.Class)
			continue
		}
		if c.Records != w.Records || c.Due != w.Due || c.DueKept != w.DueKept || c.Open != 0 {
			t.Errorf("%s: %+v, want %+v", c.Class, c, w)
		}
		delete(want, c.Class)
	}
	if len(want) > 0 {
		t.Errorf("classes missing: %v", want)
	}
}
