package store

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/dgraph-io/badger/v4"

	"handover/store/model"
)

func randomRecord(r *rand.Rand) *storedCustomer {
	texts := []string{"", "慕容洋", "610102199806036727", "女", "招商银行", `a"b\c`, "tab\t", "陕西省西安市新城区幸福路86号29栋1701室", "customers.csv:7"}
	text := func() string { return texts[r.IntN(len(texts))] }
	date := func() model.Date { return randomDate(r, 4) }
	num := func() int64 { return r.Int64N(1<<42) - 1<<41 }
	pick := func(known []string) string {
		if r.IntN(8) == 0 {
			return "not-" + text()
		}
		return known[r.IntN(len(known))]
	}
	rec := &storedCustomer{Customer: model.Customer{
		No: model.CustomerNo(1 + r.Uint64N(1<<40)), Name: text(), IDNumber: text(), Gender: text(), Birth: date(),
		Phone: text(), BankCard: text(), BankName: text(), Address: text(), Occupied: text(), Number: text(), Source: text(),
	}}
	for i := range r.IntN(5) {
		l := model.Loan{Customer: rec.No, Seq: uint32(i + 1), Contract: text(), Principal: model.Fen(num()),
			RateBP: int(num()), TermMonths: int(num()), Disbursed: date(), Maturity: date(), Outstanding: model.Fen(num()),
			Status: model.LoanStatus(pick(loanStatuses)), Class: model.Class(pick(loanClasses)), OverdueDays: int(num()), Purpose: text()}
		for range r.IntN(3) {
			l.GuarantorIDs = append(l.GuarantorIDs, text())
		}
		rec.Loans = append(rec.Loans, l)
	}
	if len(rec.Loans) > 0 && r.IntN(4) != 0 {
		rec.Repayments = make([]repaymentList, len(rec.Loans))
		for i := range rec.Repayments {
			if r.IntN(3) != 0 {
				rec.Repayments[i] = randomRepayments(r)
			}
		}
	}
	return rec
}

// jsonRead is the record as its JSON form reads back: what the binary form must read as.
func jsonRead(t *testing.T, rec *storedCustomer, v any) {
	t.Helper()
	if err := json.Unmarshal(appendCustomerRecord(nil, rec), v); err != nil {
		t.Fatal(err)
	}
}

// TestBinaryRecordRoundTrip writes records in the binary form and reads them back as every
// reader does (the whole record, without repayments, the import's scan): each reads what the
// same record's JSON form reads.
func TestBinaryRecordRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 3000 {
		rec := randomRecord(r)
		b := appendRecord(nil, rec)
		if b[0] != recordBinary {
			t.Fatalf("a covered record written as %q", b)
		}
		var got, want storedCustomer
		if err := unmarshalValue(b, &got); err != nil {
			t.Fatal(err)
		}
		jsonRead(t, rec, &want)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("read back\n%+v\nJSON reads\n%+v", got, want)
		}
		var gotCL, wantCL customerAndLoans
		if err := unmarshalValue(b, &gotCL); err != nil {
			t.Fatal(err)
		}
		jsonRead(t, rec, &wantCL)
		if !reflect.DeepEqual(gotCL, wantCL) {
			t.Fatalf("without repayments read\n%+v\nJSON reads\n%+v", gotCL, wantCL)
		}
		var gotS, wantS scannedCustomer
		if err := unmarshalValue(b, &gotS); err != nil {
			t.Fatal(err)
		}
		jsonRead(t, rec, &wantS)
		if len(wantS.Loans) == 0 {
			wantS.Loans = []scannedLoan{}
		}
		if !reflect.DeepEqual(gotS, wantS) {
			t.Fatalf("scanned\n%+v\nJSON reads\n%+v", gotS, wantS)
		}
	}
}

// TestBinaryRecordOfEmptyLoans: a loan with every field empty takes the fewest bytes a loan
// can, and a record of nothing but such loans reads.
func TestBinaryRecordOfEmptyLoans(t *testing.T) {
	for n := range 5 {
		rec := &storedCustomer{Customer: model.Customer{No: 3}}
		for i := range n {
			rec.Loans = append(rec.Loans, model.Loan{Customer: 3, Seq: uint32(i + 1)})
		}
		var back storedCustomer
		if err := unmarshalValue(appendRecord(nil, rec), &back); err != nil || !reflect.DeepEqual(back, *rec) {
			t.Fatalf("%d empty loans read as %+v (%v)", n, back, err)
		}
	}
}

// TestBinaryRecordKeepsBytes: strings are kept as they are, even where JSON would have
// replaced bytes that are not UTF-8.
func TestBinaryRecordKeepsBytes(t *testing.T) {
	rec := &storedCustomer{Customer: model.Customer{No: 9, Name: "bad\xffname", Address: "\x00\x01"}}
	var back storedCustomer
	if err := unmarshalValue(appendRecord(nil, rec), &back); err != nil || !reflect.DeepEqual(back, *rec) {
		t.Fatalf("read %+v (%v), wrote %+v", back, err, *rec)
	}
}

// TestRecordsTheBinaryFormDoesNotCover are written as JSON, and read as JSON reads them.
func TestRecordsTheBinaryFormDoesNotCover(t *testing.T) {
	base := func() *storedCustomer {
		return &storedCustomer{Customer: model.Customer{No: 5, Name: "王五"},
			Loans:      []model.Loan{{Customer: 5, Seq: 1, Contract: "C-1", Disbursed: model.Date{Y: 2024, M: 1, D: 2}}},
			Repayments: []repaymentList{{{Principal: 1, Channel: "现金"}}}}
	}
	for name, change := range map[string]func(*storedCustomer){
		"born in year 0":            func(r *storedCustomer) { r.Birth = model.Date{Y: 0, M: 1, D: 1} },
		"maturity in year 0":        func(r *storedCustomer) { r.Loans[0].Maturity = model.Date{Y: 0, M: 2, D: 3} },
		"a loan of another":         func(r *storedCustomer) { r.Loans[0].Customer = 6 },
		"a loan out of its place":   func(r *storedCustomer) { r.Loans[0].Seq = 2 },
		"a channel not UTF-8":       func(r *storedCustomer) { r.Repayments[0][0].Channel = "\xff" },
		"an empty list of payments": func(r *storedCustomer) { r.Repayments[0] = repaymentList{} },
	} {
		rec := base()
		change(rec)
		b := appendRecord(nil, rec)
		if b[0] != '{' {
			t.Errorf("%s: written in the binary form", name)
			continue
		}
		var got, want storedCustomer
		err := unmarshalValue(b, &got)
		jsonRead(t, rec, &want)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: read %+v (%v), JSON reads %+v", name, got, err, want)
		}
	}
	if b := appendRecord(nil, base()); b[0] != recordBinary {
		t.Errorf("the base record written as %q", b)
	}
}

// TestBinaryRecordIsSmall: a demo customer with a loan and a year of monthly repayments
// takes well under two thirds of its JSON.
func TestBinaryRecordIsSmall(t *testing.T) {
	d := model.Date{Y: 2024, M: 1, D: 15}
	rec := &storedCustomer{Customer: model.Customer{No: 123456, Name: "慕容洋", IDNumber: "610102199806036727", Gender: "女",
		Birth: model.Date{Y: 1998, M: 6, D: 3}, Phone: "19191604207", BankCard: "6225889134997727", BankName: "招商银行",
		Address: "陕西省西安市新城区幸福路86号29栋1701室", Occupied: "自由职业", Source: "customers.csv:123457"},
		Loans: []model.Loan{{Customer: 123456, Seq: 1, Contract: "XD202401-100000-1", Principal: 34800000, RateBP: 732,
			TermMonths: 12, Disbursed: d, Maturity: d.AddMonths(12), Outstanding: 0, Status: model.StatusSettled,
			Class: model.ClassPass, Purpose: "消费"}}}
	var l repaymentList
	for i := range 12 {
		l = append(l, storedRepayment{Due: d, Paid: d, Principal: 2900000, Interest: model.Fen(248530 - 9000*i), Channel: []string{"对公转账", "第三方支付"}[i%2]})
		d = d.AddMonths(1)
	}
	rec.Repayments = []repaymentList{l}
	bin, js := appendRecord(nil, rec), appendCustomerRecord(nil, rec)
	t.Logf("binary %d bytes, JSON %d bytes", len(bin), len(js))
	if len(bin)*3 > len(js)*2 {
		t.Errorf("binary %d bytes against %d of JSON", len(bin), len(js))
	}
}

// FuzzBinaryRecord reads arbitrary bytes as a binary record: no panic, and whatever reads
// is written again as the same bytes (one form per record).
func FuzzBinaryRecord(f *testing.F) {
	r := rand.New(rand.NewPCG(5, 6))
	for range 8 {
		f.Add(appendRecord(nil, randomRecord(r)))
	}
	f.Add([]byte{recordBinary})
	f.Add([]byte(`{"no":1}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var rec storedCustomer
		if err := decodeRecord(b, &rec, true); err != nil {
			return
		}
		if again := appendRecord(nil, &rec); string(again) != string(b) {
			t.Fatalf("%x read as %+v is written as %x", b, rec, again)
		}
		var lean customerAndLoans
		if err := unmarshalValue(b, &lean); err != nil || !reflect.DeepEqual(lean, customerAndLoans{rec.Customer, rec.Loans}) {
			t.Fatalf("without repayments: %+v, %v", lean, err)
		}
	})
}

// TestRecordsWrittenAsJSONStillRead: a vault written before format 4 holds its records as
// JSON; rewriting every record of a book so must change nothing any reader sees.
func TestRecordsWrittenAsJSONStillRead(t *testing.T) {
	s, _ := newStore(t)
	fill(t, s, 20)
	type seen struct {
		books   []*CustomerBook
		lean    []*CustomerBook
		scanned []model.Customer
		loans   [][]model.Loan
	}
	look := func() (v seen) {
		t.Helper()
		if err := s.EachCustomer(ctx, func(b *CustomerBook) error { v.books = append(v.books, b); return nil }); err != nil {
			t.Fatal(err)
		}
		err := s.EachCustomerWith(ctx, WalkOptions{NoRepayments: true}, func(b *CustomerBook) error { v.lean = append(v.lean, b); return nil })
		if err != nil {
			t.Fatal(err)
		}
		err = s.ScanBook(ctx, func(c model.Customer, loans []model.Loan) error {
			v.scanned, v.loans = append(v.scanned, c), append(v.loans, slices.Clone(loans))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	before := look()
	for no := model.CustomerNo(1); no <= 20; no++ {
		sl, err := s.keys.Get(no)
		if err != nil {
			t.Fatal(err)
		}
		k := kCustomer(no)
		var raw []byte
		if err := s.db.View(func(txn *badger.Txn) error {
			it, err := txn.Get(k)
			if err == nil {
				raw, err = it.ValueCopy(nil)
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if pt, err := sl.Open(k, raw); err != nil || pt[0] != recordBinary {
			t.Fatalf("customer %d not stored in the binary form (%v)", no, err)
		}
		rec, err := s.record(no)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.db.Update(func(txn *badger.Txn) error {
			return txn.Set(k, sl.Seal(nil, k, appendCustomerRecord(nil, &rec)))
		}); err != nil {
			t.Fatal(err)
		}
	}
	if after := look(); !reflect.DeepEqual(after, before) {
		t.Fatalf("read from JSON records:\n%+v\nfrom binary ones:\n%+v", after, before)
	}
}
