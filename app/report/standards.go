package report

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strings"
	"time"

	"handover/app/doc"
)

func init() {
	doc.Register(doc.Labels{
		"zh-CN": {
			"std.title": "标准对照报告", "std.footer": "报告编号 %s · 第 %d 页 共 %s 页",
			"std.summary": "一、概况", "std.controls": "二、控制措施与对照", "std.control": "控制措施", "std.refs": "对照条款", "std.status": "本交接",
			"std.evidence": "证据", "std.status.met": "满足", "std.status.partly": "部分满足", "std.status.not_applicable": "不适用", "std.status.missing": "缺失",
			"std.counts": "满足 %d 项，部分满足 %d 项，不适用 %d 项，缺失 %d 项（共 %d 项）",
		},
		"en": {
			"std.title": "Standards Map", "std.footer": "Report %s · page %d of %s",
			"std.summary": "1. Summary", "std.controls": "2. Controls and their references", "std.control": "Control", "std.refs": "References", "std.status": "This deal",
			"std.evidence": "Evidence", "std.status.met": "met", "std.status.partly": "partly", "std.status.not_applicable": "not applicable", "std.status.missing": "missing",
			"std.counts": "%d met, %d partly, %d not applicable, %d missing (of %d)",
		},
	})
}

// ControlRow is one control of the standards map with this deal's status.
type ControlRow struct {
	ID, Name                           string
	ISO27001, PIPL, NDR, JRT0171, GDPR []string
	Evidence                           []string // kind:id=status
	Status                             string
}

func (r ControlRow) refs() string {
	var parts []string
	for _, p := range []struct {
		name string
		refs []string
	}{{"ISO/IEC 27001:2022", r.ISO27001}, {"PIPL", r.PIPL}, {"NDR", r.NDR}, {"JR/T 0171-2020", r.JRT0171}, {"GDPR", r.GDPR}} {
		if len(p.refs) > 0 {
			parts = append(parts, p.name+" "+strings.Join(p.refs, ", "))
		}
	}
	return strings.Join(parts, "; ")
}

// RenderStandards draws the standards map with the deal's status per control.
func RenderStandards(vault, workstation string, issued time.Time, note string, rows []ControlRow, lang string) ([]byte, error) {
	id := "SM-" + issued.UTC().Format("20060102-150405")
	d := doc.New(lang, issued, "std.title", "std.footer", id)
	d.S.AddPage()
	d.Title(d.L("std.title"))
	d.S.Ln(3)
	counts := map[string]int{}
	for _, r := range rows {
		counts[r.Status]++
	}
	d.Fields(34, 140, [][2]string{{d.L("retention.report_id"), id}, {d.L("cert.vault"), vault}, {d.L("cert.issued"), doc.LocalTime(issued)}, {d.L("cert.workstation"), workstation}})
	d.Section(d.L("std.summary"))
	d.Paragraph(9.5, 6, fmt.Sprintf(d.L("std.counts"), counts["met"], counts["partly"], counts["not_applicable"], counts["missing"], len(rows)))
	d.Paragraph(8.5, 4.5, note)
	d.Section(d.L("std.controls"))
	for _, r := range rows {
		d.Fields(26, 148, [][2]string{
			{r.ID, r.Name},
			{d.L("std.refs"), r.refs()},
			{d.L("std.evidence"), strings.Join(r.Evidence, "; ")},
			{d.L("std.status"), d.L("std.status." + r.Status)},
		})
		d.S.Ln(1)
	}
	pdf, _, err := d.PDF()
	if err != nil {
		return nil, fmt.Errorf("standards report: %w", err)
	}
	return pdf, nil
}

// StandardsCSV is the map as CSV (UTF-8 with a byte-order mark, for Excel): one row per
// control with its references, evidence and status.
func StandardsCSV(rows []ControlRow) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("\ufeff")
	w := csv.NewWriter(&b)
	_ = w.Write([]string{"id", "control", "iso27001", "pipl", "ndr", "jrt0171", "gdpr", "evidence", "status"})
	for _, r := range rows {
		_ = w.Write([]string{r.ID, r.Name, strings.Join(r.ISO27001, "; "), strings.Join(r.PIPL, "; "), strings.Join(r.NDR, "; "),
			strings.Join(r.JRT0171, "; "), strings.Join(r.GDPR, "; "), strings.Join(r.Evidence, "; "), r.Status})
	}
	w.Flush()
	return b.Bytes(), w.Error()
}
