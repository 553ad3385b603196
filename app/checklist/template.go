// Package checklist is the handover checklist: per deal type, phases of items that name the
// source section and the law they serve. The templates are data, embedded from
// assets/checklists, and an item's behaviour is in its properties (kind, follows_from,
// requires_basis_when_abroad, gate), never in its ID: this package is the one place that
// reads those properties, evaluates each item (state.go) and says what may be done to it
// (rules.go). Storage is app/vault's.
package checklist

import (
	"encoding/json"
	"fmt"
	"slices"

	"handover/app/assess"
	"handover/assets"
)

// The built-in deal types, as the command line names them. The list of deal types, their
// sub-types and their party rules come from the templates (assets/checklists): adding a deal
// type is adding its template.
const (
	Equity   = "equity"    // 股权转让
	LoanBook = "loan-book" // 债权/资产转让
	Merger   = "merger"    // 合并/分立/解散/破产
)

// DealTypes lists every deal type, in the templates' order; Subtypes the sub-types each
// takes (a deal type without any takes none).
var DealTypes, Subtypes = dealTypesFromTemplates()

func dealTypesFromTemplates() ([]string, map[string][]string) {
	type entry struct {
		id    string
		order int
	}
	var all []entry
	subs := map[string][]string{}
	for _, dt := range assets.ChecklistTypes() {
		t, err := Load(dt)
		if err != nil {
			continue // Check, run by the tests, reports it
		}
		all = append(all, entry{dt, t.Order})
		for _, s := range t.Subtypes {
			subs[dt] = append(subs[dt], s.ID)
		}
	}
	slices.SortStableFunc(all, func(a, b entry) int { return a.order - b.order })
	var ids []string
	for _, e := range all {
		ids = append(ids, e.id)
	}
	return ids, subs
}

// Kinds of item.
const (
	Manual    = "manual"    // someone attests: who, when, a note
	Evidence  = "evidence"  // files attached, stored encrypted with their SHA-256
	Automatic = "automatic" // derived from the vault's state, re-evaluated
	Dual      = "dual"      // one person of each party signs off
)

// Kinds lists every kind of item.
var Kinds = []string{Manual, Evidence, Automatic, Dual}

// Step is a step of the handover that waits for checklist items (an item's gate).
type Step string

// Steps that wait for items. The issues to come add theirs here (and their labels).
const (
	StepExport  Step = "export"  // writing a handover package
	StepDestroy Step = "destroy" // destroying the transferor's copy
)

// Steps lists every step, in the order of the handover.
var Steps = []Step{StepExport, StepDestroy}

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
	Gate   Step   `json:"gate,omitempty"` // the step that waits for it
	// FollowsFrom is the fact an automatic item follows from (facts.go); only automatic
	// items have one, and every automatic item must.
	FollowsFrom Fact `json:"follows_from,omitempty"`
	// RequiresBasisWhenAbroad: completing the item needs a cross-border legal basis when
	// the recipient is outside the mainland (PIPL Art. 38).
	RequiresBasisWhenAbroad bool `json:"requires_basis_when_abroad,omitempty"`
	// Requires are items that must be done before this one is: an automatic item that sums
	// up steps both parties sign off (servicing_handed_over after the continuity items).
	Requires []string `json:"requires,omitempty"`
	// When limits the item to some deals (a merger's sub-types, a recipient abroad); an item
	// without it is on every deal of the template's type.
	When *Condition `json:"when,omitempty"`
	// Counsel: the reading is for counsel. The screens say "confirm with counsel", and
	// completing the item records who confirmed it (a manual or evidence item).
	Counsel bool `json:"counsel,omitempty"`
	// AgreesBook: a dual item whose sign-offs agree to the book as it is (figures_agreed).
	// Each sign-off records the book's digest and counts; when the book changes, the
	// sign-offs no longer count and the item is open again.
	AgreesBook bool `json:"agrees_book,omitempty"`
	// Workbook: an item that follows from an assessment workbook names it (app/assess).
	Workbook string `json:"workbook,omitempty"`
}

// Condition says which deals an item is on.
type Condition struct {
	Subtypes []string `json:"subtypes,omitempty"` // only these sub-types of the deal type
	Abroad   bool     `json:"abroad,omitempty"`   // only when the recipient is outside the mainland
}

// Applies says whether the item is on this deal's checklist.
func (it Item) Applies(d *Deal) bool {
	c := it.When
	switch {
	case c == nil:
		return true
	case d == nil:
		return false
	case len(c.Subtypes) > 0 && !slices.Contains(c.Subtypes, d.Subtype):
		return false
	case c.Abroad && d.RecipientLocation == Mainland:
		return false
	}
	return true
}

// Phase is a group of items done in order: 准备, 整理, 移交, 后续.
type Phase struct {
	ID    string `json:"id"`
	Name  Text   `json:"name"`
	Items []Item `json:"items"`
}

// Template is the checklist of one deal type.
type Template struct {
	Format   string `json:"format"`
	Version  int    `json:"version"`
	DealType string `json:"deal_type"`
	Order    int    `json:"order"` // where the deal type comes in the lists
	Name     Text   `json:"name"`
	About    Text   `json:"about"`
	// Parties are the deal type's party rules; Subtypes its kinds (a merger's), if any.
	Parties  PartyRules `json:"parties,omitzero"`
	Subtypes []Subtype  `json:"subtypes,omitempty"`
	Phases   []Phase    `json:"phases"`
	// NotRequired says, per step, why this deal type does not require it (an equity
	// transfer keeps the same handler, so nothing is destroyed); the screens show the reason
	// instead of the step's gate.
	NotRequired map[Step]Text `json:"not_required,omitempty"`
}

// PartyRules say who the parties of a deal type may be.
type PartyRules struct {
	// Target: the deal names the company whose control changes hands, which stays the
	// personal-information handler (an equity transfer).
	Target bool `json:"target,omitempty"`
	// Persons: a party may be a natural person (a shareholder).
	Persons bool `json:"persons,omitempty"`
	// SameParty: both sides may be the same legal person.
	SameParty bool `json:"same_party,omitempty"`
}

// Subtype is one kind of a deal type.
type Subtype struct {
	ID   string `json:"id"`
	Name Text   `json:"name"`
	// Liquidator: a liquidation team or an administrator acts for the transferor, and the
	// deal names it (acting_for).
	Liquidator bool `json:"liquidator,omitempty"`
}

// Subtype finds a sub-type of the template by ID.
func (t *Template) Subtype(id string) (Subtype, bool) {
	for _, s := range t.Subtypes {
		if s.ID == id {
			return s, true
		}
	}
	return Subtype{}, false
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
// unique ID, a known kind, a source section, a law, its title and reason in every language,
// a known gate, and (automatic items only) a known fact it follows from.
func (t *Template) Check(langs []string) error {
	if t.Format != "handover-checklist/v1" || t.Version < 1 {
		return fmt.Errorf("%s: unknown format %q version %d", t.DealType, t.Format, t.Version)
	}
	for _, lang := range langs {
		if t.Name[lang] == "" || t.About[lang] == "" {
			return fmt.Errorf("%s: no %s name or about", t.DealType, lang)
		}
		for _, s := range t.Subtypes {
			if s.ID == "" || s.Name[lang] == "" {
				return fmt.Errorf("%s: sub-type %q has no ID or %s name", t.DealType, s.ID, lang)
			}
		}
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
			switch {
			case it.ID == "" || !slices.Contains(Kinds, it.Kind):
				return fmt.Errorf("%s: item %q has no ID or an unknown kind %q", t.DealType, it.ID, it.Kind)
			case (it.Kind == Automatic) != (it.FollowsFrom != ""):
				return fmt.Errorf("%s: item %s: an automatic item, and only one, names the fact it follows_from", t.DealType, it.ID)
			case it.FollowsFrom != "" && !slices.Contains(KnownFacts, it.FollowsFrom):
				return fmt.Errorf("%s: item %s follows from an unknown fact %q", t.DealType, it.ID, it.FollowsFrom)
			case it.RequiresBasisWhenAbroad && it.Kind != Manual:
				return fmt.Errorf("%s: item %s: only a manual item takes a cross-border basis", t.DealType, it.ID)
			case seen[it.ID]:
				return fmt.Errorf("%s: item %s appears twice", t.DealType, it.ID)
			case it.Source == "" || it.Law == "":
				return fmt.Errorf("%s: item %s names no source section or law", t.DealType, it.ID)
			case it.Gate != "" && !slices.Contains(Steps, it.Gate):
				return fmt.Errorf("%s: item %s has an unknown gate %q", t.DealType, it.ID, it.Gate)
			case it.Counsel && it.Kind != Manual && it.Kind != Evidence:
				return fmt.Errorf("%s: item %s: only a manual or evidence item records who confirmed it with counsel", t.DealType, it.ID)
			case (it.FollowsFrom == FactWorkbook) != (it.Workbook != "") || it.Workbook != "" && !slices.Contains(assess.IDs, it.Workbook):
				return fmt.Errorf("%s: item %s: an item that follows from a workbook, and only one, names a known workbook", t.DealType, it.ID)
			case it.AgreesBook && it.Kind != Dual:
				return fmt.Errorf("%s: item %s: only a dual item agrees to the book", t.DealType, it.ID)
			}
			if it.When != nil {
				for _, sub := range it.When.Subtypes {
					if _, ok := t.Subtype(sub); !ok {
						return fmt.Errorf("%s: item %s is for an unknown sub-type %q", t.DealType, it.ID, sub)
					}
				}
			}
			seen[it.ID] = true
			for _, r := range it.Requires {
				if !t.has(r) || r == it.ID {
					return fmt.Errorf("%s: item %s requires an unknown item %q", t.DealType, it.ID, r)
				}
			}
			for _, lang := range langs {
				if it.Title[lang] == "" || it.Why[lang] == "" {
					return fmt.Errorf("%s: item %s has no %s title or reason", t.DealType, it.ID, lang)
				}
			}
		}
	}
	return nil
}

func (t *Template) has(id string) bool {
	for _, p := range t.Phases {
		for _, it := range p.Items {
			if it.ID == id {
				return true
			}
		}
	}
	return false
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
