// Package checklist is the handover checklist (issue 6): per deal type, phases of items that
// name the source section and the law they serve. The templates are data, embedded from
// assets/checklists; this package reads and checks them. (Groundwork: the deal record, item
// states, gates, screens and commands are still to come.)
package checklist

import (
	"encoding/json"
	"fmt"

	"handover/assets"
)

// Deal types, as the command line names them.
const (
	Equity   = "equity"    // 股权转让
	LoanBook = "loan-book" // 债权/资产转让
	Merger   = "merger"    // 合并/分立/解散/破产
)

// DealTypes lists every deal type.
var DealTypes = []string{Equity, LoanBook, Merger}

// Kinds of item.
const (
	Manual    = "manual"    // someone attests: who, when, a note
	Evidence  = "evidence"  // files attached, stored encrypted with their SHA-256
	Automatic = "automatic" // derived from the vault's state, re-evaluated
	Dual      = "dual"      // one person of each party signs off
)

// Text is one string in every UI language.
type Text map[string]string

// Item is one thing to be done.
type Item struct {
	ID     string `json:"id"`
	Kind   string `json:"kind"`
	Source string `json:"source"` // the source document's section, e.g. §四.3
	Law    string `json:"law"`    // what it serves, e.g. PIPL Art. 55
	Title  Text   `json:"title"`
	Why    Text   `json:"why"`
	Gate   string `json:"gate,omitempty"` // "export" or "destroy": the step that waits for it
}

// Phase is a group of items done in order: 准备, 整理, 移交, 后续.
type Phase struct {
	ID    string `json:"id"`
	Name  Text   `json:"name"`
	Items []Item `json:"items"`
}

// Template is the checklist of one deal type.
type Template struct {
	Format   string  `json:"format"`
	Version  int     `json:"version"`
	DealType string  `json:"deal_type"`
	Name     Text    `json:"name"`
	About    Text    `json:"about"`
	Phases   []Phase `json:"phases"`
}

// KnownItems are the item IDs the program knows how to track; automatic ones are derived
// from the vault's state, so a template may not invent them.
var KnownItems = map[string]string{
	"agreement_signed": Evidence, "nda_signed": Evidence, "training_done": Manual,
	"risk_assessment": Evidence, "compliance_review": Evidence, "pia_done": Evidence,
	"cross_border": Manual, "data_validated": Automatic, "figures_agreed": Dual,
	"backup_verified": Automatic, "package_exported": Automatic, "package_received": Automatic,
	"confirmation_signed": Automatic, "customers_notified": Evidence, "servicing_handed_over": Manual,
	"archive_made": Evidence, "retention_set": Manual, "transferor_copy_destroyed": Evidence,
	"audit_report_issued": Automatic,
}

// Load reads the template of a deal type.
func Load(dealType string) (*Template, error) {
	b, err := assets.Checklist(dealType)
	if err != nil {
		return nil, err
	}
	var t Template
	if err := json.Unmarshal(b, &t); err != nil {
		return nil, fmt.Errorf("checklist template %s: %w", dealType, err)
	}
	return &t, nil
}

// Check reports the first thing wrong with a template: every phase has items, every item a
// known ID of the right kind, a source section, a law, and its title and reason in every
// language.
func (t *Template) Check(langs []string) error {
	if t.Format != "handover-checklist/v1" || t.Version < 1 {
		return fmt.Errorf("%s: unknown format %q version %d", t.DealType, t.Format, t.Version)
	}
	seen := map[string]bool{}
	for _, p := range t.Phases {
		if len(p.Items) == 0 {
			return fmt.Errorf("%s: phase %s is empty", t.DealType, p.ID)
		}
		for _, lang := range langs {
			if p.Name[lang] == "" {
				return fmt.Errorf("%s: phase %s has no %s name", t.DealType, p.ID, lang)
			}
		}
		for _, it := range p.Items {
			kind, known := KnownItems[it.ID]
			switch {
			case !known:
				return fmt.Errorf("%s: unknown item %q", t.DealType, it.ID)
			case kind != it.Kind:
				return fmt.Errorf("%s: item %s is %s, not %s", t.DealType, it.ID, kind, it.Kind)
			case seen[it.ID]:
				return fmt.Errorf("%s: item %s appears twice", t.DealType, it.ID)
			case it.Source == "" || it.Law == "":
				return fmt.Errorf("%s: item %s names no source section or law", t.DealType, it.ID)
			case it.Gate != "" && it.Gate != "export" && it.Gate != "destroy":
				return fmt.Errorf("%s: item %s has an unknown gate %q", t.DealType, it.ID, it.Gate)
			}
			seen[it.ID] = true
			for _, lang := range langs {
				if it.Title[lang] == "" || it.Why[lang] == "" {
					return fmt.Errorf("%s: item %s has no %s title or reason", t.DealType, it.ID, lang)
				}
			}
		}
	}
	return nil
}

// PhaseName is a phase's name in lang, or its ID.
func (t *Template) PhaseName(id, lang string) string {
	for _, p := range t.Phases {
		if p.ID == id && p.Name[lang] != "" {
			return p.Name[lang]
		}
	}
	return id
}
