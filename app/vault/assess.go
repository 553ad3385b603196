package vault

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"time"

	"handover/app/assess"
	"handover/app/audit"
	"handover/app/checklist"
	"handover/app/report"
	"handover/store"
	"handover/store/model"
)

// The assessments (docs/ASSESSMENTS.md): three workbooks answered in the vault, findings
// with an owner and a due date, and the compliance reviewer's sign-off. The checklist's
// risk_assessment, compliance_review and pia_done follow from them, and an open finding of
// high severity blocks the export, named.
const (
	metaWorkbookPrefix = "workbook/"
	metaFindingPrefix  = "finding/"
)

// WorkbookRecord is one workbook's answers and sign-off. Every answer moves Revision on; a
// sign-off counts only for the revision it was given to.
type WorkbookRecord struct {
	ID              string                   `json:"id"`
	TemplateVersion int                      `json:"template_version"`
	Answers         map[string]assess.Answer `json:"answers"`
	Revision        int                      `json:"revision"`
	SignOff         *WorkbookSignOff         `json:"sign_off,omitempty"`
}

// WorkbookSignOff is the compliance reviewer's sign-off, proven by their own passphrase.
type WorkbookSignOff struct {
	Operator string    `json:"operator"`
	Name     string    `json:"name"`
	At       time.Time `json:"at"`
	Revision int       `json:"revision"`
	Note     string    `json:"note,omitempty"`
}

// Finding states.
const (
	FindingOpen   = "open"
	FindingClosed = "closed"
)

// Finding is something an assessment found that must be dealt with.
type Finding struct {
	ID       string     `json:"id"`
	Workbook string     `json:"workbook"`
	Question string     `json:"question,omitempty"`
	Title    string     `json:"title"`
	Severity string     `json:"severity"` // assess.Low, Medium, High
	Owner    string     `json:"owner"`
	Due      model.Date `json:"due"`
	State    string     `json:"state"`
	By       string     `json:"by"`
	At       time.Time  `json:"at"`
	// Closed: who closed it, when and how it was dealt with.
	ClosedBy    string    `json:"closed_by,omitempty"`
	ClosedAt    time.Time `json:"closed_at,omitzero"`
	CloseReason string    `json:"close_reason,omitempty"`
}

// WorkbookView is a workbook as the screens show it.
type WorkbookView struct {
	Template   *assess.Workbook
	Record     WorkbookRecord
	Deal       assess.Deal
	Unanswered []string
	SignedOff  bool // signed off at the current revision
	Findings   []Finding
}

// Errors of the assessments, meant for the user.
var (
	ErrUnknownWorkbook = errors.New("no such workbook (risk_assessment, compliance_review or pia)")
	ErrFinding         = errors.New("a finding needs a title, a severity (low, medium or high), an owner and a due date")
	ErrNoFinding       = errors.New("no such open finding")
	ErrReviewerRole    = errors.New("the sign-off needs the compliance reviewer (the auditor role)")
	ErrUnanswered      = errors.New("answer every question the workbook asks before the sign-off")
)

func (s *Session) workbookDeal(st *store.Store) assess.Deal {
	d, err := loadDeal(st)
	if err != nil {
		return assess.Deal{}
	}
	return assess.Deal{Type: d.Type, Abroad: d.RecipientLocation != checklist.Mainland}
}

func loadWorkbook(st *store.Store, id string) (*assess.Workbook, WorkbookRecord, error) {
	if !slices.Contains(assess.IDs, id) {
		return nil, WorkbookRecord{}, ErrUnknownWorkbook
	}
	w, err := assess.Load(id)
	if err != nil {
		return nil, WorkbookRecord{}, err
	}
	rec := WorkbookRecord{ID: id, TemplateVersion: w.Version, Answers: map[string]assess.Answer{}}
	if err := st.GetMeta(metaWorkbookPrefix+id, &rec); err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, rec, err
	}
	if rec.Answers == nil {
		rec.Answers = map[string]assess.Answer{}
	}
	return w, rec, nil
}

func readFindings(ctx context.Context, st *store.Store) ([]Finding, error) {
	var out []Finding
	err := st.MetaPrefix(ctx, metaFindingPrefix, func(_ string, b []byte) (bool, error) {
		var f Finding
		if err := json.Unmarshal(b, &f); err != nil {
			return false, &store.CorruptError{What: "finding"}
		}
		out = append(out, f)
		return true, nil
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out, err
}

// Workbook returns a workbook with its answers, what is left to answer, and its findings.
func (s *Session) Workbook(ctx context.Context, id string) (*WorkbookView, error) {
	st, err := s.read(PermView)
	if err != nil {
		return nil, err
	}
	return s.workbookView(ctx, st, id)
}

func (s *Session) workbookView(ctx context.Context, st *store.Store, id string) (*WorkbookView, error) {
	w, rec, err := loadWorkbook(st, id)
	if err != nil {
		return nil, err
	}
	v := &WorkbookView{Template: w, Record: rec, Deal: s.workbookDeal(st)}
	v.Unanswered = w.Unanswered(v.Deal, rec.Answers)
	v.SignedOff = rec.SignOff != nil && rec.SignOff.Revision == rec.Revision
	all, err := readFindings(ctx, st)
	if err != nil {
		return nil, err
	}
	for _, f := range all {
		if f.Workbook == id {
			v.Findings = append(v.Findings, f)
		}
	}
	return v, nil
}

// AnswerQuestion records an answer (an evidence question's file sealed in the vault). Any
// answer after a sign-off takes the workbook back to unsigned.
func (s *Session) AnswerQuestion(ctx context.Context, workbook, question string, a assess.Answer, fileName string, file io.Reader) error {
	detail := map[string]string{"workbook": workbook, "question": question}
	return s.doMeta(PermChecklist, audit.AssessAnswer, "workbook:"+workbook, detail, func(st *store.Store) ([]store.MetaChange, error) {
		w, rec, err := loadWorkbook(st, workbook)
		if err != nil {
			return nil, err
		}
		q, ok := w.Question(question)
		if !ok || !q.Applies(s.workbookDeal(st)) {
			return nil, fmt.Errorf("%s: %w", question, assess.ErrUnknownQuestion)
		}
		if q.Type == assess.Evidence && file != nil {
			e, err := st.PutEvidence(ctx, "workbook-"+workbook+"-"+randomHex(6), fileName, file)
			if err != nil {
				return nil, err
			}
			a.Evidence = &assess.EvidenceRef{ID: e.ID, Name: e.Name, SHA256: e.SHA256}
			detail["sha256"] = e.SHA256
		}
		if err := assess.CheckAnswer(q, &a); err != nil {
			return nil, err
		}
		a.By, a.ByName, a.At = s.op.ID, s.op.Name, s.v.opts.Now().UTC()
		rec.Answers[question] = a
		rec.Revision++
		rec.TemplateVersion = w.Version
		detail["revision"] = fmt.Sprint(rec.Revision)
		return []store.MetaChange{{Name: metaWorkbookPrefix + workbook, Value: rec}}, nil
	})
}

// findingPerm: officers who answer and the reviewer both record findings.
func (s *Session) findingPerm() Permission {
	if s.Role().Can(PermChecklist) {
		return PermChecklist
	}
	return PermReview
}

// AddFinding records a finding of a workbook.
func (s *Session) AddFinding(ctx context.Context, f Finding) (*Finding, error) {
	detail := map[string]string{"workbook": f.Workbook, "severity": f.Severity}
	err := s.doMeta(s.findingPerm(), audit.AssessFinding, "workbook:"+f.Workbook, detail, func(st *store.Store) ([]store.MetaChange, error) {
		w, _, err := loadWorkbook(st, f.Workbook)
		if err != nil {
			return nil, err
		}
		f.Title, f.Owner = strings.TrimSpace(f.Title), strings.TrimSpace(f.Owner)
		if f.Title == "" || f.Owner == "" || f.Due.IsZero() || !slices.Contains(assess.Levels, f.Severity) {
			return nil, ErrFinding
		}
		if f.Question != "" {
			if _, ok := w.Question(f.Question); !ok {
				return nil, fmt.Errorf("%s: %w", f.Question, assess.ErrUnknownQuestion)
			}
		}
		f.ID = "F-" + randomHex(4)
		f.State, f.By, f.At = FindingOpen, s.op.ID, s.v.opts.Now().UTC()
		detail["finding"], detail["due"] = f.ID, f.Due.String()
		return []store.MetaChange{{Name: metaFindingPrefix + f.ID, Value: f}}, nil
	})
	if err != nil {
		return nil, err
	}
	return &f, nil
}

// CloseFinding closes an open finding, saying how it was dealt with.
func (s *Session) CloseFinding(ctx context.Context, id, reason string) error {
	reason = strings.TrimSpace(reason)
	detail := map[string]string{"finding": id}
	return s.doMeta(s.findingPerm(), audit.AssessFindingClose, "finding:"+id, detail, func(st *store.Store) ([]store.MetaChange, error) {
		if reason == "" {
			return nil, ErrReasonRequired
		}
		var f Finding
		if err := st.GetMeta(metaFindingPrefix+id, &f); errors.Is(err, store.ErrNotFound) {
			return nil, ErrNoFinding
		} else if err != nil {
			return nil, err
		}
		if f.State != FindingOpen {
			return nil, ErrNoFinding
		}
		f.State, f.ClosedBy, f.ClosedAt, f.CloseReason = FindingClosed, s.op.Name, s.v.opts.Now().UTC(), reason
		detail["workbook"], detail["severity"] = f.Workbook, f.Severity
		return []store.MetaChange{{Name: metaFindingPrefix + id, Value: f}}, nil
	})
}

// Findings lists every finding of every workbook.
func (s *Session) Findings(ctx context.Context) ([]Finding, error) {
	st, err := s.read(PermView)
	if err != nil {
		return nil, err
	}
	return readFindings(ctx, st)
}

// SignOffWorkbook records the compliance reviewer's sign-off: an operator of the auditor
// role, proving it with their own passphrase (they may come to this desk), once every
// question the workbook asks on this deal is answered.
func (s *Session) SignOffWorkbook(ctx context.Context, workbook, operator, passphrase, note string) error {
	detail := map[string]string{"workbook": workbook, "reviewer": operator}
	return s.doMeta(PermView, audit.AssessSignOff, "workbook:"+workbook, detail, func(st *store.Store) ([]store.MetaChange, error) {
		w, rec, err := loadWorkbook(st, workbook)
		if err != nil {
			return nil, err
		}
		op, err := st.Operator(operator)
		if err != nil {
			return nil, err
		}
		if !Role(op.Role).Can(PermReview) {
			return nil, ErrReviewerRole
		}
		if len(w.Unanswered(s.workbookDeal(st), rec.Answers)) > 0 {
			return nil, ErrUnanswered
		}
		if err := s.v.checkPassphrase(op.ID, passphrase); err != nil {
			return nil, err
		}
		rec.SignOff = &WorkbookSignOff{Operator: op.ID, Name: op.Name, At: s.v.opts.Now().UTC(), Revision: rec.Revision, Note: strings.TrimSpace(note)}
		detail["revision"] = fmt.Sprint(rec.Revision)
		return []store.MetaChange{{Name: metaWorkbookPrefix + workbook, Value: rec}}, nil
	})
}

// workbookFacts fills what the assessment items follow from, and the open high findings.
func (s *Session) workbookFacts(ctx context.Context, st *store.Store, f *checklist.Facts) error {
	f.Workbooks = map[string]checklist.WorkbookFact{}
	d := s.workbookDeal(st)
	for _, id := range assess.IDs {
		w, rec, err := loadWorkbook(st, id)
		if err != nil {
			return err
		}
		f.Workbooks[id] = checklist.WorkbookFact{Answered: len(w.Unanswered(d, rec.Answers)) == 0,
			SignedOff: rec.SignOff != nil && rec.SignOff.Revision == rec.Revision}
	}
	findings, err := readFindings(ctx, st)
	if err != nil {
		return err
	}
	for _, fd := range findings {
		if fd.State == FindingOpen && fd.Severity == assess.High {
			f.OpenHighFindings = append(f.OpenHighFindings, checklist.FindingRef{ID: fd.ID, Title: fd.Title})
		}
	}
	return nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// WorkbookReportPDF is a workbook's report: every question with its answer in words, the
// findings and the sign-off, in lang.
func (s *Session) WorkbookReportPDF(ctx context.Context, workbook, lang string) ([]byte, error) {
	var pdf []byte
	err := s.do(PermView, audit.AssessReport, "workbook:"+workbook, map[string]string{"workbook": workbook}, func(st *store.Store) error {
		v, err := s.workbookView(ctx, st, workbook)
		if err != nil {
			return err
		}
		lang = docLang(lang)
		w := v.Template
		r := &report.Workbook{ID: w.ID, Title: w.Title[lang], About: w.About[lang], Law: w.Law, Vault: s.v.Manifest().ID,
			Workstation: s.v.opts.Workstation, DealType: v.Deal.Type, Issued: s.v.opts.Now().UTC().Truncate(time.Second), Revision: v.Record.Revision}
		for _, sec := range w.Sections {
			rs := report.WorkbookSection{Title: sec.Title[lang]}
			for _, q := range sec.Questions {
				rq := report.WorkbookQuestion{Text: q.Text[lang], Law: q.Law, NotAsked: !q.Applies(v.Deal)}
				if a, ok := v.Record.Answers[q.ID]; ok {
					rq.Answer, rq.By = AnswerText(q, a, lang), a.ByName+" · "+a.At.In(shanghai).Format("2006-01-02 15:04")
				}
				rs.Questions = append(rs.Questions, rq)
			}
			r.Sections = append(r.Sections, rs)
		}
		for _, f := range v.Findings {
			r.Findings = append(r.Findings, report.WorkbookFinding{ID: f.ID, Title: f.Title, Severity: f.Severity, Owner: f.Owner, Due: f.Due.String(), Closed: f.CloseReason})
		}
		if so := v.Record.SignOff; so != nil {
			r.SignedBy, r.SignedAt, r.SignedRevision = so.Name, so.At, so.Revision
		}
		pdf, err = report.RenderWorkbook(r, lang)
		return err
	})
	return pdf, err
}

// AnswerText is an answer in words in lang: a choice's text, a risk's rating, a file's name
// and SHA-256.
func AnswerText(q assess.Question, a assess.Answer, lang string) string {
	switch {
	case q.Type == assess.Choice:
		for _, o := range q.Options {
			if o.ID == a.Value {
				return o.Text[lang]
			}
		}
	case a.Risk != nil:
		r := a.Risk
		return report.RiskText(lang, r.Likelihood, r.Impact, r.Level(), r.Owner, r.Mitigation, r.Residual)
	case a.Evidence != nil:
		return report.FileText(lang, a.Evidence.Name, a.Evidence.SHA256)
	}
	return a.Value
}

func docLang(lang string) string {
	if lang == "en" {
		return "en"
	}
	return "zh-CN"
}
