package report

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"time"

	"handover/app/audit"
	"handover/app/doc"
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

// RenderAudit draws the audit report as a PDF in the layout every document shares.
func RenderAudit(s *AuditSummary, lang string) ([]byte, error) {
	id := "AR-" + s.Issued.UTC().Format("20060102-150405")
	d := doc.New(lang, s.Issued, "audit.title", "audit.footer", id)
	d.Attach(doc.Attachment{Content: []byte(s.Checkpoint), Filename: "checkpoint.txt", Description: "audit log checkpoint"})
	p := d.S
	p.AddPage()
	d.Title(d.L("audit.title"))
	p.Ln(3)
	period := func(t time.Time, none string) string {
		if t.IsZero() {
			return none
		}
		return doc.LocalTime(t)
	}
	sum := sha256.Sum256([]byte(s.Checkpoint))
	d.QR(192-30, p.GetY(), 30, "handover-audit-checkpoint:sha256:"+hex.EncodeToString(sum[:]))
	rows := [][2]string{
		{d.L("audit.report_id"), id},
		{d.L("cert.vault"), s.Vault},
		{d.L("audit.period"), period(s.From, d.L("audit.start")) + " — " + period(s.To, d.L("audit.now"))},
		{d.L("cert.issued"), doc.LocalTime(s.Issued)},
		{d.L("cert.workstation"), s.Workstation},
		{d.L("audit.events"), model.Group(int64(s.Events))},
		{d.L("audit.verified"), verdict(d, s)},
	}
	d.Fields(30, 110, rows)
	d.Section(d.L("audit.by_action"))
	d.Table([]float64{120, 54}, "LR", []string{d.L("audit.action"), d.L("audit.count")}, countRows(s.ByAction, actionNames(s.ByAction, d.Lang)))
	d.Section(d.L("audit.by_operator"))
	d.Table([]float64{120, 54}, "LR", []string{d.L("audit.operator"), d.L("audit.count")}, countRows(s.ByOperator, s.Operators))
	d.Section(d.L("audit.exceptions"))
	if len(s.Exceptions) == 0 {
		p.CellFormat(0, 6, d.Text(d.L("audit.no_exceptions")), "", 1, "L", false)
	} else {
		var ex [][]string
		for _, ev := range s.Exceptions {
			who := s.Operators[ev.Operator]
			if who == "" {
				who = ev.Operator
			}
			ex = append(ex, []string{fmt.Sprint(ev.Seq), ev.Time.In(doc.Shanghai).Format("01-02 15:04"), audit.Name(ev.Action, d.Lang),
				audit.Name(ev.Outcome, d.Lang), who, ev.Target})
		}
		d.Table([]float64{16, 24, 44, 18, 36, 36}, "RLLLLL", []string{"#", d.L("audit.time"), d.L("audit.action"),
			d.L("audit.outcome"), d.L("audit.operator"), d.L("audit.target")}, ex)
	}
	d.Section(d.L("audit.checkpoint"))
	p.SetFont(8.5)
	p.MultiCell(0, 4.5, d.Text(strings.TrimSpace(s.Checkpoint)), "", "L", false)
	pdf, _, err := d.PDF()
	return pdf, err
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

func verdict(d *doc.Doc, s *AuditSummary) string {
	if s.Problem != "" {
		return d.L("audit.failed") + s.Problem
	}
	return fmt.Sprintf(d.L("audit.ok"), model.Group(int64(s.LogEvents)))
}

// actionNames names each action counted, in the report's language.
func actionNames(m map[string]int, lang string) map[string]string {
	out := make(map[string]string, len(m))
	for k := range m {
		out[k] = audit.Name(k, lang)
	}
	return out
}
