package importer

import (
	"slices"
	"strings"

	"handover/store/model"
)

// Table is what kind of rows a file holds.
type Table string

// Tables.
const (
	Customers  Table = "customers"
	Loans      Table = "loans"
	Repayments Table = "repayments"
)

// aliases maps normalised header texts to canonical field names, per table. The first
// table listed for a field is where it identifies the file's table.
var aliases = map[Table]map[string][]string{
	Customers: {
		"name":            {"姓名", "客户姓名", "借款人姓名", "借款人", "客户名称", "name", "customer name"},
		"id_number":       {"身份证号", "证件号码", "身份证号码", "身份证", "证件号", "id", "id number", "id_number"},
		"phone":           {"手机号", "手机号码", "联系电话", "电话", "手机", "mobile", "phone"},
		"bank_card":       {"银行卡号", "收款账号", "还款账号", "银行账号", "卡号", "bank card", "account"},
		"bank_name":       {"开户行", "开户银行", "bank", "bank name"},
		"address":         {"地址", "住址", "家庭住址", "联系地址", "address"},
		"gender":          {"性别", "gender", "sex"},
		"occupation":      {"职业", "occupation"},
		"customer_number": customerNumberAliases,
	},
	Loans: {
		"contract":        {"合同编号", "借款合同号", "合同号", "贷款编号", "借据号", "借据编号", "借款借据号", "contract", "contract no"},
		"id_number":       {"身份证号", "证件号码", "身份证号码", "借款人身份证号"},
		"customer_number": customerNumberAliases,
		"principal":       {"借款金额", "本金", "贷款金额", "放款金额", "principal", "amount"},
		"outstanding":     {"剩余本金", "贷款余额", "未还本金", "outstanding", "balance"},
		"rate":            {"年利率", "利率", "rate"},
		"disbursed":       {"放款日期", "发放日期", "借款日期", "disbursed"},
		"maturity":        {"到期日期", "到期日", "maturity"},
		"class":           {"五级分类", "风险分类", "classification"},
		"term":            {"期限", "期限（月）", "贷款期限", "借款期限", "term", "term months"},
		"status":          {"状态", "贷款状态", "status"},
		"overdue":         {"逾期天数", "overdue days", "days overdue"},
		"purpose":         {"用途", "借款用途", "purpose"},
	},
	Repayments: {
		"contract":  {"合同编号", "借款合同号", "合同号", "借据号", "借据编号", "借款借据号", "contract"},
		"paid":      {"还款日期", "实还日期", "实际还款日期", "paid"},
		"due":       {"应还日期", "应还日", "due"},
		"principal": {"实还本金", "还款本金", "本金", "principal"},
		"interest":  {"实还利息", "还款利息", "利息", "interest"},
		"penalty":   {"罚息", "实还罚息", "违约金", "penalty"},
		"amount":    {"还款金额", "实还金额", "还款总额", "实还总额", "实收金额", "还款额", "amount paid", "total paid"},
		"channel":   {"渠道", "还款渠道", "还款方式", "channel"},
	},
}

// customerNumberAliases name the old system's own customer number, in a customers file
// and in a loans file that links to customers by it.
var customerNumberAliases = []string{"客户编号", "客户号", "客户代码", "客户id", "customer no", "customer number", "customer_number"}

// order is how fields are listed in the mapping editor.
var order = map[Table][]string{
	Customers:  {"name", "id_number", "customer_number", "phone", "bank_card", "bank_name", "address", "gender", "occupation"},
	Loans:      {"contract", "id_number", "customer_number", "principal", "outstanding", "rate", "term", "disbursed", "maturity", "status", "class", "overdue", "purpose"},
	Repayments: {"contract", "paid", "due", "amount", "principal", "interest", "penalty", "channel"},
}

// Mapping says which column holds which field (-1: absent).
type Mapping map[string]int

// normalize folds a header for matching: spaces, case, full-width brackets and a unit suffix
// such as "（元）" do not matter.
func normalize(h string) string {
	h = strings.ToLower(strings.TrimSpace(h))
	for _, cut := range []string{"（元）", "(元)", "（%）", "(%)", "（月）", "(月)"} {
		h = strings.TrimSuffix(h, cut)
	}
	return strings.Join(strings.Fields(h), " ")
}

// Match maps a header row to a table's fields.
func Match(t Table, header []string) Mapping {
	m := Mapping{}
	for field, names := range aliases[t] {
		m[field] = -1
		for i, h := range header {
			for _, a := range names {
				if normalize(h) == a && m[field] < 0 {
					m[field] = i
				}
			}
		}
	}
	return m
}

// required are the fields without which a table cannot be imported. "a|b" is satisfied by
// either: a loan names its borrower by identity number or by customer number, a repayment
// gives its principal (with interest and penalty) or only the total paid.
var required = map[Table][]string{
	Customers:  {"name", "id_number"},
	Loans:      {"contract", "id_number|customer_number", "principal"},
	Repayments: {"contract", "paid", "principal|amount"},
}

// DetectTable picks the table whose required fields the header has; repayments are checked
// before loans because a repayment file also names contracts.
func DetectTable(header []string) (Table, bool) {
	for _, t := range []Table{Repayments, Loans, Customers} {
		if len(Match(t, header).Missing(t)) == 0 {
			return t, true
		}
	}
	return "", false
}

// headerScore counts the cells of a row that name a known field of any table: how much a
// row looks like a header when no table's required fields are all there.
func headerScore(row []string) int {
	n := 0
	for _, h := range row {
		if isAlias(normalize(h)) {
			n++
		}
	}
	return n
}

func isAlias(n string) bool {
	if n == "" {
		return false
	}
	for _, fields := range aliases {
		for _, names := range fields {
			if slices.Contains(names, n) {
				return true
			}
		}
	}
	return false
}

// ForbiddenColumns returns the columns whose header names authentication data (C3 of JR/T
// 0171-2020). Such a column is refused as a whole (reason c3_forbidden) and never read.
func ForbiddenColumns(header []string) []int {
	var out []int
	for i, h := range header {
		n := normalize(h)
		for _, c3 := range model.C3Names {
			// Chinese names match inside longer headers (交易密码); Latin ones only whole
			// (pin must not catch "shipping").
			if n == c3 || !isASCII(c3) && strings.Contains(n, c3) {
				out = append(out, i)
				break
			}
		}
	}
	return out
}

// ReasonC3Forbidden is the reason code of a refused authentication-data column.
const ReasonC3Forbidden = "c3_forbidden"

func isASCII(s string) bool {
	for i := range len(s) {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// IsIdentifierColumn says whether a header names a field that identifies a person (one the
// screens mask: name, identity number, phone, bank card, address, guarantors). Such values
// are never taken from a command line, where the process list and shell history keep them.
func IsIdentifierColumn(header string) bool {
	n := normalize(header)
	for t, fields := range aliases {
		for field, names := range fields {
			if !slices.Contains(names, n) {
				continue
			}
			if field == "id_number" {
				return true
			}
			if f, ok := model.Field(string(t), field); ok && f.Mask != model.MaskNone {
				return true
			}
		}
	}
	return false
}
