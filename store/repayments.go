package store

import "handover/app/model"

// storedRepayment is a repayment as stored. Customer, loan, sequence and contract are given
// by where it is stored and by its loan, so they are not repeated: repayments are the bulk
// of a book (about 7 per loan) and this halves the size of a vault.
type storedRepayment struct {
	Due       model.Date `json:"d,omitzero"`
	Paid      model.Date `json:"p"`
	Principal model.Fen  `json:"a"`
	Interest  model.Fen  `json:"i"`
	Penalty   model.Fen  `json:"n,omitempty"`
	Channel   string     `json:"c,omitempty"`
}

func compactRepayment(r model.Repayment) storedRepayment {
	return storedRepayment{r.Due, r.Paid, r.Principal, r.Interest, r.Penalty, r.Channel}
}

// storedCustomer is the record under a customer's key: the customer, their loans, and the
// repayments known when the customer was written (by loan). Repayments that arrive later
// are stored in segments under their own keys.
type storedCustomer struct {
	model.Customer
	Loans      []model.Loan        `json:"loans,omitempty"`
	Repayments [][]storedRepayment `json:"repayments,omitempty"`
}

func (r storedRepayment) expand(no model.CustomerNo, loan, seq uint32) model.Repayment {
	return model.Repayment{Customer: no, Loan: loan, Seq: seq, Due: r.Due, Paid: r.Paid,
		Principal: r.Principal, Interest: r.Interest, Penalty: r.Penalty, Channel: r.Channel}
}
