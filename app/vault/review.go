package vault

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"handover/app/audit"
	"handover/app/report"
	"handover/assets"
	"handover/store"
	"handover/store/model"
)

// Periodic reviews (docs/REVIEWS.md; seed §十三.4): audit-log verification, access review,
// backup restore test, retention due list, open findings and actions, each with its period
// (assets/reviews.json). A review never done, or last done longer ago than its period, is
// due; doing it records its result and evidence.
const metaReviewPrefix = "review/"

// ReviewDef is one review's definition.
type ReviewDef struct {
	ID     string            `json:"id"`
	Period int               `json:"period_days"`
	Law    string            `json:"law"`
	Name   map[string]string `json:"name"`
	What   map[string]string `json:"what"`
}

type reviewFile struct {
	Format  string      `json:"format"`
	Version int         `json:"version"`
	Reviews []ReviewDef `json:"reviews"`
}

// LoadReviews reads the built-in reviews.
func LoadReviews() ([]ReviewDef, error) {
	var f reviewFile
	if err := json.Unmarshal(assets.Reviews, &f); err != nil || f.Format != "handover-reviews/v1" {
		return nil, fmt.Errorf("reviews: format %q: %v", f.Format, err)
	}
	return f.Reviews, nil
}

// ReviewRecord is one time a review was done.
type ReviewRecord struct {
	Review string    `json:"review"`
	Result string    `json:"result"` // pass, fail
	Note   string    `json:"note,omitempty"`
	By     string    `json:"by"`
	At     time.Time `json:"at"`
	// Evidence: a file's name and SHA-256 (sealed in the vault), and what the vault
	// recorded itself (the verification's outcome, the operators' list, counts).
	File     string            `json:"file,omitempty"`
	SHA256   string            `json:"sha256,omitempty"`
	Recorded map[string]string `json:"recorded,omitempty"`
}

// ReviewState is where a review stands today.
type ReviewState struct {
	ReviewDef
	Last    *ReviewRecord `json:"last,omitempty"`
	Due     model.Date    `json:"due"`
	Overdue bool          `json:"overdue"` // due before today
	DueNow  bool          `json:"due_now"` // due today or before
}

// Errors of reviews.
var (
	ErrUnknownReview = errors.New("no such review")
	ErrReviewResult  = errors.New("the result is pass or fail, with a note when it fails")
	ErrReviewFile    = errors.New("this review needs its evidence file (the record of the restore)")
)

func lastReviews(ctx context.Context, st *store.Store) (map[string]ReviewRecord, error) {
	out := map[string]ReviewRecord{}
	err := st.MetaPrefix(ctx, metaReviewPrefix, func(_ string, b []byte) (bool, error) {
		var r ReviewRecord
		if err := json.Unmarshal(b, &r); err != nil {
			return false, &store.CorruptError{What: "review record"}
		}
		if last, ok := out[r.Review]; !ok || r.At.After(last.At) {
			out[r.Review] = r
		}
		return true, nil
	})
	return out, err
}

// Reviews lists every review with its due date today.
func (s *Session) Reviews(ctx context.Context) ([]ReviewState, error) {
	st, err := s.read(PermView)
	if err != nil {
		return nil, err
	}
	return s.reviews(ctx, st)
}

func (s *Session) reviews(ctx context.Context, st *store.Store) ([]ReviewState, error) {
	defs, err := LoadReviews()
	if err != nil {
		return nil, err
	}
	last, err := lastReviews(ctx, st)
	if err != nil {
		return nil, err
	}
	today := s.today()
	var out []ReviewState
	for _, d := range defs {
		rs := ReviewState{ReviewDef: d, Due: today}
		if r, ok := last[d.ID]; ok {
			r := r
			rs.Last = &r
			rs.Due = model.DateOf(r.At.In(shanghai)).AddDays(d.Period)
		}
		rs.DueNow, rs.Overdue = rs.Due.Compare(today) <= 0, rs.Due.Before(today)
		out = append(out, rs)
	}
	return out, nil
}

// DoReview records a review done: its result, a note and, for the restore test, the
// evidence file. The audit-log verification runs the verification itself; the access review
// and the findings review record what the vault shows.
func (s *Session) DoReview(ctx context.Context, id, result, note, fileName string, file io.Reader) (*ReviewRecord, error) {
	var out *ReviewRecord
	detail := map[string]string{"review": id}
	err := s.doMeta(PermChecklist, audit.ReviewDone, "review:"+id, detail, func(st *store.Store) ([]store.MetaChange, error) {
		defs, err := LoadReviews()
		if err != nil {
			return nil, err
		}
		if !slices.ContainsFunc(defs, func(d ReviewDef) bool { return d.ID == id }) {
			return nil, ErrUnknownReview
		}
		r := &ReviewRecord{Review: id, Result: result, Note: strings.TrimSpace(note), By: s.op.Name, At: s.v.opts.Now().UTC(), Recorded: map[string]string{}}
		switch id {
		case "audit_verify":
			rep, err := st.VerifyAudit(ctx, nil)
			if err != nil {
				return nil, err
			}
			r.Result, r.Recorded["events"] = "pass", strconv.FormatUint(rep.Events, 10)
			if rep.Problem != nil {
				r.Result, r.Recorded["problem"] = "fail", rep.Problem.Reason
			}
		case "access_review":
			standings, err := s.standings(ctx, st)
			if err != nil {
				return nil, err
			}
			for _, o := range standings {
				r.Recorded[o.Name] = fmt.Sprintf("%s; nda %s; training %s; last used %s", o.Role, or(o.NDAMissing, "current"), or(o.TrainingMissing, "current"),
					lastUse(ctx, st, o.ID))
			}
		case "open_findings":
			findings, err := readFindings(ctx, st)
			if err != nil {
				return nil, err
			}
			ins, err := readIncidents(ctx, st)
			if err != nil {
				return nil, err
			}
			open, actions := 0, 0
			for _, f := range findings {
				if f.State == FindingOpen {
					open++
				}
			}
			for _, in := range ins {
				for _, a := range in.Actions {
					if a.Done.IsZero() {
						actions++
					}
				}
			}
			r.Recorded["open_findings"], r.Recorded["open_actions"] = strconv.Itoa(open), strconv.Itoa(actions)
		case "restore_test":
			if file == nil {
				return nil, ErrReviewFile
			}
		}
		if r.Result != "pass" && r.Result != "fail" || r.Result == "fail" && r.Note == "" && r.Recorded["problem"] == "" {
			return nil, ErrReviewResult
		}
		if file != nil {
			e, err := st.PutEvidence(ctx, "review-"+id+"-"+randomHex(4), fileName, file)
			if err != nil {
				return nil, err
			}
			r.File, r.SHA256 = e.Name, e.SHA256
			detail["sha256"] = e.SHA256
		}
		detail["result"] = r.Result
		out = r
		return []store.MetaChange{{Name: metaReviewPrefix + id + "/" + r.At.Format("20060102T150405.000000000"), Value: r}}, nil
	})
	return out, err
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// lastUse is when an operator last unlocked the vault, from the audit log ("never").
func lastUse(ctx context.Context, st *store.Store, operator string) string {
	last := "never"
	_ = st.AuditEventsBackward(ctx, ^uint64(0), func(_ uint64, b []byte) bool {
		ev, err := audit.Decode(b)
		if err == nil && ev.Action == audit.Unlock && ev.Operator == operator {
			last = ev.Time.In(shanghai).Format("2006-01-02")
			return false
		}
		return true
	})
	return last
}

// ReviewsReportPDF is the periodic review report.
func (s *Session) ReviewsReportPDF(ctx context.Context, lang string) ([]byte, error) {
	var pdf []byte
	err := s.do(PermView, audit.ReviewReport, "", nil, func(st *store.Store) error {
		states, err := s.reviews(ctx, st)
		if err != nil {
			return err
		}
		lang = docLang(lang)
		var rs []report.Review
		for _, r := range states {
			x := report.Review{Name: r.Name[lang], Law: r.Law, Period: r.Period, Due: r.Due.String(), Overdue: r.Overdue}
			if l := r.Last; l != nil {
				x.Last, x.Result, x.By, x.Note, x.File, x.SHA256, x.Recorded = l.At, l.Result, l.By, l.Note, l.File, l.SHA256, l.Recorded
			}
			rs = append(rs, x)
		}
		pdf, err = report.RenderReviews(s.v.Manifest().ID, s.v.opts.Workstation, s.v.opts.Now().UTC().Truncate(time.Second), rs, lang)
		return err
	})
	return pdf, err
}
