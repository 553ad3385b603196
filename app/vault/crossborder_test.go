package vault

import (
	"errors"
	"strings"
	"testing"
	"time"

	"handover/app/checklist"
	"handover/app/handoverpkg"
	"handover/app/progress"
	"handover/crypto/identity"
)

func loanBookAbroad() checklist.Deal {
	d := testDeal(checklist.Abroad)
	d.Type, d.Target = checklist.LoanBook, nil
	d.Transferor.Name = "甲小额贷款有限公司"
	return d
}

// The 2024 thresholds: 20,000 borrowers abroad (sensitive information of 10,000 or more
// individuals) need a security assessment, and a standard contract is refused; 5,000
// accept a standard contract with its filing evidence, and not without it.
func TestCrossBorderThresholds(t *testing.T) {
	for _, tc := range []struct {
		customers int
		basis     string
		filing    string
		want      string // "" accepted, else the CrossBorderError's reason
	}{
		{20000, checklist.BasisStandardContract, "沪标合备 2026-001", "weaker_basis"},
		{20000, checklist.BasisCertification, "CQC-PI-2026-01", "weaker_basis"},
		{20000, checklist.BasisSecurityAssessment, "网信安评〔2026〕1号", ""},
		{5000, checklist.BasisStandardContract, "", "filing"},
		{5000, checklist.BasisExempt, "", "weaker_basis"},
		{5000, checklist.BasisStandardContract, "沪标合备 2026-001", ""},
	} {
		if testing.Short() && tc.customers > 5000 {
			continue // the race pass; the full pass runs them
		}
		admin, _ := newVault(t)
		admin = as(t, admin, Transferor)
		addCustomers(t, admin, tc.customers)
		if _, err := admin.InitDeal(loanBookAbroad()); err != nil {
			t.Fatal(err)
		}
		err := admin.CompleteItemWith(ctx, "cross_border", Completion{Basis: tc.basis, ConfirmedBy: "王律师",
			CrossBorder: &checklist.CrossBorder{Destination: "新加坡", Filing: tc.filing, Consent: "已取得单独同意"}})
		var cbe *checklist.CrossBorderError
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%d customers, %s: %v", tc.customers, tc.basis, err)
		case tc.want != "" && (!errors.As(err, &cbe) || cbe.Reason != tc.want):
			t.Errorf("%d customers, %s: %v, want %s", tc.customers, tc.basis, err, tc.want)
		case tc.want == "weaker_basis" && tc.customers == 20000 && (cbe.Required != checklist.BasisSecurityAssessment || cbe.Sensitive != 20000):
			t.Errorf("20,000: %+v", cbe)
		}
		view, err := admin.Checklist(ctx)
		if err != nil {
			t.Fatal(err)
		}
		it, _ := view.Item("cross_border")
		if done := it.State == checklist.Done; done != (tc.want == "") {
			t.Errorf("%d customers, %s: item %s %v", tc.customers, tc.basis, it.State, it.Needs)
		}
		if tc.want == "" && (it.Rec.CrossBorder.Individuals != int64(tc.customers) || it.Rec.CrossBorder.Rules != "2024-03-22") {
			t.Errorf("recorded %+v", it.Rec.CrossBorder)
		}
	}
}

// Earlier transfers in the year count: 5,000 now after 6,000 earlier is 11,000.
func TestCrossBorderCountsTheYear(t *testing.T) {
	admin, _ := newVault(t)
	admin = as(t, admin, Transferor)
	addCustomers(t, admin, 50)
	if _, err := admin.InitDeal(loanBookAbroad()); err != nil {
		t.Fatal(err)
	}
	var cbe *checklist.CrossBorderError
	err := admin.CompleteItemWith(ctx, "cross_border", Completion{Basis: checklist.BasisStandardContract, ConfirmedBy: "王律师",
		CrossBorder: &checklist.CrossBorder{Destination: "香港", Filing: "x", Consent: "y", PriorSensitive: 9950}})
	if !errors.As(err, &cbe) || cbe.Sensitive != 10000 {
		t.Fatalf("with the year's earlier transfers: %v", err)
	}
}

// The export re-counts its own scope: a book that grew past the threshold after the item
// was completed is refused at export.
func TestExportRechecksCrossBorder(t *testing.T) {
	admin, _ := newVault(t)
	as := withOperators(t, admin, Transferor, Auditor)
	s := as(Transferor)
	defer s.Lock()
	addCustomers(t, s, 9990)
	if _, err := s.InitDeal(loanBookAbroad()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordNoticeBasis(ctx, "法律规定的情形", "王律师", "basis.pdf", strings.NewReader("x")); err != nil {
		t.Fatal(err)
	}
	prepareForExport(t, s)
	if err := s.ReopenItem(ctx, "cross_border", "改用标准合同"); err != nil {
		t.Fatal(err)
	}
	if err := s.CompleteItemWith(ctx, "cross_border", Completion{Basis: checklist.BasisStandardContract, ConfirmedBy: "王律师",
		CrossBorder: &checklist.CrossBorder{Destination: "新加坡", Filing: "沪标合备 2026-001", Consent: "单独同意"}}); err != nil {
		t.Fatal(err)
	}
	addCustomers(t, s, 10)
	sender, _ := identity.New("出让人", "甲小额贷款有限公司", "负责人", time.Now())
	receiver, _ := identity.New("受让人", "乙金融服务有限公司", "负责人", time.Now())
	_, _, err := s.Export(ctx, handoverpkg.Options{Out: t.TempDir(), Sender: sender, Recipients: []identity.Card{receiver.Card}}, progress.Discard)
	var cbe *checklist.CrossBorderError
	if !errors.As(err, &cbe) || cbe.Required != checklist.BasisSecurityAssessment || cbe.Sensitive != 10000 {
		t.Fatalf("export of a book grown past the threshold: %v", err)
	}
}

// as returns a session of a new operator of the role (locked when the test ends).
func as(t *testing.T, admin *Session, r Role) *Session {
	t.Helper()
	s := withOperators(t, admin, r)(r)
	t.Cleanup(func() { s.Lock() })
	return s
}
