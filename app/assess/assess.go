// Package assess is the assessments as workbooks (seed §六, §七; PIPL Art. 55–56): the risk
// assessment, the compliance review and the personal-information impact assessment, each a
// versioned template of questions with answer types, help that cites the law, and
// conditions (a question about the transfer abroad only when the recipient is abroad).
// Answers, findings and the reviewer's sign-off are stored by app/vault; this package reads
// the templates, checks an answer against its question, and says where a workbook stands.
package assess

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"handover/assets"
)

// The workbooks, by ID: each is the checklist item of the same ID's source.
const (
	Risk       = "risk_assessment"   // 风险评估 (§六)
	Compliance = "compliance_review" // 合规审查 (§七)
	PIA        = "pia"               // 个人信息保护影响评估 (PIPL Art. 55–56)
)

// IDs lists the workbooks in the order the screens show them.
var IDs = []string{Risk, Compliance, PIA}

// Answer types.
const (
	Choice   = "choice"
	FreeText = "text"
	Number   = "number"
	Evidence = "evidence" // a file, sealed in the vault with its SHA-256
	RiskType = "risk"     // likelihood × impact, owner, mitigation, residual risk
)

// Text is one string in every UI language.
type Text map[string]string

// Option is one answer of a choice question.
type Option struct {
	ID   string `json:"id"`
	Text Text   `json:"text"`
}

// Condition limits a question to some deals.
type Condition struct {
	DealTypes []string `json:"deal_types,omitempty"`
	Abroad    bool     `json:"abroad,omitempty"` // only when the recipient is outside the mainland
}

// Question is one question of a workbook.
type Question struct {
	ID       string     `json:"id"`
	Type     string     `json:"type"`
	Text     Text       `json:"text"`
	Help     Text       `json:"help"` // what the law asks, citing it
	Law      string     `json:"law"`
	Options  []Option   `json:"options,omitempty"` // choice
	Min      *int64     `json:"min,omitempty"`     // number
	Optional bool       `json:"optional,omitempty"`
	When     *Condition `json:"when,omitempty"`
}

// Section groups questions (legal, technical, operational, market risks; §七's four tests).
type Section struct {
	ID        string     `json:"id"`
	Title     Text       `json:"title"`
	Questions []Question `json:"questions"`
}

// Workbook is one assessment's template.
type Workbook struct {
	Format   string    `json:"format"`
	ID       string    `json:"id"`
	Version  int       `json:"version"`
	Title    Text      `json:"title"`
	About    Text      `json:"about"`
	Law      string    `json:"law"`
	Sections []Section `json:"sections"`
}

// Load reads a built-in workbook.
func Load(id string) (*Workbook, error) {
	b, err := assets.Workbook(id)
	if err != nil {
		return nil, err
	}
	var w Workbook
	if err := json.Unmarshal(b, &w); err != nil {
		return nil, fmt.Errorf("workbook %s: %w", id, err)
	}
	return &w, nil
}

// Check reports the first thing wrong with a template.
func (w *Workbook) Check(langs []string) error {
	if w.Format != "handover-workbook/v1" || w.Version < 1 || !slices.Contains(IDs, w.ID) || w.Law == "" {
		return fmt.Errorf("workbook %q: format %q, version %d, law %q", w.ID, w.Format, w.Version, w.Law)
	}
	seen := map[string]bool{}
	for _, s := range w.Sections {
		if len(s.Questions) == 0 {
			return fmt.Errorf("%s: section %s is empty", w.ID, s.ID)
		}
		for _, q := range s.Questions {
			switch {
			case q.ID == "" || seen[q.ID]:
				return fmt.Errorf("%s: question %q has no ID or appears twice", w.ID, q.ID)
			case !slices.Contains([]string{Choice, FreeText, Number, Evidence, RiskType}, q.Type):
				return fmt.Errorf("%s: question %s has an unknown type %q", w.ID, q.ID, q.Type)
			case (q.Type == Choice) != (len(q.Options) > 0):
				return fmt.Errorf("%s: question %s: a choice question, and only one, has options", w.ID, q.ID)
			case q.Law == "":
				return fmt.Errorf("%s: question %s cites no law", w.ID, q.ID)
			}
			seen[q.ID] = true
			for _, lang := range langs {
				if q.Text[lang] == "" || q.Help[lang] == "" || s.Title[lang] == "" {
					return fmt.Errorf("%s: question %s has no %s text, help or section title", w.ID, q.ID, lang)
				}
				for _, o := range q.Options {
					if o.ID == "" || o.Text[lang] == "" {
						return fmt.Errorf("%s: question %s has an option without an ID or %s text", w.ID, q.ID, lang)
					}
				}
			}
		}
	}
	return nil
}

// Deal is what the conditions look at.
type Deal struct {
	Type   string
	Abroad bool
}

// Applies says whether the question is asked on this deal.
func (q Question) Applies(d Deal) bool {
	c := q.When
	if c == nil {
		return true
	}
	if len(c.DealTypes) > 0 && !slices.Contains(c.DealTypes, d.Type) {
		return false
	}
	return !c.Abroad || d.Abroad
}

// Question finds a question by ID.
func (w *Workbook) Question(id string) (Question, bool) {
	for _, s := range w.Sections {
		for _, q := range s.Questions {
			if q.ID == id {
				return q, true
			}
		}
	}
	return Question{}, false
}

// Residual risk levels, and finding severities.
const (
	Low    = "low"
	Medium = "medium"
	High   = "high"
)

// Levels lists the levels from lowest.
var Levels = []string{Low, Medium, High}

// RiskAnswer is a risk's assessment.
type RiskAnswer struct {
	Likelihood int    `json:"likelihood"` // 1–5
	Impact     int    `json:"impact"`     // 1–5
	Owner      string `json:"owner"`
	Mitigation string `json:"mitigation"`
	Residual   string `json:"residual"` // low, medium, high
}

// Score is likelihood × impact (1–25).
func (r RiskAnswer) Score() int { return r.Likelihood * r.Impact }

// Level is the inherent risk: high from 15, medium from 8.
func (r RiskAnswer) Level() string {
	switch s := r.Score(); {
	case s >= 15:
		return High
	case s >= 8:
		return Medium
	}
	return Low
}

// EvidenceRef names a file answered; the bytes are in the vault.
type EvidenceRef struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
}

// Answer is one question's answer.
type Answer struct {
	Value    string       `json:"value,omitempty"` // choice: the option's ID; text; number in decimal
	Risk     *RiskAnswer  `json:"risk,omitempty"`
	Evidence *EvidenceRef `json:"evidence,omitempty"`
	By       string       `json:"by"`
	ByName   string       `json:"by_name"`
	At       time.Time    `json:"at"`
}

// AnswerError says why an answer does not fit its question: Reason is choice, empty,
// number, min, likelihood, impact, owner, mitigation, residual or file.
type AnswerError struct {
	Question string
	Reason   string
}

func (e *AnswerError) Error() string {
	return fmt.Sprintf("question %s: the answer does not fit (%s)", e.Question, e.Reason)
}

// ErrUnknownQuestion refuses an answer to a question the workbook does not ask.
var ErrUnknownQuestion = errors.New("the workbook has no such question for this deal")

// CheckAnswer checks an answer against its question (evidence is checked by the vault, which
// holds the file). It trims what people typed.
func CheckAnswer(q Question, a *Answer) error {
	a.Value = strings.TrimSpace(a.Value)
	bad := func(reason string) error { return &AnswerError{Question: q.ID, Reason: reason} }
	switch q.Type {
	case Choice:
		if !slices.ContainsFunc(q.Options, func(o Option) bool { return o.ID == a.Value }) {
			return bad("choice")
		}
	case FreeText:
		if a.Value == "" {
			return bad("empty")
		}
	case Number:
		n, err := strconv.ParseInt(a.Value, 10, 64)
		if err != nil {
			return bad("number")
		}
		if q.Min != nil && n < *q.Min {
			return bad("min")
		}
	case Evidence:
		if a.Evidence == nil {
			return bad("file")
		}
	case RiskType:
		r := a.Risk
		switch {
		case r == nil || r.Likelihood < 1 || r.Likelihood > 5:
			return bad("likelihood")
		case r.Impact < 1 || r.Impact > 5:
			return bad("impact")
		case strings.TrimSpace(r.Owner) == "":
			return bad("owner")
		case strings.TrimSpace(r.Mitigation) == "":
			return bad("mitigation")
		case !slices.Contains(Levels, r.Residual):
			return bad("residual")
		}
		r.Owner, r.Mitigation = strings.TrimSpace(r.Owner), strings.TrimSpace(r.Mitigation)
	}
	return nil
}

// Unanswered lists the questions asked on this deal that are required and not answered.
func (w *Workbook) Unanswered(d Deal, answers map[string]Answer) []string {
	var out []string
	for _, s := range w.Sections {
		for _, q := range s.Questions {
			if q.Applies(d) && !q.Optional {
				if _, ok := answers[q.ID]; !ok {
					out = append(out, q.ID)
				}
			}
		}
	}
	return out
}

// SampleAnswer is a made-up answer that fits q, for the demo deal and tests (an evidence
// question's file is the caller's to give): the first option, a low risk, the least number.
func SampleAnswer(q Question) Answer {
	switch q.Type {
	case Choice:
		return Answer{Value: q.Options[0].ID}
	case Number:
		n := int64(1)
		if q.Min != nil && *q.Min > n {
			n = *q.Min
		}
		return Answer{Value: strconv.FormatInt(n, 10)}
	case RiskType:
		return Answer{Risk: &RiskAnswer{Likelihood: 2, Impact: 3, Owner: "演示负责人（虚构）", Mitigation: "演示措施（虚构）", Residual: Low}}
	}
	return Answer{Value: "演示数据（虚构）"}
}
