// Package cert is the handover certificate's statement: what was handed over, when and by
// whom, as canonical JSON that each required signer signs (SSHSIG, namespace
// handover-certificate@v1). Anyone can check a statement and its signatures with
// `ssh-keygen -Y verify`, without this program. pdf.go renders a statement and its
// signatures as the certificate PDF.
package cert

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"handover/app/figures"
	"handover/crypto/identity"
	"handover/store/model"
)

// Kinds of certificate.
const (
	KindConfirmation = "confirmation" // 客户资料移交确认书
	KindReceipt      = "receipt"      // 接收回执
	KindDestruction  = "destruction"  // 销毁证明
)

// Namespace is the SSHSIG namespace of certificate signatures.
const Namespace = "handover-certificate@v1"

const format = "handover-statement/v1"

// Errors meant for the user.
var (
	ErrKind      = errors.New("the kind must be confirmation, receipt or destruction")
	ErrNoSigners = errors.New("a certificate needs at least one signer's card")
	ErrNotSigner = errors.New("this identity is not one of the certificate's signers")
	ErrStatement = errors.New("not a Handover certificate statement")
)

// Statement is what the signers sign. Its JSON keys are a contract with receivers'
// scripts; its bytes, exactly as written, are what each signature covers.
type Statement struct {
	Format      string          `json:"format"`
	ID          string          `json:"id"`
	Kind        string          `json:"kind"`
	Vault       string          `json:"vault"`
	Deal        Deal            `json:"deal"`
	Issued      time.Time       `json:"issued"` // UTC; shown in Asia/Shanghai
	Workstation string          `json:"workstation"`
	Parties     []string        `json:"parties"` // the signers' organisations
	Signers     []Signer        `json:"signers"`
	Figures     figures.Figures `json:"figures"`
	Imports     []Import        `json:"imports"`
	// Packages are the handover packages exported from the vault so far, by the digest of
	// their signed package.json. Checklist is filled once the checklist (issue 6) exists.
	Packages  []Package       `json:"packages"`
	Checklist json.RawMessage `json:"checklist"`
	// AuditCheckpoint is the audit log's signed checkpoint when the statement was issued
	// (C2SP tlog-checkpoint): the log can later be shown to extend it.
	AuditCheckpoint string `json:"audit_checkpoint"`
	// Destruction is what a destruction certificate (kind destruction) attests.
	Destruction *Destruction `json:"destruction,omitempty"`
}

// Approver is one approval of a destruction plan: an operator with their role, or a person of
// the other party (role "party:<organisation>") who signed with their identity.
type Approver struct {
	Name string `json:"name"`
	Role string `json:"role"`
}

// KeptGroup is customers a destruction kept, and why (reason "hold").
type KeptGroup struct {
	Customers int    `json:"customers"`
	Reason    string `json:"reason"`
	Hold      string `json:"hold,omitempty"`
	Case      string `json:"case,omitempty"`
}

// OutsideCopy is a copy of the book outside the vault (kind "package" or "backup"), with its
// destruction when one was registered.
type OutsideCopy struct {
	Kind      string          `json:"kind"`
	ID        string          `json:"id"`
	Where     string          `json:"where"`
	At        time.Time       `json:"at"`
	Destroyed *MediaDestroyed `json:"destroyed,omitempty"`
}

// MediaDestroyed is a medium registered as destroyed: what, how, by whom, when, evidence.
type MediaDestroyed struct {
	What     string    `json:"what"`
	How      string    `json:"how"`
	By       string    `json:"by"`
	At       time.Time `json:"at"`
	Evidence string    `json:"evidence,omitempty"`
	SHA256   string    `json:"sha256,omitempty"`
}

// Destruction is what a destruction certificate states, after NIST SP 800-88 Rev. 2 and
// erasure-report practice: method, scope, tool, who planned, approved and ran it, when,
// the verification, what was kept and why, the copies outside the vault, and the limits.
type Destruction struct {
	Plan            string           `json:"plan"`
	Scope           string           `json:"scope"`  // all, due, customers
	Method          string           `json:"method"` // crypto_erase+delete+rewrite
	Customers       int64            `json:"customers"`
	Loans           int64            `json:"loans"`
	Repayments      int64            `json:"repayments"`
	Documents       int64            `json:"documents"`
	DocumentBytes   int64            `json:"document_bytes"`
	CustomersDigest string           `json:"customers_digest"` // over the plan's salted customer digests
	Tool            string           `json:"tool"`
	PlannedBy       string           `json:"planned_by"`
	Approvers       []Approver       `json:"approvers"`
	RunBy           string           `json:"run_by"`
	Started         time.Time        `json:"started"`
	Ended           time.Time        `json:"ended"`
	Verified        bool             `json:"verified"`
	VerifiedAt      time.Time        `json:"verified_at"`
	KeysLeft        int              `json:"keys_left"`
	RecordsLeft     int              `json:"records_left"`
	Remaining       int64            `json:"remaining"`       // customers the vault still holds
	Kept            []KeptGroup      `json:"kept"`            // what the plan kept and why
	Copies          []OutsideCopy    `json:"copies"`          // copies outside the vault (audit log), and whether each was destroyed
	Media           []MediaDestroyed `json:"media,omitempty"` // the register of media destroyed outside the vault
	// EvidenceDestroyed are the checklist evidence files the plan's author named as holding
	// these customers' data, destroyed with them; EvidenceKept counts the others, kept with
	// the handover's records (the program does not read inside evidence files).
	EvidenceDestroyed []EvidenceFile `json:"evidence_destroyed,omitempty"`
	EvidenceKept      int            `json:"evidence_kept,omitempty"`
	Limits            []string       `json:"limits"` // label keys of the honest limits
}

// EvidenceFile is an evidence file by name and SHA-256.
type EvidenceFile struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
}

// Deal names the handover the certificate belongs to. Until the deal setup (issue 6)
// records a name and type, the deal is the vault.
type Deal struct {
	ID   string `json:"id"`
	Type string `json:"type"` // equity, loan-book, merger; "" until recorded
	// The parties as the deal records them (registered names and 统一社会信用代码), which
	// the certificate names, rather than the free text on the signers' cards. Empty in
	// statements issued before a deal was recorded.
	Subtype    string `json:"subtype,omitempty"`
	Transferor *Party `json:"transferor,omitempty"`
	Transferee *Party `json:"transferee,omitempty"`
	Target     *Party `json:"target,omitempty"`     // an equity transfer's company
	ActingFor  string `json:"acting_for,omitempty"` // a liquidation team or administrator
}

// Party is one side of the deal: a company with its credit code, or a natural person.
type Party struct {
	Name       string `json:"name"`
	CreditCode string `json:"credit_code,omitempty"`
	Person     bool   `json:"person,omitempty"`
}

// Package is a handover package the certificate covers, by its digest.
type Package struct {
	ID     string `json:"id"`
	SHA256 string `json:"sha256"`
}

// Signer is a person whose signature the certificate needs.
type Signer struct {
	Name         string `json:"name"`
	Organisation string `json:"organisation"`
	Role         string `json:"role"`
	Fingerprint  string `json:"fingerprint"`
	SigningKey   string `json:"signing_key"`
	Required     bool   `json:"required"`
}

// Import is one imported file's summary as the certificate states it.
type Import struct {
	File        string               `json:"file"`
	SHA256      string               `json:"sha256"`
	Sheet       string               `json:"sheet,omitempty"`
	Table       string               `json:"table"`
	Rows        int64                `json:"rows"`
	Accepted    int64                `json:"accepted"`
	Quarantined int64                `json:"quarantined"`
	Corrected   int64                `json:"corrected"`
	Dismissed   int64                `json:"dismissed"`
	Open        int64                `json:"open"`
	Warnings    int64                `json:"warnings"`
	Totals      map[string]model.Fen `json:"totals"`
}

// New assembles a statement. imports are the imported files in the order they were
// imported; signers are the cards of the people who must sign.
func New(kind, vault, workstation string, now time.Time, f *figures.Figures, imports []Import, signers []identity.Card) (*Statement, error) {
	return NewWithWitnesses(kind, vault, workstation, now, f, imports, signers, nil)
}

// NewWithWitnesses is New with optional witnesses: they may sign, but the certificate is
// complete without them.
func NewWithWitnesses(kind, vault, workstation string, now time.Time, f *figures.Figures, imports []Import, signers, witnesses []identity.Card) (*Statement, error) {
	if kind != KindConfirmation && kind != KindReceipt && kind != KindDestruction {
		return nil, ErrKind
	}
	if len(signers) == 0 {
		return nil, ErrNoSigners
	}
	var idb [8]byte
	rand.Read(idb[:])
	s := &Statement{Format: format, ID: "HC-" + now.UTC().Format("20060102") + "-" + strings.ToUpper(hex.EncodeToString(idb[:])),
		Kind: kind, Vault: vault, Deal: Deal{ID: vault}, Issued: now.UTC().Truncate(time.Second), Workstation: workstation,
		Figures: *f, Packages: []Package{}, Checklist: json.RawMessage("null")}
	orgs := map[string]bool{}
	seen := map[string]bool{}
	for i, c := range append(append([]identity.Card{}, signers...), witnesses...) {
		if seen[c.Fingerprint] {
			continue
		}
		seen[c.Fingerprint] = true
		s.Signers = append(s.Signers, Signer{Name: c.Name, Organisation: c.Organisation, Role: c.Role,
			Fingerprint: c.Fingerprint, SigningKey: c.SigningKey, Required: i < len(signers)})
		if i < len(signers) && !orgs[c.Organisation] {
			orgs[c.Organisation] = true
			s.Parties = append(s.Parties, c.Organisation)
		}
	}
	s.Imports = append([]Import{}, imports...)
	return s, nil
}

// Marshal is the statement file: indented JSON with map keys sorted, so the same
// statement always gives the same bytes.
func (s *Statement) Marshal() []byte {
	b, _ := json.MarshalIndent(s, "", "  ")
	return append(b, '\n')
}

// Parse reads a statement file.
func Parse(b []byte) (*Statement, error) {
	var s Statement
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if len(b) > 16<<20 || dec.Decode(&s) != nil || s.Format != format {
		return nil, ErrStatement
	}
	return &s, nil
}

// SignaturePath is where a signer's signature of the statement at path is kept: beside it,
// named by the signer, so that `ssh-keygen -Y verify -s` finds it by name.
func SignaturePath(statementPath string, fingerprint string) string {
	return statementPath + "." + "handover-" + fingerprint[:16] + ".sig"
}

// Sign signs the statement bytes with an identity that the statement lists as a signer.
func Sign(statement []byte, id *identity.Identity) ([]byte, error) {
	s, err := Parse(statement)
	if err != nil {
		return nil, err
	}
	if s.signer(id.Card.Fingerprint) == nil {
		return nil, ErrNotSigner
	}
	return id.Sign(Namespace, statement)
}

func (s *Statement) signer(fp string) *Signer {
	for i := range s.Signers {
		if s.Signers[i].Fingerprint == fp {
			return &s.Signers[i]
		}
	}
	return nil
}

// Check is the verdict on one signer.
type Check struct {
	Signer  Signer
	Signed  bool  // a valid signature was found
	Err     error // why a signature found did not verify
	Trusted bool  // the signer's card is among the trusted cards (or none were given)
	Note    *Note // when and where the signer's workstation says it signed
}

// Report is the verdict on a statement and its signatures.
type Report struct {
	Statement *Statement
	Checks    []Check
}

// Complete says every required signer signed validly and is trusted.
func (r *Report) Complete() bool {
	for _, c := range r.Checks {
		if c.Signer.Required && (!c.Signed || !c.Trusted) || c.Err != nil {
			return false
		}
	}
	return true
}

// VerifyFiles checks the statement at path with every signature beside it. trust, when not
// empty, lists the cards whose fingerprints were compared in person; a signer outside it is
// reported untrusted.
func VerifyFiles(path string, trust []identity.Card) (*Report, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	s, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	r := &Report{Statement: s}
	for _, sg := range s.Signers {
		c := Check{Signer: sg, Trusted: len(trust) == 0}
		for _, t := range trust {
			c.Trusted = c.Trusted || t.Fingerprint == sg.Fingerprint && t.SigningKey == sg.SigningKey
		}
		sig, err := os.ReadFile(SignaturePath(path, sg.Fingerprint))
		if err == nil {
			card := identity.Card{SigningKey: sg.SigningKey}
			if c.Err = card.Verify(Namespace, b, sig); c.Err == nil {
				c.Signed = true
			}
			if nb, err := os.ReadFile(NotePath(path, sg.Fingerprint)); err == nil {
				c.Note, _ = NoteOf(nb)
			}
		} else if !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
		r.Checks = append(r.Checks, c)
	}
	return r, nil
}
