package store

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"

	"handover/store/model"
)

// storedRepayment is a repayment as stored. Customer, loan, sequence and contract are given
// by where it is stored and by its loan, so they are not repeated: repayments are the bulk
// of a book (about 7 per loan) and this halves the size of a vault.
type storedRepayment struct {
	Due       model.Date `json:"d,omitzero"`
	Paid      model.Date `json:"p"`
	Principal model.Fen  `json:"a"`
	Interest  model.Fen  `json:"i"`
	Penalty   model.Fen  `json:"n,omitempty"`
	Amount    model.Fen  `json:"t,omitempty"`
	Channel   string     `json:"c,omitempty"`
}

func compactRepayment(r model.Repayment) storedRepayment {
	return storedRepayment{r.Due, r.Paid, r.Principal, r.Interest, r.Penalty, r.Amount, r.Channel}
}

// storedCustomer is the record under a customer's key: the customer, their loans, and the
// repayments known when the customer was written (by loan). Repayments that arrive later
// are stored in segments under their own keys.
type storedCustomer struct {
	model.Customer
	Loans      []model.Loan    `json:"loans,omitempty"`
	Repayments []repaymentList `json:"repayments,omitempty"`
}

func (r storedRepayment) expand(no model.CustomerNo, loan, seq uint32) model.Repayment {
	return model.Repayment{Customer: no, Loan: loan, Seq: seq, Due: r.Due, Paid: r.Paid,
		Principal: r.Principal, Interest: r.Interest, Penalty: r.Penalty, Amount: r.Amount, Channel: r.Channel}
}

// appendSegment appends the JSON of seg, byte for byte what encoding/json writes, without
// reflection: repayments are the bulk of an import (nine in ten rows), and this is their
// encoder. A test compares it with encoding/json.
func appendSegment(b []byte, seg []storedRepayment) []byte {
	b = append(b, '[')
	for i, r := range seg {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '{')
		if !r.Due.IsZero() {
			b = append(b, `"d":"`...)
			b = r.Due.Append(b)
			b = append(b, `",`...)
		}
		b = append(b, `"p":"`...)
		b = r.Paid.Append(b)
		b = append(b, `","a":`...)
		b = strconv.AppendInt(b, int64(r.Principal), 10)
		b = append(b, `,"i":`...)
		b = strconv.AppendInt(b, int64(r.Interest), 10)
		if r.Penalty != 0 {
			b = append(b, `,"n":`...)
			b = strconv.AppendInt(b, int64(r.Penalty), 10)
		}
		if r.Amount != 0 {
			b = append(b, `,"t":`...)
			b = strconv.AppendInt(b, int64(r.Amount), 10)
		}
		if r.Channel != "" {
			b = append(b, `,"c":`...)
			b = appendJSONString(b, r.Channel)
		}
		b = append(b, '}')
	}
	return append(b, ']')
}

func appendJSONString(b []byte, s string) []byte {
	for _, r := range s {
		if r < 0x20 || r == '"' || r == '\\' || r == '<' || r == '>' || r == '&' || r == utf8.RuneError || r == '\u2028' || r == '\u2029' {
			q, _ := json.Marshal(s) // rare: let encoding/json escape it
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
