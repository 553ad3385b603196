package vault

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"handover/app/assess"
	"handover/app/audit"
	"handover/app/checklist"
	"handover/app/report"
	"handover/app/retention"
	"handover/store"
	"handover/store/model"
)

// The law-update register (docs/LAWUPDATES.md; seed §十九): a change in a law or standard,
// its impact on the rules this program applies (checklist templates, cross-border
// thresholds, retention rules, notice templates, workbooks), the actions taken and the
// version it led to; and which version of each rule set this deal used.
const metaLawUpdatePrefix = "lawupdate/"

// LawUpdate is one change recorded.
type LawUpdate struct {
	ID        string     `json:"id"`
	Law       string     `json:"law"`     // the law or standard
	Article   string     `json:"article"` // its article or clause
	Effective model.Date `json:"effective"`
	Summary   string     `json:"summary"`
	Impact    []string   `json:"impact"`            // the rule sets it touches: checklist, thresholds, retention, notices, workbooks, reviews, controls
	Actions   string     `json:"actions,omitempty"` // what was done
	LedTo     string     `json:"led_to,omitempty"`  // the version it led to (e.g. "loan-book checklist v4")
	By        string     `json:"by"`
	At        time.Time  `json:"at"`
}

// RuleSets are the rule sets a law update may touch.
var RuleSets = []string{"checklist", "thresholds", "retention", "notices", "workbooks", "reviews", "controls"}

// ErrLawUpdate refuses an incomplete law update.
var ErrLawUpdate = errors.New("a law update names the law, the article, the effective date, a summary and the rule sets it touches")

// AddLawUpdate records a change in the law.
func (s *Session) AddLawUpdate(ctx context.Context, u LawUpdate) (*LawUpdate, error) {
	detail := map[string]string{}
	err := s.doMeta(PermChecklist, audit.LawUpdate, "", detail, func(st *store.Store) ([]store.MetaChange, error) {
		u.Law, u.Article, u.Summary, u.Actions, u.LedTo = strings.TrimSpace(u.Law), strings.TrimSpace(u.Article), strings.TrimSpace(u.Summary),
			strings.TrimSpace(u.Actions), strings.TrimSpace(u.LedTo)
		if u.Law == "" || u.Article == "" || u.Summary == "" || u.Effective.IsZero() || len(u.Impact) == 0 {
			return nil, ErrLawUpdate
		}
		for _, i := range u.Impact {
			if !contains(RuleSets, i) {
				return nil, fmt.Errorf("%s: %w", i, ErrLawUpdate)
			}
		}
		u.ID, u.By, u.At = "LU-"+randomHex(3), s.op.Name, s.v.opts.Now().UTC()
		detail["update"], detail["law"], detail["effective"], detail["impact"] = u.ID, u.Law, u.Effective.String(), strings.Join(u.Impact, ",")
		return []store.MetaChange{{Name: metaLawUpdatePrefix + u.ID, Value: u}}, nil
	})
	if err != nil {
		return nil, err
	}
	return &u, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func readLawUpdates(ctx context.Context, st *store.Store) ([]LawUpdate, error) {
	var out []LawUpdate
	err := st.MetaPrefix(ctx, metaLawUpdatePrefix, func(_ string, b []byte) (bool, error) {
		var u LawUpdate
		if err := json.Unmarshal(b, &u); err != nil {
			return false, &store.CorruptError{What: "law update"}
		}
		out = append(out, u)
		return true, nil
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].Effective.Before(out[j].Effective) })
	return out, err
}

// LawUpdates lists the register.
func (s *Session) LawUpdates(ctx context.Context) ([]LawUpdate, error) {
	st, err := s.read(PermView)
	if err != nil {
		return nil, err
	}
	return readLawUpdates(ctx, st)
}

// RuleVersion is which version of a rule set this deal used, and the version built in now.
type RuleVersion struct {
	Set     string `json:"set"`
	Used    string `json:"used"`    // recorded with the deal, or by the records that used it
	Current string `json:"current"` // built into this program
	Source  string `json:"source,omitempty"`
}

// currentRules is the version of each rule set built into the program.
func currentRules(dealType string) map[string]string {
	out := map[string]string{}
	if t, err := checklist.Load(dealType); err == nil {
		out["checklist"] = dealType + " v" + strconv.Itoa(t.Version)
	}
	if th, err := checklist.LoadThresholds(); err == nil {
		out["thresholds"] = th.Effective
	}
	if r, err := retention.Load(); err == nil {
		out["retention"] = "v" + strconv.Itoa(r.Version)
	}
	var wbs []string
	for _, id := range assess.IDs {
		if w, err := assess.Load(id); err == nil {
			wbs = append(wbs, id+" v"+strconv.Itoa(w.Version))
		}
	}
	out["workbooks"] = strings.Join(wbs, ", ")
	return out
}

// RuleVersions says which version of each rule set this deal used and which is built in.
func (s *Session) RuleVersions(ctx context.Context) ([]RuleVersion, error) {
	st, err := s.read(PermView)
	if err != nil {
		return nil, err
	}
	return s.ruleVersions(ctx, st)
}

func (s *Session) ruleVersions(ctx context.Context, st *store.Store) ([]RuleVersion, error) {
	d, err := loadDeal(st)
	if err != nil {
		return nil, err
	}
	now := currentRules(d.Type)
	used := d.Rules
	if used == nil {
		used = map[string]string{}
	}
	// The workbooks record the version their answers were given to.
	var wbs []string
	for _, id := range assess.IDs {
		if _, rec, err := loadWorkbook(st, id); err == nil && rec.Revision > 0 {
			wbs = append(wbs, id+" v"+strconv.Itoa(rec.TemplateVersion))
		}
	}
	if len(wbs) > 0 {
		used["workbooks"] = strings.Join(wbs, ", ")
	}
	var out []RuleVersion
	for _, set := range []string{"checklist", "thresholds", "retention", "workbooks"} {
		out = append(out, RuleVersion{Set: set, Used: used[set], Current: now[set]})
	}
	return out, nil
}

// LawUpdateReportPDF is the register with the versions this deal used.
func (s *Session) LawUpdateReportPDF(ctx context.Context, lang string) ([]byte, error) {
	var pdf []byte
	err := s.do(PermView, audit.LawUpdateReport, "", nil, func(st *store.Store) error {
		ups, err := readLawUpdates(ctx, st)
		if err != nil {
			return err
		}
		vs, err := s.ruleVersions(ctx, st)
		if err != nil {
			return err
		}
		var rows [][]string
		for _, u := range ups {
			rows = append(rows, []string{u.Effective.String(), u.Law + " " + u.Article, u.Summary, strings.Join(u.Impact, ", "), u.Actions, u.LedTo})
		}
		var vrows [][]string
		for _, v := range vs {
			vrows = append(vrows, []string{v.Set, v.Used, v.Current})
		}
		pdf, err = report.RenderLawUpdates(s.v.Manifest().ID, s.v.opts.Workstation, s.v.opts.Now().UTC().Truncate(time.Second), rows, vrows, docLang(lang))
		return err
	})
	return pdf, err
}
