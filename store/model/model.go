// Package model defines Handover's data model v1: customers, loans, repayments, documents
// and guarantors, with money in integer fen and dates as calendar dates.
//
// The JSON field names are part of the stored format and of the package record format
// (docs/VAULT.md); change them only with a format version bump.
package model

// CustomerNo is the vault-internal number of a customer. It is what audit events, logs and
// error messages use to refer to a customer, because it carries no personal information.
type CustomerNo uint64

// Customer is a borrower.
type Customer struct {
	No       CustomerNo `json:"no"`
	Name     string     `json:"name"`
	IDNumber string     `json:"id_number"` // 18-digit resident identity number (GB 11643)
	Gender   string     `json:"gender,omitempty"`
	Birth    Date       `json:"birth,omitzero"`
	Phone    string     `json:"phone,omitempty"`
	BankCard string     `json:"bank_card,omitempty"`
	BankName string     `json:"bank_name,omitempty"`
	Address  string     `json:"address,omitempty"`
	Occupied string     `json:"occupation,omitempty"`
	// Number is the old system's own customer number (客户编号), kept because some systems
	// link loans to customers by it rather than by the identity number.
	Number string `json:"customer_number,omitempty"`
	Source string `json:"source,omitempty"` // where the record came from (file and row, or "demo")
}

// LoanStatus is where a loan stands.
type LoanStatus string

// Loan statuses.
const (
	StatusNormal  LoanStatus = "normal"  // 正常还款
	StatusOverdue LoanStatus = "overdue" // 逾期
	StatusSettled LoanStatus = "settled" // 已结清
)

// Class is the five-tier loan classification (贷款五级分类).
type Class string

// The five tiers.
const (
	ClassPass        Class = "pass"        // 正常
	ClassSpecial     Class = "special"     // 关注
	ClassSubstandard Class = "substandard" // 次级
	ClassDoubtful    Class = "doubtful"    // 可疑
	ClassLoss        Class = "loss"        // 损失
)

// Classes lists the tiers in order of rising risk.
var Classes = []Class{ClassPass, ClassSpecial, ClassSubstandard, ClassDoubtful, ClassLoss}

// ClassForOverdue is the usual mapping from days overdue to tier for small-loan companies.
func ClassForOverdue(days int) Class {
	switch {
	case days <= 0:
		return ClassPass
	case days <= 90:
		return ClassSpecial
	case days <= 180:
		return ClassSubstandard
	case days <= 360:
		return ClassDoubtful
	default:
		return ClassLoss
	}
}

// Loan is one loan contract of a customer.
type Loan struct {
	Customer     CustomerNo `json:"customer"`
	Seq          uint32     `json:"seq"`      // 1-based within the customer
	Contract     string     `json:"contract"` // 合同编号
	Principal    Fen        `json:"principal"`
	RateBP       int        `json:"rate_bp"` // annual rate in basis points (1/100 %)
	TermMonths   int        `json:"term_months"`
	Disbursed    Date       `json:"disbursed"`
	Maturity     Date       `json:"maturity"`
	Outstanding  Fen        `json:"outstanding"`
	Status       LoanStatus `json:"status"`
	Class        Class      `json:"class"`
	OverdueDays  int        `json:"overdue_days"`
	Purpose      string     `json:"purpose,omitempty"`
	GuarantorIDs []string   `json:"guarantors,omitempty"` // guarantor identity numbers, optional
}

// Repayment is one payment received on a loan.
type Repayment struct {
	Customer  CustomerNo `json:"customer"`
	Loan      uint32     `json:"loan"`
	Seq       uint32     `json:"seq"`
	Contract  string     `json:"contract"`
	Due       Date       `json:"due,omitzero"`
	Paid      Date       `json:"paid"`
	Principal Fen        `json:"principal"`
	Interest  Fen        `json:"interest"`
	Penalty   Fen        `json:"penalty,omitempty"`
	// Amount is the total paid when the old system recorded only that (还款金额), without a
	// split into principal, interest and penalty, which are then zero. It is zero whenever
	// the split is known, so a book imported with the split has the same records (and the
	// same digest) as before this field existed.
	Amount  Fen    `json:"amount,omitempty"`
	Channel string `json:"channel,omitempty"`
}

// Total is what the borrower paid in this repayment: the unsplit amount, or the sum of
// its parts.
func (r Repayment) Total() Fen {
	if r.Amount != 0 {
		return r.Amount
	}
	return r.Principal + r.Interest + r.Penalty
}

// Unsplit says the repayment's amount is known only as a total.
func (r Repayment) Unsplit() bool { return r.Amount != 0 }

// Document is the metadata of a scanned document; its content is stored in chunks.
type Document struct {
	Customer CustomerNo `json:"customer"`
	Seq      uint32     `json:"seq"`
	Kind     string     `json:"kind"` // id_card_front, id_card_back, contract, other
	Name     string     `json:"name"`
	MIME     string     `json:"mime"`
	Size     int64      `json:"size"`
	SHA256   string     `json:"sha256"`
	Chunks   uint32     `json:"chunks"`
	Contract string     `json:"contract,omitempty"`
}

// Guarantor is a person who guarantees a customer's loan.
type Guarantor struct {
	Name     string `json:"name"`
	IDNumber string `json:"id_number"`
	Phone    string `json:"phone,omitempty"`
}
