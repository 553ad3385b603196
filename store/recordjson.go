package store

import (
	"strconv"

	"handover/store/model"
)

// The encoders below write byte for byte what encoding/json writes for a customer's record
// and a loan, without reflection: a million-customer import encodes a million of each, and
// encoding/json's reflection was about two seconds of its CPU. Tests compare both
// (TestRecordEncodersMatchEncodingJSON); any field added to the model must be added here.

// appendCustomerRecord appends the JSON of rec.
func appendCustomerRecord(b []byte, rec *storedCustomer) []byte {
	c := &rec.Customer
	b = append(b, `{"no":`...)
	b = strconv.AppendUint(b, uint64(c.No), 10)
	b = append(b, `,"name":`...)
	b = appendJSONString(b, c.Name)
	b = append(b, `,"id_number":`...)
	b = appendJSONString(b, c.IDNumber)
	b = appendOptional(b, `,"gender":`, c.Gender)
	if !c.Birth.IsZero() {
		b = append(b, `,"birth":"`...)
		b = append(c.Birth.Append(b), '"')
	}
	b = appendOptional(b, `,"phone":`, c.Phone)
	b = appendOptional(b, `,"bank_card":`, c.BankCard)
	b = appendOptional(b, `,"bank_name":`, c.BankName)
	b = appendOptional(b, `,"address":`, c.Address)
	b = appendOptional(b, `,"occupation":`, c.Occupied)
	b = appendOptional(b, `,"customer_number":`, c.Number)
	b = appendOptional(b, `,"source":`, c.Source)
	if len(rec.Loans) > 0 {
		b = append(b, `,"loans":[`...)
		for i := range rec.Loans {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendLoan(b, &rec.Loans[i])
		}
		b = append(b, ']')
	}
	if len(rec.Repayments) > 0 {
		b = append(b, `,"repayments":[`...)
		for i, seg := range rec.Repayments {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendRepaymentList(b, seg)
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

// appendLoan appends the JSON of l.
func appendLoan(b []byte, l *model.Loan) []byte {
	b = append(b, `{"customer":`...)
	b = strconv.AppendUint(b, uint64(l.Customer), 10)
	b = append(b, `,"seq":`...)
	b = strconv.AppendUint(b, uint64(l.Seq), 10)
	b = append(b, `,"contract":`...)
	b = appendJSONString(b, l.Contract)
	b = append(b, `,"principal":`...)
	b = strconv.AppendInt(b, int64(l.Principal), 10)
	b = append(b, `,"rate_bp":`...)
	b = strconv.AppendInt(b, int64(l.RateBP), 10)
	b = append(b, `,"term_months":`...)
	b = strconv.AppendInt(b, int64(l.TermMonths), 10)
	b = append(b, `,"disbursed":"`...)
	b = l.Disbursed.Append(b)
	b = append(b, `","maturity":"`...)
	b = l.Maturity.Append(b)
	b = append(b, `","outstanding":`...)
	b = strconv.AppendInt(b, int64(l.Outstanding), 10)
	b = append(b, `,"status":`...)
	b = appendJSONString(b, string(l.Status))
	b = append(b, `,"class":`...)
	b = appendJSONString(b, string(l.Class))
	b = append(b, `,"overdue_days":`...)
	b = strconv.AppendInt(b, int64(l.OverdueDays), 10)
	b = appendOptional(b, `,"purpose":`, l.Purpose)
	if len(l.GuarantorIDs) > 0 {
		b = append(b, `,"guarantors":[`...)
		for i, g := range l.GuarantorIDs {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, g)
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

func appendOptional(b []byte, key, s string) []byte {
	if s == "" {
		return b
	}
	return appendJSONString(append(b, key...), s)
}
