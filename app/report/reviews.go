package report

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"handover/app/doc"
	"handover/app/lawcite"
)

func init() {
	doc.Register(doc.Labels{
		"zh-CN": {
			"rev.title": "定期审查报告", "rev.footer": "报告编号 %s · 第 %d 页 共 %s 页",
			"rev.list": "一、审查项目", "rev.review": "审查", "rev.period": "周期（天）", "rev.last": "上次", "rev.result": "结果", "rev.due": "下次到期",
			"rev.never": "从未执行", "rev.overdue": "已逾期", "rev.pass": "通过", "rev.fail": "未通过",
			"rev.details": "二、最近一次的记录", "rev.by": "执行人", "rev.note": "说明", "rev.evidence": "证据", "rev.recorded": "程序记录",
		},
		"en": {
			"rev.title": "Periodic Review Report", "rev.footer": "Report %s · page %d of %s",
			"rev.list": "1. Reviews", "rev.review": "Review", "rev.period": "Period (days)", "rev.last": "Last", "rev.result": "Result", "rev.due": "Next due",
			"rev.never": "never done", "rev.overdue": "overdue", "rev.pass": "pass", "rev.fail": "fail",
			"rev.details": "2. The last time each was done", "rev.by": "By", "rev.note": "Note", "rev.evidence": "Evidence", "rev.recorded": "Recorded by the program",
		},
	})
}

// Review is one review as the report states it.
type Review struct {
	Name, Law, Result, By, Note, File, SHA256 string
	Period                                    int
	Last                                      time.Time
	Due                                       string
	Overdue                                   bool
	Recorded                                  map[string]string
}

// RenderReviews draws the periodic review report.
func RenderReviews(vault, workstation string, issued time.Time, reviews []Review, lang string) ([]byte, error) {
	id := "RV-" + issued.UTC().Format("20060102-150405")
	d := doc.New(lang, issued, "rev.title", "rev.footer", id)
	d.S.AddPage()
	d.Title(d.L("rev.title"))
	d.S.Ln(3)
	d.Fields(34, 140, [][2]string{{d.L("retention.report_id"), id}, {d.L("cert.vault"), vault}, {d.L("cert.issued"), doc.LocalTime(issued)}, {d.L("cert.workstation"), workstation}})
	d.Section(d.L("rev.list"))
	var rows [][]string
	for _, r := range reviews {
		last, result := d.L("rev.never"), ""
		if !r.Last.IsZero() {
			last, result = doc.LocalTime(r.Last)[:10], d.L("rev."+r.Result)
		}
		due := r.Due
		if r.Overdue {
			due += " " + d.L("rev.overdue")
		}
		rows = append(rows, []string{doc.Clip(r.Name, 16), fmt.Sprint(r.Period), last, result, due})
	}
	d.Table([]float64{56, 24, 32, 24, 38}, "LRLLL", []string{d.L("rev.review"), d.L("rev.period"), d.L("rev.last"), d.L("rev.result"), d.L("rev.due")}, rows)
	d.Section(d.L("rev.details"))
	for _, r := range reviews {
		if r.Last.IsZero() {
			continue
		}
		d.Paragraph(10, 6, r.Name+"（"+lawcite.For(r.Law, d.Lang)+"）")
		fields := [][2]string{{d.L("rev.by"), r.By + " · " + doc.LocalTime(r.Last)}, {d.L("rev.result"), d.L("rev." + r.Result)}}
		if r.Note != "" {
			fields = append(fields, [2]string{d.L("rev.note"), r.Note})
		}
		if r.File != "" {
			fields = append(fields, [2]string{d.L("rev.evidence"), r.File + " SHA-256 " + r.SHA256})
		}
		if len(r.Recorded) > 0 {
			var keys []string
			for k := range r.Recorded {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			var lines []string
			for _, k := range keys {
				lines = append(lines, k+": "+r.Recorded[k])
			}
			fields = append(fields, [2]string{d.L("rev.recorded"), strings.Join(lines, "\n")})
		}
		d.Fields(30, 144, fields)
	}
	pdf, _, err := d.PDF()
	if err != nil {
		return nil, fmt.Errorf("review report: %w", err)
	}
	return pdf, nil
}
