package importer_test

import (
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"handover/app/figures"
	. "handover/app/importer"
	"handover/store"
	"handover/store/model"
)

// Files shaped like the exports of real small-loan systems (issue 20): one amount column
// for repayments, customer numbers as the link, titles above the header, totals below the
// data, merged header cells and Excel 97–2003 workbooks.

var (
	idZhang = id("11010519491231001")
	idLi    = id("31010119850505224")
	idWang  = id("44030519900909332")
)

// reasonsOf maps row → reason codes of one file's quarantine records (every file's when file
// is "").
func reasonsOf(t *testing.T, st *store.Store, file string) map[int][]string {
	t.Helper()
	es, err := List(ctx, st, Filter{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[int][]string{}
	for _, e := range es {
		if file != "" && e.File != file {
			continue
		}
		for _, f := range e.Findings {
			out[e.Row] = append(out[e.Row], f.Reason)
		}
	}
	return out
}

func resultFor(t *testing.T, rs []Result, file string) Result {
	t.Helper()
	for _, r := range rs {
		if r.File == file {
			return r
		}
	}
	t.Fatalf("no result for %s in %+v", file, rs)
	return Result{}
}

func TestRepaymentsWithOnlyTheAmountPaid(t *testing.T) {
	dir := t.TempDir()
	st := newStore(t)
	cs := write(t, dir, "customers.csv", []byte("姓名,身份证号\n张三,"+idZhang+"\n李四,"+idLi+"\n"))
	ls := write(t, dir, "loans.csv", []byte("借据号,身份证号,借款金额\nJJ-1,"+idZhang+",50000\nJJ-2,"+idLi+",12345.67\n"))
	// 还款金额 alone: the total paid, with no split into principal and interest.
	rs := write(t, dir, "repayments.csv", []byte("借据编号,还款日期,还款金额\nJJ-1,2024-02-15,4500\nJJ-1,2024-03-15,4500.50\nJJ-2,2024-04-01,1100.01\nJJ-9,2024-04-01,1.00\n"))
	res := importFiles(t, st, Options{}, cs, ls, rs)
	rep := resultFor(t, res, "repayments.csv")
	if rep.Table != Repayments || rep.Accepted != 3 || rep.Quarantined != 1 {
		t.Fatalf("repayments: %+v", rep)
	}
	if rep.Totals["amount"] != 1010051 {
		t.Fatalf("control total of the amount column: %v", rep.Totals)
	}
	if got := reasonsOf(t, st, "repayments.csv"); len(got[5]) != 1 || got[5][0] != ReasonUnknownContract {
		t.Fatalf("the repayment of an unknown contract: %v", got)
	}
	f, err := figures.Compute(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	if f.Repayments != 3 || f.Repaid != 1010051 || f.Principal != 6234567 {
		t.Fatalf("figures: %d repayments, repaid %d, principal %d", f.Repayments, f.Repaid, f.Principal)
	}
	// Both parties compute the same digest: the record says the amount is unsplit.
	var unsplit int
	st.EachCustomer(ctx, func(b *store.CustomerBook) error {
		for _, rs := range b.Repayments {
			for _, r := range rs {
				if r.Unsplit() && r.Principal == 0 && r.Interest == 0 {
					unsplit++
				}
			}
		}
		return nil
	})
	if unsplit != 3 {
		t.Fatalf("%d repayments stored as unsplit totals, want 3", unsplit)
	}
}

func TestRepaymentTotalMustBeTheSumOfItsParts(t *testing.T) {
	dir := t.TempDir()
	st := newStore(t)
	cs := write(t, dir, "c.csv", []byte("姓名,身份证号\n张三,"+idZhang+"\n"))
	ls := write(t, dir, "l.csv", []byte("合同编号,身份证号,借款金额\nHT-1,"+idZhang+",1000\n"))
	rs := write(t, dir, "r.csv", []byte("合同编号,还款日期,实还本金,实还利息,还款总额\nHT-1,2024-01-01,100,5,105\nHT-1,2024-02-01,100,5,106\nHT-1,2024-03-01,,,50\n"))
	res := importFiles(t, st, Options{}, cs, ls, rs)
	if r := resultFor(t, res, "r.csv"); r.Accepted != 2 || r.Quarantined != 1 {
		t.Fatalf("%+v", r)
	}
	if got := reasonsOf(t, st, "r.csv"); len(got[3]) != 1 || got[3][0] != ReasonAmountMismatch {
		t.Fatalf("a total that is not the sum of its parts: %v", got)
	}
	f, _ := figures.Compute(ctx, st)
	if f.Repaid != 10500+5000 {
		t.Fatalf("repaid %d", f.Repaid)
	}
}

func TestLoansLinkedByCustomerNumber(t *testing.T) {
	dir := t.TempDir()
	st := newStore(t)
	cs := write(t, dir, "customers.csv", []byte("客户编号,姓名,身份证号\nKH001,张三,"+idZhang+"\nKH002,李四,"+idLi+"\nKH002,王五,"+idWang+"\n"))
	ls := write(t, dir, "loans.csv", []byte("借据号,客户号,借款金额\nJJ-1,KH001,1000\nJJ-2,kh002,2000\nJJ-3,KH404,3000\nJJ-4,,4000\nJJ-5,KH001,500\n"))
	res := importFiles(t, st, Options{}, cs, ls)
	if r := resultFor(t, res, "customers.csv"); r.Accepted != 2 || r.Quarantined != 1 {
		t.Fatalf("customers: %+v", r)
	}
	if got := reasonsOf(t, st, "customers.csv"); len(got[4]) != 1 || got[4][0] != ReasonDuplicateNumber {
		t.Fatalf("a customer number used twice: %v", got)
	}
	if r := resultFor(t, res, "loans.csv"); r.Table != Loans || r.Accepted != 3 || r.Quarantined != 2 {
		t.Fatalf("loans: %+v", r)
	}
	got := reasonsOf(t, st, "loans.csv")
	if len(got[4]) != 1 || got[4][0] != ReasonUnknownCustomer || len(got[5]) != 1 || got[5][0] != ReasonUnknownCustomer {
		t.Fatalf("unknown and empty customer numbers: %v", got)
	}
	loans := map[string][]string{}
	st.EachCustomer(ctx, func(b *store.CustomerBook) error {
		for _, l := range b.Loans {
			loans[b.Customer.Number] = append(loans[b.Customer.Number], l.Contract)
		}
		return nil
	})
	if strings.Join(loans["KH001"], ",") != "JJ-1,JJ-5" || strings.Join(loans["KH002"], ",") != "JJ-2" {
		t.Fatalf("loans by customer: %v", loans)
	}

	// A later run rebuilds the link from the vault, numbers the next loan after the
	// customer's last, and checks a loan that names its borrower both ways.
	more := write(t, dir, "more.csv", []byte("借据号,客户编号,身份证号,借款金额\nJJ-6,KH001,,600\nJJ-7,KH001,"+idLi+",700\nJJ-8,KH002,"+idLi+",800\n"))
	res = importFiles(t, st, Options{}, more)
	if r := resultFor(t, res, "more.csv"); r.Accepted != 2 || r.Quarantined != 1 {
		t.Fatalf("more loans: %+v", r)
	}
	if got := reasonsOf(t, st, "more.csv"); len(got[3]) != 1 || got[3][0] != ReasonCustomerMismatch {
		t.Fatalf("a loan whose two links disagree: %v", got)
	}
	seqs := map[string][]uint32{}
	st.EachCustomer(ctx, func(b *store.CustomerBook) error {
		for _, l := range b.Loans {
			seqs[b.Customer.Number] = append(seqs[b.Customer.Number], l.Seq)
		}
		return nil
	})
	if len(seqs["KH001"]) != 3 || seqs["KH001"][2] != 3 || len(seqs["KH002"]) != 2 || seqs["KH002"][1] != 2 {
		t.Fatalf("loan numbers: %v", seqs)
	}
}

// A sheet as old systems print it: a title, a date line, a blank row, the header, the
// data and a totals row.
func titledWorkbook(t *testing.T, path string, total string) {
	f := excelize.NewFile()
	sh := "贷款台账"
	f.SetSheetName("Sheet1", sh)
	f.SetCellValue(sh, "A1", "某某小额贷款有限公司贷款台账（截至2024年12月31日）")
	f.MergeCell(sh, "A1", "D1")
	f.SetCellValue(sh, "A2", "单位：元")
	rows := [][]any{
		{"合同编号", "身份证号", "借款金额（元）", "剩余本金（元）"},
		{"HT-1", idZhang, 50000, 20000.5},
		{"HT-2", idLi, 12345.67, 0},
		{"合  计：", "", total, 20000.5},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, 4+i)
		f.SetSheetRow(sh, cell, &r)
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}

func TestTitleRowsAndTotalsRow(t *testing.T) {
	dir := t.TempDir()
	cs := write(t, dir, "customers.csv", []byte("客户信息表,,\n导出日期：2024-12-31,,\n,,\n姓名,身份证号,手机号码\n张三,"+idZhang+",\n李四,"+idLi+",\n合计,2,\n"))
	for _, tc := range []struct {
		total, check string
	}{{"62345.67", TotalsEqual}, {"62345.68", TotalsDifferent}} {
		st := newStore(t)
		book := filepath.Join(dir, "book-"+tc.check+".xlsx")
		titledWorkbook(t, book, tc.total)
		ins, err := Plan([]string{cs, book}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if ins[0].HeaderRow != 4 || ins[1].HeaderRow != 4 || ins[1].Table != Loans {
			t.Fatalf("header rows %d and %d (%s)", ins[0].HeaderRow, ins[1].HeaderRow, ins[1].Table)
		}
		res := importFiles(t, st, Options{}, cs, book)
		c, l := res[0], res[1]
		if c.Accepted != 2 || c.Quarantined != 0 || c.TotalsRow != 7 || c.TotalsCheck != "" {
			t.Fatalf("customers: %+v", c)
		}
		if l.Accepted != 2 || l.Quarantined != 0 || l.TotalsRow != 7 || l.TotalsCheck != tc.check {
			t.Fatalf("loans with total %s: %+v", tc.total, l)
		}
		if l.FileTotals["outstanding"] != 2000050 || l.Totals["principal"] != 6234567 {
			t.Fatalf("totals: file %v, rows %v", l.FileTotals, l.Totals)
		}
		if f, _ := figures.Compute(ctx, st); f.Customers != 2 || f.Loans != 2 {
			t.Fatalf("figures %+v", f)
		}
	}

	// The header row chosen by hand (--header-row) wins over the search.
	if _, err := Plan([]string{cs}, Options{HeaderRow: 2}); err == nil {
		t.Fatal("a date line chosen as the header matched a table")
	}
	var he *HeaderRowError
	if _, err := Plan([]string{cs}, Options{HeaderRow: 3}); !errors.As(err, &he) || he.Row != 3 {
		t.Fatalf("an empty header row: %v", err)
	}
	ins, err := Plan([]string{cs}, Options{HeaderRow: 4})
	if err != nil || ins[0].HeaderRow != 4 || ins[0].Table != Customers {
		t.Fatalf("header row 4: %v %+v", err, ins)
	}
}

func TestMergedHeaderCells(t *testing.T) {
	dir := t.TempDir()
	st := newStore(t)
	cs := write(t, dir, "c.csv", []byte("姓名,身份证号\n张三,"+idZhang+"\n"))
	ls := write(t, dir, "l.csv", []byte("合同编号,身份证号,借款金额\nHT-1,"+idZhang+",1000\n"))
	f := excelize.NewFile()
	sh := "Sheet1"
	// 合同编号 and 还款日期 merged down over two header rows; 实还 merged across the two
	// columns whose names (本金, 利息) are on the second row.
	f.SetCellValue(sh, "A1", "合同编号")
	f.MergeCell(sh, "A1", "A2")
	f.SetCellValue(sh, "B1", "还款日期")
	f.MergeCell(sh, "B1", "B2")
	f.SetCellValue(sh, "C1", "实还")
	f.MergeCell(sh, "C1", "D1")
	f.SetCellValue(sh, "C2", "本金")
	f.SetCellValue(sh, "D2", "利息")
	f.SetSheetRow(sh, "A3", &[]any{"HT-1", "2024-05-01", 100, 7.5})
	path := filepath.Join(dir, "r.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	ins, err := Inspect(path, "")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(ins[0].Header, "|"); got != "合同编号|还款日期|实还本金|实还利息" || ins[0].HeaderRow != 2 || ins[0].Table != Repayments {
		t.Fatalf("header %q at row %d (%s)", got, ins[0].HeaderRow, ins[0].Table)
	}
	res := importFiles(t, st, Options{}, cs, ls, path)
	if r := res[2]; r.Accepted != 1 || r.Totals["interest"] != 750 {
		t.Fatalf("%+v", r)
	}
}

func TestXLSWorkbook(t *testing.T) {
	st := newStore(t)
	path := filepath.Join("testdata", "xls", "loanbook.xls")
	ins, err := Plan([]string{path}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		sheet  string
		table  Table
		header int
	}{{"客户信息", Customers, 3}, {"贷款台账", Loans, 1}, {"还款流水", Repayments, 1}}
	for i, w := range want {
		if ins[i].Sheet != w.sheet || ins[i].Table != w.table || ins[i].HeaderRow != w.header || ins[i].Encoding != "xls" {
			t.Fatalf("input %d: %s %s header %d %s", i, ins[i].Sheet, ins[i].Table, ins[i].HeaderRow, ins[i].Encoding)
		}
	}
	res := importFiles(t, st, Options{}, path)
	c, l, r := res[0], res[1], res[2]
	if c.Accepted != 3 || c.Quarantined != 1 {
		t.Fatalf("customers: %+v", c)
	}
	// 赵强's identity number was typed as a number: Excel kept 15 digits.
	if got := reasonsOf(t, st, "loanbook.xls#客户信息"); len(got[7]) != 1 || got[7][0] != "id_excel_scientific" {
		t.Fatalf("an identity number stored as a number: %v", got)
	}
	if l.Accepted != 3 || l.Totals["principal"] != 14234567 {
		t.Fatalf("loans (linked by 客户编号, an RK amount ×100): %+v", l)
	}
	if r.Accepted != 4 || r.TotalsRow != 6 || r.TotalsCheck != TotalsEqual || r.Totals["amount"] != 1730051 {
		t.Fatalf("repayments: %+v", r)
	}
	var got []model.Loan
	st.EachCustomer(ctx, func(b *store.CustomerBook) error {
		got = append(got, b.Loans...)
		return nil
	})
	dates := map[string]model.Date{}
	for _, l := range got {
		dates[l.Contract] = l.Disbursed
	}
	if dates["JJ-2024-001"] != (model.Date{Y: 2024, M: 1, D: 15}) || dates["JJ-2024-002"] != (model.Date{Y: 2024, M: 3, D: 1}) {
		t.Fatalf("serial dates: %v", dates)
	}
}

// continue.xls holds 3,000 shared strings over many CONTINUE records, some cut in the
// middle of a string; make_fixture.py wrote them with the formula rebuilt here.
func TestXLSSharedStringsAcrossRecords(t *testing.T) {
	ins, err := Inspect(filepath.Join("testdata", "xls", "continue.xls"), "")
	if err != nil {
		t.Fatal(err)
	}
	src, err := ins[0].Open(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	if h := strings.Join(src.Header(), "|"); h != "编号|文本" || ins[0].Sheet != "长文本" {
		t.Fatalf("header %q of sheet %q", h, ins[0].Sheet)
	}
	n := 0
	for {
		row, err := src.Next()
		if err != nil {
			break
		}
		n++
		i := n
		var want string
		if i%3 == 0 {
			want = strings.Repeat("address line "+strconv.Itoa(i)+" ", 3)
		} else {
			var b strings.Builder
			for k := range i%17 + 3 {
				b.WriteRune(rune(0x4E00 + (i*7+k)%20000))
			}
			want = b.String()
		}
		if row.Fields[0] != strconv.Itoa(i) || row.Fields[1] != want {
			t.Fatalf("row %d: %q %q, want %q", row.Line, row.Fields[0], row.Fields[1], want)
		}
	}
	if n != 3000 {
		t.Fatalf("%d rows", n)
	}
}

func TestXLSThatCannotBeRead(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string][]byte{
		"text.xls":  []byte("姓名,身份证号\n张三," + idZhang + "\n"), // a CSV named .xls, as some systems do
		"empty.xls": {},
	} {
		_, err := Inspect(write(t, dir, name, content), "")
		var fe *FileError
		if !errors.As(err, &fe) || !errors.Is(err, ErrXLSUnreadable) || fe.File != name {
			t.Fatalf("%s: %v", name, err)
		}
	}
}

// The same workbook written by xlwt and saved again by LibreOffice reads the same.
func TestXLSWritersAgree(t *testing.T) {
	read := func(path string) []string {
		ins, err := Inspect(path, "")
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, in := range ins {
			src, err := in.Open(nil)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, in.Sheet+"@"+strconv.Itoa(in.HeaderRow)+": "+strings.Join(src.Header(), "|"))
			for {
				row, err := src.Next()
				if err != nil {
					break
				}
				out = append(out, strconv.Itoa(row.Line)+": "+strings.TrimRight(strings.Join(row.Fields, "|"), "|"))
			}
			src.Close()
		}
		return out
	}
	a := read(filepath.Join("testdata", "xls", "loanbook.xls"))
	b := read(filepath.Join("testdata", "xls", "loanbook-libreoffice.xls"))
	if strings.Join(a, "\n") != strings.Join(b, "\n") {
		t.Fatalf("xlwt:\n%s\n\nLibreOffice:\n%s", strings.Join(a, "\n"), strings.Join(b, "\n"))
	}
	if len(a) != 15 {
		t.Fatalf("%d lines:\n%s", len(a), strings.Join(a, "\n"))
	}
}

// A workbook whose 8-bit strings are GBK (CODEPAGE 936), as some Chinese generators write
// BIFF8: the sheet is called 客户信息, not mojibake; the identity number stored as a number
// and the serial date read as in any workbook.
func TestXLSGBKSheetName(t *testing.T) {
	st := newStore(t)
	path := filepath.Join("testdata", "xls", "gbk-sheetname.xls")
	ins, err := Inspect(path, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(ins) != 1 || ins[0].Sheet != "客户信息" || ins[0].Table != Customers {
		t.Fatalf("inputs %+v", ins)
	}
	res := importFiles(t, st, Options{}, path)
	if res[0].Accepted != 1 || res[0].Quarantined != 1 {
		t.Fatalf("%+v", res[0])
	}
	if got := reasonsOf(t, st, "gbk-sheetname.xls#客户信息"); len(got[3]) != 1 || got[3][0] != "id_excel_scientific" {
		t.Fatalf("findings %v", got)
	}
	src, _ := ins[0].Open(nil)
	defer src.Close()
	row, _ := src.Next()
	if row.Fields[2] != "45306" {
		t.Fatalf("a date cell reads %q, want its serial number", row.Fields[2])
	}
}
