package vault

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"handover/app/audit"
	"handover/app/checklist"
	"handover/app/handoverpkg"
	"handover/app/progress"
	"handover/app/validate"
	"handover/crypto/identity"
)

func testDeal(location string) checklist.Deal {
	code := func(body string) string { return body + string(validate.CreditCodeCheck(body)) }
	return checklist.Deal{Type: checklist.Equity, RecipientLocation: location,
		Target:     &checklist.Party{Name: "甲小额贷款有限公司", CreditCode: code("91330100MA27XY012")},
		Transferor: checklist.Party{Name: "甲小额贷款有限公司", CreditCode: code("91330100MA27XY012")},
		Transferee: checklist.Party{Name: "乙金融服务有限公司", CreditCode: code("91110108MA01ABC03")}}
}

func operatorID(t *testing.T, s *Session, role Role) string {
	t.Helper()
	ops, err := s.Operators(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range ops {
		if Role(o.Role) == role {
			return o.ID
		}
	}
	t.Fatalf("no %s operator", role)
	return ""
}

func TestDealInitChecksAndHoldsOneDeal(t *testing.T) {
	admin, _ := newVault(t)
	as := withOperators(t, admin, Transferor, Auditor)
	aud := as(Auditor)
	if _, err := aud.InitDeal(testDeal(checklist.Mainland)); !isPermission(err, PermChecklist) {
		t.Fatalf("auditor recorded a deal: %v", err)
	}
	aud.Lock()
	s := as(Transferor)
	defer s.Lock()
	if _, err := s.Deal(); !errors.Is(err, ErrNoDeal) {
		t.Fatalf("fresh vault: %v", err)
	}
	for _, tc := range []struct {
		edit  func(*checklist.Deal)
		field string
	}{
		{func(d *checklist.Deal) { d.Type = "sale" }, "type"},
		{func(d *checklist.Deal) { d.Transferor.Name = " " }, "transferor.name"},
		{func(d *checklist.Deal) { d.Transferee.CreditCode = "91110108MA01ABC030" }, "transferee.credit_code"},
		{func(d *checklist.Deal) { d.Transferee.CreditCode = "12345" }, "transferee.credit_code"},
		{func(d *checklist.Deal) {
			d.Type, d.Subtype, d.Transferee = checklist.Merger, checklist.Absorption, d.Transferor
		}, "transferee.credit_code"},
		{func(d *checklist.Deal) { d.Type = checklist.Merger }, "subtype"},
		{func(d *checklist.Deal) { d.Subtype = checklist.Division }, "subtype"},
		{func(d *checklist.Deal) { d.Type, d.Subtype = checklist.Merger, checklist.Bankruptcy }, "acting_for"},
		{func(d *checklist.Deal) { d.Target = nil }, "target.name"},
		{func(d *checklist.Deal) { d.Type, d.Transferor.Person = checklist.LoanBook, true }, "transferor.person"},
		{func(d *checklist.Deal) { d.RecipientLocation = "moon" }, "recipient_location"},
		{func(d *checklist.Deal) { d.PlannedStart, d.PlannedEnd = "2026-12-01", "2026-11-01" }, "planned_end"},
		{func(d *checklist.Deal) { d.PlannedStart = "1/12/2026" }, "planned_start"},
	} {
		d := testDeal(checklist.Mainland)
		tc.edit(&d)
		var de *checklist.DealError
		if _, err := s.InitDeal(d); !errors.As(err, &de) || de.Field != tc.field {
			t.Errorf("%s: %v", tc.field, err)
		}
	}
	d := testDeal("")
	d.Transferor.CreditCode = strings.ToLower(d.Transferor.CreditCode)
	got, err := s.InitDeal(d)
	if err != nil || got.RecipientLocation != checklist.Mainland || got.Transferor.CreditCode != testDeal("").Transferor.CreditCode {
		t.Fatalf("init: %+v %v", got, err)
	}
	if _, err := s.InitDeal(testDeal(checklist.Mainland)); !errors.Is(err, ErrDealExists) {
		t.Fatalf("second deal: %v", err)
	}
}

// TestExportGateInCore: the core refuses the export, naming every missing item, until the
// preparation is done, and for a recipient abroad until a cross-border basis is recorded.
func TestExportGateInCore(t *testing.T) {
	admin, _ := newVault(t)
	as := withOperators(t, admin, Transferor, Auditor)
	s := as(Transferor)
	defer s.Lock()
	addCustomers(t, s, 3)
	sender, _ := identity.New("出让人", "甲公司", "负责人", time.Now())
	receiver, _ := identity.New("受让人", "乙公司", "负责人", time.Now())
	export := func() error {
		_, _, err := s.Export(ctx, handoverpkg.Options{Out: t.TempDir(), Sender: sender, Recipients: []identity.Card{receiver.Card}}, progress.Discard)
		return err
	}
	var gate *GateError
	if err := export(); !errors.As(err, &gate) || !slices.Equal(gate.Missing, []string{"deal"}) {
		t.Fatalf("no deal: %v", err)
	}
	if _, err := s.InitDeal(testDeal(checklist.Abroad)); err != nil {
		t.Fatal(err)
	}
	// The operator's own records: the administrator has none yet, so the registers' items
	// stay open.
	registerOne(t, s, s.Operator().ID)
	prep := []string{"agreement_signed", "nda_signed", "training_done", "risk_assessment", "compliance_review", "pia_done", "cross_border", "incident_plan", "backup_verified"}
	if err := export(); !errors.As(err, &gate) || !slices.Equal(gate.Missing, prep) || !strings.Contains(err.Error(), "Share transfer agreement signed") {
		t.Fatalf("gate: %v", err)
	}
	if err := s.CompleteItem(ctx, "agreement_signed", "", ""); !errors.Is(err, ErrNeedsEvidence) {
		t.Fatalf("evidence item without a file: %v", err)
	}
	if err := s.CompleteItem(ctx, "package_exported", "", ""); !errors.Is(err, ErrAutomaticItem) {
		t.Fatalf("automatic item by hand: %v", err)
	}
	for _, id := range []string{"nda_signed", "risk_assessment"} {
		if err := s.CompleteItem(ctx, id, "", ""); !errors.Is(err, ErrAutomaticItem) {
			t.Fatalf("%s follows from a register or a workbook: %v", id, err)
		}
	}
	if err := s.CompleteItem(ctx, "no_such_item", "", ""); !errors.Is(err, ErrUnknownItem) {
		t.Fatalf("unknown item: %v", err)
	}
	scan := []byte("%PDF-1.4 signed agreement")
	ref, err := s.AttachEvidence(ctx, "agreement_signed", "协议.pdf", bytes.NewReader(scan))
	if err != nil || len(ref.SHA256) != 64 || ref.Size != int64(len(scan)) {
		t.Fatalf("attach: %+v %v", ref, err)
	}
	var back bytes.Buffer
	if err := s.WriteEvidence(ctx, ref.ID, &back); err != nil || !bytes.Equal(back.Bytes(), scan) {
		t.Fatalf("evidence read back: %v", err)
	}
	if _, err := s.AttachEvidence(ctx, "cross_border", "x.txt", strings.NewReader("x")); err == nil {
		t.Fatal("a manual item took a file")
	}
	for _, id := range []string{"agreement_signed", "incident_plan"} {
		if id != "agreement_signed" {
			if _, err := s.AttachEvidence(ctx, id, id+".pdf", strings.NewReader(id)); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.CompleteItem(ctx, id, "已核对", ""); err != nil {
			t.Fatalf("%s: %v", id, err)
		}
	}
	if err := s.CompleteItem(ctx, "incident_plan", "", ""); !errors.Is(err, ErrAlreadyComplete) {
		t.Fatalf("twice: %v", err)
	}
	registerAll(t, s)
	signOffWorkbooks(t, s)
	if _, err := s.Backup(ctx, t.TempDir()); err != nil {
		t.Fatal(err)
	}
	cb := &checklist.CrossBorder{Destination: "新加坡", Filing: "沪标合备 2026-001", Consent: "已取得单独同意（回执见通知跟踪）"}
	if err := s.CompleteItemWith(ctx, "cross_border", Completion{CrossBorder: cb, ConfirmedBy: "王律师"}); !errors.Is(err, ErrNeedsBasis) {
		t.Fatalf("abroad without a basis: %v", err)
	}
	if err := s.CompleteItemWith(ctx, "cross_border", Completion{Basis: checklist.BasisStandardContract, CrossBorder: cb}); !errors.Is(err, ErrCounselRequired) {
		t.Fatalf("abroad without counsel: %v", err)
	}
	if err := export(); !errors.As(err, &gate) || !slices.Equal(gate.Missing, []string{"cross_border"}) {
		t.Fatalf("gate before the basis: %v", err)
	}
	if err := s.CompleteItemWith(ctx, "cross_border", Completion{Note: "标准合同已备案", Basis: checklist.BasisStandardContract, CrossBorder: cb, ConfirmedBy: "王律师"}); err != nil {
		t.Fatal(err)
	}
	if err := export(); err != nil {
		t.Fatalf("export after the preparation: %v", err)
	}
	view, err := s.Checklist(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if it, _ := view.Item("package_exported"); it.State != checklist.Done {
		t.Fatalf("package_exported: %+v", it)
	}
	if view.Progress[0].Done != view.Progress[0].Total {
		t.Fatalf("preparation progress %+v", view.Progress[0])
	}
	// Reopening needs a reason and closes the gate again.
	if err := s.ReopenItem(ctx, "incident_plan", " "); !errors.Is(err, ErrReasonRequired) {
		t.Fatalf("reopen without reason: %v", err)
	}
	if err := s.ReopenItem(ctx, "incident_plan", "预案已修订，须重新确认"); err != nil {
		t.Fatal(err)
	}
	if err := export(); !errors.As(err, &gate) || !slices.Equal(gate.Missing, []string{"incident_plan"}) {
		t.Fatalf("gate after reopening: %v", err)
	}
	got := actions(events(t, s))
	for _, want := range []string{audit.DealInit + ":ok", audit.ChecklistEvidence + ":ok", audit.ChecklistComplete + ":ok",
		audit.ChecklistReopen + ":ok", audit.PackageExport + ":denied", audit.PackageExport + ":ok"} {
		if !strings.Contains(got, want) {
			t.Errorf("audit log lacks %s", want)
		}
	}
}

// TestDualSignOffAndDestroyGate: one operator of each party, each with their own
// passphrase; destruction waits for the confirmation signed by every signer.
func TestDualSignOffAndDestroyGate(t *testing.T) {
	admin, _ := newVault(t)
	as := withOperators(t, admin, Transferor, Transferee, Auditor)
	s := as(Transferor)
	defer s.Lock()
	if _, err := s.InitDeal(testDeal(checklist.Mainland)); err != nil {
		t.Fatal(err)
	}
	registerAll(t, s)
	tor, tee, aud := operatorID(t, s, Transferor), operatorID(t, s, Transferee), operatorID(t, s, Auditor)
	if err := s.SignOff(ctx, "figures_agreed", aud, "operator-pass", ""); !errors.Is(err, ErrSignOffRole) {
		t.Fatalf("auditor signed off: %v", err)
	}
	if err := s.SignOff(ctx, "figures_agreed", tee, "wrong-pass", ""); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("wrong passphrase: %v", err)
	}
	if err := s.SignOff(ctx, "training_done", tor, "operator-pass", ""); !errors.Is(err, ErrNotDual) {
		t.Fatalf("sign-off of a manual item: %v", err)
	}
	if err := s.SignOff(ctx, "figures_agreed", tor, "operator-pass", "数字一致"); err != nil {
		t.Fatal(err)
	}
	if err := s.SignOff(ctx, "figures_agreed", tor, "operator-pass", ""); !errors.Is(err, ErrAlreadySigned) {
		t.Fatalf("same party twice: %v", err)
	}
	view, _ := s.Checklist(ctx)
	if it, _ := view.Item("figures_agreed"); it.State != checklist.Partial || !slices.Equal(it.Needs, []string{checklist.NeedSignTransferee}) {
		t.Fatalf("after one party: %+v", it)
	}
	if err := s.SignOff(ctx, "figures_agreed", tee, "operator-pass", ""); err != nil {
		t.Fatal(err)
	}
	view, _ = s.Checklist(ctx)
	if it, _ := view.Item("figures_agreed"); it.State != checklist.Done || len(it.Rec.SignOffs) != 2 {
		t.Fatalf("after both: %+v", it)
	}

	if it, _ := view.Item("figures_agreed"); it.Rec.Book == nil || len(it.Rec.Book.Digest) != 64 {
		t.Fatalf("the sign-offs name no book: %+v", it.Rec)
	}
	// The book changes: the sign-offs no longer count, and both parties agree again.
	addCustomers(t, s, 1)
	view, _ = s.Checklist(ctx)
	if it, _ := view.Item("figures_agreed"); it.State != checklist.Open || !slices.Contains(it.Needs, checklist.NeedBookChanged) ||
		!slices.Contains(it.Needs, checklist.NeedSignOff(checklist.SideTransferor)) {
		t.Fatalf("after the book changed: %+v", it)
	}
	first := view.Facts.BookCounts
	for _, op := range []string{tor, tee} {
		if err := s.SignOff(ctx, "figures_agreed", op, "operator-pass", ""); err != nil {
			t.Fatal(err)
		}
	}
	view, _ = s.Checklist(ctx)
	if it, _ := view.Item("figures_agreed"); it.State != checklist.Done || len(it.Rec.SignOffs) != 2 || it.Rec.Book.Counts != first ||
		len(it.Rec.Reopened) != 1 {
		t.Fatalf("agreed again: %+v", it.Rec)
	}

	var gate *GateError
	if err := s.ChecklistGate(ctx, "destroy"); !errors.As(err, &gate) || !slices.Equal(gate.Missing, []string{"confirmation_signed"}) {
		t.Fatalf("destroy gate: %v", err)
	}
	// Two people of the same party do not make a confirmation signed by both parties.
	a1, _ := identity.New("出让人", "甲小额贷款有限公司", "负责人", time.Now())
	a2, _ := identity.New("出让人二", "甲小额贷款 有限公司", "经办", time.Now())
	one, err := s.NewStatement(ctx, "confirmation", []identity.Card{a1.Card, a2.Card})
	if err != nil {
		t.Fatal(err)
	}
	s.RecordSignature(one.ID, a1.Card.Fingerprint, false)
	s.RecordSignature(one.ID, a2.Card.Fingerprint, false)
	view, _ = s.Checklist(ctx)
	if it, _ := view.Item("confirmation_signed"); it.State == checklist.Done || !slices.Equal(it.Needs, []string{checklist.NeedConfirmationParties}) {
		t.Fatalf("one party's two signatures: %+v", it)
	}
	a, b := a1, identity.Identity{}
	if id, err := identity.New("受让人", "乙金融服务有限公司", "负责人", time.Now()); err == nil {
		b = *id
	}
	st, err := s.NewStatement(ctx, "confirmation", []identity.Card{a.Card, b.Card})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(st.Checklist), `"figures_agreed"`) || st.Deal.Type != checklist.Equity {
		t.Fatalf("the statement does not carry the checklist: %s", st.Checklist)
	}
	s.RecordSignature(st.ID, a.Card.Fingerprint, false)
	if err := s.ChecklistGate(ctx, "destroy"); err == nil {
		t.Fatal("destroy open with one signature of two")
	}
	s.RecordSignature(st.ID, b.Card.Fingerprint, true)
	if err := s.ChecklistGate(ctx, "destroy"); err != nil {
		t.Fatalf("destroy gate after both signatures: %v", err)
	}
}
