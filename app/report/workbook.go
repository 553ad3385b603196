package report

import (
	"fmt"
	"time"

	"handover/app/doc"
	"handover/app/lawcite"
)

func init() {
	doc.Register(doc.Labels{
		"zh-CN": {
			"wb.title": "评估报告", "wb.footer": "报告编号 %s · 第 %d 页 共 %s 页", "wb.law": "依据", "wb.deal": "交接类型", "wb.revision": "答卷版本",
			"wb.answers": "一、问题与回答", "wb.question": "问题", "wb.answer": "回答", "wb.by": "回答人",
			"wb.unanswered": "未回答", "wb.not_asked": "本交接不适用",
			"wb.risk":     "可能性%d×影响%d=%d（%s）；负责人：%s；措施：%s；残余风险：%s",
			"wb.file":     "文件 %s，SHA-256 %s",
			"wb.findings": "二、发现项", "wb.finding": "发现项", "wb.severity": "级别", "wb.owner": "负责人", "wb.due": "期限",
			"wb.state": "状态", "wb.open": "未关闭", "wb.closed": "已关闭：%s", "wb.no_findings": "无",
			"wb.signoff": "三、合规审核签认", "wb.signed": "由 %s 于 %s 签认（答卷版本 %d）", "wb.not_signed": "尚未签认",
			"wb.stale":     "已于 %s 由 %s 签认答卷版本 %d；此后答案有修改，须重新签认",
			"wb.level.low": "低", "wb.level.medium": "中", "wb.level.high": "高",
			"wb.retention": "本报告及处理情况记录至少保存三年（个人信息保护法第五十六条）。",
		},
		"en": {
			"wb.title": "Assessment report", "wb.footer": "Report %s · page %d of %s", "wb.law": "Law", "wb.deal": "Deal type", "wb.revision": "Revision",
			"wb.answers": "1. Questions and answers", "wb.question": "Question", "wb.answer": "Answer", "wb.by": "Answered by",
			"wb.unanswered": "not answered", "wb.not_asked": "not asked for this deal",
			"wb.risk":     "likelihood %d × impact %d = %d (%s); owner: %s; controls: %s; residual risk: %s",
			"wb.file":     "file %s, SHA-256 %s",
			"wb.findings": "2. Findings", "wb.finding": "Finding", "wb.severity": "Severity", "wb.owner": "Owner", "wb.due": "Due",
			"wb.state": "State", "wb.open": "open", "wb.closed": "closed: %s", "wb.no_findings": "none",
			"wb.signoff": "3. Compliance reviewer's sign-off", "wb.signed": "signed off by %s on %s (revision %d)", "wb.not_signed": "not signed off yet",
			"wb.stale":     "revision %[3]d signed off on %[1]s by %[2]s; answers changed since, a new sign-off is needed",
			"wb.level.low": "low", "wb.level.medium": "medium", "wb.level.high": "high",
			"wb.retention": "This report and the processing record are kept at least three years (PIPL Art. 56).",
		},
	})
}

// Workbook is what a workbook report states; the texts are in the report's language.
type Workbook struct {
	ID, Title, About, Law string
	Vault, Workstation    string
	DealType              string
	Issued                time.Time
	Revision              int
	Sections              []WorkbookSection
	Findings              []WorkbookFinding
	SignedBy              string
	SignedAt              time.Time
	SignedRevision        int
}

// WorkbookSection is a section with its questions.
type WorkbookSection struct {
	Title     string
	Questions []WorkbookQuestion
}

// WorkbookQuestion is one question with its answer in words ("" when not answered);
// NotAsked: its condition leaves it out of this deal.
type WorkbookQuestion struct {
	Text, Law, Answer, By string
	NotAsked              bool
}

// WorkbookFinding is one finding.
type WorkbookFinding struct {
	ID, Title, Severity, Owner, Due, Closed string // Closed: how it was dealt with, "" while open
}

// RiskText is a risk answer in words.
func RiskText(lang string, likelihood, impact int, level, owner, mitigation, residual string) string {
	l := func(k string) string { return doc.Label(doc.Lang(lang), k) }
	return fmt.Sprintf(l("wb.risk"), likelihood, impact, likelihood*impact, l("wb.level."+level), owner, mitigation, l("wb.level."+residual))
}

// FileText is an evidence answer in words.
func FileText(lang, name, sha string) string {
	return fmt.Sprintf(doc.Label(doc.Lang(lang), "wb.file"), name, sha)
}

// LevelText is a severity or level in words.
func LevelText(lang, level string) string { return doc.Label(doc.Lang(lang), "wb.level."+level) }

// RenderWorkbook draws a workbook's report.
func RenderWorkbook(r *Workbook, lang string) ([]byte, error) {
	id := "AS-" + r.Issued.UTC().Format("20060102-150405")
	d := doc.New(lang, r.Issued, "wb.title", "wb.footer", id)
	d.S.AddPage()
	d.Title(r.Title)
	d.S.Ln(3)
	d.Fields(34, 140, [][2]string{
		{d.L("retention.report_id"), id},
		{d.L("cert.vault"), r.Vault},
		{d.L("cert.issued"), doc.LocalTime(r.Issued)},
		{d.L("cert.workstation"), r.Workstation},
		{d.L("wb.deal"), d.L("deal." + r.DealType)},
		{d.L("wb.law"), lawcite.For(r.Law, d.Lang)},
		{d.L("wb.revision"), fmt.Sprint(r.Revision)},
	})
	d.Paragraph(9, 5, r.About)
	d.Section(d.L("wb.answers"))
	for _, s := range r.Sections {
		d.Paragraph(10, 6, s.Title)
		for _, q := range s.Questions {
			ans := q.Answer
			switch {
			case q.NotAsked:
				ans = d.L("wb.not_asked")
			case ans == "":
				ans = d.L("wb.unanswered")
			}
			fields := [][2]string{{d.L("wb.question"), q.Text + " (" + lawcite.For(q.Law, d.Lang) + ")"}, {d.L("wb.answer"), ans}}
			if q.By != "" {
				fields = append(fields, [2]string{d.L("wb.by"), q.By})
			}
			d.Fields(26, 148, fields)
			d.S.Ln(1)
		}
	}
	d.Section(d.L("wb.findings"))
	if len(r.Findings) == 0 {
		d.Paragraph(9.5, 6, d.L("wb.no_findings"))
	} else {
		var rows [][]string
		for _, f := range r.Findings {
			state := d.L("wb.open")
			if f.Closed != "" {
				state = fmt.Sprintf(d.L("wb.closed"), doc.Clip(f.Closed, 18))
			}
			rows = append(rows, []string{f.ID, doc.Clip(f.Title, 22), d.L("wb.level." + f.Severity), doc.Clip(f.Owner, 8), f.Due, state})
		}
		d.Table([]float64{22, 52, 14, 22, 22, 42}, "LLLLLL", []string{"ID", d.L("wb.finding"), d.L("wb.severity"), d.L("wb.owner"), d.L("wb.due"), d.L("wb.state")}, rows)
	}
	d.Section(d.L("wb.signoff"))
	switch {
	case r.SignedBy == "":
		d.Paragraph(9.5, 6, d.L("wb.not_signed"))
	case r.SignedRevision != r.Revision:
		d.Paragraph(9.5, 6, fmt.Sprintf(d.L("wb.stale"), doc.LocalTime(r.SignedAt), r.SignedBy, r.SignedRevision))
	default:
		d.Paragraph(9.5, 6, fmt.Sprintf(d.L("wb.signed"), r.SignedBy, doc.LocalTime(r.SignedAt), r.SignedRevision))
	}
	d.Paragraph(8.5, 4.5, d.L("wb.retention"))
	pdf, _, err := d.PDF()
	if err != nil {
		return nil, fmt.Errorf("workbook report: %w", err)
	}
	return pdf, nil
}
