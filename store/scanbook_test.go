package store

import (
	"fmt"
	"reflect"
	"slices"
	"testing"

	"handover/store/model"
)

// TestScanBookReadsWhatIdentifies: ScanBook's light reading gives each customer's number,
// identity number and customer number and each loan's customer, number and contract as the
// full walk reads them, for loans inside the customer's record (a bulk write) and loans an
// import stored apart.
func TestScanBookReadsWhatIdentifies(t *testing.T) {
	s, _ := newStore(t)
	w := s.NewWriter()
	for i := 1; i <= 40; i++ {
		b := book(i)
		b.Customer.Number = fmt.Sprintf("KH%04d", i)
		if _, err := w.Add(b); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	iw := s.NewImportWriter()
	for _, no := range []model.CustomerNo{3, 17, 40} {
		if err := iw.AddLoan(model.Loan{Customer: no, Seq: 3, Contract: fmt.Sprintf("HT-apart-%d", no), Principal: 500}); err != nil {
			t.Fatal(err)
		}
	}
	if err := iw.Close(); err != nil {
		t.Fatal(err)
	}
	type ident struct {
		c     model.Customer
		loans []model.Loan
	}
	var want []ident
	err := s.EachCustomer(ctx, func(b *CustomerBook) error {
		id := ident{c: model.Customer{No: b.Customer.No, IDNumber: b.Customer.IDNumber, Number: b.Customer.Number}}
		for _, l := range b.Loans {
			id.loans = append(id.loans, model.Loan{Customer: l.Customer, Seq: l.Seq, Contract: l.Contract})
		}
		want = append(want, id)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []ident
	err = s.ScanBook(ctx, func(c model.Customer, loans []model.Loan) error {
		got = append(got, ident{c: c, loans: slices.Clone(loans)})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 40 || !reflect.DeepEqual(got, want) {
		t.Fatalf("ScanBook read %d customers, differing from the walk's:\n%+v\n%+v", len(got), got[:min(2, len(got))], want[:min(2, len(want))])
	}
	if len(got[16].loans) != 3 || got[16].loans[2].Contract != "HT-apart-17" {
		t.Fatalf("customer #17's loans: %+v", got[16].loans)
	}
}
