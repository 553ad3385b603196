package report

import (
	"encoding/json"
	"handover/app/checklist"
	"handover/app/doc"
	"strconv"
	"strings"
	"time"
)

// ChecklistTable draws a checklist's items: title, state, who and when, evidence.
func ChecklistTable(d *doc.Doc, c *checklist.Snapshot) {
	lang := d.Lang
	var rows [][]string
	for _, it := range c.Items {
		title := it.Title[lang]
		if title == "" {
			title = it.ID
		}
		who := ""
		if !it.At.IsZero() {
			who = it.By + " " + it.At.In(doc.Shanghai).Format("2006-01-02")
		}
		if len(it.SignOffs) > 0 {
			who = strings.Join(it.SignOffs, ", ")
		}
		ev := ""
		for _, e := range it.Evidence {
			if ev != "" {
				ev += "; "
			}
			ev += e.SHA256[:10]
		}
		if it.Basis != "" {
			ev = d.L("basis." + it.Basis)
		}
		rows = append(rows, []string{doc.Clip(title, 46), d.L("state." + it.State), doc.Clip(who, 24), doc.Clip(ev, 13)})
	}
	d.Table([]float64{84, 18, 44, 28}, "LCLL", []string{d.L("col.checklist_item"), d.L("col.state"), d.L("col.by"), d.L("col.evidence")}, rows)
}

// RenderChecklist draws the checklist report: the deal, progress per phase and every
// item with its evidence's full SHA-256, in the layout every document shares.
func RenderChecklist(c *checklist.Snapshot, vault, workstation string, issued time.Time, lang string) ([]byte, error) {
	id := "CL-" + issued.UTC().Format("20060102-150405")
	d := doc.New(lang, issued, "checklist.title", "checklist.footer", id)
	js, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return nil, err
	}
	d.Attach(doc.Attachment{Content: js, Filename: "checklist.json", Description: "checklist state"})
	p := d.S
	p.AddPage()
	d.Title(d.L("checklist.title"))
	p.Ln(3)
	rows := [][2]string{
		{d.L("checklist.report_id"), id},
		{d.L("cert.vault"), vault},
		{d.L("checklist.deal_type"), d.L("deal." + c.DealType)},
		{d.L("checklist.transferor"), c.Transferor.Name + "（" + c.Transferor.CreditCode + "）"},
		{d.L("checklist.transferee"), c.Transferee.Name + "（" + c.Transferee.CreditCode + "）"},
		{d.L("checklist.location"), d.L("location." + c.RecipientLocation)},
		{d.L("cert.issued"), doc.LocalTime(issued)},
		{d.L("cert.workstation"), workstation},
	}
	d.Fields(34, 140, rows)
	phase := ""
	for _, it := range c.Items {
		if it.Phase != phase {
			phase = it.Phase
			done, total := 0, 0
			for _, x := range c.Items {
				if x.Phase == phase {
					total++
					if x.State == "done" {
						done++
					}
				}
			}
			d.KeepTogether(14 + doc.TableHeight(total))
			d.Section(d.L("phase."+phase) + "  " + strconv.Itoa(done) + "/" + strconv.Itoa(total))
			var sub []checklist.SnapshotItem
			for _, x := range c.Items {
				if x.Phase == phase {
					sub = append(sub, x)
				}
			}
			ChecklistTable(d, &checklist.Snapshot{Items: sub})
			for _, x := range sub {
				for _, e := range x.Evidence {
					p.SetFont(7.5)
					p.MultiCell(0, 4, d.Text(x.ID+" · "+e.Name+" · SHA-256 "+e.SHA256), "", "L", false)
					p.SetFont(9.5)
				}
			}
		}
	}
	pdf, _, err := d.PDF()
	return pdf, err
}
