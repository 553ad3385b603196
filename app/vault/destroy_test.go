package vault

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"handover/app/audit"
	"handover/app/checklist"
	"handover/app/importer"
	"handover/app/progress"
	"handover/app/validate"
	"handover/crypto/identity"
	"handover/store"
	"handover/store/model"
)

// destroyFixture is a vault with an administrator (unlocked in admin), an auditor and a
// transferor (both with passphrase "operator-pass"), and n customers.
func destroyFixture(t *testing.T, n int) (admin *Session, auditorID, transferorID string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "vault")
	admin, err := Create(dir, NewOperator{Name: "管理员", Role: Admin, Passphrase: "admin-passphrase"}, "", fast)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closeAll(admin) })
	aud, err := admin.AddOperator(NewOperator{Name: "审计", Role: Auditor, Passphrase: "operator-pass"})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := admin.AddOperator(NewOperator{Name: "出让经办", Role: Transferor, Passphrase: "operator-pass"})
	if err != nil {
		t.Fatal(err)
	}
	admin.Lock()
	s, err := admin.Vault().Unlock(tr.ID, "operator-pass")
	if err != nil {
		t.Fatal(err)
	}
	addCustomers(t, s, n)
	s.Lock()
	if admin, err = s.Vault().Unlock(adminID(t, s.Vault()), "admin-passphrase"); err != nil {
		t.Fatal(err)
	}
	return admin, aud.ID, tr.ID
}

func adminID(t *testing.T, v *Vault) string {
	id, err := v.OperatorByName("管理员")
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// The rules of a destruction: a held customer is kept, one approver twice or two of one
// role are refused, a plan made before a later change is refused, a run without two
// approvals is refused; after the run and its verification nothing of the destroyed
// customers is left and the others read.
func TestDestroyPlanApproveRunVerify(t *testing.T) {
	admin, auditor, transferor := destroyFixture(t, 30)
	held := []model.CustomerNo{3}
	h, err := admin.AddHold(ctx, "（2026）京0105民初1号", false, held, model.Date{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.AddHold(ctx, "", true, nil, model.Date{}); !errors.Is(err, ErrHoldCase) {
		t.Fatalf("a hold without a case: %v", err)
	}
	plan, err := admin.PlanDestroy(ctx, ScopeCustomers, []model.CustomerNo{1, 2, 3, 4})
	if err != nil {
		t.Fatal(err)
	}
	if plan.Destroy.Customers != 3 || len(plan.Kept) != 1 || plan.Kept[0].Hold != h.ID || plan.Kept[0].Customers != 1 ||
		len(plan.CustomerDigests) != 3 {
		t.Fatalf("plan %+v", plan)
	}
	if _, err := admin.RunDestroy(ctx, plan.ID, nil); !errors.Is(err, ErrNeedsApprovals) {
		t.Fatalf("run without approvals: %v", err)
	}
	if _, err := admin.ApproveDestroy(ctx, plan.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.ApproveDestroy(ctx, plan.ID); !errors.Is(err, ErrSameApprover) {
		t.Fatalf("one approver twice: %v", err)
	}
	if _, err := admin.ApproveDestroyAs(ctx, plan.ID, auditor, "wrong-passphrase"); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("approval with a wrong passphrase: %v", err)
	}
	if _, err := admin.ApproveDestroyAs(ctx, plan.ID, auditor, "operator-pass"); err != nil {
		t.Fatal(err)
	}
	// A plan made before a later import is refused.
	stale, err := admin.PlanDestroy(ctx, ScopeCustomers, []model.CustomerNo{5})
	if err != nil {
		t.Fatal(err)
	}
	admin.Lock()
	tr, err := admin.Vault().Unlock(transferor, "operator-pass")
	if err != nil {
		t.Fatal(err)
	}
	addCustomers(t, tr, 1)
	tr.Lock()
	if admin, err = tr.Vault().Unlock(adminID(t, tr.Vault()), "admin-passphrase"); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.ApproveDestroy(ctx, stale.ID); !errors.Is(err, ErrPlanStale) {
		t.Fatalf("approving a plan made before an import: %v", err)
	}
	if _, err := admin.RunDestroy(ctx, plan.ID, nil); !errors.Is(err, ErrPlanStale) {
		t.Fatalf("running a plan made before an import: %v", err)
	}

	plan, err = admin.PlanDestroy(ctx, ScopeCustomers, []model.CustomerNo{1, 2, 3, 4})
	if err != nil {
		t.Fatal(err)
	}
	for _, approve := range []func() (*DestroyPlan, error){
		func() (*DestroyPlan, error) { return admin.ApproveDestroy(ctx, plan.ID) },
		func() (*DestroyPlan, error) { return admin.ApproveDestroyAs(ctx, plan.ID, auditor, "operator-pass") },
	} {
		if _, err := approve(); err != nil {
			t.Fatal(err)
		}
	}
	done, err := admin.RunDestroy(ctx, plan.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if done.Run.Status != "done" || done.Run.Removed.Customers != 3 {
		t.Fatalf("run %+v", done.Run)
	}
	if _, err := admin.RunDestroy(ctx, plan.ID, nil); !errors.Is(err, ErrPlanDone) {
		t.Fatalf("a second run: %v", err)
	}
	check, err := admin.VerifyDestroy(ctx, plan.ID)
	if err != nil || !check.OK || check.KeysLeft != 0 || check.RecordsLeft != 0 || check.Remaining != 28 {
		t.Fatalf("verify %+v %v", check, err)
	}
	if _, err := admin.Customer(ctx, 3); err != nil {
		t.Fatalf("the held customer: %v", err)
	}
	// The register of media destroyed outside the vault, with the evidence's hash.
	if _, err := admin.RecordMedia(ctx, plan.ID, "U 盘 #3", "", "", nil); !errors.Is(err, ErrMediaHow) {
		t.Fatalf("a medium without how: %v", err)
	}
	m, err := admin.RecordMedia(ctx, plan.ID, "U 盘 #3", "碎纸机粉碎", "photo.jpg", strings.NewReader("jpeg"))
	if sum := sha256.Sum256([]byte("jpeg")); err != nil || m.SHA256 != hex.EncodeToString(sum[:]) || m.By != "管理员" {
		t.Fatalf("media record %+v %v", m, err)
	}
	if _, err := admin.Customer(ctx, 2); !errors.Is(err, store.ErrKeyDestroyed) {
		t.Fatalf("a destroyed customer: %v", err)
	}
	evs, err := admin.AuditEventsFiltered(ctx, admin.v.opts.Now().AddDate(0, 0, -1), "")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, ev := range evs {
		seen[ev.Action+"/"+ev.Outcome]++
	}
	for _, want := range []string{"hold.add/ok", "destroy.plan/ok", "destroy.approve/ok", "destroy.approve/failed", "destroy.run/ok", "destroy.run/failed", "destroy.verify/ok"} {
		if seen[want] == 0 {
			t.Errorf("no %s event in %v", want, seen)
		}
	}
	// Releasing the hold lets a later plan take the customer.
	if err := admin.ReleaseHold(ctx, h.ID, "案件已结"); err != nil {
		t.Fatal(err)
	}
	if err := admin.ReleaseHold(ctx, h.ID, "again"); !errors.Is(err, ErrHoldReleased) {
		t.Fatalf("releasing twice: %v", err)
	}
	p3, err := admin.PlanDestroy(ctx, ScopeCustomers, []model.CustomerNo{3})
	if err != nil || p3.Destroy.Customers != 1 || len(p3.Kept) != 0 {
		t.Fatalf("after release: %+v %v", p3, err)
	}
}

// Only administrators destroy, and holds need an administrator or an auditor.
func TestDestroyPermissions(t *testing.T) {
	admin, _, transferor := destroyFixture(t, 3)
	admin.Lock()
	tr, err := admin.Vault().Unlock(transferor, "operator-pass")
	if err != nil {
		t.Fatal(err)
	}
	var pe *PermissionError
	if _, err := tr.PlanDestroy(ctx, ScopeAll, nil); !errors.As(err, &pe) {
		t.Fatalf("a transferor plans: %v", err)
	}
	if _, err := tr.AddHold(ctx, "case", true, nil, model.Date{}); !errors.As(err, &pe) {
		t.Fatalf("a transferor places a hold: %v", err)
	}
}

// Whole-vault destruction: the customers first (scope all), then the vault after its
// compliance archive; no file of the vault folder remains, the archive verifies without it
// and holds none of the customers' values.
func TestDestroyWholeVault(t *testing.T) {
	admin, auditor, _ := destroyFixture(t, 12)
	dir := admin.Vault().Path()
	archive := filepath.Join(t.TempDir(), "archive")
	if err := admin.DestroyVault(ctx, archive, admin.Vault().Manifest().ID); !errors.Is(err, ErrNotAllDestroyed) {
		t.Fatalf("destroying a vault that still holds customers: %v", err)
	}
	h, err := admin.AddHold(ctx, "监管调查", true, nil, model.Date{})
	if err != nil {
		t.Fatal(err)
	}
	plan, err := admin.PlanDestroy(ctx, ScopeAll, nil)
	if !errors.Is(err, ErrPlanEmpty) {
		t.Fatalf("a plan of a book under a hold of everything: %+v %v", plan, err)
	}
	if err := admin.ReleaseHold(ctx, h.ID, "调查结束"); err != nil {
		t.Fatal(err)
	}
	if plan, err = admin.PlanDestroy(ctx, ScopeAll, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.ApproveDestroy(ctx, plan.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.ApproveDestroyAs(ctx, plan.ID, auditor, "operator-pass"); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.RunDestroy(ctx, plan.ID, nil); err != nil {
		t.Fatal(err)
	}
	if chk, err := admin.VerifyDestroy(ctx, plan.ID); err != nil || !chk.OK || chk.Remaining != 0 {
		t.Fatalf("verify %+v %v", chk, err)
	}
	if err := admin.DestroyVault(ctx, archive, "wrong"); !errors.Is(err, ErrConfirmVault) {
		t.Fatalf("without the vault's ID: %v", err)
	}
	if err := admin.DestroyVault(ctx, archive, admin.Vault().Manifest().ID); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("the vault folder remains: %v", err)
	}
	rep, err := VerifyArchive(archive)
	if err != nil || rep.Problem != nil || rep.Events < 10 {
		t.Fatalf("archive %+v %v", rep, err)
	}
	err = filepath.WalkDir(archive, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := os.ReadFile(p)
		for _, v := range []string{"李四", "11010519491231002X", "13800138000", "6222020000000000001", "建国路"} {
			if bytes.Contains(b, []byte(v)) {
				t.Errorf("%s holds a customer's value", filepath.Base(p))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The archive's log ends with the destruction itself.
	b, _ := os.ReadFile(filepath.Join(archive, "audit", "events.log"))
	if !bytes.Contains(b, []byte(`"vault.destroy"`)) || !bytes.Contains(b, []byte(`"destroy.run"`)) {
		t.Fatal("the archived log lacks the destruction")
	}
}

// When the deal says the transferor keeps the AML records, the whole book is not destroyed:
// the vault is restricted and customers go as their retention ends.
func TestKeptByTransferorRefusesWholeBook(t *testing.T) {
	admin, auditor, _ := destroyFixture(t, 4)
	code := func(body string) string { return body + string(validate.CreditCodeCheck(body)) }
	if _, err := admin.InitDeal(checklist.Deal{Type: checklist.LoanBook, RecipientLocation: checklist.Mainland,
		Transferor: checklist.Party{Name: "甲小额贷款有限公司", CreditCode: code("91330100MA27XY012")},
		Transferee: checklist.Party{Name: "乙小额贷款有限公司", CreditCode: code("91110108MA01ABC03")}}); err != nil {
		t.Fatal(err)
	}
	registerAll(t, admin)
	if _, err := admin.SetRetention(ctx, checklist.KeeperTransferor, 10, ""); !errors.Is(err, ErrConfirmedBy) {
		t.Fatalf("no one confirmed: %v", err)
	}
	if _, err := admin.SetRetention(ctx, checklist.KeeperTransferor, 10, "王律师"); err != nil {
		t.Fatal(err)
	}
	plan, err := admin.PlanDestroy(ctx, ScopeAll, nil)
	if err != nil {
		t.Fatal(err)
	}
	admin.ApproveDestroy(ctx, plan.ID)
	admin.ApproveDestroyAs(ctx, plan.ID, auditor, "operator-pass")
	if _, err := admin.RunDestroy(ctx, plan.ID, nil); !errors.Is(err, ErrKeptByTransferor) {
		t.Fatalf("the whole book of a transferor who keeps the records: %v", err)
	}
}

// A quarantined row that holds a destroyed customer's identity number goes with them: a
// refused row belongs to no customer, so the plan finds it by value.
func TestDestroyTakesTheirQuarantinedRows(t *testing.T) {
	admin, auditor, transferor := destroyFixture(t, 3)
	admin.Lock()
	tr, err := admin.Vault().Unlock(transferor, "operator-pass")
	if err != nil {
		t.Fatal(err)
	}
	csv := filepath.Join(t.TempDir(), "客户.csv")
	os.WriteFile(csv, []byte("客户编号,姓名,身份证号,手机号码\nC9,李四,11010519491231002X,12345\n"), 0o600)
	inputs, err := importer.Plan([]string{csv}, importer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Import(ctx, inputs, importer.Options{}, progress.Discard, nil); err != nil {
		t.Fatal(err)
	}
	if q, _ := tr.Quarantine(ctx, importer.Filter{}, 0); len(q) != 1 {
		t.Fatalf("%d quarantined rows", len(q))
	}
	tr.Lock()
	if admin, err = tr.Vault().Unlock(adminID(t, tr.Vault()), "admin-passphrase"); err != nil {
		t.Fatal(err)
	}
	plan, err := admin.PlanDestroy(ctx, ScopeCustomers, []model.CustomerNo{1})
	if err != nil || plan.QuarantineRows != 1 {
		t.Fatalf("plan %+v %v", plan, err)
	}
	admin.ApproveDestroy(ctx, plan.ID)
	admin.ApproveDestroyAs(ctx, plan.ID, auditor, "operator-pass")
	if _, err := admin.RunDestroy(ctx, plan.ID, nil); err != nil {
		t.Fatal(err)
	}
	if q, err := admin.Quarantine(ctx, importer.Filter{}, 0); err != nil || len(q) != 0 {
		t.Fatalf("after the destruction: %d quarantined rows, %v", len(q), err)
	}
}

// An approval by a person's identity: only a card the vault trusts, only over this plan.
func TestApproveBySignature(t *testing.T) {
	admin, _, transferor := destroyFixture(t, 3)
	plan, err := admin.PlanDestroy(ctx, ScopeCustomers, []model.CustomerNo{1})
	if err != nil {
		t.Fatal(err)
	}
	other, err := identity.New("王五", "乙小额贷款有限公司", "受让方负责人", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	sig, _ := other.Sign(ApprovalNamespace, plan.ApprovalMessage())
	if _, err := admin.ApproveDestroyBySignature(ctx, plan.ID, other.Card, sig); !errors.Is(err, ErrApprovalSignature) {
		t.Fatalf("an untrusted card: %v", err)
	}
	admin.Lock()
	tr, err := admin.Vault().Unlock(transferor, "operator-pass")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Trust(other.Card, "当面核对"); err != nil {
		t.Fatal(err)
	}
	tr.Lock()
	if admin, err = tr.Vault().Unlock(adminID(t, tr.Vault()), "admin-passphrase"); err != nil {
		t.Fatal(err)
	}
	wrong, _ := other.Sign(ApprovalNamespace, []byte("another plan"))
	if _, err := admin.ApproveDestroyBySignature(ctx, plan.ID, other.Card, wrong); !errors.Is(err, ErrApprovalSignature) {
		t.Fatalf("a signature of something else: %v", err)
	}
	if _, err := admin.ApproveDestroy(ctx, plan.ID); err != nil {
		t.Fatal(err)
	}
	p, err := admin.ApproveDestroyBySignature(ctx, plan.ID, other.Card, sig)
	if err != nil || len(p.Approvals) != 2 || p.Approvals[1].Role != "party:乙小额贷款有限公司" {
		t.Fatalf("%+v %v", p, err)
	}
}

// Checklist evidence files are opaque to the program: the plan lists them all, the author
// names those that hold the customers' data, and the run erases their content while the
// checklist keeps their names and hashes. An ID the vault does not hold is refused.
func TestDestroyEvidenceNamedByThePlan(t *testing.T) {
	admin, auditor, _ := destroyFixture(t, 6)
	code := func(body string) string { return body + string(validate.CreditCodeCheck(body)) }
	if _, err := admin.InitDeal(checklist.Deal{Type: checklist.Equity, RecipientLocation: checklist.Mainland,
		Target:     &checklist.Party{Name: "甲小额贷款有限公司", CreditCode: code("91330100MA27XY012")},
		Transferor: checklist.Party{Name: "甲小额贷款有限公司", CreditCode: code("91330100MA27XY012")},
		Transferee: checklist.Party{Name: "乙小额贷款有限公司", CreditCode: code("91110108MA01ABC03")}}); err != nil {
		t.Fatal(err)
	}
	registerAll(t, admin)
	names, err := admin.AttachEvidence(ctx, "agreement_signed", "客户名单.xlsx", strings.NewReader("customers 1-2: 李四"))
	if err != nil {
		t.Fatal(err)
	}
	other, err := admin.AttachEvidence(ctx, "agreement_signed", "协议.pdf", strings.NewReader("the agreement"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.PlanDestroyWith(ctx, ScopeCustomers, []model.CustomerNo{1, 2}, []string{"agreement_signed-0000"}); !errors.Is(err, ErrEvidenceUnknown) {
		t.Fatalf("an unknown evidence ID: %v", err)
	}
	plan, err := admin.PlanDestroyWith(ctx, ScopeCustomers, []model.CustomerNo{1, 2}, []string{names.ID})
	if err != nil {
		t.Fatal(err)
	}
	// The plan lists every evidence file: the two of the agreement, and the registers' NDAs.
	var agreement []PlanEvidence
	for _, e := range plan.Evidence {
		if e.Item == "agreement_signed" {
			agreement = append(agreement, e)
		}
	}
	if len(agreement) != 2 {
		t.Fatalf("plan lists %+v", plan.Evidence)
	}
	for _, e := range plan.Evidence {
		if e.Goes != (e.ID == names.ID) {
			t.Fatalf("evidence %s goes: %v", e.Name, e.Goes)
		}
	}
	if _, err := admin.ApproveDestroy(ctx, plan.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.ApproveDestroyAs(ctx, plan.ID, auditor, "operator-pass"); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.RunDestroy(ctx, plan.ID, nil); err != nil {
		t.Fatal(err)
	}
	if err := admin.WriteEvidence(ctx, names.ID, io.Discard); !errors.Is(err, ErrEvidenceDestroyed) {
		t.Fatalf("the destroyed evidence reads: %v", err)
	}
	var b bytes.Buffer
	if err := admin.WriteEvidence(ctx, other.ID, &b); err != nil || b.String() != "the agreement" {
		t.Fatalf("the kept evidence: %q %v", b.String(), err)
	}
	view, err := admin.Checklist(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range view.Snapshot().Items {
		if it.ID == "agreement_signed" && (len(it.Evidence) != 2 || it.Evidence[0].SHA256 != names.SHA256) {
			t.Fatalf("the checklist lost the destroyed file's record: %+v", it.Evidence)
		}
	}
	if _, err := admin.VerifyDestroy(ctx, plan.ID); err != nil {
		t.Fatal(err)
	}
	signer, err := identity.New("王五", "甲小额贷款有限公司", "transferor", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	stmt, err := admin.NewDestructionStatement(ctx, plan.ID, []identity.Card{signer.Card}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d := stmt.Destruction; len(d.EvidenceDestroyed) != 1 || d.EvidenceDestroyed[0].SHA256 != names.SHA256 || d.EvidenceKept != len(plan.Evidence)-1 {
		t.Fatalf("certificate states %+v kept %d", d.EvidenceDestroyed, d.EvidenceKept)
	}
}

// A quarantined row's identifier is shown in full only through an audited reveal, by a role
// that may reveal; the audit names the row and column, never the value.
func TestRevealQuarantined(t *testing.T) {
	admin, auditor, transferor := destroyFixture(t, 1)
	admin.Lock()
	tr, err := admin.Vault().Unlock(transferor, "operator-pass")
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Lock()
	csv := filepath.Join(t.TempDir(), "客户.csv")
	os.WriteFile(csv, []byte("姓名,身份证号,手机号码\n李四,11010519491231002X,12345\n"), 0o600)
	inputs, err := importer.Plan([]string{csv}, importer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Import(ctx, inputs, importer.Options{}, progress.Discard, nil); err != nil {
		t.Fatal(err)
	}
	q, _ := tr.Quarantine(ctx, importer.Filter{}, 0)
	if len(q) != 1 {
		t.Fatalf("%d quarantined rows", len(q))
	}
	got, err := tr.RevealQuarantined(q[0].Key, 1)
	if err != nil || got != "11010519491231002X" {
		t.Fatalf("reveal: %q %v", got, err)
	}
	tr.Lock()
	au, err := admin.Vault().Unlock(auditor, "operator-pass")
	if err != nil {
		t.Fatal(err)
	}
	defer au.Lock()
	var pe *PermissionError
	if _, err := au.RevealQuarantined(q[0].Key, 1); !errors.As(err, &pe) {
		t.Fatalf("an auditor revealed a quarantined value: %v", err)
	}
	evs, err := au.AuditEventsFiltered(ctx, time.Time{}, audit.QuarantineReveal)
	if err != nil || len(evs) != 2 || evs[0].Detail["column"] != "1" || strings.Contains(fmt.Sprint(evs), "11010519491231002X") {
		t.Fatalf("audit of reveals: %+v %v", evs, err)
	}
}
