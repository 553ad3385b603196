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
	"strings"
	"time"

	"handover/app/audit"
	"handover/app/cert"
	"handover/app/checklist"
	"handover/app/figures"
	"handover/app/importer"
	"handover/crypto/keyslot"
	"handover/store"
)

// Errors of the checklist, meant for the user.
var (
	ErrNoDeal         = errors.New("no deal is recorded in this vault yet (handover deal init)")
	ErrDealExists     = errors.New("this vault already holds a deal; a vault holds one deal")
	ErrUnknownItem    = errors.New("the deal's checklist has no such item")
	ErrReasonRequired = errors.New("say why the item is reopened")
	// The checklist's own rules (app/checklist/rules.go), re-exported.
	ErrAutomaticItem   = checklist.ErrAutomaticItem
	ErrNeedsEvidence   = checklist.ErrNeedsEvidence
	ErrNeedsBasis      = checklist.ErrNeedsBasis
	ErrNotDual         = checklist.ErrNotDual
	ErrSignOffRole     = checklist.ErrSignOffRole
	ErrAlreadySigned   = checklist.ErrAlreadySigned
	ErrNotDone         = checklist.ErrNotDone
	ErrAlreadyComplete = checklist.ErrAlreadyComplete
	ErrNoEvidenceItem  = checklist.ErrNoEvidenceItem
)

// The meta records of the checklist.
const (
	metaDeal              = "deal"
	metaItemPrefix        = "checklist/"
	metaFactExported      = "fact/package-exported"
	metaFactReceived      = "fact/package-received"
	metaFactBackup        = "fact/backup-verified"
	metaFactAuditReport   = "fact/audit-report"
	metaFactDestroyed     = "fact/copy-destroyed" // a plan of scope all run and verified
	metaFactArchived      = "fact/archive-made"   // the compliance archive written and read back
	metaCertificatePrefix = "certificate/"
)

// certRecord is what the vault knows of a statement it issued: who must sign and who has.
type certRecord struct {
	ID      string          `json:"id"`
	Kind    string          `json:"kind"`
	Signers []string        `json:"signers"` // fingerprints
	Signed  map[string]bool `json:"signed"`
	// Sides: each signer's party, matched to the deal's parties when issued (parties.go).
	Sides map[string]string `json:"sides,omitempty"`
}

type factTime struct {
	At time.Time `json:"at"`
}

// ChecklistView is the deal and every item's state, as the dashboard shows it.
type ChecklistView struct {
	Deal     *checklist.Deal
	Template *checklist.Template
	Items    []checklist.Status
	Progress []checklist.Progress
	Facts    checklist.Facts
}

// Blocking lists what a step waits for: the items not done, and for export the open
// findings of high severity (checklist.NeedFinding).
func (c *ChecklistView) Blocking(step checklist.Step) []string {
	return checklist.BlockingAll(c.Items, c.Facts, step)
}

// Item finds an item's status by ID.
func (c *ChecklistView) Item(id string) (checklist.Status, bool) {
	i := slices.IndexFunc(c.Items, func(s checklist.Status) bool { return s.ID == id })
	if i < 0 {
		return checklist.Status{}, false
	}
	return c.Items[i], true
}

// Deal returns the vault's deal, or ErrNoDeal.
func (s *Session) Deal() (*checklist.Deal, error) {
	st, err := s.read(PermView)
	if err != nil {
		return nil, err
	}
	return loadDeal(st)
}

func loadDeal(st *store.Store) (*checklist.Deal, error) {
	return metaRecord[checklist.Deal](st, metaDeal, ErrNoDeal)
}

// InitDeal records the vault's one deal after checking it (checklist.Deal.Normalize).
func (s *Session) InitDeal(d checklist.Deal) (*checklist.Deal, error) {
	detail := map[string]string{"type": d.Type, "recipient_location": d.RecipientLocation}
	// The deal and its audit event are one transaction: a deal without its event, or an
	// event without its deal, cannot be left by a process killed in between.
	err := s.doMeta(PermChecklist, audit.DealInit, "", detail, func(st *store.Store) ([]store.MetaChange, error) {
		if _, err := loadDeal(st); err == nil {
			return nil, ErrDealExists
		} else if !errors.Is(err, ErrNoDeal) {
			return nil, err
		}
		if err := s.prepareDeal(&d, detail); err != nil {
			return nil, err
		}
		return []store.MetaChange{{Name: metaDeal, Value: d}}, nil
	})
	if err != nil {
		return nil, err
	}
	return &d, nil
}

// prepareDeal checks a deal about to be recorded and stamps it with the time and the rules
// in force.
func (s *Session) prepareDeal(d *checklist.Deal, detail map[string]string) error {
	if err := d.Normalize(); err != nil {
		return err
	}
	d.Created = s.v.opts.Now().UTC()
	d.Rules = currentRules(d.Type)
	delete(d.Rules, "workbooks") // recorded by the workbooks' own answers
	detail["recipient_location"] = d.RecipientLocation
	return nil
}

// Checklist evaluates every item of the deal's checklist against the vault's state now.
func (s *Session) Checklist(ctx context.Context) (*ChecklistView, error) {
	st, err := s.read(PermView)
	if err != nil {
		return nil, err
	}
	return s.evaluate(ctx, st)
}

func (s *Session) evaluate(ctx context.Context, st *store.Store) (*ChecklistView, error) {
	d, err := loadDeal(st)
	if err != nil {
		return nil, err
	}
	t, err := checklist.Load(d.Type)
	if err != nil {
		return nil, err
	}
	recs := map[string]*checklist.Record{}
	if err := st.MetaPrefix(ctx, metaItemPrefix, func(name string, b []byte) (bool, error) {
		var r checklist.Record
		if err := json.Unmarshal(b, &r); err != nil {
			return false, &store.CorruptError{What: "checklist item"}
		}
		recs[r.ID] = &r
		return true, nil
	}); err != nil {
		return nil, err
	}
	f, err := s.facts(ctx, st)
	if err != nil {
		return nil, err
	}
	items := checklist.Evaluate(t, d, recs, f)
	return &ChecklistView{Deal: d, Template: t, Items: items, Progress: checklist.PhaseProgress(items), Facts: f}, nil
}

// facts reads what the automatic items follow from.
func (s *Session) facts(ctx context.Context, st *store.Store) (checklist.Facts, error) {
	f := checklist.Facts{Now: s.v.opts.Now().UTC()}
	// Imported, generated (demo) or received: a book with customers in it.
	f.Imported = st.Counts().Customers > 0
	open, err := importer.List(ctx, st, importer.Filter{States: []string{importer.ItemQuarantined}}, 1)
	if err != nil {
		return f, err
	}
	f.QuarantineOpen = len(open)
	f.BookCounts = bookCounts(st)
	if err := s.registerFacts(ctx, st, &f); err != nil {
		return f, err
	}
	if err := s.workbookFacts(ctx, st, &f); err != nil {
		return f, err
	}
	var ft factTime
	if err := st.GetMeta(metaFactBackup, &ft); err == nil {
		f.BackupVerified = ft.At
	}
	f.PackageExported = st.GetMeta(metaFactExported, &ft) == nil
	f.PackageReceived = st.GetMeta(metaFactReceived, &ft) == nil
	f.AuditReportIssued = st.GetMeta(metaFactAuditReport, &ft) == nil
	f.CopyDestroyed = st.GetMeta(metaFactDestroyed, &ft) == nil
	f.ArchiveMade = st.GetMeta(metaFactArchived, &ft) == nil
	notifiedFacts(st, &f)
	if err := continuityFacts(ctx, st, &f); err != nil {
		return f, err
	}
	if d, err := loadDeal(st); err == nil && d.Retention != nil && d.Retention.ConfirmedBy != "" {
		f.RetentionSet = true
	}
	err = st.MetaPrefix(ctx, metaCertificatePrefix, func(_ string, b []byte) (bool, error) {
		var c certRecord
		if err := json.Unmarshal(b, &c); err != nil {
			return false, &store.CorruptError{What: "certificate record"}
		}
		// A statement signed by every signer it names, and at least two; a confirmation
		// also by one signer of each party.
		if len(c.Signers) >= 2 && len(c.Signed) >= len(c.Signers) {
			switch c.Kind {
			case "confirmation":
				if c.bothParties() {
					f.ConfirmationSigned = true
				} else {
					f.ConfirmationOneSided = true
				}
			case "receipt":
				f.PackageReceived = true // the receiver's signed receipt, brought back
			}
		}
		return true, nil
	})
	return f, err
}

// ChecklistGate returns a *GateError naming the items a step waits for, or nil. Every step
// also waits for a recorded deal.
func (s *Session) ChecklistGate(ctx context.Context, step checklist.Step) error {
	st, err := s.read(PermView)
	if err != nil {
		return err
	}
	_, err = s.checklistGate(ctx, st, step)
	return err
}

// checklistGate evaluates the checklist once and checks the step's gate against it; the
// caller may use the evaluation it returns.
func (s *Session) checklistGate(ctx context.Context, st *store.Store, step checklist.Step) (*ChecklistView, error) {
	view, err := s.evaluate(ctx, st)
	if errors.Is(err, ErrNoDeal) {
		return nil, &GateError{Step: string(step), Missing: []string{"deal"}, Titles: map[string]string{"deal": "the deal recorded (handover deal init)"}}
	}
	if err != nil {
		return nil, err
	}
	if missing := view.Blocking(step); len(missing) > 0 {
		g := &GateError{Step: string(step), Missing: missing, Titles: map[string]string{}}
		for _, id := range missing {
			it, _ := view.Item(id)
			g.Titles[id] = it.Title["en"]
		}
		g.Findings = map[string]string{}
		for _, fd := range view.Facts.OpenHighFindings {
			g.Titles[checklist.NeedFinding(fd.ID)] = "open finding of high severity: " + fd.Title
			g.Findings[checklist.NeedFinding(fd.ID)] = fd.Title
		}
		return nil, g
	}
	return view, nil
}

// item loads one item's record (empty if nothing was done yet) and its template entry.
func (s *Session) item(ctx context.Context, st *store.Store, id string) (*ChecklistView, checklist.Status, *checklist.Record, error) {
	view, err := s.evaluate(ctx, st)
	if err != nil {
		return nil, checklist.Status{}, nil, err
	}
	it, ok := view.Item(id)
	if !ok {
		return nil, checklist.Status{}, nil, ErrUnknownItem
	}
	rec := it.Rec
	if rec == nil {
		rec = &checklist.Record{ID: id}
	}
	return view, it, rec, nil
}

// CompleteItem attests a manual or evidence item with an optional note; basis is the
// cross-border legal basis for the cross_border item.
func (s *Session) CompleteItem(ctx context.Context, id, note, basis string) error {
	return s.CompleteItemWith(ctx, id, Completion{Note: note, Basis: basis})
}

// Completion is what a person records when attesting an item.
type Completion struct {
	Note  string
	Basis string // the cross-border item: the legal basis
	// ConfirmedBy: an item whose reading is for counsel names who confirmed it.
	ConfirmedBy string
	// CrossBorder: the cross-border item's record when the recipient is outside the
	// mainland; the vault counts the individuals and derives what is required.
	CrossBorder *checklist.CrossBorder
}

// ErrCounselRequired refuses completing an item whose reading is for counsel without the
// name of who confirmed it.
var ErrCounselRequired = errors.New("this item's reading is for counsel: say who confirmed it")

// CompleteItemWith attests a manual or evidence item.
func (s *Session) CompleteItemWith(ctx context.Context, id string, c Completion) error {
	detail := map[string]string{}
	return s.do(PermChecklist, audit.ChecklistComplete, "item:"+id, detail, func(st *store.Store) error {
		view, it, rec, err := s.item(ctx, st, id)
		if err != nil {
			return err
		}
		if err := checklist.Check(it, checklist.ActComplete, ""); err != nil {
			return err
		}
		if err := checklist.CheckBasis(it.Item, view.Deal, c.Basis, rec.Basis); err != nil {
			return err
		}
		confirmed := strings.TrimSpace(c.ConfirmedBy)
		if it.Counsel && confirmed == "" {
			return ErrCounselRequired
		}
		if checklist.NeedsBasis(it.Item, view.Deal) {
			cb, err := s.crossBorderRecord(ctx, st, c.Basis, c.CrossBorder, nil)
			if err != nil {
				return err
			}
			rec.CrossBorder = cb
			detail["required"], detail["individuals"], detail["sensitive"] = cb.Required, itoa(cb.Individuals), itoa(cb.Sensitive)
		}
		if c.Basis != "" {
			rec.Basis, detail["basis"] = c.Basis, c.Basis
		}
		if confirmed != "" {
			rec.ConfirmedBy, detail["confirmed_by"] = confirmed, confirmed
		}
		rec.Completed, rec.By, rec.ByName, rec.At, rec.Note = true, s.op.ID, s.op.Name, s.v.opts.Now().UTC(), strings.TrimSpace(c.Note)
		return st.PutMeta(metaItemPrefix+id, rec)
	})
}

// AttachEvidence stores a file for an evidence item, encrypted in the vault, and lists it
// on the item with its SHA-256. name is the file's base name.
func (s *Session) AttachEvidence(ctx context.Context, id, name string, r io.Reader) (*checklist.EvidenceRef, error) {
	var ref *checklist.EvidenceRef
	detail := map[string]string{"file": name}
	err := s.do(PermChecklist, audit.ChecklistEvidence, "item:"+id, detail, func(st *store.Store) error {
		_, it, rec, err := s.item(ctx, st, id)
		if err != nil {
			return err
		}
		if err := checklist.Check(it, checklist.ActAttach, ""); err != nil {
			return fmt.Errorf("%s: %w", id, err)
		}
		var rnd [8]byte
		_, _ = rand.Read(rnd[:])
		e, err := st.PutEvidence(ctx, id+"-"+hex.EncodeToString(rnd[:]), name, r)
		if err != nil {
			return err
		}
		ref = &checklist.EvidenceRef{ID: e.ID, Name: e.Name, Size: e.Size, SHA256: e.SHA256, By: s.op.ID, At: s.v.opts.Now().UTC()}
		detail["sha256"], detail["size"] = e.SHA256, fmt.Sprint(e.Size)
		rec.Evidence = append(rec.Evidence, *ref)
		return st.PutMeta(metaItemPrefix+id, rec)
	})
	return ref, err
}

// WriteEvidence writes an attached file to w, checked against its SHA-256.
func (s *Session) WriteEvidence(ctx context.Context, evidenceID string, w io.Writer) error {
	return s.do(PermView, audit.DocumentOpen, "evidence:"+evidenceID, nil, func(st *store.Store) error {
		_, err := st.WriteEvidence(ctx, evidenceID, w)
		return err
	})
}

// SignOff records one party's sign-off of a dual item by operator, who proves it with their
// own passphrase (the signed-in operator signs for themselves the same way). The operator's
// role says the party: transferor or transferee.
func (s *Session) SignOff(ctx context.Context, id, operator, passphrase, note string) error {
	detail := map[string]string{"operator": operator}
	return s.do(PermChecklist, audit.ChecklistSignOff, "item:"+id, detail, func(st *store.Store) error {
		_, it, rec, err := s.item(ctx, st, id)
		if err != nil {
			return err
		}
		if it.Kind != checklist.Dual {
			return ErrNotDual
		}
		op, err := st.Operator(operator)
		if err != nil {
			return err
		}
		side := Role(op.Role).Side()
		if err := checklist.Check(it, checklist.ActSignOff, side); err != nil {
			return err
		}
		if err := s.v.checkPassphrase(op.ID, passphrase); err != nil {
			return err
		}
		if it.AgreesBook {
			if err := s.agreeBook(ctx, st, it, rec, detail); err != nil {
				return err
			}
		}
		detail["side"] = side
		rec.SignOffs = append(rec.SignOffs, checklist.SignOff{Side: side, Operator: op.ID, Name: op.Name, At: s.v.opts.Now().UTC()})
		if n := strings.TrimSpace(note); n != "" {
			rec.Note = strings.TrimSpace(rec.Note + "\n" + op.Name + ": " + n)
		}
		return st.PutMeta(metaItemPrefix+id, rec)
	})
}

// agreeBook binds a sign-off to the book as it is: the first sign-off records the book's
// digest and counts; sign-offs given to a book that has changed since are set aside (kept
// as a reopening that says so) before the new one is added.
func (s *Session) agreeBook(ctx context.Context, st *store.Store, it checklist.Status, rec *checklist.Record, detail map[string]string) error {
	now := bookCounts(st)
	if rec.Book != nil && rec.Book.Counts == now && len(rec.SignOffs) > 0 {
		detail["digest"] = rec.Book.Digest
		return nil
	}
	if len(rec.SignOffs) > 0 {
		old := ""
		if rec.Book != nil {
			old = rec.Book.Digest
		}
		rec.Reopened = append(rec.Reopened, checklist.Reopening{By: "vault", At: s.v.opts.Now().UTC(),
			Reason: "the book changed since the parties agreed to it (digest " + short(old) + ")"})
		rec.SignOffs = nil
	}
	f, err := figures.Compute(ctx, st)
	if err != nil {
		return err
	}
	rec.Book = &checklist.BookStamp{Digest: f.Digest, Counts: now}
	detail["digest"] = f.Digest
	return nil
}

func short(digest string) string {
	if len(digest) > 16 {
		return digest[:16]
	}
	return digest
}

// ReopenItem opens a completed or signed-off item again; the reason is kept on the item and
// in the audit log. Its evidence stays attached and listed; it must be attested again.
func (s *Session) ReopenItem(ctx context.Context, id, reason string) error {
	reason = strings.TrimSpace(reason)
	detail := map[string]string{"reason": reason}
	return s.do(PermChecklist, audit.ChecklistReopen, "item:"+id, detail, func(st *store.Store) error {
		if reason == "" {
			return ErrReasonRequired
		}
		_, it, rec, err := s.item(ctx, st, id)
		if err != nil {
			return err
		}
		if err := checklist.Check(it, checklist.ActReopen, ""); err != nil {
			return err
		}
		rec.Completed, rec.SignOffs, rec.Basis, rec.ConfirmedBy, rec.CrossBorder, rec.Book = false, nil, "", "", nil, nil
		rec.Reopened = append(rec.Reopened, checklist.Reopening{By: s.op.ID, At: s.v.opts.Now().UTC(), Reason: reason})
		return st.PutMeta(metaItemPrefix+id, rec)
	})
}

// checkPassphrase proves an operator's passphrase without opening a session. A wrong one is
// recorded like a failed unlock.
func (v *Vault) checkPassphrase(operator, passphrase string) error {
	h, sealed, err := v.dir.ReadSlot(operator)
	if err != nil {
		return err
	}
	master, err := keyslot.Unwrap(sealed, operator, passphrase)
	if err != nil {
		if errors.Is(err, keyslot.ErrWrongPassphrase) {
			_ = v.dir.RecordAuthFailure(store.AuthFailure{Time: v.opts.Now().UTC(), Operator: h.Operator,
				Workstation: v.opts.Workstation, Reason: "wrong_passphrase"})
			return ErrWrongPassphrase
		}
		return err
	}
	clear(master)
	return nil
}

// metaRecord reads the meta record name; when there is none it returns missing, the
// caller's error for it (nil when having none is not an error).
func metaRecord[T any](st *store.Store, name string, missing error) (*T, error) {
	var v T
	if err := st.GetMeta(name, &v); errors.Is(err, store.ErrNotFound) {
		return nil, missing
	} else if err != nil {
		return nil, err
	}
	return &v, nil
}

// putFact records that something an automatic item follows from has happened.
func putFact(st *store.Store, name string, at time.Time) error {
	return st.PutMeta(name, factTime{At: at.UTC()})
}

// Snapshot is the checklist as certificates, reports and packages record it.
func (c *ChecklistView) Snapshot() *checklist.Snapshot {
	out := &checklist.Snapshot{DealType: c.Deal.Type, RecipientLocation: c.Deal.RecipientLocation,
		Transferor: checklist.SnapshotParty{Name: c.Deal.Transferor.Name, CreditCode: c.Deal.Transferor.CreditCode},
		Transferee: checklist.SnapshotParty{Name: c.Deal.Transferee.Name, CreditCode: c.Deal.Transferee.CreditCode},
		Items:      []checklist.SnapshotItem{}}
	for _, it := range c.Items {
		ci := checklist.SnapshotItem{ID: it.ID, Phase: it.Phase, State: it.State, Title: it.Title, Source: it.Source, Law: it.Law}
		if r := it.Rec; r != nil {
			if r.Completed {
				ci.By, ci.At, ci.Basis = r.ByName, r.At, r.Basis
			}
			for _, e := range r.Evidence {
				ci.Evidence = append(ci.Evidence, checklist.EvidenceFile{Name: e.Name, SHA256: e.SHA256})
			}
			for _, so := range r.SignOffs {
				ci.SignOffs = append(ci.SignOffs, so.Side+": "+so.Name)
			}
		}
		out.Items = append(out.Items, ci)
	}
	return out
}

// fillChecklist records the deal's type and checklist in a statement; a vault without a
// deal leaves them empty.
func (s *Session) fillChecklist(ctx context.Context, st *store.Store, stmt *cert.Statement) error {
	view, err := s.evaluate(ctx, st)
	if errors.Is(err, ErrNoDeal) {
		return nil
	}
	if err != nil {
		return err
	}
	d := view.Deal
	party := func(p checklist.Party) *cert.Party {
		return &cert.Party{Name: p.Name, CreditCode: p.CreditCode, Person: p.Person}
	}
	stmt.Deal.Type, stmt.Deal.Subtype, stmt.Deal.ActingFor = d.Type, d.Subtype, d.ActingFor
	stmt.Deal.Transferor, stmt.Deal.Transferee = party(d.Transferor), party(d.Transferee)
	if d.Target != nil {
		stmt.Deal.Target = party(*d.Target)
	}
	b, err := json.Marshal(view.Snapshot())
	if err != nil {
		return err
	}
	stmt.Checklist = b
	return nil
}

// Errors of taking a receipt back.
var (
	ErrReceiptNotOurs    = errors.New("the receipt names no package exported from this vault")
	ErrReceiptIncomplete = errors.New("only a receipt signed by every signer counts")
)

// RecordReceipt takes the receiver's receipt back into the sending vault. When it is signed
// by every signer (complete, as cert verification found) and names a package this vault
// exported, by the SHA-256 of its signed package.json, the checklist's package_received
// item is done.
func (s *Session) RecordReceipt(st *cert.Statement, complete bool) error {
	detail := map[string]string{"certificate": st.ID}
	return s.do(PermChecklist, audit.PackageReceipt, "", detail, func(sto *store.Store) error {
		if st.Kind != cert.KindReceipt || !complete {
			return fmt.Errorf("%s: %w", st.ID, ErrReceiptIncomplete)
		}
		for _, p := range st.Packages {
			var ours cert.Package
			if sto.GetMeta("package/"+p.ID, &ours) == nil && ours.SHA256 == p.SHA256 {
				detail["package"] = p.ID
				return putFact(sto, metaFactReceived, s.v.opts.Now())
			}
		}
		return ErrReceiptNotOurs
	})
}
