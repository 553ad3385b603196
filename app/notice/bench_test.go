package notice

import (
	"testing"
	"time"
)

// BenchmarkLetters1000 draws one PDF of 1,000 loan-book letters (a batch's file): the goal
// is 1,000 letters a second (issue 16).
func BenchmarkLetters1000(b *testing.B) {
	all, _ := Builtin()
	tpl := all["loan-book-borrower"]
	v := sample()
	title, paras, slip, err := tpl.Render("zh-CN", v)
	if err != nil {
		b.Fatal(err)
	}
	issued := time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC)
	size := 0
	for b.Loop() {
		batch := NewBatch("zh-CN", "NB-BENCH", issued)
		for range 1000 {
			addr, err := batch.Address("北京市朝阳区建国路88号现代城小区5号楼2单元1203室", "张三")
			if err != nil {
				b.Fatal(err)
			}
			batch.Add(Letter{Code: "7K3M-Q9TD", Sender: "乙小额贷款有限公司", Address: addr, Title: title, Paragraphs: paras, ReplySlip: slip})
		}
		pdf, err := batch.PDF()
		if err != nil {
			b.Fatal(err)
		}
		size = len(pdf)
	}
	b.ReportMetric(float64(1000*b.N)/b.Elapsed().Seconds(), "letters/s")
	b.ReportMetric(float64(size)/1000, "bytes/letter")
}

// BenchmarkSMS fills, checks and counts one SMS.
func BenchmarkSMS(b *testing.B) {
	all, _ := Builtin()
	tpl := all["loan-book-borrower"]
	v := sample()
	for b.Loop() {
		msg, err := tpl.Fill(tpl.SMS["zh-CN"], v)
		if err != nil || CheckSMS(msg) != nil || Segments(msg) < 1 {
			b.Fatal(msg, err)
		}
	}
}
