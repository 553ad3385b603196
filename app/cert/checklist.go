package cert

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/jung-kurt/gofpdf"
)

// Checklist is the deal's checklist as a statement records it: enough to show, on any
// machine and without the templates, what was done, by whom, with which evidence.
type Checklist struct {
	DealType          string          `json:"deal_type"`
	Transferor        ChecklistParty  `json:"transferor"`
	Transferee        ChecklistParty  `json:"transferee"`
	RecipientLocation string          `json:"recipient_location"`
	Items             []ChecklistItem `json:"items"`
}

// ChecklistParty is one side of the deal.
type ChecklistParty struct {
	Name       string `json:"name"`
	CreditCode string `json:"credit_code"`
}

// ChecklistItem is one item's state when the statement was issued.
type ChecklistItem struct {
	ID       string            `json:"id"`
	Phase    string            `json:"phase"`
	State    string            `json:"state"` // open, partial, done
	Title    map[string]string `json:"title"` // zh-CN and en
	Source   string            `json:"source"`
	Law      string            `json:"law"`
	By       string            `json:"by,omitempty"` // operator's name
	At       time.Time         `json:"at,omitzero"`
	Basis    string            `json:"basis,omitempty"`
	Evidence []EvidenceFile    `json:"evidence,omitempty"`
	SignOffs []string          `json:"sign_offs,omitempty"` // "transferor: name"
}

// EvidenceFile is an attachment, by name and SHA-256.
type EvidenceFile struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
}

// checklistOf decodes a statement's checklist; nil when it has none.
func checklistOf(st *Statement) *Checklist {
	if len(st.Checklist) == 0 || bytes.Equal(st.Checklist, []byte("null")) {
		return nil
	}
	var c Checklist
	if json.Unmarshal(st.Checklist, &c) != nil {
		return nil
	}
	return &c
}

// checklistTable draws the items: title, state, who and when, evidence.
func (r *renderer) checklistTable(c *Checklist) {
	lang := r.lang
	var rows [][]string
	for _, it := range c.Items {
		title := it.Title[lang]
		if title == "" {
			title = it.ID
		}
		who := ""
		if !it.At.IsZero() {
			who = it.By + " " + it.At.In(shanghai).Format("2006-01-02")
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
			ev = r.l("basis." + it.Basis)
		}
		rows = append(rows, []string{clip(title, 46), r.l("state." + it.State), clip(who, 24), clip(ev, 13)})
	}
	r.table([]float64{84, 18, 44, 28}, "LCLL", []string{r.l("col.checklist_item"), r.l("col.state"), r.l("col.by"), r.l("col.evidence")}, rows)
}

// clip shortens s to fit a column of n half-width units (a Chinese character takes two), so
// a row stays one line in either language.
func clip(s string, n int) string {
	w := 0
	for i, r := range s {
		if r >= 0x2E80 {
			w += 2
		} else {
			w++
		}
		if w > n {
			return s[:i] + "…"
		}
	}
	return s
}

// RenderChecklistReport draws the checklist report: the deal, progress per phase and every
// item with its evidence's full SHA-256, through the certificate layout.
func RenderChecklistReport(c *Checklist, vault, workstation string, issued time.Time, lang string) ([]byte, error) {
	if lang != "en" {
		lang = "zh-CN"
	}
	id := "CL-" + issued.UTC().Format("20060102-150405")
	pdf, r := newDocument(lang, issued, "checklist.title", "checklist.footer", id)
	js, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return nil, err
	}
	pdf.SetAttachments([]gofpdf.Attachment{{Content: js, Filename: "checklist.json", Description: "checklist state"}})
	r.pdf.AddPage()
	p := r.pdf
	p.SetFont(20)
	p.CellFormat(0, 12, r.text(r.l("checklist.title")), "", 1, "C", false)
	p.SetFont(9.5)
	p.Ln(3)
	rows := [][2]string{
		{r.l("checklist.report_id"), id},
		{r.l("cert.vault"), vault},
		{r.l("checklist.deal_type"), r.l("deal." + c.DealType)},
		{r.l("checklist.transferor"), c.Transferor.Name + "（" + c.Transferor.CreditCode + "）"},
		{r.l("checklist.transferee"), c.Transferee.Name + "（" + c.Transferee.CreditCode + "）"},
		{r.l("checklist.location"), r.l("location." + c.RecipientLocation)},
		{r.l("cert.issued"), localTime(issued)},
		{r.l("cert.workstation"), workstation},
	}
	for _, row := range rows {
		p.SetX(18)
		p.CellFormat(34, 6, r.text(row[0]), "", 0, "L", false)
		p.MultiCell(140, 6, r.text(row[1]), "", "L", false)
	}
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
			r.keepTogether(14 + 6.5 + 6*float64(total))
			r.section(r.l("phase."+phase) + "  " + strconv.Itoa(done) + "/" + strconv.Itoa(total))
			var sub []ChecklistItem
			for _, x := range c.Items {
				if x.Phase == phase {
					sub = append(sub, x)
				}
			}
			r.checklistTable(&Checklist{Items: sub})
			for _, x := range sub {
				for _, e := range x.Evidence {
					p.SetFont(7.5)
					p.MultiCell(0, 4, r.text(x.ID+" · "+e.Name+" · SHA-256 "+e.SHA256), "", "L", false)
					p.SetFont(9.5)
				}
			}
		}
	}
	if err := pdf.Error(); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	err = pdf.Output(&out)
	return out.Bytes(), err
}
