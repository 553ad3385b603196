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

	"handover/app/audit"
	"handover/app/checklist"
	"handover/app/report"
	"handover/store"
	"handover/store/model"
)

// The registers (seed §八, §十五, §十六; docs/REGISTERS.md): who signed which
// confidentiality agreement and who was trained when. Once a deal is recorded, an operator
// without a current record of each may not reveal, export, issue certificates or destroy,
// and the checklist's nda_signed and training_done follow from them.
const (
	metaNDAPrefix      = "register/nda/"
	metaTrainingPrefix = "register/training/"
)

// PassMark is the lowest training score that counts (a training without a score counts).
const PassMark = 60

// NDARecord is one signed confidentiality agreement.
type NDARecord struct {
	ID       string     `json:"id"`
	Person   string     `json:"person"`             // who signed
	Operator string     `json:"operator,omitempty"` // their operator ID, when they have an account
	Version  string     `json:"version"`            // the agreement's version
	Signed   model.Date `json:"signed"`
	// Until is the end of the agreement's term; zero: no end.
	Until     model.Date `json:"until,omitzero"`
	Scope     string     `json:"scope"`            // what it covers
	Liability bool       `json:"liability_clause"` // it has a liability clause: one without does not count
	File      string     `json:"file"`             // the signed copy's name
	SHA256    string     `json:"sha256"`
	Evidence  string     `json:"evidence"` // the sealed copy's ID in the vault
	By        string     `json:"by"`
	At        time.Time  `json:"at"`
}

// TrainingRecord is one person's training.
type TrainingRecord struct {
	ID       string     `json:"id"`
	Person   string     `json:"person"`
	Operator string     `json:"operator,omitempty"`
	Date     model.Date `json:"date"`
	Content  string     `json:"content"`
	Trainer  string     `json:"trainer"`
	Score    *int       `json:"score,omitempty"` // 0–100; below PassMark it does not count
	Expires  model.Date `json:"expires"`
	By       string     `json:"by"`
	At       time.Time  `json:"at"`
}

// Current says whether the agreement binds on day.
func (r NDARecord) Current(day model.Date) bool {
	return r.Liability && r.Signed.Compare(day) <= 0 && (r.Until.IsZero() || day.Compare(r.Until) <= 0)
}

// Current says whether the training counts on day.
func (r TrainingRecord) Current(day model.Date) bool {
	return (r.Score == nil || *r.Score >= PassMark) && r.Date.Compare(day) <= 0 && day.Compare(r.Expires) <= 0
}

// RegisterError refuses an operator an action the registers gate: Missing is "nda" or
// "training"; Reason is "none" (no record), "expired", "no_liability" or "failed".
type RegisterError struct {
	Operator string // the operator's name
	Missing  string
	Reason   string
}

func (e *RegisterError) Error() string {
	return fmt.Sprintf("%s has no current %s record in the register (%s): add it with handover register %s add", e.Operator, e.Missing, e.Reason, e.Missing)
}

// Errors of the registers, meant for the user.
var (
	ErrRegisterPerson = errors.New("name the person, or the operator, the record is for")
	ErrRegisterFile   = errors.New("attach the signed agreement")
	ErrRegisterDates  = errors.New("the dates are missing or out of order")
	ErrRegisterScore  = errors.New("a score is between 0 and 100")
	ErrRegisterField  = errors.New("version, scope, content and trainer are required")
)

// registeredActions are the actions the registers gate once a deal is recorded.
var registeredActions = []string{audit.CustomerReveal, audit.PackageExport, audit.CertNew,
	audit.DestroyPlan, audit.DestroyApprove, audit.DestroyRun, audit.VaultDestroy}

// checkRegisters refuses a gated action to an operator without a current NDA and training.
func (s *Session) checkRegisters(ctx context.Context, st *store.Store, action string) error {
	if !slices.Contains(registeredActions, action) {
		return nil
	}
	if _, err := loadDeal(st); err != nil {
		return nil // no deal, no handover yet: the registers are the deal's
	}
	ndas, trainings, err := readRegisters(ctx, st)
	if err != nil {
		return err
	}
	return operatorRegistered(s.op.ID, s.op.Name, ndas, trainings, s.today())
}

func (s *Session) today() model.Date { return model.DateOf(s.v.opts.Now().In(shanghai)) }

func operatorRegistered(id, name string, ndas []NDARecord, trainings []TrainingRecord, day model.Date) error {
	reason := "none"
	ok := false
	for _, r := range ndas {
		if r.Operator != id {
			continue
		}
		if r.Current(day) {
			ok = true
			break
		}
		reason = "expired"
		if !r.Liability {
			reason = "no_liability"
		}
	}
	if !ok {
		return &RegisterError{Operator: name, Missing: "nda", Reason: reason}
	}
	reason, ok = "none", false
	for _, r := range trainings {
		if r.Operator != id {
			continue
		}
		if r.Current(day) {
			ok = true
			break
		}
		reason = "expired"
		if r.Score != nil && *r.Score < PassMark {
			reason = "failed"
		}
	}
	if !ok {
		return &RegisterError{Operator: name, Missing: "training", Reason: reason}
	}
	return nil
}

func readRegisters(ctx context.Context, st *store.Store) ([]NDARecord, []TrainingRecord, error) {
	var ndas []NDARecord
	var trainings []TrainingRecord
	if err := st.MetaPrefix(ctx, metaNDAPrefix, func(_ string, b []byte) (bool, error) {
		var r NDARecord
		if err := json.Unmarshal(b, &r); err != nil {
			return false, &store.CorruptError{What: "NDA register record"}
		}
		ndas = append(ndas, r)
		return true, nil
	}); err != nil {
		return nil, nil, err
	}
	err := st.MetaPrefix(ctx, metaTrainingPrefix, func(_ string, b []byte) (bool, error) {
		var r TrainingRecord
		if err := json.Unmarshal(b, &r); err != nil {
			return false, &store.CorruptError{What: "training register record"}
		}
		trainings = append(trainings, r)
		return true, nil
	})
	sort.SliceStable(ndas, func(i, j int) bool { return ndas[i].At.Before(ndas[j].At) })
	sort.SliceStable(trainings, func(i, j int) bool { return trainings[i].At.Before(trainings[j].At) })
	return ndas, trainings, err
}

// registerFacts fills what nda_signed and training_done follow from: the operators without a
// current record of each.
func (s *Session) registerFacts(ctx context.Context, st *store.Store, f *checklist.Facts) error {
	ndas, trainings, err := readRegisters(ctx, st)
	if err != nil {
		return err
	}
	ops, err := st.Operators(ctx)
	if err != nil {
		return err
	}
	day := s.today()
	f.Registered = true
	for _, op := range ops {
		err := operatorRegistered(op.ID, op.Name, ndas, trainings, day)
		var re *RegisterError
		if errors.As(err, &re) && re.Missing == "nda" {
			f.WithoutNDA = append(f.WithoutNDA, op.Name)
			err = operatorRegistered(op.ID, op.Name, append(ndas, NDARecord{Operator: op.ID, Liability: true, Signed: day}), trainings, day)
		}
		if errors.As(err, &re) && re.Missing == "training" {
			f.WithoutTraining = append(f.WithoutTraining, op.Name)
		}
	}
	return nil
}

// Registers lists both registers.
func (s *Session) Registers(ctx context.Context) ([]NDARecord, []TrainingRecord, error) {
	st, err := s.read(PermView)
	if err != nil {
		return nil, nil, err
	}
	return readRegisters(ctx, st)
}

// resolvePerson fills the operator ID of a record named by operator name or ID, or keeps a
// person without an account by name.
func resolvePerson(ctx context.Context, st *store.Store, person, operator string) (string, string, error) {
	person, operator = strings.TrimSpace(person), strings.TrimSpace(operator)
	if operator != "" {
		ops, err := st.Operators(ctx)
		if err != nil {
			return "", "", err
		}
		i := slices.IndexFunc(ops, func(o store.Operator) bool { return o.ID == operator || o.Name == operator })
		if i < 0 {
			return "", "", fmt.Errorf("%s: %w", operator, ErrNoOperator)
		}
		if person == "" {
			person = ops[i].Name
		}
		return person, ops[i].ID, nil
	}
	if person == "" {
		return "", "", ErrRegisterPerson
	}
	return person, "", nil
}

func newRegisterID(prefix string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return prefix + "-" + hex.EncodeToString(b[:])
}

// AddNDA records a signed agreement with its signed copy, sealed in the vault.
func (s *Session) AddNDA(ctx context.Context, r NDARecord, fileName string, file io.Reader) (*NDARecord, error) {
	detail := map[string]string{}
	err := s.doMeta(PermChecklist, audit.RegisterNDA, "", detail, func(st *store.Store) ([]store.MetaChange, error) {
		var err error
		if r.Person, r.Operator, err = resolvePerson(ctx, st, r.Person, r.Operator); err != nil {
			return nil, err
		}
		r.Version, r.Scope = strings.TrimSpace(r.Version), strings.TrimSpace(r.Scope)
		switch {
		case r.Version == "" || r.Scope == "":
			return nil, ErrRegisterField
		case r.Signed.IsZero() || !r.Until.IsZero() && r.Until.Before(r.Signed):
			return nil, ErrRegisterDates
		case file == nil || strings.TrimSpace(fileName) == "":
			return nil, ErrRegisterFile
		}
		r.ID = newRegisterID("nda")
		e, err := st.PutEvidence(ctx, r.ID, fileName, file)
		if err != nil {
			return nil, err
		}
		r.File, r.SHA256, r.Evidence = e.Name, e.SHA256, e.ID
		r.By, r.At = s.op.ID, s.v.opts.Now().UTC()
		// The person's name is not PII of a customer, but the log keeps IDs: the operator,
		// or the record's ID for a person without an account.
		detail["record"], detail["operator"], detail["version"], detail["sha256"] = r.ID, r.Operator, r.Version, r.SHA256
		detail["signed"], detail["until"], detail["liability_clause"] = r.Signed.String(), r.Until.String(), fmt.Sprint(r.Liability)
		return []store.MetaChange{{Name: metaNDAPrefix + r.ID, Value: r}}, nil
	})
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// AddTraining records a training.
func (s *Session) AddTraining(ctx context.Context, r TrainingRecord) (*TrainingRecord, error) {
	detail := map[string]string{}
	err := s.doMeta(PermChecklist, audit.RegisterTraining, "", detail, func(st *store.Store) ([]store.MetaChange, error) {
		var err error
		if r.Person, r.Operator, err = resolvePerson(ctx, st, r.Person, r.Operator); err != nil {
			return nil, err
		}
		r.Content, r.Trainer = strings.TrimSpace(r.Content), strings.TrimSpace(r.Trainer)
		switch {
		case r.Content == "" || r.Trainer == "":
			return nil, ErrRegisterField
		case r.Date.IsZero() || r.Expires.IsZero() || r.Expires.Before(r.Date):
			return nil, ErrRegisterDates
		case r.Score != nil && (*r.Score < 0 || *r.Score > 100):
			return nil, ErrRegisterScore
		}
		r.ID = newRegisterID("training")
		r.By, r.At = s.op.ID, s.v.opts.Now().UTC()
		detail["record"], detail["operator"], detail["date"], detail["expires"] = r.ID, r.Operator, r.Date.String(), r.Expires.String()
		if r.Score != nil {
			detail["score"] = fmt.Sprint(*r.Score)
		}
		return []store.MetaChange{{Name: metaTrainingPrefix + r.ID, Value: r}}, nil
	})
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// OperatorStanding is one operator's place in the registers: "" when current, else why a
// record is missing (none, expired, no_liability, failed).
type OperatorStanding struct {
	ID, Name, Role              string
	NDAMissing, TrainingMissing string
}

// Standings lists every operator's standing in the registers today.
func (s *Session) Standings(ctx context.Context) ([]OperatorStanding, error) {
	st, err := s.read(PermView)
	if err != nil {
		return nil, err
	}
	return s.standings(ctx, st)
}

func (s *Session) standings(ctx context.Context, st *store.Store) ([]OperatorStanding, error) {
	ndas, trainings, err := readRegisters(ctx, st)
	if err != nil {
		return nil, err
	}
	ops, err := st.Operators(ctx)
	if err != nil {
		return nil, err
	}
	day := s.today()
	var out []OperatorStanding
	for _, op := range ops {
		o := OperatorStanding{ID: op.ID, Name: op.Name, Role: op.Role}
		var re *RegisterError
		if err := operatorRegistered(op.ID, op.Name, ndas, nil, day); errors.As(err, &re) && re.Missing == "nda" {
			o.NDAMissing = re.Reason
		}
		if err := operatorRegistered(op.ID, op.Name, []NDARecord{{Operator: op.ID, Liability: true, Signed: day}}, trainings, day); errors.As(err, &re) {
			o.TrainingMissing = re.Reason
		}
		out = append(out, o)
	}
	return out, nil
}

// RegistersReportPDF is the registers report: every operator's standing and both registers.
func (s *Session) RegistersReportPDF(ctx context.Context, lang string) ([]byte, error) {
	var pdf []byte
	err := s.do(PermView, audit.RegisterReport, "", nil, func(st *store.Store) error {
		ndas, trainings, err := readRegisters(ctx, st)
		if err != nil {
			return err
		}
		standings, err := s.standings(ctx, st)
		if err != nil {
			return err
		}
		r := &report.Registers{Vault: s.v.Manifest().ID, Workstation: s.v.opts.Workstation, Issued: s.v.opts.Now().UTC().Truncate(time.Second)}
		for _, o := range standings {
			r.Operators = append(r.Operators, report.RegisterOperator{Name: o.Name, Role: o.Role, NDAMissing: o.NDAMissing, TrainingMissing: o.TrainingMissing})
		}
		for _, n := range ndas {
			r.NDAs = append(r.NDAs, report.RegisterNDA{Person: n.Person, Version: n.Version, Signed: n.Signed.String(), Until: n.Until.String(), SHA256: n.SHA256, Liability: n.Liability})
		}
		for _, t := range trainings {
			score := ""
			if t.Score != nil {
				score = fmt.Sprint(*t.Score)
			}
			r.Trainings = append(r.Trainings, report.RegisterTraining{Person: t.Person, Date: t.Date.String(), Content: t.Content, Trainer: t.Trainer, Score: score, Expires: t.Expires.String()})
		}
		pdf, err = report.RenderRegisters(r, lang)
		return err
	})
	return pdf, err
}
