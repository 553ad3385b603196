package checklist

import (
	"encoding/json"
	"slices"
	"time"
)

// States of an item.
const (
	Open    = "open"    // nothing done yet
	Partial = "partial" // a dual item one party has signed off
	Done    = "done"
)

// Parties that sign off a dual item.
const (
	SideTransferor = "transferor"
	SideTransferee = "transferee"
)

// EvidenceRef names a file attached to an item; the bytes are in the vault.
type EvidenceRef struct {
	ID     string    `json:"id"`
	Name   string    `json:"name"`
	Size   int64     `json:"size"`
	SHA256 string    `json:"sha256"`
	By     string    `json:"by"` // operator id
	At     time.Time `json:"at"`
}

// SignOff is one party's sign-off of a dual item, by an operator who gave their passphrase.
type SignOff struct {
	Side     string    `json:"side"`
	Operator string    `json:"operator"`
	Name     string    `json:"name"`
	At       time.Time `json:"at"`
}

// Reopening records that a completed item was opened again, by whom and why.
type Reopening struct {
	By     string    `json:"by"`
	At     time.Time `json:"at"`
	Reason string    `json:"reason"`
}

// Record is what people have done on one item; automatic items have none.
type Record struct {
	ID        string    `json:"id"`
	Completed bool      `json:"completed"` // attested (manual, evidence)
	By        string    `json:"by,omitempty"`
	ByName    string    `json:"by_name,omitempty"`
	At        time.Time `json:"at,omitzero"`
	Note      string    `json:"note,omitempty"`
	Basis     string    `json:"basis,omitempty"` // cross_border: the legal basis
	// ConfirmedBy: on an item whose reading is for counsel, who confirmed it.
	ConfirmedBy string `json:"confirmed_by,omitempty"`
	// CrossBorder: on the cross-border item, what the transfer abroad rests on.
	CrossBorder *CrossBorder `json:"cross_border,omitempty"`
	// Book: on an item that agrees to the book, the book its sign-offs agreed to.
	Book     *BookStamp    `json:"book,omitempty"`
	Evidence []EvidenceRef `json:"evidence,omitempty"`
	SignOffs []SignOff     `json:"sign_offs,omitempty"`
	Reopened []Reopening   `json:"reopened,omitempty"`
}

// WorkbookFact is where an assessment workbook stands.
type WorkbookFact struct {
	Answered  bool // every question it asks on this deal answered
	SignedOff bool // signed off by the compliance reviewer at its current answers
}

// FindingRef names an open finding that blocks a step.
type FindingRef struct {
	ID, Title string
}

// NeedFinding is how a step names an open finding of high severity that blocks it.
func NeedFinding(id string) string { return "finding:" + id }

// BookStamp identifies the book a sign-off agreed to: its digest (docs/FIGURES.md), computed
// when the first party signed, and its counts, which every change to the book moves and
// which are cheap to compare at each reading.
type BookStamp struct {
	Digest string `json:"digest"`
	Counts string `json:"counts"`
}

// Fact names what an automatic item follows from (its template's follows_from).
type Fact string

// The facts automatic items follow from.
const (
	FactImport       Fact = "import"       // the book is in the vault and no quarantined row is open
	FactBackup       Fact = "backup"       // a backup verified within BackupFresh
	FactExport       Fact = "export"       // a handover package exported
	FactReceipt      Fact = "receipt"      // the package received with equal figures, or the receipt signed
	FactConfirmation Fact = "confirmation" // the confirmation certificate signed by both parties
	FactAuditReport  Fact = "audit_report" // an audit report issued
	FactDestruction  Fact = "destruction"  // the whole book destroyed and the destruction verified
	FactArchive      Fact = "archive"      // the compliance archive written and read back
	FactRetention    Fact = "retention"    // the deal records who keeps the AML records, confirmed by someone named
	FactNotification Fact = "notification" // every customer reached by every required notice, no follow-up open
	// FactNoticeOrBasis is FactNotification, or a legal basis for providing without consent
	// recorded with its evidence and who decided (what a loan book's export waits for).
	FactNoticeOrBasis Fact = "notification_or_basis"
	// FactContinuity: the continuity plan recorded and every repayment the transferor
	// received after the cut-off forwarded to the transferee.
	FactContinuity Fact = "continuity"
	// FactNDA, FactTraining: every operator has a current record in the NDA (training)
	// register (docs/REGISTERS.md).
	FactNDA      Fact = "nda_register"
	FactTraining Fact = "training_register"
	// FactWorkbook: the item's assessment workbook (its "workbook") answered and signed off
	// by the compliance reviewer.
	FactWorkbook Fact = "workbook"
)

// KnownFacts lists every fact.
var KnownFacts = []Fact{FactImport, FactBackup, FactExport, FactReceipt, FactConfirmation, FactAuditReport, FactDestruction, FactArchive, FactRetention,
	FactNotification, FactNoticeOrBasis, FactContinuity, FactNDA, FactTraining, FactWorkbook}

// Facts are what the automatic items are derived from, read from the vault each time.
type Facts struct {
	Imported           bool      // the book has customers (imported or received)
	QuarantineOpen     int       // quarantined rows neither corrected nor dismissed
	BackupVerified     time.Time // when a backup was last verified, zero if never
	PackageExported    bool
	PackageReceived    bool // received here with equal figures, or the receiver's receipt signed
	ConfirmationSigned bool // a confirmation certificate signed by every signer, both parties
	// ConfirmationOneSided: a confirmation signed by every signer it names, whose signers
	// are all of one party (matched to the deal's parties): it does not count.
	ConfirmationOneSided bool
	// BookCounts is the book's counts now, compared with an agreed stamp's.
	BookCounts string
	// WithoutNDA and WithoutTraining list the operators without a current record in the
	// registers (docs/REGISTERS.md); Registered says the registers were read at all.
	WithoutNDA, WithoutTraining []string
	Registered                  bool
	// Workbooks: each assessment workbook's state (app/assess), by ID.
	Workbooks map[string]WorkbookFact
	// OpenHighFindings: the assessments' open findings of high severity; each blocks export.
	OpenHighFindings  []FindingRef
	AuditReportIssued bool
	CopyDestroyed     bool // a plan of scope all run and verified
	ArchiveMade       bool // the compliance archive written and read back
	RetentionSet      bool // the deal's retention arrangement recorded and confirmed
	CustomersNotified bool // the notice tracking shows every customer reached, no follow-up open
	NoticeBasis       bool // a legal basis for providing without consent recorded
	ContinuityPlanned bool // the continuity plan recorded (channel change, complaints, credit reporting)
	PaymentsForwarded bool // every repayment received after the cut-off forwarded (none is fine)
	Now               time.Time
}

// BackupFresh is how recent a verified backup must be.
const BackupFresh = 24 * time.Hour

// Needs say what an item still lacks; the UI translates them as checklist.need.<code>.
const (
	NeedAttestation    = "attestation"
	NeedEvidence       = "evidence"
	NeedBasis          = "cross_border_basis"
	NeedSignTransferor = "signoff_transferor" // NeedSignOff(SideTransferor)
	NeedSignTransferee = "signoff_transferee" // NeedSignOff(SideTransferee)
	NeedImport         = "import"
	NeedQuarantine     = "quarantine_open"
	NeedBackup         = "backup_verified"
	NeedExport         = "package_export"
	NeedReceipt        = "package_receipt"
	NeedConfirmation   = "confirmation_signatures"
	NeedAuditReport    = "audit_report"
	NeedDestruction    = "destruction"
	NeedArchive        = "archive"
	NeedRetention      = "retention_keeper"
	NeedNotification   = "notification"
	// NeedNotificationOrBasis: the notices, or a legal basis for providing without consent.
	NeedNotificationOrBasis = "notification_or_basis"
	NeedContinuityPlan      = "continuity_plan"
	NeedPaymentsForwarded   = "payments_forwarded"
	// NeedCounsel: an item whose reading is for counsel names who confirmed it.
	NeedCounsel = "counsel_confirmation"
	// NeedBookChanged: the book changed since the parties agreed to it; both sign off again.
	NeedBookChanged = "book_changed"
	// NeedConfirmationParties: the confirmation is signed, but not by both parties.
	NeedConfirmationParties = "confirmation_both_parties"
	// NeedNDA, NeedTraining: an operator has no current NDA or training record.
	NeedNDA      = "nda_register"
	NeedTraining = "training_register"
	// NeedCrossBorderWeaker: the recorded basis is weaker than the transfer's size requires.
	NeedCrossBorderWeaker = "cross_border_weaker_basis"
	// NeedCrossBorderDetail: the filing or approval, destination or consent is missing.
	NeedCrossBorderDetail = "cross_border_detail"
	// NeedWorkbookAnswers, NeedWorkbookSignOff: the item's workbook is not fully answered, or
	// not signed off at its current answers.
	NeedWorkbookAnswers = "workbook_answers"
	NeedWorkbookSignOff = "workbook_signoff"
)

// NeedItem is what an item lacks until an item it requires is done.
func NeedItem(id string) string { return "item:" + id }

// NeedSignOff is what a dual item lacks until a party has signed it off.
func NeedSignOff(side string) string { return "signoff_" + side }

// Status is one item's state as shown and gated on.
type Status struct {
	Item
	Phase string   `json:"phase"`
	State string   `json:"state"`
	Needs []string `json:"needs,omitempty"`
	Rec   *Record  `json:"record,omitempty"`
}

// Evaluate derives every item's state from the records and facts, then holds back the items
// whose required items are not done yet.
func Evaluate(t *Template, d *Deal, recs map[string]*Record, f Facts) []Status {
	var out []Status
	done := map[string]bool{}
	for _, ph := range t.Phases {
		for _, it := range ph.Items {
			if !it.Applies(d) {
				continue
			}
			st := Status{Item: it, Phase: ph.ID, Rec: recs[it.ID]}
			st.Needs = needs(it, d, st.Rec, f)
			st.State = state(st)
			done[it.ID] = st.State == Done
			out = append(out, st)
		}
	}
	for i := range out {
		for _, r := range out[i].Requires {
			if !done[r] {
				out[i].Needs = append(out[i].Needs, NeedItem(r))
			}
		}
		out[i].State = state(out[i])
	}
	return out
}

func state(st Status) string {
	switch {
	case len(st.Needs) == 0:
		return Done
	case st.Kind == Dual && st.Rec != nil && len(st.Rec.SignOffs) > 0 && !st.Stale():
		return Partial
	}
	return Open
}

func needs(it Item, d *Deal, r *Record, f Facts) []string {
	var n []string
	switch it.Kind {
	case Manual:
		if r == nil || !r.Completed {
			n = append(n, NeedAttestation)
		}
		if NeedsBasis(it, d) {
			n = append(n, crossBorderNeeds(r)...)
		}
	case Evidence:
		if r == nil || !r.Completed {
			n = append(n, NeedAttestation)
		}
		if r == nil || len(r.Evidence) == 0 {
			n = append(n, NeedEvidence)
		}
	case Dual:
		signed := r.liveSignOffs(it, f)
		if it.AgreesBook && r != nil && len(r.SignOffs) > 0 && len(signed) == 0 {
			n = append(n, NeedBookChanged)
		}
		for _, side := range []string{SideTransferor, SideTransferee} {
			if !slices.ContainsFunc(signed, func(s SignOff) bool { return s.Side == side }) {
				n = append(n, NeedSignOff(side))
			}
		}
	case Automatic:
		if it.FollowsFrom == FactWorkbook {
			w := f.Workbooks[it.Workbook]
			if !w.Answered {
				n = append(n, NeedWorkbookAnswers)
			}
			if !w.SignedOff {
				n = append(n, NeedWorkbookSignOff)
			}
			break
		}
		n = automaticNeeds(it.FollowsFrom, f)
	}
	if it.Counsel && (r == nil || r.ConfirmedBy == "") {
		n = append(n, NeedCounsel)
	}
	return n
}

// liveSignOffs are the sign-offs that count: on an item that agrees to the book, only while
// the book is the one they agreed to.
func (r *Record) liveSignOffs(it Item, f Facts) []SignOff {
	if r == nil {
		return nil
	}
	if it.AgreesBook && (r.Book == nil || r.Book.Counts != f.BookCounts) {
		return nil
	}
	return r.SignOffs
}

// Stale says whether a dual item's sign-offs were given to a book that has changed since.
func (st Status) Stale() bool {
	return slices.Contains(st.Needs, NeedBookChanged)
}

func automaticNeeds(fact Fact, f Facts) []string {
	var n []string
	switch fact {
	case FactImport:
		if !f.Imported {
			n = append(n, NeedImport)
		}
		if f.QuarantineOpen > 0 {
			n = append(n, NeedQuarantine)
		}
	case FactBackup:
		if f.BackupVerified.IsZero() || f.Now.Sub(f.BackupVerified) > BackupFresh {
			n = append(n, NeedBackup)
		}
	case FactExport:
		if !f.PackageExported {
			n = append(n, NeedExport)
		}
	case FactReceipt:
		if !f.PackageReceived {
			n = append(n, NeedReceipt)
		}
	case FactConfirmation:
		switch {
		case f.ConfirmationSigned:
		case f.ConfirmationOneSided:
			n = append(n, NeedConfirmationParties)
		default:
			n = append(n, NeedConfirmation)
		}
	case FactNDA:
		if !f.Registered || len(f.WithoutNDA) > 0 {
			n = append(n, NeedNDA)
		}
	case FactTraining:
		if !f.Registered || len(f.WithoutTraining) > 0 {
			n = append(n, NeedTraining)
		}
	case FactAuditReport:
		if !f.AuditReportIssued {
			n = append(n, NeedAuditReport)
		}
	case FactDestruction:
		if !f.CopyDestroyed {
			n = append(n, NeedDestruction)
		}
	case FactArchive:
		if !f.ArchiveMade {
			n = append(n, NeedArchive)
		}
	case FactNotification:
		if !f.CustomersNotified {
			n = append(n, NeedNotification)
		}
	case FactContinuity:
		if !f.ContinuityPlanned {
			n = append(n, NeedContinuityPlan)
		}
		if !f.PaymentsForwarded {
			n = append(n, NeedPaymentsForwarded)
		}
	case FactNoticeOrBasis:
		if !f.CustomersNotified && !f.NoticeBasis {
			n = append(n, NeedNotificationOrBasis)
		}
	case FactRetention:
		if !f.RetentionSet {
			n = append(n, NeedRetention)
		}
	}
	return n
}

// Blocking lists the items not done that a step waits for.
func Blocking(statuses []Status, step Step) []string {
	var ids []string
	for _, s := range statuses {
		if s.Gate == step && s.State != Done {
			ids = append(ids, s.ID)
		}
	}
	return ids
}

// BlockingAll is Blocking with the open findings of high severity, which block export
// whatever the checklist says (named NeedFinding(id)).
func BlockingAll(statuses []Status, f Facts, step Step) []string {
	ids := Blocking(statuses, step)
	if step == StepExport {
		for _, fd := range f.OpenHighFindings {
			ids = append(ids, NeedFinding(fd.ID))
		}
	}
	return ids
}

// Progress counts done items per phase, in the template's order.
type Progress struct {
	Phase string `json:"phase"`
	Done  int    `json:"done"`
	Total int    `json:"total"`
}

// MarshalJSON writes the keys in lower case like every other key, and for one more release
// also as "Done" and "Total", the names the first releases printed, so that users' scripts
// have time to move.
func (p Progress) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Phase    string `json:"phase"`
		Done     int    `json:"done"`
		Total    int    `json:"total"`
		OldDone  int    `json:"Done"`
		OldTotal int    `json:"Total"`
	}{p.Phase, p.Done, p.Total, p.Done, p.Total})
}

// PhaseProgress sums statuses per phase.
func PhaseProgress(statuses []Status) []Progress {
	var out []Progress
	for _, s := range statuses {
		if len(out) == 0 || out[len(out)-1].Phase != s.Phase {
			out = append(out, Progress{Phase: s.Phase})
		}
		p := &out[len(out)-1]
		p.Total++
		if s.State == Done {
			p.Done++
		}
	}
	return out
}
