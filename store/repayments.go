package store

import "handover/app/model"

// storedRepayment is a repayment as kept in a segment. Customer, loan, sequence and contract
// are given by the key and the loan record, so they are not repeated: repayments are the
// bulk of a book (about 9 per loan) and this halves the size of a vault.
type storedRepayment struct {
	Due       model.Date `json:"d,omitzero"`
	Paid      model.Date `json:"p"`
	Principal model.Fen  `json:"a"`
	Interest  model.Fen  `json:"i"`
	Penalty   model.Fen  `json:"n,omitempty"`
	Channel   string     `json:"c,omitempty"`
}

func compactRepayments(seg []model.Repayment) []storedRepayment {
	out := make([]storedRepayment, len(seg))
	for i, r := range seg {
		out[i] = storedRepayment{r.Due, r.Paid, r.Principal, r.Interest, r.Penalty, r.Channel}
	}
	return out
}

func (r storedRepayment) expand(no model.CustomerNo, loan, seq uint32) model.Repayment {
	return model.Repayment{Customer: no, Loan: loan, Seq: seq, Due: r.Due, Paid: r.Paid,
		Principal: r.Principal, Interest: r.Interest, Penalty: r.Penalty, Channel: r.Channel}
}
