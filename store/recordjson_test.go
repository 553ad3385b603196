package store

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"testing"

	"handover/store/model"
)

// TestRecordEncodersMatchEncodingJSON: the hand-written encoders of customer records and
// loans write what encoding/json writes, for records with every field empty, set, or holding
// characters that must be escaped.
func TestRecordEncodersMatchEncodingJSON(t *testing.T) {
	// A field added to the model must be added to the encoders and to the records below.
	for typ, n := range map[reflect.Type]int{reflect.TypeFor[model.Customer](): 12,
		reflect.TypeFor[model.Loan](): 14, reflect.TypeFor[storedCustomer](): 3} {
		if typ.NumField() != n {
			t.Fatalf("%v has %d fields; store/recordjson.go encodes %d", typ, typ.NumField(), n)
		}
	}
	r := rand.New(rand.NewPCG(5, 5))
	texts := []string{"", "张三", "陕西省西安市新城区幸福路86号", `a"b<c>&\`, "tab\tline\n\u2028", "\uFFFD", "XD202408-100001-1", "bad\xffbyte"}
	text := func() string { return texts[r.IntN(len(texts))] }
	date := func() model.Date {
		if r.IntN(3) == 0 {
			return model.Date{}
		}
		return model.Date{Y: 1950 + r.IntN(80), M: 1 + r.IntN(12), D: 1 + r.IntN(28)}
	}
	loan := func(no model.CustomerNo, seq uint32) model.Loan {
		l := model.Loan{Customer: no, Seq: seq, Contract: text(), Principal: model.Fen(r.Int64N(1<<40) - 1<<39),
			RateBP: r.IntN(3000), TermMonths: r.IntN(60), Disbursed: date(), Maturity: date(),
			Outstanding: model.Fen(r.Int64N(1 << 30)), Status: model.LoanStatus(text()), Class: model.Class(text()),
			OverdueDays: r.IntN(900) - 10, Purpose: text()}
		for range r.IntN(3) {
			l.GuarantorIDs = append(l.GuarantorIDs, text())
		}
		if r.IntN(4) == 0 {
			l.GuarantorIDs = []string{}
		}
		return l
	}
	for i := range 2000 {
		no := model.CustomerNo(r.Uint64N(1 << 40))
		rec := storedCustomer{Customer: model.Customer{No: no, Name: text(), IDNumber: text(), Gender: text(),
			Birth: date(), Phone: text(), BankCard: text(), BankName: text(), Address: text(), Occupied: text(),
			Number: text(), Source: text()}}
		for j := range r.IntN(4) {
			rec.Loans = append(rec.Loans, loan(no, uint32(j+1)))
		}
		if len(rec.Loans) > 0 && r.IntN(2) == 0 {
			rec.Repayments = make([]repaymentList, len(rec.Loans))
			for j := range rec.Repayments {
				for range r.IntN(3) {
					rec.Repayments[j] = append(rec.Repayments[j], storedRepayment{Due: date(), Paid: date(),
						Principal: model.Fen(r.Int64N(1 << 20)), Interest: model.Fen(r.Int64N(1 << 10)), Channel: text()})
				}
			}
		}
		if i == 0 {
			rec = storedCustomer{}
		}
		want, err := json.Marshal(rec)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendCustomerRecord(nil, &rec); string(got) != string(want) {
			t.Fatalf("appendCustomerRecord = %s\nencoding/json      = %s", got, want)
		}
		l := loan(no, 1)
		if i == 1 {
			l = model.Loan{}
		}
		want, _ = json.Marshal(l)
		if got := appendLoan(nil, &l); string(got) != string(want) {
			t.Fatalf("appendLoan = %s\nencoding/json = %s", got, want)
		}
	}
}
