// Package notice makes the notices a handover sends to borrowers and guarantors (seed §五.1;
// Civil Code Art. 546 and 696; PIPL Art. 17, 22 and 23): templates as data with placeholders
// filled from the deal, its notice settings and the customer; letters as A4 PDF for window
// envelopes; SMS text with its segment count; and the letter codes customers can read to the
// official hotline. It is plain Go: the vault decides who gets what and records it.
package notice

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"

	"handover/assets"
)

// Text is one string in every language.
type Text map[string]string

// Template is one notice: who it is for, the law it answers, the letter's paragraphs, the
// reply slip (for notices that ask for consent) and the SMS, in Chinese with an English
// rendering for the record.
type Template struct {
	Format    string   `json:"format"`
	ID        string   `json:"id"`
	Version   int      `json:"version"`
	DealTypes []string `json:"deal_types"`
	Audience  string   `json:"audience"` // borrower, guarantor
	Consent   bool     `json:"consent"`  // asks for separate consent (PIPL Art. 23)
	Required  bool     `json:"required"` // the deal type requires it (the checklist follows it)
	// OnDemand: sent for an event (an incident), not to every customer of the deal; its
	// tracking is listed once a batch of it exists.
	OnDemand  bool                `json:"on_demand,omitempty"`
	Law       Text                `json:"law"`
	Title     Text                `json:"title"`
	Letter    map[string][]string `json:"letter"`
	ReplySlip map[string][]string `json:"reply_slip,omitempty"`
	SMS       Text                `json:"sms"`

	mu    sync.Mutex
	parts map[string][]part
}

// Audiences.
const (
	Borrower  = "borrower"
	Guarantor = "guarantor"
)

const templateFormat = "handover-notice-template/v1"

// Fields are the placeholders a template may use, and where each comes from.
var Fields = map[string]string{
	"name": "customer", "contracts": "customer", "outstanding": "customer",
	"code": "letter", "date": "letter",
	"transferor": "deal", "transferor_code": "deal", "transferee": "deal", "transferee_code": "deal",
	"cutoff": "setup", "transferee_address": "setup", "transferee_phone": "setup",
	"repay_account_name": "setup", "repay_account_bank": "setup", "repay_account_no": "setup", "repay_channels": "setup",
	"servicing_phone": "setup", "complaints_phone": "setup", "hotline": "setup", "reply_by": "setup",
	"purpose": "setup", "method": "setup", "categories": "setup", "sms_signature": "setup",
	"incident_id": "incident", "incident_categories": "incident", "incident_cause": "incident", "incident_harm": "incident",
	"incident_measures": "incident", "incident_advice": "incident", "incident_contact": "incident",
}

var placeholder = regexp.MustCompile(`\{\{\s*([^{}]*?)\s*\}\}`)

// UnknownFieldError refuses a template that names a placeholder no data fills.
type UnknownFieldError struct {
	Template, Field string
}

func (e *UnknownFieldError) Error() string {
	return fmt.Sprintf("notice template %s: the placeholder {{%s}} is not a field this program fills (see docs/NOTICES.md)", e.Template, e.Field)
}

// MissingFieldError stops a batch: the data cannot fill a placeholder. It names the template,
// the field and where the field comes from, never a value.
type MissingFieldError struct {
	Template, Field, Source string
}

func (e *MissingFieldError) Error() string {
	where := map[string]string{"setup": "the notice settings ('handover notice setup')", "deal": "the deal",
		"customer": "the customer's record", "letter": "the letter", "incident": "the incident's decision ('handover incident decide'; generate with --incident)"}[e.Source]
	return fmt.Sprintf("notice template %s: {{%s}} has no value in %s; nothing was generated", e.Template, e.Field, where)
}

// ErrTemplate is a template that is not well formed.
var ErrTemplate = errors.New("the notice template is not well formed")

// Parse reads and checks a template: its format, its texts in both languages, and every
// placeholder a known field.
func Parse(b []byte) (*Template, error) {
	var t Template
	if err := json.Unmarshal(b, &t); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrTemplate, err)
	}
	if err := t.Check(); err != nil {
		return nil, err
	}
	return &t, nil
}

// Check says whether the template is complete and uses only known fields.
func (t *Template) Check() error {
	switch {
	case t.Format != templateFormat:
		return fmt.Errorf("%w: format %q", ErrTemplate, t.Format)
	case t.ID == "" || t.Version < 1 || len(t.DealTypes) == 0:
		return fmt.Errorf("%w: id, version and deal_types are required", ErrTemplate)
	case t.Audience != Borrower && t.Audience != Guarantor:
		return fmt.Errorf("%w: audience %q", ErrTemplate, t.Audience)
	case t.Consent && len(t.ReplySlip) == 0:
		return fmt.Errorf("%w: %s asks for consent but has no reply slip", ErrTemplate, t.ID)
	}
	for _, lang := range assets.Languages {
		if t.Title[lang] == "" || t.Law[lang] == "" || len(t.Letter[lang]) == 0 || t.SMS[lang] == "" {
			return fmt.Errorf("%w: %s lacks its title, law, letter or SMS in %s", ErrTemplate, t.ID, lang)
		}
		if !strings.Contains(t.SMS[lang], "{{sms_signature}}") {
			return fmt.Errorf("%w: %s: the SMS must begin with {{sms_signature}} (the sender's 【signature】)", ErrTemplate, t.ID)
		}
	}
	for _, f := range t.Placeholders() {
		if _, ok := Fields[f]; !ok {
			return &UnknownFieldError{Template: t.ID, Field: f}
		}
	}
	return nil
}

// Placeholders lists every field the template names, sorted.
func (t *Template) Placeholders() []string {
	seen := map[string]bool{}
	add := func(s string) {
		for _, m := range placeholder.FindAllStringSubmatch(s, -1) {
			seen[m[1]] = true
		}
	}
	for _, lang := range assets.Languages {
		add(t.Title[lang])
		add(t.SMS[lang])
		for _, p := range t.Letter[lang] {
			add(p)
		}
		for _, p := range t.ReplySlip[lang] {
			add(p)
		}
	}
	out := make([]string, 0, len(seen))
	for f := range seen {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

// Fill replaces the placeholders of s with values; a placeholder without a value (absent or
// blank) is an error naming it.
func (t *Template) Fill(s string, values map[string]string) (string, error) {
	parts := t.compiled(s)
	var b strings.Builder
	b.Grow(len(s) + 64)
	for _, p := range parts {
		if p.field == "" {
			b.WriteString(p.text)
			continue
		}
		v := strings.TrimSpace(values[p.field])
		if v == "" {
			return "", &MissingFieldError{Template: t.ID, Field: p.field, Source: Fields[p.field]}
		}
		b.WriteString(v)
	}
	return b.String(), nil
}

// part is a piece of a template text: literal text, or a field to fill.
type part struct{ text, field string }

// compiled splits s into parts once: a batch fills the same texts a million times.
func (t *Template) compiled(s string) []part {
	t.mu.Lock()
	defer t.mu.Unlock()
	if p, ok := t.parts[s]; ok {
		return p
	}
	var parts []part
	last := 0
	for _, m := range placeholder.FindAllStringSubmatchIndex(s, -1) {
		if m[0] > last {
			parts = append(parts, part{text: s[last:m[0]]})
		}
		parts = append(parts, part{field: s[m[2]:m[3]]})
		last = m[1]
	}
	if last < len(s) {
		parts = append(parts, part{text: s[last:]})
	}
	if t.parts == nil {
		t.parts = map[string][]part{}
	}
	t.parts[s] = parts
	return parts
}

// Builtin returns the templates the program ships, by ID.
func Builtin() (map[string]*Template, error) {
	files, err := assets.NoticeTemplates()
	if err != nil {
		return nil, err
	}
	out := map[string]*Template{}
	for name, b := range files {
		t, err := Parse(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		out[t.ID] = t
	}
	return out, nil
}

// For says whether the template is for a deal type.
func (t *Template) For(dealType string) bool {
	for _, d := range t.DealTypes {
		if d == dealType {
			return true
		}
	}
	return false
}
