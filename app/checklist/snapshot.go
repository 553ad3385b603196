package checklist

import "time"

// Snapshot is the deal's checklist as a document records it (the certificate's statement,
// the checklist report, a package's data/checklist.json): enough to show, on any machine and
// without the templates, what was done, by whom, with which evidence. Its JSON keys are a
// contract with receivers' scripts.
type Snapshot struct {
	DealType          string         `json:"deal_type"`
	Transferor        SnapshotParty  `json:"transferor"`
	Transferee        SnapshotParty  `json:"transferee"`
	RecipientLocation string         `json:"recipient_location"`
	Items             []SnapshotItem `json:"items"`
	// Deal is the whole deal as the sender recorded it, in a package's copy only: the
	// receiver confirms it instead of typing it again (vault.Session.AcceptOfferedDeal).
	Deal *Deal `json:"deal,omitempty"`
}

// SnapshotParty is one side of the deal.
type SnapshotParty struct {
	Name       string `json:"name"`
	CreditCode string `json:"credit_code"`
}

// SnapshotItem is one item's state when the snapshot was taken.
type SnapshotItem struct {
	ID       string            `json:"id"`
	Phase    string            `json:"phase"`
	State    string            `json:"state"` // open, partial, done
	Title    map[string]string `json:"title"` // zh-CN and en
	Source   string            `json:"source"`
	Law      string            `json:"law"`
	By       string            `json:"by,omitempty"` // operator's name
	At       time.Time         `json:"at,omitzero"`
	Basis    string            `json:"basis,omitempty"`
	Evidence []EvidenceFile    `json:"evidence,omitempty"`
	SignOffs []string          `json:"sign_offs,omitempty"` // "transferor: name"
}

// EvidenceFile is an attachment, by name and SHA-256.
type EvidenceFile struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
}
