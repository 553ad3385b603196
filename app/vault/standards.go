package vault

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"handover/app/audit"
	"handover/app/checklist"
	"handover/app/report"
	"handover/assets"
	"handover/store"
)

// The standards map (docs/STANDARDS.md): each control of the product and the process,
// mapped to ISO/IEC 27001:2022 Annex A, the PIPL, the Network Data Regulations, JR/T 0171
// and, for reference, the GDPR, with where its evidence lives in this vault (a checklist
// item, a periodic review, or the product itself); the deal's status per control.
type Control struct {
	ID       string            `json:"id"`
	Name     map[string]string `json:"name"`
	ISO27001 []string          `json:"iso27001"`
	PIPL     []string          `json:"pipl"`
	NDR      []string          `json:"ndr"`
	JRT0171  []string          `json:"jrt0171"`
	GDPR     []string          `json:"gdpr"`
	Evidence []ControlEvidence `json:"evidence"`
}

// ControlEvidence is where a control's evidence lives: kind builtin (the product does it
// always), item (a checklist item), review (a periodic review).
type ControlEvidence struct {
	Kind string `json:"kind"`
	ID   string `json:"id,omitempty"`
}

type controlFile struct {
	Format   string            `json:"format"`
	Version  int               `json:"version"`
	Note     map[string]string `json:"note"`
	Controls []Control         `json:"controls"`
}

// Statuses of a control on this deal.
const (
	ControlMet           = "met"
	ControlPartly        = "partly"
	ControlNotApplicable = "not_applicable"
	ControlMissing       = "missing"
)

// ControlStatus is a control with its status and each piece of evidence's.
type ControlStatus struct {
	Control
	Status   string   `json:"status"`
	Evidence []string `json:"evidence_status"` // per evidence: met, missing or not_applicable
}

// LoadControls reads the control library.
func LoadControls() ([]Control, map[string]string, error) {
	var f controlFile
	if err := json.Unmarshal(assets.Controls, &f); err != nil || f.Format != "handover-controls/v1" {
		return nil, nil, fmt.Errorf("controls: format %q: %v", f.Format, err)
	}
	return f.Controls, f.Note, nil
}

// Standards evaluates every control on this deal.
func (s *Session) Standards(ctx context.Context) ([]ControlStatus, error) {
	st, err := s.read(PermView)
	if err != nil {
		return nil, err
	}
	return s.standardsOf(ctx, st)
}

func (s *Session) standardsOf(ctx context.Context, st *store.Store) ([]ControlStatus, error) {
	controls, _, err := LoadControls()
	if err != nil {
		return nil, err
	}
	view, err := s.evaluate(ctx, st)
	if err != nil {
		return nil, err
	}
	reviews, err := s.reviews(ctx, st)
	if err != nil {
		return nil, err
	}
	var out []ControlStatus
	for _, c := range controls {
		cs := ControlStatus{Control: c}
		met, applicable := 0, 0
		for _, e := range c.Evidence {
			state := ControlMissing
			switch e.Kind {
			case "builtin":
				state = ControlMet
			case "item":
				if it, ok := view.Item(e.ID); !ok {
					state = ControlNotApplicable
				} else if it.State == checklist.Done {
					state = ControlMet
				}
			case "review":
				i := slices.IndexFunc(reviews, func(r ReviewState) bool { return r.ID == e.ID })
				if i >= 0 && reviews[i].Last != nil && !reviews[i].Overdue && reviews[i].Last.Result == "pass" {
					state = ControlMet
				}
			}
			cs.Evidence = append(cs.Evidence, state)
			if state != ControlNotApplicable {
				applicable++
			}
			if state == ControlMet {
				met++
			}
		}
		switch {
		case applicable == 0:
			cs.Status = ControlNotApplicable
		case met == applicable:
			cs.Status = ControlMet
		case met > 0:
			cs.Status = ControlPartly
		default:
			cs.Status = ControlMissing
		}
		out = append(out, cs)
	}
	return out, nil
}

// StandardsReport renders the map with this deal's status as a PDF and as CSV.
func (s *Session) StandardsReport(ctx context.Context, lang string) (pdf, csv []byte, err error) {
	err = s.do(PermView, audit.StandardsReport, "", nil, func(st *store.Store) error {
		cs, err := s.standardsOf(ctx, st)
		if err != nil {
			return err
		}
		_, note, err := LoadControls()
		if err != nil {
			return err
		}
		lang = docLang(lang)
		var rows []report.ControlRow
		for _, c := range cs {
			var ev []string
			for i, e := range c.Control.Evidence {
				name := e.Kind
				if e.ID != "" {
					name += ":" + e.ID
				}
				ev = append(ev, name+"="+c.Evidence[i])
			}
			rows = append(rows, report.ControlRow{ID: c.ID, Name: c.Name[lang], ISO27001: c.ISO27001, PIPL: c.PIPL, NDR: c.NDR, JRT0171: c.JRT0171,
				GDPR: c.GDPR, Evidence: ev, Status: c.Status})
		}
		issued := s.v.opts.Now().UTC().Truncate(time.Second)
		if pdf, err = report.RenderStandards(s.v.Manifest().ID, s.v.opts.Workstation, issued, note[lang], rows, lang); err != nil {
			return err
		}
		csv, err = report.StandardsCSV(rows)
		return err
	})
	return pdf, csv, err
}
