package vault

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"handover/app/audit"
	"handover/app/cert"
	"handover/app/checklist"
	"handover/app/figures"
	"handover/app/importer"
	"handover/app/version"
	"handover/crypto/identity"
	"handover/store"
	"handover/store/model"
)

// Destruction of customers' data (docs/DESTRUCTION.md): a plan says what goes and what is
// kept and why, two operators of different roles approve it with their own passphrases, an
// administrator runs it (store.DestroyCustomers: cryptographic erase, deletion, rewrite), and
// a verification checks that nothing of the destroyed customers is left.

// Scopes of a destruction plan, as the command line names them.
const (
	ScopeAll       = "all"       // the whole book: the transferor's copy after the handover
	ScopeDue       = "due"       // the customers whose retention has ended
	ScopeCustomers = "customers" // a list of customer numbers
)

// Errors of destruction, meant for the user.
var (
	ErrPlanScope        = errors.New("the scope must be all, due or customers (with a list)")
	ErrPlanEmpty        = errors.New("nothing to destroy: every customer in the scope is kept (held, or retention not ended)")
	ErrPlanStale        = errors.New("the vault changed since the plan was made (customers imported, received or destroyed): make a new plan")
	ErrPlanUnknown      = errors.New("this vault holds no such destruction plan")
	ErrPlanDone         = errors.New("this plan has already been run")
	ErrSameApprover     = errors.New("this operator has already approved the plan: the second approval must come from someone else")
	ErrApproverRole     = errors.New("the second approval must come from an operator of another role")
	ErrNeedsApprovals   = errors.New("the plan needs two approvals, by operators of different roles, before it runs")
	ErrHeldInPlan       = errors.New("a legal hold placed after the plan covers customers in it: make a new plan")
	ErrPlanFileMismatch = errors.New("the plan file does not match the plan recorded in the vault")
	ErrEvidenceUnknown  = errors.New("no checklist evidence file has that ID (see the plan's list of evidence files), or it was destroyed already")
)

const (
	metaPlanPrefix = "destroy/plan/"
	planFormat     = "handover-destroy-plan/v1"
)

// BookState is what a plan was made against: any import, receive or destruction since
// changes it, and the plan is refused.
type BookState struct {
	Customers     int64            `json:"customers"`
	Loans         int64            `json:"loans"`
	Repayments    int64            `json:"repayments"`
	Documents     int64            `json:"documents"`
	DocumentBytes int64            `json:"document_bytes"`
	NextCustomer  model.CustomerNo `json:"next_customer"`
}

func stateOf(c store.Counts) BookState {
	return BookState{c.Customers, c.Loans, c.Repayments, c.Documents, c.DocumentBytes, c.NextCustomer}
}

// DestroyPlan is the plan as its file (PLAN.json) and the certificate show it. The customer
// numbers themselves stay in the vault; the file carries a salted digest of each, so that a
// given customer can be shown to be in it without the file listing the book.
type DestroyPlan struct {
	Format  string       `json:"format"`
	ID      string       `json:"id"`
	Vault   string       `json:"vault"`
	Scope   string       `json:"scope"`
	Created time.Time    `json:"created"`
	By      string       `json:"by"`
	State   BookState    `json:"state"`
	Destroy store.Counts `json:"destroy"`
	// QuarantineRows are quarantined rows (refused at import) holding these customers'
	// identity or phone numbers; they go with them.
	QuarantineRows  int           `json:"quarantine_rows"`
	Salt            string        `json:"salt"`
	CustomerDigests []string      `json:"customer_digests"`
	CustomersDigest string        `json:"customers_digest"`
	Kept            []KeptGroup   `json:"kept"`
	Copies          []OutsideCopy `json:"copies"`
	Approvals       []Approval    `json:"approvals"`
	Run             *RunRecord    `json:"run,omitempty"`
	// Media is the register of copies and media destroyed outside the vault.
	Media []MediaRecord `json:"media,omitempty"`
	// Evidence lists every checklist evidence file in the vault. The program does not read
	// inside them, so it cannot tell which name these customers: the plan's author names
	// those (Goes), and the rest are kept as the handover's own records.
	Evidence []PlanEvidence `json:"evidence"`
}

// PlanEvidence is one checklist evidence file as a plan lists it.
type PlanEvidence struct {
	ID     string `json:"id"`
	Item   string `json:"item"`
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
	Goes   bool   `json:"goes"` // named by the plan's author as holding these customers' data
}

// KeptGroup is customers in the scope that the plan keeps, and why.
type KeptGroup struct {
	Reason    string `json:"reason"` // hold
	Case      string `json:"case,omitempty"`
	Hold      string `json:"hold,omitempty"`
	Customers int    `json:"customers"`
}

// OutsideCopy is a copy of the book outside the vault that the audit log knows of: a
// handover package exported, a backup made. Destroying the vault does not reach them.
type OutsideCopy struct {
	Kind  string    `json:"kind"` // package, backup
	ID    string    `json:"id"`
	Where string    `json:"where"`
	At    time.Time `json:"at"`
}

// Approval is one operator's approval, proven by their passphrase.
type Approval struct {
	Operator string    `json:"operator"`
	Name     string    `json:"name"`
	Role     string    `json:"role"`
	At       time.Time `json:"at"`
}

// RunRecord is how the run went.
type RunRecord struct {
	Status   string        `json:"status"` // running, done
	Started  time.Time     `json:"started"`
	Ended    time.Time     `json:"ended,omitzero"`
	By       string        `json:"by"`
	Removed  store.Counts  `json:"removed"`
	Verified *DestroyCheck `json:"verified,omitempty"`
}

// DestroyCheck is the verification of a run.
type DestroyCheck struct {
	At          time.Time `json:"at"`
	Customers   int       `json:"customers"`    // in the plan
	KeysLeft    int       `json:"keys_left"`    // key-table slots still holding a key
	RecordsLeft int       `json:"records_left"` // records, documents, index entries left
	Remaining   int64     `json:"remaining"`    // customers the vault still holds, all read
	Digest      string    `json:"digest"`       // the remaining book's digest
	OK          bool      `json:"ok"`
}

// planRecord is the plan as the vault keeps it: with the customer numbers.
type planRecord struct {
	Plan       DestroyPlan           `json:"plan"`
	Customers  []model.CustomerNo    `json:"customers"`
	Quarantine []store.QuarantineKey `json:"quarantine,omitempty"`
	Evidence   []string              `json:"evidence,omitempty"`
}

// PlanDestroy makes a plan for the scope (customers: the list for ScopeCustomers). Held
// customers are kept and listed by hold; the plan records the vault's state so that it is
// refused after any change. Planning needs the destroy permission.
func (s *Session) PlanDestroy(ctx context.Context, scope string, customers []model.CustomerNo) (*DestroyPlan, error) {
	return s.PlanDestroyWith(ctx, scope, customers, nil)
}

// PlanDestroyWith is PlanDestroy whose plan also destroys the checklist evidence files
// evidence (by ID): files that name customers in the plan, which only a person can tell.
// Their content goes with the run; their name and SHA-256 stay on the checklist.
func (s *Session) PlanDestroyWith(ctx context.Context, scope string, customers []model.CustomerNo, evidence []string) (*DestroyPlan, error) {
	var plan *DestroyPlan
	detail := map[string]string{"scope": scope}
	err := s.doMeta(PermDestroy, audit.DestroyPlan, "", detail, func(st *store.Store) ([]store.MetaChange, error) {
		var nos []model.CustomerNo
		var err error
		switch scope {
		case ScopeAll:
			nos, err = st.CustomerNos(ctx)
		case ScopeCustomers:
			if len(customers) == 0 {
				return nil, ErrPlanScope
			}
			nos = slices.Compact(slices.Sorted(slices.Values(customers)))
		case ScopeDue:
			nos, err = s.dueCustomers(ctx, st, model.DateOf(s.v.opts.Now().In(shanghai)))
		default:
			return nil, ErrPlanScope
		}
		if err != nil {
			return nil, err
		}
		holds, err := loadHolds(ctx, st)
		if err != nil {
			return nil, err
		}
		today := model.DateOf(s.v.opts.Now().In(shanghai))
		keep := map[model.CustomerNo]bool{}
		var kept []KeptGroup
		for _, h := range holds {
			if !h.Active(today) {
				continue
			}
			g := KeptGroup{Reason: "hold", Case: h.Case, Hold: h.ID}
			for _, no := range nos {
				if h.Covers(no) && !keep[no] {
					keep[no] = true
					g.Customers++
				}
			}
			if g.Customers > 0 {
				kept = append(kept, g)
			}
		}
		var goes []model.CustomerNo
		for _, no := range nos {
			if !keep[no] {
				goes = append(goes, no)
			}
		}
		if len(goes) == 0 {
			return nil, ErrPlanEmpty
		}
		var counts store.Counts
		var missing []model.CustomerNo
		if c := st.Counts(); scope == ScopeAll && int64(len(goes)) == c.Customers {
			// The whole book leaves: its counts are the book's, not a walk's.
			counts = store.Counts{Customers: c.Customers, Loans: c.Loans, Repayments: c.Repayments, Documents: c.Documents, DocumentBytes: c.DocumentBytes}
		} else if counts, missing, err = st.CountCustomers(ctx, goes); err != nil {
			return nil, err
		}
		if len(missing) > 0 {
			return nil, fmt.Errorf("customer %d: %w", missing[0], ErrNotFound)
		}
		copies, err := outsideCopies(ctx, st)
		if err != nil {
			return nil, err
		}
		var quarantine []store.QuarantineKey
		if scope != ScopeAll || int64(len(goes)) != st.Counts().Customers {
			if quarantine, err = quarantineOf(ctx, st, goes); err != nil {
				return nil, err
			}
		}
		listed, err := planEvidence(ctx, st, evidence)
		if err != nil {
			return nil, err
		}
		var salt, idb [8]byte
		_, _ = rand.Read(salt[:])
		_, _ = rand.Read(idb[:])
		now := s.v.opts.Now().UTC().Truncate(time.Second)
		p := DestroyPlan{Format: planFormat, ID: "DP-" + now.Format("20060102") + "-" + strings.ToUpper(hex.EncodeToString(idb[:4])),
			Vault: s.v.Manifest().ID, Scope: scope, Created: now, By: s.op.Name, State: stateOf(st.Counts()),
			Destroy: counts, Salt: hex.EncodeToString(salt[:]), Kept: kept, Copies: copies, Approvals: []Approval{}, Evidence: listed}
		if p.Kept == nil {
			p.Kept = []KeptGroup{}
		}
		p.CustomerDigests, p.CustomersDigest = customerDigests(salt[:], goes)
		p.QuarantineRows = len(quarantine)
		detail["plan"], detail["customers"], detail["kept"] = p.ID, strconv.Itoa(len(goes)), strconv.Itoa(len(keep))
		plan = &p
		detail["evidence"] = strconv.Itoa(len(evidence))
		return nil, st.PutMeta(metaPlanPrefix+p.ID, planRecord{Plan: p, Customers: goes, Quarantine: quarantine, Evidence: slices.Compact(slices.Sorted(slices.Values(evidence)))})
	})
	return plan, err
}

// planEvidence lists the vault's evidence files still held, marking those in goes; an ID in
// goes that names none is refused.
func planEvidence(ctx context.Context, st *store.Store, goes []string) ([]PlanEvidence, error) {
	all, err := st.Evidences(ctx)
	if err != nil {
		return nil, err
	}
	out := []PlanEvidence{}
	found := map[string]bool{}
	for _, e := range all {
		if e.Destroyed != "" {
			continue
		}
		item := e.ID
		if i := strings.LastIndexByte(item, '-'); i > 0 {
			item = item[:i]
		}
		g := slices.Contains(goes, e.ID)
		found[e.ID] = g
		out = append(out, PlanEvidence{ID: e.ID, Item: item, Name: e.Name, SHA256: e.SHA256, Goes: g})
	}
	for _, id := range goes {
		if !found[id] {
			return nil, fmt.Errorf("%q: %w", id, ErrEvidenceUnknown)
		}
	}
	return out, nil
}

// CustomerDigest is the salted digest by which a plan names customer no: the first 16 bytes
// of SHA-256(salt ‖ no as 8 bytes big-endian), in hex.
func CustomerDigest(salt []byte, no model.CustomerNo) string {
	h := sha256.New()
	h.Write(salt)
	h.Write(binary.BigEndian.AppendUint64(nil, uint64(no)))
	return hex.EncodeToString(h.Sum(nil)[:16])
}

func customerDigests(salt []byte, nos []model.CustomerNo) ([]string, string) {
	out := make([]string, len(nos))
	all := sha256.New()
	for i, no := range nos {
		out[i] = CustomerDigest(salt, no)
	}
	slices.Sort(out)
	for _, d := range out {
		all.Write([]byte(d + "\n"))
	}
	return out, hex.EncodeToString(all.Sum(nil))
}

// outsideCopies lists the packages exported and backups made, from the audit log.
func outsideCopies(ctx context.Context, st *store.Store) ([]OutsideCopy, error) {
	out := []OutsideCopy{}
	err := st.AuditEvents(ctx, 1, func(_ uint64, b []byte) bool {
		ev, err := audit.Decode(b)
		if err != nil || ev.Outcome != audit.OK {
			return true
		}
		switch ev.Action {
		case audit.PackageExport:
			out = append(out, OutsideCopy{Kind: "package", ID: ev.Detail["package"], Where: ev.Detail["out"], At: ev.Time})
		case audit.Backup:
			out = append(out, OutsideCopy{Kind: "backup", ID: ev.Detail["sha256"], Where: ev.Detail["out"], At: ev.Time})
		}
		return true
	})
	return out, err
}

// DestroyPlanOf returns a plan recorded in the vault.
func (s *Session) DestroyPlanOf(ctx context.Context, id string) (*DestroyPlan, error) {
	st, err := s.gate(PermView)
	if err != nil {
		return nil, err
	}
	rec, err := loadPlan(st, id)
	if err != nil {
		return nil, err
	}
	return &rec.Plan, nil
}

// CheckPlanFile checks that a plan file is the plan the vault recorded (its ID, scope,
// counts and customer digests), so that nobody approves or runs an edited file.
func (s *Session) CheckPlanFile(ctx context.Context, b []byte) (*DestroyPlan, error) {
	var f DestroyPlan
	if err := json.Unmarshal(b, &f); err != nil || f.Format != planFormat {
		return nil, ErrPlanFileMismatch
	}
	p, err := s.DestroyPlanOf(ctx, f.ID)
	if err != nil {
		return nil, err
	}
	if f.Scope != p.Scope || f.Destroy != p.Destroy || f.CustomersDigest != p.CustomersDigest || f.State != p.State {
		return nil, ErrPlanFileMismatch
	}
	return p, nil
}

func loadPlan(st *store.Store, id string) (*planRecord, error) {
	var rec planRecord
	if err := st.GetMeta(metaPlanPrefix+id, &rec); errors.Is(err, store.ErrNotFound) {
		return nil, ErrPlanUnknown
	} else if err != nil {
		return nil, err
	}
	return &rec, nil
}

// ApproveDestroy records the signed-in operator's approval of a plan. The operator proved
// their passphrase by unlocking; an approval by another operator at the same desk goes
// through ApproveDestroyAs. Two approvals are needed, by operators of different roles.
func (s *Session) ApproveDestroy(ctx context.Context, id string) (*DestroyPlan, error) {
	return s.approve(ctx, id, s.op)
}

// ApproveDestroyAs records operator's approval, proven by their own passphrase.
func (s *Session) ApproveDestroyAs(ctx context.Context, id, operator, passphrase string) (*DestroyPlan, error) {
	st, err := s.store()
	if err != nil {
		return nil, err
	}
	op, err := st.Operator(operator)
	if err != nil {
		return nil, err
	}
	if err := s.v.checkPassphrase(op.ID, passphrase); err != nil {
		return nil, err
	}
	return s.approve(ctx, id, op)
}

func (s *Session) approve(ctx context.Context, id string, op store.Operator) (*DestroyPlan, error) {
	var plan *DestroyPlan
	detail := map[string]string{"plan": id, "approver": op.ID, "role": op.Role}
	err := s.doMeta("", audit.DestroyApprove, "", detail, func(st *store.Store) ([]store.MetaChange, error) {
		rec, err := loadPlan(st, id)
		if err != nil {
			return nil, err
		}
		p := &rec.Plan
		switch {
		case p.Run != nil:
			return nil, ErrPlanDone
		case p.State != stateOf(st.Counts()):
			return nil, ErrPlanStale
		}
		for _, a := range p.Approvals {
			if a.Operator == op.ID {
				return nil, ErrSameApprover
			}
			if a.Role == op.Role {
				return nil, ErrApproverRole
			}
		}
		p.Approvals = append(p.Approvals, Approval{Operator: op.ID, Name: op.Name, Role: op.Role, At: s.v.opts.Now().UTC()})
		plan = p
		return []store.MetaChange{{Name: metaPlanPrefix + id, Value: rec}}, nil
	})
	return plan, err
}

// RunDestroy destroys the plan's customers. Refused unless the plan has two approvals, the
// vault has not changed since it was made, no hold placed since covers a customer in it, and,
// for the whole book, the checklist's destroy step is open. phase is told each step as it
// starts; after "erase" nothing can be undone, and an interruption is finished at the next
// unlock.
func (s *Session) RunDestroy(ctx context.Context, id string, phase func(string)) (*DestroyPlan, error) {
	var plan *DestroyPlan
	detail := map[string]string{"plan": id}
	err := s.doRecorded(PermDestroy, audit.DestroyRun, "", detail, func(st *store.Store, begin beginFunc) ([]store.MetaChange, error) {
		rec, err := loadPlan(st, id)
		if err != nil {
			return nil, err
		}
		p := &rec.Plan
		switch {
		case p.Run != nil && p.Run.Status == "done":
			return nil, ErrPlanDone
		case len(p.Approvals) < 2:
			return nil, ErrNeedsApprovals
		case p.Run == nil && p.State != stateOf(st.Counts()):
			return nil, ErrPlanStale
		}
		transferorCopy, err := isTransferorCopy(st, rec)
		if err != nil {
			return nil, err
		}
		if transferorCopy {
			if err := s.destroyGate(ctx, st); err != nil {
				return nil, err
			}
		}
		holds, err := loadHolds(ctx, st)
		if err != nil {
			return nil, err
		}
		today := model.DateOf(s.v.opts.Now().In(shanghai))
		for _, h := range holds {
			if h.Active(today) && slices.ContainsFunc(rec.Customers, h.Covers) {
				return nil, fmt.Errorf("%w (%s, %s)", ErrHeldInPlan, h.ID, h.Case)
			}
		}
		// An open incident keeps the data it concerns until it is closed.
		if p.Run == nil {
			if err := incidentBlocks(ctx, st, rec.Customers, p.Scope == ScopeAll); err != nil {
				return nil, err
			}
		}
		if p.Run == nil {
			p.Run = &RunRecord{Status: "running", Started: s.v.opts.Now().UTC(), By: s.op.Name}
			// The running mark and the intent go in together, before the first key is erased.
			if err := begin(store.MetaChange{Name: metaPlanPrefix + id, Value: rec}); err != nil {
				return nil, err
			}
		}
		res, err := st.DestroyCustomersWith(ctx, id, rec.Customers, store.DestroyAlso{Quarantine: rec.Quarantine, Evidence: rec.Evidence}, phase)
		if err != nil {
			return nil, err
		}
		p.Run.Status, p.Run.Ended, p.Run.Removed = "done", s.v.opts.Now().UTC(), res.Removed
		detail["customers"] = strconv.FormatInt(res.Removed.Customers, 10)
		detail["loans"] = strconv.FormatInt(res.Removed.Loans, 10)
		detail["documents"] = strconv.FormatInt(res.Removed.Documents, 10)
		plan = p
		return []store.MetaChange{{Name: metaPlanPrefix + id, Value: rec}}, nil
	})
	return plan, err
}

// VerifyDestroy checks a run: no key, record or index entry of the plan's customers is left,
// and every other customer reads, with the figures of what remains recomputed.
func (s *Session) VerifyDestroy(ctx context.Context, id string) (*DestroyCheck, error) {
	var check *DestroyCheck
	detail := map[string]string{"plan": id}
	err := s.doMeta(PermView, audit.DestroyVerify, "", detail, func(st *store.Store) ([]store.MetaChange, error) {
		rec, err := loadPlan(st, id)
		if err != nil {
			return nil, err
		}
		if rec.Plan.Run == nil || rec.Plan.Run.Status != "done" {
			return nil, fmt.Errorf("the plan %s has not been run", id)
		}
		traces := func() (int, int, error) { return st.Traces(ctx, rec.Customers) }
		if rec.Plan.Scope == ScopeAll && len(rec.Plan.Kept) == 0 {
			traces = func() (int, int, error) { return st.BookTraces(ctx) }
		}
		keys, records, err := traces()
		if err != nil {
			return nil, err
		}
		f, err := figures.Compute(ctx, st)
		if err != nil {
			return nil, err
		}
		c := &DestroyCheck{At: s.v.opts.Now().UTC(), Customers: len(rec.Customers), KeysLeft: keys, RecordsLeft: records,
			Remaining: f.Customers, Digest: f.Digest}
		c.OK = keys == 0 && records == 0 && f.Customers == st.Counts().Customers
		detail["ok"] = strconv.FormatBool(c.OK)
		rec.Plan.Run.Verified = c
		check = c
		changes := []store.MetaChange{{Name: metaPlanPrefix + id, Value: rec}}
		if transferorCopy, err := isTransferorCopy(st, rec); err != nil {
			return nil, err
		} else if c.OK && transferorCopy {
			changes = append(changes, factChange(metaFactDestroyed, s.v.opts.Now()))
		}
		return changes, nil
	})
	return check, err
}

// resolveDestroy records a run a crash cut off. Opening the store already finished the
// destruction itself (past the erase the only way is forward); the plan is marked done with
// what it removed.
func (s *Session) resolveDestroy(ctx context.Context, st *store.Store, detail map[string]string) []store.MetaChange {
	rec, err := loadPlan(st, detail["plan"])
	if err != nil || rec.Plan.Run == nil {
		detail["found"] = "no run recorded"
		return nil
	}
	if st.PendingDestroy() != "" {
		detail["found"] = "destruction unfinished"
		return nil
	}
	if _, records, err := st.Traces(ctx, rec.Customers); err == nil && records == 0 {
		rec.Plan.Run.Status, rec.Plan.Run.Ended, rec.Plan.Run.Removed = "done", s.v.opts.Now().UTC(), rec.Plan.Destroy
		detail["found"] = "destruction finished at unlock"
		return []store.MetaChange{{Name: metaPlanPrefix + rec.Plan.ID, Value: rec}}
	}
	detail["found"] = "the plan's customers were not destroyed"
	rec.Plan.Run = nil
	return []store.MetaChange{{Name: metaPlanPrefix + rec.Plan.ID, Value: rec}}
}

// ErrNotVerified refuses a destruction certificate before the run is verified.
var ErrNotVerified = errors.New("verify the destruction first ('handover destroy verify'): the certificate states its result")

// NewDestructionStatement issues the destruction certificate's statement (kind
// destruction) for a run that was verified, to be signed by both parties.
func (s *Session) NewDestructionStatement(ctx context.Context, planID string, signers, witnesses []identity.Card) (*cert.Statement, error) {
	return s.newStatement(ctx, cert.KindDestruction, signers, witnesses, nil, func(st *store.Store, stmt *cert.Statement) error {
		rec, err := loadPlan(st, planID)
		if err != nil {
			return err
		}
		p := rec.Plan
		if p.Run == nil || p.Run.Status != "done" || p.Run.Verified == nil {
			return ErrNotVerified
		}
		d := &cert.Destruction{Plan: p.ID, Scope: p.Scope, Method: "crypto_erase+delete+rewrite",
			Customers: p.Run.Removed.Customers, Loans: p.Run.Removed.Loans, Repayments: p.Run.Removed.Repayments,
			Documents: p.Run.Removed.Documents, DocumentBytes: p.Run.Removed.DocumentBytes, CustomersDigest: p.CustomersDigest,
			Tool: "Handover " + version.Version, PlannedBy: p.By, RunBy: p.Run.By, Started: p.Run.Started, Ended: p.Run.Ended,
			Verified: p.Run.Verified.OK, VerifiedAt: p.Run.Verified.At, KeysLeft: p.Run.Verified.KeysLeft,
			RecordsLeft: p.Run.Verified.RecordsLeft, Remaining: p.Run.Verified.Remaining,
			Approvers: []cert.Approver{}, Kept: []cert.KeptGroup{}, Copies: []cert.OutsideCopy{}, Limits: []string{"outside_copies", "media", "swap"}}
		for _, a := range p.Approvals {
			d.Approvers = append(d.Approvers, cert.Approver{Name: a.Name, Role: a.Role})
		}
		for _, e := range p.Evidence {
			if e.Goes {
				d.EvidenceDestroyed = append(d.EvidenceDestroyed, cert.EvidenceFile{Name: e.Name, SHA256: e.SHA256})
			} else {
				d.EvidenceKept++
			}
		}
		for _, k := range p.Kept {
			d.Kept = append(d.Kept, cert.KeptGroup{Customers: k.Customers, Reason: k.Reason, Hold: k.Hold, Case: k.Case})
		}
		media := func(m MediaRecord) *cert.MediaDestroyed {
			return &cert.MediaDestroyed{What: m.What, How: m.How, By: m.By, At: m.At, Evidence: m.Evidence, SHA256: m.SHA256}
		}
		destroyed := map[string]MediaRecord{}
		for _, m := range p.Media {
			destroyed[m.What] = m
			d.Media = append(d.Media, *media(m))
		}
		for _, c := range p.Copies {
			oc := cert.OutsideCopy{Kind: c.Kind, ID: c.ID, Where: c.Where, At: c.At}
			if m, ok := destroyed[c.ID]; ok {
				oc.Destroyed = media(m)
			}
			d.Copies = append(d.Copies, oc)
		}
		stmt.Destruction = d
		return nil
	})
}

// destroyGate is the checklist's destroy step for a vault that holds a deal: the whole book
// of a handover goes only when the step is open. A vault kept for retention alone has no
// deal and no such step.
// isTransferorCopy says whether a plan destroys the transferor's copy: the whole book, or,
// on a partial transfer, every customer of the deal's scope.
func isTransferorCopy(st *store.Store, rec *planRecord) (bool, error) {
	if rec.Plan.Scope == ScopeAll {
		return true, nil
	}
	return coversScope(st, rec.Customers)
}

func (s *Session) destroyGate(ctx context.Context, st *store.Store) error {
	d, err := loadDeal(st)
	if errors.Is(err, ErrNoDeal) {
		return nil
	} else if err != nil {
		return err
	}
	if d.Retention != nil && d.Retention.Keeper == checklist.KeeperTransferor {
		return ErrKeptByTransferor
	}
	_, err = s.checklistGate(ctx, st, checklist.StepDestroy)
	return err
}

// DestroyPlans lists the vault's destruction plans, newest first (without their customer
// numbers).
func (s *Session) DestroyPlans(ctx context.Context) ([]DestroyPlan, error) {
	st, err := s.gate(PermView)
	if err != nil {
		return nil, err
	}
	var out []DestroyPlan
	err = st.MetaPrefix(ctx, metaPlanPrefix, func(_ string, b []byte) (bool, error) {
		var rec planRecord
		if err := json.Unmarshal(b, &rec); err != nil {
			return false, &store.CorruptError{What: "destruction plan"}
		}
		out = append(out, rec.Plan)
		return true, nil
	})
	slices.SortFunc(out, func(a, b DestroyPlan) int { return b.Created.Compare(a.Created) })
	return out, err
}

// MediaRecord registers the destruction of a copy outside the vault (a package on a stick,
// a backup) or of another medium or paper record (seed §十一.3: shredding, degaussing,
// physical destruction): what, how, who, when, and the evidence's SHA-256 (a photo, a
// shredding company's certificate). The destruction certificate lists each.
type MediaRecord struct {
	What     string    `json:"what"` // a copy's ID from the plan, or a description of the medium
	How      string    `json:"how"`
	By       string    `json:"by"`
	At       time.Time `json:"at"`
	Evidence string    `json:"evidence,omitempty"` // file name
	SHA256   string    `json:"sha256,omitempty"`
}

// ErrMediaHow asks how a medium was destroyed.
var ErrMediaHow = errors.New("say what was destroyed and how (e.g. stick shredded, disk degaussed)")

// RecordMedia registers a medium destroyed for a plan. evidence, if not nil, is hashed (the
// file itself stays with the company's records).
func (s *Session) RecordMedia(ctx context.Context, planID, what, how, evidenceName string, evidence io.Reader) (*MediaRecord, error) {
	what, how = strings.TrimSpace(what), strings.TrimSpace(how)
	var out *MediaRecord
	detail := map[string]string{"plan": planID, "what": what, "how": how}
	err := s.doMeta(PermDestroy, audit.DestroyMedia, "", detail, func(st *store.Store) ([]store.MetaChange, error) {
		if what == "" || how == "" {
			return nil, ErrMediaHow
		}
		rec, err := loadPlan(st, planID)
		if err != nil {
			return nil, err
		}
		m := MediaRecord{What: what, How: how, By: s.op.Name, At: s.v.opts.Now().UTC()}
		if evidence != nil {
			h := sha256.New()
			if _, err := io.Copy(h, evidence); err != nil {
				return nil, err
			}
			m.Evidence, m.SHA256 = evidenceName, hex.EncodeToString(h.Sum(nil))
			detail["sha256"] = m.SHA256
		}
		rec.Plan.Media = append(rec.Plan.Media, m)
		out = &m
		return []store.MetaChange{{Name: metaPlanPrefix + planID, Value: rec}}, nil
	})
	return out, err
}

// quarantineOf finds the quarantined rows that hold an identity or phone number of the
// customers nos: a refused row belongs to no customer, so it is found by its values.
func quarantineOf(ctx context.Context, st *store.Store, nos []model.CustomerNo) ([]store.QuarantineKey, error) {
	values := map[string]bool{}
	for _, no := range nos {
		c, err := st.Customer(no)
		if err != nil {
			return nil, err
		}
		for _, v := range []string{c.IDNumber, c.Phone} {
			if v = strings.ToUpper(strings.TrimSpace(v)); v != "" {
				values[v] = true
			}
		}
	}
	if len(values) == 0 {
		return nil, nil
	}
	entries, err := importer.List(ctx, st, importer.Filter{}, 0)
	if err != nil {
		return nil, err
	}
	var out []store.QuarantineKey
	for _, e := range entries {
		for _, v := range e.Values {
			if values[strings.ToUpper(strings.TrimSpace(v))] {
				out = append(out, e.Key)
				break
			}
		}
	}
	return out, nil
}

// ApprovalNamespace is the SSHSIG namespace of a destruction plan's approval by an identity.
const ApprovalNamespace = "handover-destroy-plan@v1"

// ErrApprovalSignature refuses an approval whose signature does not hold, or whose signer's
// card the vault does not trust.
var ErrApprovalSignature = errors.New("the approval is not signed by a card this vault trusts (handover trust add), or the signature does not hold")

// ApprovalMessage is what an identity signs to approve the plan: the plan's ID, scope,
// counts, customer-list digest and book state, none of which change as approvals are added.
func (p *DestroyPlan) ApprovalMessage() []byte {
	b, _ := json.Marshal(struct {
		Format, ID, Vault, Scope, CustomersDigest string
		Destroy                                   store.Counts
		State                                     BookState
	}{planFormat, p.ID, p.Vault, p.Scope, p.CustomersDigest, p.Destroy, p.State})
	return b
}

// ApproveDestroyBySignature records an approval by a person's identity (SSHSIG over
// ApprovalMessage, namespace ApprovalNamespace) instead of an operator's passphrase: someone
// of the other party who has no operator in this vault. Their card must be trusted here; the
// approval counts as their organisation's.
func (s *Session) ApproveDestroyBySignature(ctx context.Context, id string, card identity.Card, sig []byte) (*DestroyPlan, error) {
	trusted, err := s.TrustedCards(ctx)
	if err != nil {
		return nil, err
	}
	known := slices.ContainsFunc(trusted, func(t Trusted) bool {
		return t.Card.Fingerprint == card.Fingerprint && t.Card.SigningKey == card.SigningKey
	})
	p, err := s.DestroyPlanOf(ctx, id)
	if err != nil {
		return nil, err
	}
	if !known || card.Verify(ApprovalNamespace, p.ApprovalMessage(), sig) != nil {
		s.record(audit.Event{Action: audit.DestroyApprove, Outcome: audit.Denied, Detail: map[string]string{"plan": id, "card": card.Fingerprint[:16]}})
		return nil, ErrApprovalSignature
	}
	return s.approve(ctx, id, store.Operator{ID: "card:" + card.Fingerprint[:16], Name: card.Name, Role: "party:" + card.Organisation})
}
