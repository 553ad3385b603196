package cert

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"handover/app/checklist"
	"handover/app/doc/doctest"
	"handover/app/figures"
	"handover/crypto/identity"
	"handover/store/model"
)

// goldenStatement is a fixed statement with imports, packages and a checklist, so that the
// certificate's bytes can be compared with testdata/ across refactorings of the layout.
func goldenStatement(t *testing.T) []byte {
	sums := []Import{{File: "客户.csv", SHA256: strings.Repeat("ab", 32), Table: "customers", Rows: 1000,
		Accepted: 990, Quarantined: 10, Open: 10, Totals: map[string]model.Fen{"principal": 123456789}}}
	st, err := New(KindConfirmation, "v-golden", "ws-golden", now, &figures.Figures{Customers: 3, Loans: 4,
		Principal: 1234500, Digest: strings.Repeat("0", 64), Overdue: []figures.Bucket{{Label: "1-30", Loans: 1, Outstanding: 500}}}, sums, nil)
	if err == nil || st != nil {
		t.Fatal("a statement without signers was accepted")
	}
	st, _ = New(KindConfirmation, "v-golden", "ws-golden", now, &figures.Figures{Customers: 3, Loans: 4,
		Principal: 1234500, Digest: strings.Repeat("0", 64), Overdue: []figures.Bucket{{Label: "1-30", Loans: 1, Outstanding: 500}}}, sums,
		[]identity.Card{{Name: "张三", Organisation: "甲小额贷款有限公司", Role: "负责人", Fingerprint: strings.Repeat("1a", 32), SigningKey: "ssh-ed25519 AAAA"}})
	st.ID = "HC-20261128-GOLDEN"
	st.Deal = Deal{Type: "loan-book", Transferor: &Party{Name: "甲小额贷款有限公司", CreditCode: "91110000MA01ABCD1X"},
		Transferee: &Party{Name: "乙小额贷款有限公司", CreditCode: "91110000MA01ABCE2Y"}}
	st.Packages = []Package{{ID: "HP-1", SHA256: strings.Repeat("cd", 32)}}
	cl := checklist.Snapshot{DealType: "loan-book", RecipientLocation: "mainland",
		Transferor: checklist.SnapshotParty{Name: "甲小额贷款有限公司", CreditCode: "91110000MA01ABCD1X"},
		Transferee: checklist.SnapshotParty{Name: "乙小额贷款有限公司", CreditCode: "91110000MA01ABCE2Y"},
		Items: []checklist.SnapshotItem{
			{ID: "nda_signed", Phase: "prepare", State: "done", Title: map[string]string{"zh-CN": "保密协议已签署", "en": "NDA signed"},
				By: "李四", At: now.Add(-time.Hour), Evidence: []checklist.EvidenceFile{{Name: "nda.pdf", SHA256: strings.Repeat("ef", 32)}}},
			{ID: "signoff_transferor", Phase: "close", State: "open", Title: map[string]string{"zh-CN": "出让方签认", "en": "Transferor sign-off"}},
		}}
	st.Checklist, _ = json.Marshal(cl)
	return st.Marshal()
}

// The certificate's bytes are a function of the statement and signatures alone: the same
// inputs give the golden bytes in both languages.
func TestRenderGolden(t *testing.T) {
	st := goldenStatement(t)
	doctest.Golden(t, "statement.json", st)
	for _, lang := range []string{"zh-CN", "en"} {
		pdf, missing, err := Render(st, nil, lang)
		if err != nil || len(missing) != 0 {
			t.Fatal(err, missing)
		}
		doctest.Golden(t, "certificate-"+lang+".pdf", pdf)
	}
}

// The destruction certificate (销毁证明) is a function of its statement too; its golden
// files show every part of it: approvers, kept customers, copies outside the vault, the
// media register, the evidence files and the limits.
func TestRenderDestructionGolden(t *testing.T) {
	st, err := New(KindDestruction, "v-golden", "ws-golden", now, &figures.Figures{Customers: 97, Digest: strings.Repeat("0", 64)}, nil,
		[]identity.Card{{Name: "张三", Organisation: "甲小额贷款有限公司", Role: "负责人", Fingerprint: strings.Repeat("1a", 32), SigningKey: "ssh-ed25519 AAAA"}})
	if err != nil {
		t.Fatal(err)
	}
	st.ID = "HC-20261128-DESTROY"
	shred := &MediaDestroyed{What: "HP-1", How: "U 盘粉碎", By: "李四", At: now.Add(-2 * time.Hour), Evidence: "photo.jpg", SHA256: strings.Repeat("9f", 32)}
	st.Destruction = &Destruction{Plan: "DP-20261128-ABCD", Scope: "customers", Method: "crypto_erase+delete+rewrite",
		Customers: 3, Loans: 7, Repayments: 40, Documents: 2, DocumentBytes: 204800, CustomersDigest: strings.Repeat("5e", 32),
		Tool: "Handover golden", PlannedBy: "管理员", RunBy: "管理员", Started: now.Add(-time.Hour), Ended: now.Add(-59 * time.Minute),
		Verified: true, VerifiedAt: now.Add(-58 * time.Minute), Remaining: 97,
		Approvers:         []Approver{{Name: "管理员", Role: "admin"}, {Name: "审计", Role: "auditor"}},
		Kept:              []KeptGroup{{Customers: 1, Reason: "hold", Hold: "HOLD-1", Case: "（2026）京0105民初1号"}},
		Copies:            []OutsideCopy{{Kind: "package", ID: "HP-1", Where: "/media/usb", At: now.Add(-48 * time.Hour), Destroyed: shred}},
		Media:             []MediaDestroyed{*shred},
		EvidenceDestroyed: []EvidenceFile{{Name: "客户名单.xlsx", SHA256: strings.Repeat("7c", 32)}}, EvidenceKept: 4,
		Limits: []string{"outside_copies", "media", "swap"}}
	b := st.Marshal()
	for _, lang := range []string{"zh-CN", "en"} {
		pdf, missing, err := Render(b, nil, lang)
		if err != nil || len(missing) != 0 {
			t.Fatal(err, missing)
		}
		doctest.Golden(t, "destruction-"+lang+".pdf", pdf)
	}
}
