package importer

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"handover/app/validate"
	"handover/store/model"
)

// Reason codes of the import beyond the field validators' (app/validate). They are a
// contract: the UI translates them, --json prints them.
const (
	ReasonRowFormat         = "row_format"                // the row could not be split into columns
	ReasonFieldTooLong      = "field_too_long"            // a field longer than a package may carry (model.MaxFieldBytes)
	ReasonDuplicateCustomer = "duplicate_customer"        // the same 身份证号 again
	ReasonUnknownCustomer   = "unknown_customer"          // a loan whose borrower is not in the vault
	ReasonUnknownContract   = "unknown_contract"          // a repayment whose contract is not in the vault
	ReasonDuplicateContract = "duplicate_contract"        // a contract number used twice
	ReasonContractFormat    = "contract_format"           // an empty or malformed contract number
	ReasonValueInvalid      = "value_invalid"             // a term, status or class that means nothing
	ReasonDocumentUnmatched = "document_unmatched"        // a scan that names no known customer or contract
	ReasonDocumentUnreadble = "document_unreadable"       // a scan that could not be read
	ReasonDuplicateNumber   = "duplicate_customer_number" // the same 客户编号 again
	ReasonCustomerMismatch  = "customer_mismatch"         // a loan whose 客户编号 and 身份证号 name different customers
	ReasonAmountMismatch    = "amount_mismatch"           // a repayment whose total is not the sum of its parts
)

// Finding is one problem with one row: an error keeps the row in quarantine, a warning
// accepts it flagged. Column is the header text, never a value.
type Finding struct {
	Column  string `json:"column"`
	Field   string `json:"field,omitempty"`
	Reason  string `json:"reason"`
	Message string `json:"message"`
	Warning bool   `json:"warning,omitempty"`
	Ref     *Ref   `json:"ref,omitempty"` // the earlier record of a duplicate
}

// amountFields are the money columns of each table, in the order of control totals.
var amountFields = map[Table][]string{
	Loans:      {"principal", "outstanding"},
	Repayments: {"principal", "interest", "penalty", "amount"},
}

// converted is a row turned into a record, before the lookups that need the vault.
type converted struct {
	findings []Finding
	failed   bool
	customer model.Customer
	loan     model.Loan
	loanID   string // the borrower's identity number of a loan
	loanNo   string // the borrower's customer number of a loan
	rep      model.Repayment
	amounts  [4]model.Fen // by amountFields
	parsed   [4]bool
	totals   bool // a totals row (合计): not a record, its amounts are the file's own totals
	subtotal bool // a subtotal row (小计): not a record either, and not compared
}

type totalsRowKind int

const (
	notTotals totalsRowKind = iota
	totalsRow
	subtotalRow
)

// totalsKind recognises a totals row by its first non-empty cell: 合计, 总计 and the like
// (spaces and a colon allowed, as in "合　计："), or a subtotal. A name or contract number
// never reads so.
func totalsKind(fields []string) totalsRowKind {
	for _, f := range fields {
		switch first := firstMarkRune(f); first {
		case -1:
			continue // empty: the next cell decides
		case '合', '总', '累', '小', 't', 'g', 's':
		default:
			return notTotals // no mark starts so: most rows, told without folding the cell
		}
		f = strings.Map(func(r rune) rune {
			if unicode.IsSpace(r) || r == ':' || r == '：' {
				return -1
			}
			return unicode.ToLower(r)
		}, f)
		if f == "" {
			continue
		}
		switch f {
		case "合计", "总计", "总合计", "合计金额", "累计", "total", "totals", "grandtotal":
			return totalsRow
		case "小计", "subtotal":
			return subtotalRow
		}
		return notTotals
	}
	return notTotals
}

// firstMarkRune is the first rune of f that totalsKind does not drop, in lower case; -1
// when there is none.
func firstMarkRune(f string) rune {
	for _, r := range f {
		if unicode.IsSpace(r) || r == ':' || r == '：' {
			continue
		}
		return unicode.ToLower(r)
	}
	return -1
}

func (c *converted) add(column, field string, p *validate.Problem) {
	if p == nil {
		return
	}
	c.findings = append(c.findings, Finding{Column: column, Field: field, Reason: string(p.Reason), Message: p.Message, Warning: p.Warning})
	if !p.Warning {
		c.failed = true
	}
}

func (c *converted) fail(column, field, reason, msg string) {
	c.findings = append(c.findings, Finding{Column: column, Field: field, Reason: reason, Message: msg})
	c.failed = true
}

// converter turns mapped rows of one table into records.
type converter struct {
	table   Table
	header  []string
	m       Mapping
	now     time.Time
	source  string // file name, for Customer.Source
	columns []bool // columns that feed a field, built on first use
	// fields are the mapping's fields and their columns, built with columns: a row's cells
	// are looked up by field name, and scanning a dozen names (constants, so most compare
	// by length or address) cost less than hashing each one, which was a second of the
	// million-customer import's CPU.
	fields []fieldColumn
}

type fieldColumn struct {
	field  string
	column int
}

// column is the column of field, as the mapping says.
func (cv *converter) column(field string) (int, bool) {
	if cv.fields == nil {
		i, ok := cv.m[field]
		return i, ok
	}
	for _, f := range cv.fields {
		if f.field == field {
			return f.column, true
		}
	}
	return 0, false
}

func (cv *converter) cell(row Row, field string) (value, column string, present bool) {
	i, ok := cv.column(field)
	if !ok || i < 0 {
		return "", "", false
	}
	column = cv.header[i]
	if i < len(row.Fields) {
		value = row.Fields[i]
	}
	return value, column, true
}

func (cv *converter) convert(row Row) *converted {
	c := &converted{}
	cv.fill(row, c)
	return c
}

// fill converts row into c, which must be zero.
func (cv *converter) fill(row Row, c *converted) {
	for _, i := range row.Invalid {
		col := ""
		if i < len(cv.header) {
			col = cv.header[i]
		}
		if cv.mapped(i) {
			c.fail(col, "", ReasonEncodingInvalid, "the bytes of this column are not valid in the file's encoding; check the encoding or export the file again")
		}
	}
	for i, f := range row.Fields {
		if cv.mapped(i) && swallowed(f) {
			c.fail(cv.header[min(i, len(cv.header)-1)], "", ReasonRowFormat,
				"a quotation mark opened in this row is never closed, so the following lines were read into this column; fix the quote in the file")
			break
		}
	}
	for i, f := range row.Fields {
		if cv.mapped(i) && len(f) > model.MaxFieldBytes {
			c.fail(cv.header[min(i, len(cv.header)-1)], "", ReasonFieldTooLong,
				fmt.Sprintf("this field holds %d bytes; a field may hold at most %d (a handover package could not carry it)", len(f), model.MaxFieldBytes))
		}
	}
	if c.failed {
		return
	}
	if kind := totalsKind(row.Fields); kind != notTotals {
		c.totals = true
		c.subtotal = kind == subtotalRow
		return
	}
	switch cv.table {
	case Customers:
		cv.customer(row, c)
	case Loans:
		cv.loanRow(row, c)
	case Repayments:
		cv.repayment(row, c)
	}
}

// swallowed says a field holds whole lines of the file: with an unbalanced quotation mark
// the CSV reader (lazy about quotes, as Excel's exports need) reads on to the next quote,
// taking the lines between into one field.
func swallowed(f string) bool {
	if strings.Count(f, "\n") < 2 {
		return false
	}
	for _, line := range strings.Split(f, "\n") {
		if strings.ContainsAny(line, ",\t") {
			return true
		}
	}
	return false
}

// mapped says whether column i feeds a field; an unmapped column is not imported, so its
// content cannot make a row fail.
func (cv *converter) mapped(i int) bool {
	if cv.columns == nil {
		cv.columns = make([]bool, len(cv.header))
		fields := make([]fieldColumn, 0, len(cv.m))
		for f, j := range cv.m {
			if j >= 0 && j < len(cv.columns) {
				cv.columns[j] = true
			}
			fields = append(fields, fieldColumn{f, j})
		}
		cv.fields = fields
	}
	return i < len(cv.columns) && cv.columns[i]
}

func (cv *converter) customer(row Row, c *converted) {
	v, col, _ := cv.cell(row, "name")
	name, p := validate.Name(v)
	c.add(col, "name", p)
	v, col, _ = cv.cell(row, "id_number")
	id, p := validate.IDNumber(v, cv.now)
	c.add(col, "id_number", p)
	cu := model.Customer{Name: name, IDNumber: id, Source: cv.source + ":" + strconv.Itoa(row.Line)}
	if id != "" {
		cu.Birth = model.Date{Y: atoi(id[6:10]), M: atoi(id[10:12]), D: atoi(id[12:14])}
		if (id[16]-'0')%2 == 1 {
			cu.Gender = "男"
		} else {
			cu.Gender = "女"
		}
	}
	if v, col, ok := cv.cell(row, "phone"); ok && strings.TrimSpace(v) != "" {
		cu.Phone, p = validate.Phone(v)
		c.add(col, "phone", p)
	}
	if v, col, ok := cv.cell(row, "bank_card"); ok && strings.TrimSpace(v) != "" {
		cu.BankCard, p = validate.BankCard(v)
		c.add(col, "bank_card", p)
	}
	cu.Number = cv.number(row, c)
	cu.BankName = cv.text(row, "bank_name")
	cu.Address = cv.text(row, "address")
	cu.Occupied = cv.text(row, "occupation")
	c.customer = cu
}

func (cv *converter) text(row Row, field string) string {
	v, _, _ := cv.cell(row, field)
	return strings.TrimSpace(v)
}

// amount reads a money field into c.amounts[slot]; required says an empty cell is an error.
func (cv *converter) amount(row Row, c *converted, field string, slot int, required bool) (model.Fen, bool) {
	v, col, ok := cv.cell(row, field)
	if !ok || strings.TrimSpace(v) == "" {
		if required {
			c.fail(col, field, string(validate.AmountFormat), "the amount is empty")
		}
		return 0, false
	}
	f, p := validate.Amount(v, false)
	c.add(col, field, p)
	if p == nil {
		c.amounts[slot], c.parsed[slot] = f, true
	}
	return f, p == nil
}

func (cv *converter) date(row Row, c *converted, field string, required bool) model.Date {
	v, col, ok := cv.cell(row, field)
	if !ok || strings.TrimSpace(v) == "" {
		if required {
			c.fail(col, field, string(validate.DateInvalid), "the date is empty")
		}
		return model.Date{}
	}
	d, p := validate.Date(v)
	c.add(col, field, p)
	return d
}

func (cv *converter) integer(row Row, c *converted, field string) int {
	v, col, ok := cv.cell(row, field)
	v = strings.TrimSpace(v)
	if !ok || v == "" {
		return 0
	}
	n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSuffix(v, "天"), "个月"))
	if err != nil || n < 0 {
		c.fail(col, field, ReasonValueInvalid, "not a whole number of days or months")
	}
	return n
}

// number reads a customer number: optional, but when present it must be usable as a link.
func (cv *converter) number(row Row, c *converted) string {
	v, col, ok := cv.cell(row, "customer_number")
	s := strings.TrimSpace(v)
	if !ok || s == "" {
		return ""
	}
	if strings.ContainsRune(s, '\uFFFD') || len(s) > 64 {
		c.fail(col, "customer_number", ReasonValueInvalid, "the customer number is longer than 64 characters or damaged")
		return ""
	}
	return s
}

func (cv *converter) contract(row Row, c *converted) string {
	v, col, _ := cv.cell(row, "contract")
	s := strings.TrimSpace(v)
	if s == "" || strings.ContainsRune(s, '\uFFFD') || len(s) > 64 {
		c.fail(col, "contract", ReasonContractFormat, "the contract number is empty or longer than 64 characters")
		return ""
	}
	return s
}

var statuses = map[string]model.LoanStatus{
	"正常": model.StatusNormal, "正常还款": model.StatusNormal, "normal": model.StatusNormal, "还款中": model.StatusNormal,
	"逾期": model.StatusOverdue, "overdue": model.StatusOverdue,
	"已结清": model.StatusSettled, "结清": model.StatusSettled, "settled": model.StatusSettled,
}

var classes = map[string]model.Class{
	"正常": model.ClassPass, "pass": model.ClassPass, "关注": model.ClassSpecial, "special": model.ClassSpecial,
	"次级": model.ClassSubstandard, "substandard": model.ClassSubstandard, "可疑": model.ClassDoubtful,
	"doubtful": model.ClassDoubtful, "损失": model.ClassLoss, "loss": model.ClassLoss,
}

func (cv *converter) loanRow(row Row, c *converted) {
	l := model.Loan{Contract: cv.contract(row, c)}
	// The borrower is named by identity number, by customer number, or by both (which must
	// then agree); an empty identity number is fine when the customer number is given.
	c.loanNo = cv.number(row, c)
	if v, col, ok := cv.cell(row, "id_number"); ok && (c.loanNo == "" || strings.TrimSpace(v) != "") {
		id, p := validate.IDNumber(v, cv.now)
		c.add(col, "id_number", p)
		c.loanID = id
	} else if !ok && c.loanNo == "" && !c.failed {
		_, col, _ := cv.cell(row, "customer_number")
		c.fail(col, "customer_number", ReasonUnknownCustomer, "the customer number is empty, and the file has no identity number column")
	}
	l.Principal, _ = cv.amount(row, c, "principal", 0, true)
	if _, _, ok := cv.cell(row, "outstanding"); ok {
		l.Outstanding, _ = cv.amount(row, c, "outstanding", 1, false)
	} else {
		l.Outstanding = l.Principal
	}
	if v, col, ok := cv.cell(row, "rate"); ok && strings.TrimSpace(v) != "" {
		// A percentage with two decimals is a whole number of basis points, which is
		// exactly what the amount parser returns as fen.
		bp, p := validate.Amount(strings.TrimSuffix(strings.TrimSpace(v), "%"), false)
		if p != nil {
			c.fail(col, "rate", ReasonValueInvalid, "the rate is not a percentage with at most two decimals")
		}
		l.RateBP = int(bp)
	}
	l.TermMonths = cv.integer(row, c, "term")
	l.Disbursed = cv.date(row, c, "disbursed", false)
	l.Maturity = cv.date(row, c, "maturity", false)
	l.OverdueDays = cv.integer(row, c, "overdue")
	l.Purpose = cv.text(row, "purpose")
	if v, col, ok := cv.cell(row, "status"); ok && strings.TrimSpace(v) != "" {
		st, known := statuses[strings.ToLower(strings.TrimSpace(v))]
		if !known {
			c.fail(col, "status", ReasonValueInvalid, "the status is not one of 正常, 逾期, 已结清")
		}
		l.Status = st
	}
	if l.Status == "" {
		switch {
		case l.Outstanding == 0 && c.parsed[0]:
			l.Status = model.StatusSettled
		case l.OverdueDays > 0:
			l.Status = model.StatusOverdue
		default:
			l.Status = model.StatusNormal
		}
	}
	if v, col, ok := cv.cell(row, "class"); ok && strings.TrimSpace(v) != "" {
		cl, known := classes[strings.ToLower(strings.TrimSpace(v))]
		if !known {
			c.fail(col, "class", ReasonValueInvalid, "the classification is not one of 正常, 关注, 次级, 可疑, 损失")
		}
		l.Class = cl
	}
	if l.Class == "" {
		l.Class = model.ClassForOverdue(l.OverdueDays)
	}
	c.loan = l
}

func (cv *converter) repayment(row Row, c *converted) {
	r := model.Repayment{Contract: cv.contract(row, c)}
	r.Paid = cv.date(row, c, "paid", true)
	r.Due = cv.date(row, c, "due", false)
	_, _, split := cv.cell(row, "principal")
	total, _, hasTotal := cv.cell(row, "amount")
	hasTotal = hasTotal && strings.TrimSpace(total) != ""
	r.Principal, _ = cv.amount(row, c, "principal", 0, split && !hasTotal)
	r.Interest, _ = cv.amount(row, c, "interest", 1, false)
	r.Penalty, _ = cv.amount(row, c, "penalty", 2, false)
	amount, ok := cv.amount(row, c, "amount", 3, !split)
	switch {
	case !ok:
	case !c.parsed[0]:
		// Only the total is known (还款金额): it is stored as such, and the parts stay zero.
		r.Amount = amount
	case amount != r.Principal+r.Interest+r.Penalty:
		_, col, _ := cv.cell(row, "amount")
		c.fail(col, "amount", ReasonAmountMismatch, "the total paid is not the sum of principal, interest and penalty in this row")
	}
	r.Channel = cv.text(row, "channel")
	c.rep = r
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

// Reasons lists every reason code an import can give, for translation tables and reports.
var Reasons = []string{
	ReasonEncodingInvalid, ReasonC3Forbidden, ReasonRowFormat,
	string(validate.IDChecksum), string(validate.IDBirthdate), string(validate.IDRegion), string(validate.IDLegacy15),
	string(validate.IDExcelScientific), string(validate.IDFormat), string(validate.PhoneFormat),
	string(validate.CardLuhn), string(validate.CardFormat), string(validate.NameEmpty), string(validate.NameDamaged),
	string(validate.AmountFormat), string(validate.DateInvalid),
	ReasonDuplicateCustomer, ReasonUnknownCustomer, ReasonUnknownContract, ReasonDuplicateContract,
	ReasonContractFormat, ReasonValueInvalid, ReasonDocumentUnmatched, ReasonDocumentUnreadble,
	ReasonDuplicateNumber, ReasonCustomerMismatch, ReasonAmountMismatch,
}
