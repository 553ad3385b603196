// Package audit defines the audit event: who did what, when, on which workstation, to what,
// and how it ended. Every vault operation produces one through app/vault's single hook.
//
// Events never hold a C2 or C3 value: customers are named by internal number, searches by
// their kind, reveals by the field's name.
package audit

import (
	"encoding/json"
	"time"
)

// Outcomes.
const (
	OK     = "ok"
	Denied = "denied" // refused by a permission check or a gate
	Failed = "failed" // attempted and failed (wrong passphrase, corruption, I/O)
	// Interrupted: the process stopped between the operation's effect and its record; the
	// event is written at the next unlock with what could be established then.
	Interrupted = "interrupted"
)

// Actions. The strings are stable: reports and scripts filter on them.
const (
	VaultCreate           = "vault.create"
	Unlock                = "vault.unlock"
	UnlockFailed          = "vault.unlock_failed"
	UnlockFailuresAltered = "vault.unlock_failures_altered" // the file of failed unlocks was changed while locked
	VaultRepair           = "vault.repair"                  // logs refused as damaged cut as after a crash, then the book read whole
	Lock                  = "vault.lock"
	AutoLock              = "vault.autolock"
	OperatorAdd           = "operator.add"
	OperatorRemove        = "operator.remove"
	PassphraseChange      = "operator.passphrase_change"
	OperatorRole          = "operator.role"
	PassphraseReset       = "operator.passphrase_reset"
	CustomerView          = "customer.view"
	CustomerReveal        = "customer.reveal"
	Search                = "customer.search"
	DocumentOpen          = "document.open"
	DemoGenerate          = "demo.generate"
	SettingsChange        = "settings.change"
	CorruptionFound       = "integrity.corruption"
	Import                = "import.run"             // one import run (counts of all its files)
	ImportFile            = "import.file"            // one file of a run: name, SHA-256, counts
	QuarantineFix         = "quarantine.correct"     // a quarantined row corrected and re-validated
	QuarantineClose       = "quarantine.dismiss"     // a quarantined row dismissed with a reason
	QuarantineReveal      = "quarantine.reveal"      // a quarantined row's value shown in full
	ProfileSave           = "import.profile_save"    // a mapping profile saved
	Figures               = "book.figures"           // the book's figures and digest computed
	CertNew               = "cert.new"               // a certificate statement issued
	CertSign              = "cert.sign"              // a signer's signature added to a statement
	PackageExport         = "package.export"         // a handover package written
	PackageReceive        = "package.receive"        // a handover package received into the vault
	PackageReceiveUndone  = "package.receive_undone" // a receive cut off during its commit, undone at unlock
	TrustAdd              = "trust.add"              // a card's fingerprint compared in person and trusted
	AuditVerify           = "audit.verify"           // the audit log verified
	AuditCheckpoint       = "audit.checkpoint"       // a signed checkpoint of the audit log issued
	AuditPrune            = "audit.prune"            // events past their retention pruned (their hashes stay)
	AuditReport           = "audit.report"           // an audit report or export made
	PackageReceipt        = "package.receipt"        // the receiver's signed receipt taken back into the sending vault
	Backup                = "vault.backup"           // a backup written and verified by reading it back
	DealInit              = "deal.init"              // the deal recorded: type, parties, recipient's location
	DealScope             = "deal.scope"             // a partial transfer's scope recorded (how many customers)
	DealRetention         = "deal.retention"         // who keeps the AML records after the handover, for how long, confirmed by whom
	RetentionReport       = "retention.report"       // the retention report made
	RetentionEnd          = "retention.end"          // a relationship end set by hand for customers, with the reason
	ChecklistComplete     = "checklist.complete"     // a manual or evidence item attested
	ChecklistEvidence     = "checklist.evidence"     // a file attached to an item (name, SHA-256)
	ChecklistSignOff      = "checklist.signoff"      // one party's sign-off of a dual item
	ChecklistReopen       = "checklist.reopen"       // an item opened again, with the reason
	HoldAdd               = "hold.add"               // a legal hold placed: case, scope, until
	HoldRelease           = "hold.release"           // a legal hold released, with the reason
	DestroyPlan           = "destroy.plan"           // a destruction plan made: scope, counts, what is kept
	DestroyApprove        = "destroy.approve"        // one approval of a destruction plan
	DestroyRun            = "destroy.run"            // the customers of a plan destroyed: keys erased, records deleted, database rewritten
	DestroyVerify         = "destroy.verify"         // a destruction checked: no key, record or index entry left
	DestroyMedia          = "destroy.media"          // a copy or medium outside the vault registered as destroyed, with how and the evidence\'s hash
	Restrict              = "vault.restrict"         // the vault or customers put in the storage-only state (PIPL Art. 47)
	RestrictLift          = "vault.restrict_lift"    // the storage-only state lifted by two operators
	VaultArchive          = "vault.archive"          // the compliance archive written and read back
	VaultDestroy          = "vault.destroy"          // the whole vault destroyed after its archive
	NoticeSetup           = "notice.setup"           // the notice settings recorded: cut-off, accounts, contacts
	NoticePreview         = "notice.preview"         // one letter drawn for one customer, to look at
	NoticeGenerate        = "notice.generate"        // a batch of letters, SMS or a mailing list written, with its manifest's digest
	NoticeSent            = "notice.sent"            // a batch handed to the post or the SMS gateway
	NoticeStatus          = "notice.status"          // a gateway or postal report read: rows matched and refused
	NoticeResolve         = "notice.resolve"         // a customer's follow-up closed, with the reason
	ContinuityPlan        = "continuity.plan"        // the continuity plan recorded: account change dates, complaints, credit reporting
	ContinuityPayment     = "continuity.payment"     // a repayment the transferor received after the cut-off registered (amount, date)
	ContinuityForward     = "continuity.forward"     // a registered repayment forwarded to the transferee
	ContinuityReport      = "continuity.report"      // the continuity report made
	NoticeTemplate        = "notice.template"        // an edited notice template saved in the vault (ID, version)
	NoticeReport          = "notice.report"          // the notice report made
	NoticeBasis           = "notice.basis"           // a legal basis for providing without consent recorded, with who decided
	RegisterNDA           = "register.nda"           // an NDA recorded in the register: person, version, term, file SHA-256
	RegisterTraining      = "register.training"      // a training recorded in the register: person, date, trainer, score, expiry
	RegisterReport        = "register.report"        // the registers report made
	AssessAnswer          = "assess.answer"          // a workbook question answered (workbook, question, revision)
	AssessFinding         = "assess.finding"         // a finding recorded: workbook, severity, due date
	AssessFindingClose    = "assess.finding_close"   // a finding closed, with how it was dealt with
	AssessSignOff         = "assess.signoff"         // a workbook signed off by the compliance reviewer
	AssessReport          = "assess.report"          // a workbook report made
	IncidentOpen          = "incident.open"          // an incident recorded: kind, scope's source and customers
	IncidentEntry         = "incident.entry"         // a line added to an incident's timeline (or its root cause)
	IncidentDecision      = "incident.decision"      // the decision on notification recorded, with who decided
	IncidentState         = "incident.state"         // an incident contained or notified
	IncidentAction        = "incident.action"        // a remediation action recorded or done
	IncidentClose         = "incident.close"         // a closing sign-off; the second, by another role, closes it
	IncidentReport        = "incident.report"        // an incident's drafts or report made
	ReviewDone            = "review.done"            // a periodic review done: its result and evidence
	ReviewReport          = "review.report"          // the periodic review report made
	StandardsReport       = "standards.report"       // the standards map with the deal's evidence status made
	LawUpdate             = "lawupdate.add"          // a change in a law or standard recorded, with the rule sets it touches
	LawUpdateReport       = "lawupdate.report"       // the law-update register and the rule versions the deal used made
)

// Event is one audit record.
type Event struct {
	Seq         uint64            `json:"seq"`
	Time        time.Time         `json:"time"` // UTC
	Operator    string            `json:"operator"`
	Workstation string            `json:"workstation"`
	Action      string            `json:"action"`
	Target      string            `json:"target,omitempty"`
	Outcome     string            `json:"outcome"`
	Detail      map[string]string `json:"detail,omitempty"`
}

// Sink appends events. The vault's store is the one real Sink; tests use a slice.
type Sink interface {
	Append(ev Event) (seq uint64, err error)
}

// Encode is the stored form of an event.
func Encode(ev Event) []byte {
	b, _ := json.Marshal(ev)
	return b
}

// Decode parses a stored event.
func Decode(b []byte) (Event, error) {
	var ev Event
	err := json.Unmarshal(b, &ev)
	return ev, err
}
