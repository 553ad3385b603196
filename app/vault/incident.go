package vault

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"handover/app/audit"
	"handover/app/handoverpkg"
	"handover/app/report"
	"handover/store"
	"handover/store/model"
)

// Incidents (docs/INCIDENTS.md; seed §十四; PIPL Art. 57): a stick lost, a package sent to
// the wrong recipient, access beyond a role. The vault computes who is affected from what it
// recorded (the package's customers, or the audit log in a time window), keeps the decision
// on notification with its reasoning and who decided, the timeline, the actions, and the
// closing sign-off by two roles; an open incident blocks destruction of its customers.
const (
	metaIncidentPrefix    = "incident/"
	metaPackageHeldPrefix = "package-held/"
)

// Kinds of incident.
const (
	IncidentLostMedia      = "lost_media"
	IncidentWrongRecipient = "wrong_recipient"
	IncidentAccess         = "unauthorised_access"
	IncidentOther          = "other"
)

// IncidentKinds lists the kinds.
var IncidentKinds = []string{IncidentLostMedia, IncidentWrongRecipient, IncidentAccess, IncidentOther}

// States of an incident, in order.
const (
	IncidentOpen      = "open"
	IncidentContained = "contained"
	IncidentNotified  = "notified"
	IncidentClosed    = "closed"
)

// IncidentStates lists the states in order.
var IncidentStates = []string{IncidentOpen, IncidentContained, IncidentNotified, IncidentClosed}

// packageHeld is what an exported package holds, recorded with its export.
type packageHeld struct {
	Package    string    `json:"package"`
	Customers  []byte    `json:"customers"` // sorted customer numbers, delta-encoded varints
	Count      int64     `json:"count"`
	Loans      int64     `json:"loans"`
	Repayments int64     `json:"repayments"`
	Documents  int64     `json:"documents"`
	Recipients []string  `json:"recipients"` // card fingerprints it is encrypted to (age)
	Digest     string    `json:"digest"`
	At         time.Time `json:"at"`
}

func encodeNos(nos []model.CustomerNo) []byte {
	var out []byte
	var last uint64
	for _, no := range nos {
		out = binary.AppendUvarint(out, uint64(no)-last)
		last = uint64(no)
	}
	return out
}

func decodeNos(b []byte) ([]model.CustomerNo, error) {
	var out []model.CustomerNo
	var last uint64
	for len(b) > 0 {
		d, n := binary.Uvarint(b)
		if n <= 0 {
			return nil, &store.CorruptError{What: "package's customer list"}
		}
		last += d
		out = append(out, model.CustomerNo(last))
		b = b[n:]
	}
	return out, nil
}

// packageHolding records what a package just exported holds.
func packageHolding(ctx context.Context, st *store.Store, o handoverpkg.Options, m *handoverpkg.Manifest) (store.MetaChange, error) {
	nos := slices.Clone(o.Customers)
	if nos == nil {
		var err error
		if nos, err = st.CustomerNos(ctx); err != nil {
			return store.MetaChange{}, err
		}
	}
	slices.Sort(nos)
	h := packageHeld{Package: m.ID, Customers: encodeNos(nos), Count: int64(len(nos)), Loans: m.Figures.Loans, Repayments: m.Figures.Repayments,
		Documents: m.Figures.Documents, Recipients: m.Recipients, Digest: m.Figures.Digest, At: o.Now.UTC()}
	return store.MetaChange{Name: metaPackageHeldPrefix + m.ID, Value: h}, nil
}

// IncidentScope is who and what an incident concerns, computed by the vault.
type IncidentScope struct {
	Source    string             `json:"source"` // package, customers, audit
	Package   string             `json:"package,omitempty"`
	Customers []model.CustomerNo `json:"customers"`
	// Records by class (customers, loans, repayments, documents) and customers by the
	// sensitive field they have on record (id_number, phone, bank_card, address).
	Records   map[string]int64 `json:"records"`
	Sensitive map[string]int64 `json:"sensitive"`
	// Encrypted: the data was in an age-encrypted package, readable only with one of
	// Recipients' identities; false for anything else (a spreadsheet, a screen).
	Encrypted  bool     `json:"encrypted"`
	Recipients []string `json:"recipients,omitempty"`
	Digest     string   `json:"digest,omitempty"`
	// Access incidents: what the audit log shows in the window, by customer.
	From     time.Time        `json:"from,omitzero"`
	To       time.Time        `json:"to,omitzero"`
	Accesses map[string]int64 `json:"accesses,omitempty"` // action → events
}

// IncidentEntry is one line of the timeline: What in English for the record; Code and Text
// let the screens say it in their language (discovered, opened, note, decided, state,
// action, action_done, root_cause, signoff; Text is what the person typed, or the state).
type IncidentEntry struct {
	At   time.Time `json:"at"`
	By   string    `json:"by"`
	What string    `json:"what"`
	Code string    `json:"code,omitempty"`
	Text string    `json:"text,omitempty"`
}

// IncidentDecision is the decision on notification (PIPL Art. 57): the authority is always
// told; individuals may not be where measures effectively avoid harm, with the reasoning.
type IncidentDecision struct {
	NotifyIndividuals bool       `json:"notify_individuals"`
	Reasoning         string     `json:"reasoning"`
	DecidedBy         string     `json:"decided_by"`  // who decided (a name; counsel or officer)
	Authorities       []string   `json:"authorities"` // e.g. 网信部门, 地方金融监管部门
	Due               model.Date `json:"due"`         // by when the notices go
	By                string     `json:"by"`
	At                time.Time  `json:"at"`
}

// IncidentContent is what the notices say (PIPL Art. 57's elements, with the categories and
// the handler's contact filled from the record).
type IncidentContent struct {
	Cause    string `json:"cause"`    // how it happened
	Harm     string `json:"harm"`     // what harm may follow
	Measures string `json:"measures"` // remedial measures taken
	Advice   string `json:"advice"`   // what individuals can do to reduce harm
	Contact  string `json:"contact"`  // the handler's contact; the deal's transferor by default
}

// IncidentAction is a remediation with its owner and due date.
type IncidentAction struct {
	ID    string     `json:"id"`
	What  string     `json:"what"`
	Owner string     `json:"owner"`
	Due   model.Date `json:"due"`
	Done  time.Time  `json:"done,omitzero"`
}

// IncidentSignOff is one role's closing sign-off.
type IncidentSignOff struct {
	Operator string    `json:"operator"`
	Name     string    `json:"name"`
	Role     string    `json:"role"`
	At       time.Time `json:"at"`
}

// Incident is one incident's record.
type Incident struct {
	ID         string            `json:"id"`
	Kind       string            `json:"kind"`
	Discovered time.Time         `json:"discovered"`
	Summary    string            `json:"summary"`
	State      string            `json:"state"`
	Scope      IncidentScope     `json:"scope"`
	Custodians []string          `json:"custodians,omitempty"`
	Timeline   []IncidentEntry   `json:"timeline"`
	Decision   *IncidentDecision `json:"decision,omitempty"`
	Content    *IncidentContent  `json:"content,omitempty"`
	RootCause  string            `json:"root_cause,omitempty"`
	Actions    []IncidentAction  `json:"actions,omitempty"`
	Closing    []IncidentSignOff `json:"closing,omitempty"`
	By         string            `json:"by"`
	At         time.Time         `json:"at"`
}

// Errors of incidents, meant for the user.
var (
	ErrIncidentKind       = errors.New("the kind is lost_media, wrong_recipient, unauthorised_access or other")
	ErrIncidentScope      = errors.New("name the package, the customers, or (for an access incident) the time window")
	ErrIncidentSummary    = errors.New("say what happened (the summary)")
	ErrNoIncident         = errors.New("no such incident")
	ErrIncidentClosed     = errors.New("the incident is closed")
	ErrPackageNotHeld     = errors.New("this vault recorded no such package's contents: name the customers instead")
	ErrIncidentDecision   = errors.New("the decision needs its reasoning, who decided, the authorities told and a due date")
	ErrIncidentContent    = errors.New("the notice needs the cause, the possible harm, the measures taken and what individuals can do")
	ErrIncidentAction     = errors.New("an action needs what, an owner and a due date")
	ErrIncidentNotReady   = errors.New("an incident closes after its decision, its root cause, and every action done")
	ErrIncidentSameRole   = errors.New("the second closing sign-off is by another role")
	ErrIncidentState      = errors.New("an incident's state only moves forward")
	ErrIncidentUnnotified = errors.New("the incident is not yet decided and notified")
)

func loadIncident(st *store.Store, id string) (*Incident, error) {
	var in Incident
	if err := st.GetMeta(metaIncidentPrefix+id, &in); errors.Is(err, store.ErrNotFound) {
		return nil, ErrNoIncident
	} else if err != nil {
		return nil, err
	}
	return &in, nil
}

func readIncidents(ctx context.Context, st *store.Store) ([]Incident, error) {
	var out []Incident
	err := st.MetaPrefix(ctx, metaIncidentPrefix, func(_ string, b []byte) (bool, error) {
		var in Incident
		if err := json.Unmarshal(b, &in); err != nil {
			return false, &store.CorruptError{What: "incident"}
		}
		out = append(out, in)
		return true, nil
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out, err
}

// IncidentRequest opens an incident: a package, a list of customers, or (access) a window.
type IncidentRequest struct {
	Kind       string
	Discovered time.Time
	Summary    string
	Package    string
	Customers  []model.CustomerNo
	From, To   time.Time
	Custodians []string
}

// OpenIncident records an incident and computes its scope.
func (s *Session) OpenIncident(ctx context.Context, r IncidentRequest) (*Incident, error) {
	var out *Incident
	detail := map[string]string{"kind": r.Kind}
	err := s.doMeta(PermChecklist, audit.IncidentOpen, "", detail, func(st *store.Store) ([]store.MetaChange, error) {
		r.Summary = strings.TrimSpace(r.Summary)
		switch {
		case !slices.Contains(IncidentKinds, r.Kind):
			return nil, ErrIncidentKind
		case r.Summary == "":
			return nil, ErrIncidentSummary
		case r.Discovered.IsZero():
			return nil, ErrIncidentScope
		}
		scope, err := s.incidentScope(ctx, st, r)
		if err != nil {
			return nil, err
		}
		now := s.v.opts.Now().UTC()
		in := &Incident{ID: "INC-" + now.Format("20060102") + "-" + randomHex(3), Kind: r.Kind, Discovered: r.Discovered.UTC(), Summary: r.Summary,
			State: IncidentOpen, Scope: *scope, Custodians: r.Custodians, By: s.op.Name, At: now,
			Timeline: []IncidentEntry{{At: r.Discovered.UTC(), By: s.op.Name, What: "discovered: " + r.Summary, Code: "discovered", Text: r.Summary},
				{At: now, By: s.op.Name, What: "opened", Code: "opened"}}}
		detail["incident"], detail["customers"], detail["source"] = in.ID, strconv.Itoa(len(scope.Customers)), scope.Source
		if scope.Package != "" {
			detail["package"] = scope.Package
		}
		out = in
		return []store.MetaChange{{Name: metaIncidentPrefix + in.ID, Value: in}}, nil
	})
	return out, err
}

// incidentScope computes who an incident concerns: from the package's record, a list, or
// the audit log in a window; then the records by class and the sensitive fields.
func (s *Session) incidentScope(ctx context.Context, st *store.Store, r IncidentRequest) (*IncidentScope, error) {
	sc := &IncidentScope{Records: map[string]int64{}, Sensitive: map[string]int64{}}
	switch {
	case r.Package != "":
		var h packageHeld
		if err := st.GetMeta(metaPackageHeldPrefix+r.Package, &h); errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("%s: %w", r.Package, ErrPackageNotHeld)
		} else if err != nil {
			return nil, err
		}
		nos, err := decodeNos(h.Customers)
		if err != nil {
			return nil, err
		}
		sc.Source, sc.Package, sc.Customers, sc.Encrypted, sc.Recipients, sc.Digest = "package", h.Package, nos, true, h.Recipients, h.Digest
		sc.Records = map[string]int64{"customers": h.Count, "loans": h.Loans, "repayments": h.Repayments, "documents": h.Documents}
	case len(r.Customers) > 0:
		nos := slices.Clone(r.Customers)
		slices.Sort(nos)
		sc.Source, sc.Customers = "customers", slices.Compact(nos)
	case r.Kind == IncidentAccess && !r.From.IsZero() && r.To.After(r.From):
		nos, accesses, err := s.accessedIn(ctx, st, r.From, r.To)
		if err != nil {
			return nil, err
		}
		sc.Source, sc.Customers, sc.From, sc.To, sc.Accesses = "audit", nos, r.From.UTC(), r.To.UTC(), accesses
	default:
		return nil, ErrIncidentScope
	}
	var loans, docs int64
	for _, no := range sc.Customers {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		c, err := st.Customer(no)
		if errors.Is(err, store.ErrNotFound) {
			continue // destroyed since: counted by the package's figures only
		} else if err != nil {
			return nil, err
		}
		for field, has := range map[string]bool{"id_number": c.IDNumber != "", "phone": c.Phone != "", "bank_card": c.BankCard != "", "address": c.Address != ""} {
			if has {
				sc.Sensitive[field]++
			}
		}
		if sc.Source != "package" {
			ls, err := st.Loans(ctx, no)
			if err != nil {
				return nil, err
			}
			loans += int64(len(ls))
		}
	}
	if sc.Source != "package" {
		sc.Records["customers"], sc.Records["loans"], sc.Records["documents"] = int64(len(sc.Customers)), loans, docs
	}
	return sc, nil
}

// accessedIn lists the customers the audit log shows revealed, viewed, opened or found by a
// search in a window, and how many events of each action.
func (s *Session) accessedIn(ctx context.Context, st *store.Store, from, to time.Time) ([]model.CustomerNo, map[string]int64, error) {
	seen := map[model.CustomerNo]bool{}
	counts := map[string]int64{}
	add := func(v string) {
		if n, err := strconv.ParseUint(v, 10, 64); err == nil {
			seen[model.CustomerNo(n)] = true
		}
	}
	var decodeErr error
	err := st.AuditEvents(ctx, 1, func(_ uint64, b []byte) bool {
		ev, err := audit.Decode(b)
		if err != nil {
			decodeErr = &store.CorruptError{What: "audit event"}
			return false
		}
		if ev.Time.Before(from) || ev.Time.After(to) || ev.Outcome != audit.OK {
			return true
		}
		switch ev.Action {
		case audit.CustomerReveal, audit.CustomerView, audit.DocumentOpen:
			if no, ok := strings.CutPrefix(ev.Target, "customer:"); ok {
				add(no)
				counts[ev.Action]++
			}
		case audit.Search:
			for _, no := range strings.Split(ev.Detail["customers"], ",") {
				add(no)
			}
			counts[ev.Action]++
		}
		return true
	})
	if err == nil {
		err = decodeErr
	}
	if err != nil {
		return nil, nil, err
	}
	nos := make([]model.CustomerNo, 0, len(seen))
	for no := range seen {
		nos = append(nos, no)
	}
	slices.Sort(nos)
	return nos, counts, nil
}

// updateIncident applies a change to an open incident and notes it on the timeline.
func (s *Session) updateIncident(id, action string, e IncidentEntry, detail map[string]string, change func(st *store.Store, in *Incident) error) error {
	if detail == nil {
		detail = map[string]string{}
	}
	detail["incident"] = id
	return s.doMeta(PermChecklist, action, "incident:"+id, detail, func(st *store.Store) ([]store.MetaChange, error) {
		in, err := loadIncident(st, id)
		if err != nil {
			return nil, err
		}
		if in.State == IncidentClosed {
			return nil, ErrIncidentClosed
		}
		if err := change(st, in); err != nil {
			return nil, err
		}
		e.At, e.By = s.v.opts.Now().UTC(), s.op.Name
		in.Timeline = append(in.Timeline, e)
		return []store.MetaChange{{Name: metaIncidentPrefix + id, Value: in}}, nil
	})
}

// AddIncidentEntry adds a line to the timeline.
func (s *Session) AddIncidentEntry(id, what string) error {
	what = strings.TrimSpace(what)
	if what == "" {
		return ErrIncidentSummary
	}
	return s.updateIncident(id, audit.IncidentEntry, IncidentEntry{What: what, Code: "note", Text: what}, nil, func(*store.Store, *Incident) error { return nil })
}

// DecideIncident records the decision on notification.
func (s *Session) DecideIncident(id string, d IncidentDecision, c IncidentContent) error {
	d.Reasoning, d.DecidedBy = strings.TrimSpace(d.Reasoning), strings.TrimSpace(d.DecidedBy)
	note := fmt.Sprintf("decided: notify individuals %v, by %s", d.NotifyIndividuals, d.DecidedBy)
	return s.updateIncident(id, audit.IncidentDecision, IncidentEntry{What: note, Code: "decided", Text: d.DecidedBy}, map[string]string{"notify_individuals": strconv.FormatBool(d.NotifyIndividuals)},
		func(st *store.Store, in *Incident) error {
			if d.Reasoning == "" || d.DecidedBy == "" || len(d.Authorities) == 0 || d.Due.IsZero() {
				return ErrIncidentDecision
			}
			c.Cause, c.Harm, c.Measures, c.Advice = strings.TrimSpace(c.Cause), strings.TrimSpace(c.Harm), strings.TrimSpace(c.Measures), strings.TrimSpace(c.Advice)
			if c.Cause == "" || c.Harm == "" || c.Measures == "" || c.Advice == "" {
				return ErrIncidentContent
			}
			if strings.TrimSpace(c.Contact) == "" {
				if deal, err := loadDeal(st); err == nil {
					c.Contact = strings.TrimSpace(deal.Transferor.Name + " " + deal.Transferor.Contact + " " + deal.Transferor.Phone)
				}
			}
			d.By, d.At = s.op.Name, s.v.opts.Now().UTC()
			in.Decision, in.Content = &d, &c
			return nil
		})
}

// AdvanceIncident moves an incident to contained or notified.
func (s *Session) AdvanceIncident(id, state, note string) error {
	return s.updateIncident(id, audit.IncidentState, IncidentEntry{What: state + ": " + strings.TrimSpace(note), Code: "state", Text: state}, map[string]string{"state": state},
		func(st *store.Store, in *Incident) error {
			from, to := slices.Index(IncidentStates, in.State), slices.Index(IncidentStates, state)
			switch {
			case to <= from || state == IncidentClosed:
				return ErrIncidentState
			case state == IncidentNotified && in.Decision == nil:
				return ErrIncidentUnnotified
			}
			in.State = state
			return nil
		})
}

// AddIncidentAction records a remediation action; SetRootCause the root cause.
func (s *Session) AddIncidentAction(id string, a IncidentAction) (*IncidentAction, error) {
	a.What, a.Owner = strings.TrimSpace(a.What), strings.TrimSpace(a.Owner)
	if a.What == "" || a.Owner == "" || a.Due.IsZero() {
		return nil, ErrIncidentAction
	}
	a.ID = "A-" + randomHex(3)
	err := s.updateIncident(id, audit.IncidentAction, IncidentEntry{What: "action " + a.ID + ": " + a.What, Code: "action", Text: a.What}, map[string]string{"action": a.ID},
		func(st *store.Store, in *Incident) error {
			in.Actions = append(in.Actions, a)
			return nil
		})
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// CompleteIncidentAction marks an action done.
func (s *Session) CompleteIncidentAction(id, action string) error {
	return s.updateIncident(id, audit.IncidentAction, IncidentEntry{What: "action " + action + " done", Code: "action_done", Text: action}, map[string]string{"action": action, "done": "true"},
		func(st *store.Store, in *Incident) error {
			i := slices.IndexFunc(in.Actions, func(a IncidentAction) bool { return a.ID == action })
			if i < 0 {
				return ErrIncidentAction
			}
			in.Actions[i].Done = s.v.opts.Now().UTC()
			return nil
		})
}

// SetRootCause records the root cause.
func (s *Session) SetRootCause(id, cause string) error {
	cause = strings.TrimSpace(cause)
	return s.updateIncident(id, audit.IncidentEntry, IncidentEntry{What: "root cause recorded", Code: "root_cause", Text: cause}, nil, func(st *store.Store, in *Incident) error {
		if cause == "" {
			return ErrIncidentSummary
		}
		in.RootCause = cause
		return nil
	})
}

// SignOffIncident is one closing sign-off by an operator proving their passphrase; the
// second, by another role, closes the incident. It needs the decision, the root cause and
// every action done.
func (s *Session) SignOffIncident(id, operator, passphrase string) error {
	return s.updateIncident(id, audit.IncidentClose, IncidentEntry{What: "closing sign-off", Code: "signoff"}, map[string]string{"operator": operator},
		func(st *store.Store, in *Incident) error {
			if in.Decision == nil || in.RootCause == "" || slices.ContainsFunc(in.Actions, func(a IncidentAction) bool { return a.Done.IsZero() }) {
				return ErrIncidentNotReady
			}
			op, err := st.Operator(operator)
			if err != nil {
				return err
			}
			if slices.ContainsFunc(in.Closing, func(c IncidentSignOff) bool { return c.Role == op.Role }) {
				return ErrIncidentSameRole
			}
			if err := s.v.checkPassphrase(op.ID, passphrase); err != nil {
				return err
			}
			in.Closing = append(in.Closing, IncidentSignOff{Operator: op.ID, Name: op.Name, Role: op.Role, At: s.v.opts.Now().UTC()})
			if len(in.Closing) >= 2 {
				in.State = IncidentClosed
			}
			return nil
		})
}

// Incidents lists every incident.
func (s *Session) Incidents(ctx context.Context) ([]Incident, error) {
	st, err := s.read(PermView)
	if err != nil {
		return nil, err
	}
	return readIncidents(ctx, st)
}

// IncidentOf returns one incident.
func (s *Session) IncidentOf(id string) (*Incident, error) {
	st, err := s.read(PermView)
	if err != nil {
		return nil, err
	}
	return loadIncident(st, id)
}

// IncidentBlockError refuses destroying customers an open incident concerns.
type IncidentBlockError struct {
	Incident  string
	Customers int
}

func (e *IncidentBlockError) Error() string {
	return fmt.Sprintf("the open incident %s concerns %d of these customers: their data is kept until it is closed", e.Incident, e.Customers)
}

// incidentBlocks refuses a destruction of customers an open incident concerns (all: the whole
// book).
func incidentBlocks(ctx context.Context, st *store.Store, customers []model.CustomerNo, all bool) error {
	ins, err := readIncidents(ctx, st)
	if err != nil {
		return err
	}
	goes := map[model.CustomerNo]bool{}
	for _, no := range customers {
		goes[no] = true
	}
	for _, in := range ins {
		if in.State == IncidentClosed {
			continue
		}
		n := 0
		for _, no := range in.Scope.Customers {
			if all || goes[no] {
				n++
			}
		}
		if n > 0 {
			return &IncidentBlockError{Incident: in.ID, Customers: n}
		}
	}
	return nil
}

// incidentValues are an incident's notice fields in lang.
func incidentValues(in *Incident, lang string) map[string]string {
	c := in.Content
	return map[string]string{"incident_id": in.ID, "incident_categories": incidentCategories(in.Scope, lang),
		"incident_cause": c.Cause, "incident_harm": c.Harm, "incident_measures": c.Measures, "incident_advice": c.Advice, "incident_contact": c.Contact}
}

func withValues(values, extra map[string]string) map[string]string {
	for k, v := range extra {
		values[k] = v
	}
	return values
}

// incidentCategories names the kinds of information an incident concerns, in lang.
func incidentCategories(sc IncidentScope, lang string) string {
	names := map[string][2]string{
		"name": {"姓名", "name"}, "id_number": {"身份证号码", "identity number"}, "phone": {"手机号码", "mobile number"},
		"bank_card": {"银行卡号", "bank card number"}, "address": {"住址", "address"}, "loans": {"借款及还款记录", "loans and repayments"},
		"documents": {"证件及合同扫描件", "scans of identity papers and contracts"},
	}
	i := 0
	sep := "、"
	if lang == "en" {
		i, sep = 1, ", "
	}
	out := []string{names["name"][i]}
	for _, f := range []string{"id_number", "phone", "bank_card", "address"} {
		if sc.Sensitive[f] > 0 {
			out = append(out, names[f][i])
		}
	}
	if sc.Records["loans"] > 0 || sc.Records["repayments"] > 0 {
		out = append(out, names["loans"][i])
	}
	if sc.Records["documents"] > 0 {
		out = append(out, names["documents"][i])
	}
	return strings.Join(out, sep)
}

// IncidentPDF draws an incident's draft: "authority" (the report to the authorities) or
// "individuals" (the notice to the people concerned), in lang.
func (s *Session) IncidentPDF(id, which, lang string) ([]byte, error) {
	var pdf []byte
	err := s.do(PermView, audit.IncidentReport, "incident:"+id, map[string]string{"incident": id, "draft": which}, func(st *store.Store) error {
		in, err := loadIncident(st, id)
		if err != nil {
			return err
		}
		lang = docLang(lang)
		r := &report.Incident{ID: in.ID, Kind: in.Kind, State: in.State, Summary: in.Summary, Discovered: in.Discovered,
			Issued: s.v.opts.Now().UTC().Truncate(time.Second), Customers: len(in.Scope.Customers), Records: in.Scope.Records,
			Sensitive: in.Scope.Sensitive, Encrypted: in.Scope.Encrypted, Recipients: in.Scope.Recipients, From: in.Scope.From, To: in.Scope.To,
			Accesses: in.Scope.Accesses, Categories: incidentCategories(in.Scope, lang), RootCause: in.RootCause}
		if d, err := loadDeal(st); err == nil {
			r.Handler = d.Transferor.Name
		}
		if c := in.Content; c != nil {
			r.Cause, r.Harm, r.Measures, r.Advice, r.Contact = c.Cause, c.Harm, c.Measures, c.Advice, c.Contact
		}
		if dec := in.Decision; dec != nil {
			r.Decided, r.NotifyIndividuals, r.Reasoning, r.DecidedBy, r.Authorities, r.Due = true, dec.NotifyIndividuals, dec.Reasoning, dec.DecidedBy, dec.Authorities, dec.Due
		}
		for _, a := range in.Actions {
			done := ""
			if !a.Done.IsZero() {
				done = a.Done.In(shanghai).Format("2006-01-02")
			}
			r.Actions = append(r.Actions, [4]string{a.What, a.Owner, a.Due.String(), done})
		}
		for _, e := range in.Timeline {
			text := e.Text
			switch {
			case e.Code == "":
				text = e.What
			case e.Code == "state":
				text = report.IncidentState(lang, e.Text)
			}
			r.Timeline = append(r.Timeline, [4]string{e.At.In(shanghai).Format("2006-01-02 15:04"), e.By, e.Code, text})
		}
		if which != "authority" && which != "individuals" {
			return fmt.Errorf("the draft is authority or individuals")
		}
		pdf, err = report.RenderIncident(r, which, lang)
		return err
	})
	return pdf, err
}

// HeldPackage is an exported package as an incident can name it.
type HeldPackage struct {
	ID        string    `json:"id"`
	Customers int64     `json:"customers"`
	At        time.Time `json:"at"`
}

// HeldPackages lists the packages whose contents this vault recorded, newest first.
func (s *Session) HeldPackages(ctx context.Context) ([]HeldPackage, error) {
	st, err := s.read(PermView)
	if err != nil {
		return nil, err
	}
	var out []HeldPackage
	err = st.MetaPrefix(ctx, metaPackageHeldPrefix, func(_ string, b []byte) (bool, error) {
		var h packageHeld
		if err := json.Unmarshal(b, &h); err != nil {
			return false, &store.CorruptError{What: "package's contents"}
		}
		out = append(out, HeldPackage{ID: h.Package, Customers: h.Count, At: h.At})
		return true, nil
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.After(out[j].At) })
	return out, err
}
