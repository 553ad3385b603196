package cert

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/jung-kurt/gofpdf"

	"handover/app/audit"
	"handover/store/model"
)

// AuditSummary is what an audit report states about a period of the log (source §十三).
type AuditSummary struct {
	Vault       string
	From, To    time.Time // UTC; zero From: from the start
	Issued      time.Time
	Workstation string
	Events      int
	ByAction    map[string]int
	ByOperator  map[string]int // operator ID → events
	Operators   map[string]string
	Exceptions  []audit.Event // failed unlocks, reveals, refusals, corruption
	Checkpoint  string        // the log's signed checkpoint when the report was made
	Verified    string        // the verification's verdict, one line (English, for the CLI)
	Problem     string        // empty when the whole log verified
	LogEvents   uint64        // events in the whole log
}

// Summarise builds a report from events (in sequence order) of the period.
func Summarise(events []audit.Event, from, to time.Time) *AuditSummary {
	s := &AuditSummary{From: from, To: to, ByAction: map[string]int{}, ByOperator: map[string]int{}, Operators: map[string]string{}}
	for _, ev := range events {
		if !from.IsZero() && ev.Time.Before(from) || !to.IsZero() && !ev.Time.Before(to) {
			continue
		}
		s.Events++
		s.ByAction[ev.Action]++
		s.ByOperator[ev.Operator]++
		if Exceptional(ev) {
			s.Exceptions = append(s.Exceptions, ev)
		}
	}
	return s
}

// Exceptional says an event belongs in the report's exceptions: what an auditor must look at.
func Exceptional(ev audit.Event) bool {
	switch {
	case ev.Outcome == audit.Denied, ev.Outcome == audit.Failed:
		return true
	case ev.Action == audit.UnlockFailed, ev.Action == audit.CustomerReveal, ev.Action == audit.CorruptionFound,
		ev.Action == audit.QuarantineClose, ev.Action == audit.AuditPrune:
		return true
	}
	return false
}

// RenderAuditReport draws the audit report as a PDF with the certificate's layout.
func RenderAuditReport(s *AuditSummary, lang string) ([]byte, error) {
	if lang != "en" {
		lang = "zh-CN"
	}
	id := "AR-" + s.Issued.UTC().Format("20060102-150405")
	pdf, r := newDocument(lang, s.Issued, "audit.title", "audit.footer", id)
	pdf.SetAttachments([]gofpdf.Attachment{{Content: []byte(s.Checkpoint), Filename: "checkpoint.txt", Description: "audit log checkpoint"}})
	r.pdf.AddPage()
	p := r.pdf
	p.SetFont(20)
	p.CellFormat(0, 12, r.text(r.l("audit.title")), "", 1, "C", false)
	p.SetFont(9.5)
	p.Ln(3)
	period := func(t time.Time, none string) string {
		if t.IsZero() {
			return none
		}
		return localTime(t)
	}
	sum := sha256.Sum256([]byte(s.Checkpoint))
	r.qr(192-30, p.GetY(), 30, "handover-audit-checkpoint:sha256:"+hex.EncodeToString(sum[:]))
	rows := [][2]string{
		{r.l("audit.report_id"), id},
		{r.l("cert.vault"), s.Vault},
		{r.l("audit.period"), period(s.From, r.l("audit.start")) + " — " + period(s.To, r.l("audit.now"))},
		{r.l("cert.issued"), localTime(s.Issued)},
		{r.l("cert.workstation"), s.Workstation},
		{r.l("audit.events"), model.Group(int64(s.Events))},
		{r.l("audit.verified"), verdict(r, s)},
	}
	for _, row := range rows {
		p.SetX(18)
		p.CellFormat(30, 6, r.text(row[0]), "", 0, "L", false)
		p.MultiCell(110, 6, r.text(row[1]), "", "L", false)
	}
	r.section(r.l("audit.by_action"))
	r.table([]float64{120, 54}, "LR", []string{r.l("audit.action"), r.l("audit.count")}, countRows(s.ByAction, nil))
	r.section(r.l("audit.by_operator"))
	r.table([]float64{120, 54}, "LR", []string{r.l("audit.operator"), r.l("audit.count")}, countRows(s.ByOperator, s.Operators))
	r.section(r.l("audit.exceptions"))
	if len(s.Exceptions) == 0 {
		p.CellFormat(0, 6, r.text(r.l("audit.no_exceptions")), "", 1, "L", false)
	} else {
		var ex [][]string
		for _, ev := range s.Exceptions {
			who := s.Operators[ev.Operator]
			if who == "" {
				who = ev.Operator
			}
			ex = append(ex, []string{fmt.Sprint(ev.Seq), ev.Time.In(shanghai).Format("01-02 15:04"), ev.Action, ev.Outcome, who, ev.Target})
		}
		r.table([]float64{16, 24, 44, 18, 36, 36}, "RLLLLL", []string{"#", r.l("audit.time"), r.l("audit.action"),
			r.l("audit.outcome"), r.l("audit.operator"), r.l("audit.target")}, ex)
	}
	r.section(r.l("audit.checkpoint"))
	p.SetFont(8.5)
	p.MultiCell(0, 4.5, r.text(strings.TrimSpace(s.Checkpoint)), "", "L", false)
	if err := pdf.Error(); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	err := pdf.Output(&out)
	return out.Bytes(), err
}

func countRows(m map[string]int, names map[string]string) [][]string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return m[keys[i]] > m[keys[j]] || m[keys[i]] == m[keys[j]] && keys[i] < keys[j] })
	var out [][]string
	for _, k := range keys {
		label := k
		if n := names[k]; n != "" {
			label = n + " (" + k + ")"
		}
		out = append(out, []string{label, model.Group(int64(m[k]))})
	}
	return out
}

func verdict(r *renderer, s *AuditSummary) string {
	if s.Problem != "" {
		return r.l("audit.failed") + s.Problem
	}
	return fmt.Sprintf(r.l("audit.ok"), model.Group(int64(s.LogEvents)))
}
