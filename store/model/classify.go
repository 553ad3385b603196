package model

// Level is a personal financial information category of JR/T 0171-2020.
type Level string

// The three categories. C3 (authentication data) is never stored by Handover at all.
const (
	C1 Level = "C1" // internal information of the institution
	C2 Level = "C2" // identifies the person or their financial situation: encrypted, masked
	C3 Level = "C3" // authentication data: passwords, PINs, CVV, card track data
)

// Mask says how a field is shown to an operator who has not revealed it.
type Mask int

// Masking rules.
const (
	MaskNone    Mask = iota // shown as stored
	MaskName                // 张** (surname kept)
	MaskID                  // 1101**********123X
	MaskPhone               // 138****5678
	MaskCard                // 6222 **** **** 1234
	MaskAddress             // 北京市朝阳区****
)

// FieldInfo describes one stored field.
type FieldInfo struct {
	Table string
	Field string // JSON name
	Level Level
	Mask  Mask
}

// Fields is the one classification table of every stored field (JR/T 0171-2020). Loan
// figures are C2 (借贷信息) yet shown unmasked to anyone allowed to view: reconciliation
// screens exist to show them. Identifiers are masked until revealed.
var Fields = []FieldInfo{
	{"customers", "no", C1, MaskNone},
	{"customers", "name", C2, MaskName},
	{"customers", "id_number", C2, MaskID},
	{"customers", "gender", C2, MaskNone},
	{"customers", "birth", C2, MaskNone},
	{"customers", "phone", C2, MaskPhone},
	{"customers", "bank_card", C2, MaskCard},
	{"customers", "bank_name", C2, MaskNone},
	{"customers", "address", C2, MaskAddress},
	{"customers", "occupation", C2, MaskNone},
	{"customers", "customer_number", C2, MaskNone},
	{"customers", "source", C1, MaskNone},
	{"loans", "contract", C2, MaskNone},
	{"loans", "principal", C2, MaskNone},
	{"loans", "rate_bp", C2, MaskNone},
	{"loans", "term_months", C2, MaskNone},
	{"loans", "disbursed", C2, MaskNone},
	{"loans", "maturity", C2, MaskNone},
	{"loans", "outstanding", C2, MaskNone},
	{"loans", "status", C2, MaskNone},
	{"loans", "class", C2, MaskNone},
	{"loans", "overdue_days", C2, MaskNone},
	{"loans", "purpose", C2, MaskNone},
	{"loans", "guarantors", C2, MaskID},
	{"repayments", "due", C2, MaskNone},
	{"repayments", "paid", C2, MaskNone},
	{"repayments", "principal", C2, MaskNone},
	{"repayments", "interest", C2, MaskNone},
	{"repayments", "penalty", C2, MaskNone},
	{"repayments", "amount", C2, MaskNone},
	{"repayments", "channel", C2, MaskNone},
	{"documents", "kind", C1, MaskNone},
	{"documents", "name", C2, MaskNone},
	{"documents", "content", C2, MaskNone},
}

// Field returns the classification of table.field, and whether it is known.
func Field(table, field string) (FieldInfo, bool) {
	for _, f := range Fields {
		if f.Table == table && f.Field == field {
			return f, true
		}
	}
	return FieldInfo{}, false
}

// C3Names are column names (lower case, Chinese and English) that carry authentication data.
// Such columns are refused as a whole on import: JR/T 0171-2020 forbids keeping them.
var C3Names = []string{
	"密码", "交易密码", "查询密码", "登录密码", "取款密码", "支付密码", "pin", "cvv", "cvv2", "cvn",
	"cvc", "卡片验证码", "磁道", "磁道数据", "track", "track2", "password", "passwd", "卡片有效期", "卡有效期",
}
