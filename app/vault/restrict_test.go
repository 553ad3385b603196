package vault

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"handover/app/handoverpkg"
	"handover/app/progress"
	"handover/store/model"
)

// A restricted vault refuses the uses of the data and allows keeping it: backup, audit,
// retention and destruction. Lifting needs a second operator of another role.
func TestRestrictedVault(t *testing.T) {
	admin, auditor, transferor := destroyFixture(t, 5)
	if _, err := admin.Restrict(ctx, nil, ""); !errors.Is(err, ErrReasonRequired) {
		t.Fatalf("a restriction without a reason: %v", err)
	}
	if _, err := admin.Restrict(ctx, nil, "交接完成，依法保存至期满"); err != nil {
		t.Fatal(err)
	}
	// The unlock screen reads the flag from vault.json before anyone signs in.
	if b, err := os.ReadFile(filepath.Join(admin.Vault().Path(), "vault.json")); err != nil || !strings.Contains(string(b), `"restricted_since"`) {
		t.Fatalf("vault.json does not say the vault is restricted: %s %v", b, err)
	}
	admin.Lock()
	tr, err := admin.Vault().Unlock(transferor, "operator-pass")
	if err != nil {
		t.Fatal(err)
	}
	var re *RestrictedError
	if _, err := tr.Reveal(1, "id_number"); !errors.As(err, &re) || !re.All {
		t.Fatalf("reveal: %v", err)
	}
	if _, err := tr.Search(ctx, ByIDNumber, "11010519491231002X"); !errors.As(err, &re) {
		t.Fatalf("search: %v", err)
	}
	if _, _, err := tr.Export(ctx, exportOptionsForTest(), progress.Discard); !errors.As(err, &re) {
		t.Fatalf("export: %v", err)
	}
	if _, err := tr.GenerateNotices(ctx, GenerateRequest{Template: "loan-book-borrower", Channel: ChannelLetter, Out: filepath.Join(t.TempDir(), "l"), AllowTemporaryFolder: true}, nil); !errors.As(err, &re) {
		t.Fatalf("letters: %v", err)
	}
	if _, err := tr.PreviewNotice(ctx, "loan-book-borrower", 1, "zh-CN"); !errors.As(err, &re) {
		t.Fatalf("a letter's preview: %v", err)
	}
	if _, err := tr.Backup(ctx, t.TempDir()); err != nil {
		t.Fatalf("backup of a restricted vault: %v", err)
	}
	tr.Lock()
	if admin, err = tr.Vault().Unlock(adminID(t, tr.Vault()), "admin-passphrase"); err != nil {
		t.Fatal(err)
	}
	if rep, err := admin.VerifyAudit(ctx, nil); err != nil || rep.Problem != nil {
		t.Fatalf("audit verify: %v", err)
	}
	if _, err := admin.Retention(ctx, model.Date{Y: 2026, M: 12, D: 1}); err != nil {
		t.Fatalf("retention: %v", err)
	}
	if _, err := admin.PlanDestroy(ctx, ScopeCustomers, []model.CustomerNo{1}); err != nil {
		t.Fatalf("a destruction plan: %v", err)
	}
	if err := admin.LiftRestriction(ctx, adminID(t, admin.Vault()), "admin-passphrase", "误操作"); !errors.Is(err, ErrLiftNeedsTwo) {
		t.Fatalf("lifting alone: %v", err)
	}
	if err := admin.LiftRestriction(ctx, auditor, "operator-pass", "误操作"); err != nil {
		t.Fatal(err)
	}
	if r, err := admin.RestrictionOf(ctx); err != nil || r != nil || !admin.Vault().Manifest().RestrictedSince.IsZero() {
		t.Fatalf("after lifting: %+v %v", r, err)
	}
}

// A restriction of some customers refuses their reveal and leaves them out of searches;
// the others are used as before.
func TestRestrictedCustomers(t *testing.T) {
	admin, _, transferor := destroyFixture(t, 5)
	if _, err := admin.Restrict(ctx, []model.CustomerNo{2}, "该客户要求删除，依法保存"); err != nil {
		t.Fatal(err)
	}
	admin.Lock()
	tr, err := admin.Vault().Unlock(transferor, "operator-pass")
	if err != nil {
		t.Fatal(err)
	}
	var re *RestrictedError
	if _, err := tr.Reveal(2, "id_number"); !errors.As(err, &re) || re.All {
		t.Fatalf("reveal of a restricted customer: %v", err)
	}
	if _, err := tr.Reveal(1, "id_number"); err != nil {
		t.Fatalf("reveal of another customer: %v", err)
	}
}

func exportOptionsForTest() handoverpkg.Options { return handoverpkg.Options{Out: "unused"} }
