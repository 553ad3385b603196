package demo

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"handover/app/progress"
	"handover/store"
	"handover/store/model"
)

// CSV headers as an old loan system would export them; the import's header aliases
// recognise every one (importer_test checks it).
var (
	customerHeader  = []string{"姓名", "身份证号", "性别", "出生日期", "手机号码", "银行卡号", "开户行", "地址", "职业"}
	loanHeader      = []string{"合同编号", "身份证号码", "借款金额", "年利率（%）", "期限（月）", "放款日期", "到期日期", "剩余本金", "状态", "五级分类", "逾期天数", "用途"}
	repaymentHeader = []string{"合同编号", "应还日期", "实还日期", "实还本金", "实还利息", "渠道"}
)

// CSVFiles are the file names ExportCSV writes.
var CSVFiles = []string{"customers.csv", "loans.csv", "repayments.csv"}

// ExportCSV writes customers [0, n) of g's book as three UTF-8 CSV files (with a BOM, as
// Excel writes them) into dir, for import tests and benchmarks. The data is synthetic;
// real customer data never leaves the vault in plain text. Files appear under their final
// names only when complete.
func ExportCSV(ctx context.Context, dir string, g *Generator, n int, p progress.Reporter) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	type out struct {
		f *os.File
		b *bufio.Writer
		w *csv.Writer
	}
	files := make([]out, len(CSVFiles))
	for i, name := range CSVFiles {
		f, err := os.Create(filepath.Join(dir, name+".partial"))
		if err != nil {
			return err
		}
		defer f.Close()
		b := bufio.NewWriterSize(f, 1<<20)
		b.WriteString("\uFEFF")
		files[i] = out{f, b, csv.NewWriter(b)}
	}
	files[0].w.Write(customerHeader)
	files[1].w.Write(loanHeader)
	files[2].w.Write(repaymentHeader)
	p.SetTotal(int64(n))
	for i := range n {
		if i%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		b := g.Book(i)
		writeBook(files[0].w, files[1].w, files[2].w, b)
		if i%1024 == 1023 {
			p.Add(1024)
		}
	}
	p.Add(int64(n % 1024))
	for i, o := range files {
		o.w.Flush()
		if err := o.w.Error(); err != nil {
			return err
		}
		if err := o.b.Flush(); err != nil {
			return err
		}
		if err := o.f.Sync(); err != nil {
			return err
		}
		if err := os.Rename(o.f.Name(), filepath.Join(dir, CSVFiles[i])); err != nil {
			return err
		}
	}
	return nil
}

func writeBook(cw, lw, rw *csv.Writer, b *store.Book) {
	c := b.Customer
	cw.Write([]string{c.Name, c.IDNumber, c.Gender, c.Birth.String(), c.Phone, c.BankCard, c.BankName, c.Address, c.Occupied})
	for _, l := range b.Loans {
		lw.Write([]string{l.Contract, c.IDNumber, plainYuan(l.Principal), fmt.Sprintf("%d.%02d", l.RateBP/100, l.RateBP%100),
			strconv.Itoa(l.TermMonths), l.Disbursed.String(), l.Maturity.String(), plainYuan(l.Outstanding),
			statusText[l.Status], classText[l.Class], strconv.Itoa(l.OverdueDays), l.Purpose})
	}
	for _, r := range b.Repayments {
		rw.Write([]string{r.Contract, r.Due.String(), r.Paid.String(), plainYuan(r.Principal), plainYuan(r.Interest), r.Channel})
	}
}

// plainYuan is an amount as a loan system exports it: yuan with two decimals, no separators.
func plainYuan(f model.Fen) string {
	sign := ""
	if f < 0 {
		sign, f = "-", -f
	}
	return fmt.Sprintf("%s%d.%02d", sign, f/100, f%100)
}

var statusText = map[model.LoanStatus]string{model.StatusNormal: "正常还款", model.StatusOverdue: "逾期", model.StatusSettled: "已结清"}

var classText = map[model.Class]string{model.ClassPass: "正常", model.ClassSpecial: "关注", model.ClassSubstandard: "次级",
	model.ClassDoubtful: "可疑", model.ClassLoss: "损失"}
