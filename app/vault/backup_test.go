package vault

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"handover/app/checklist"
	"handover/store"
)

// TestBackupVerifiedAndRestored: a backup is read back whole, satisfies the checklist's
// backup item, restores into a vault with the same figures, and a damaged or cut backup is
// refused.
func TestBackupVerifiedAndRestored(t *testing.T) {
	admin, _ := newVault(t)
	as := withOperators(t, admin, Transferor)
	s := as(Transferor)
	addCustomers(t, s, 40)
	if _, err := s.InitDeal(testDeal(checklist.Mainland)); err != nil {
		t.Fatal(err)
	}
	want, err := s.Figures(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	info, err := s.Backup(ctx, out)
	if err != nil {
		t.Fatal(err)
	}
	if info.Entries < 40 || len(info.SHA256) != 64 {
		t.Fatalf("backup %+v", info)
	}
	if left, _ := filepath.Glob(filepath.Join(out, "*.partial")); len(left) != 0 {
		t.Fatalf("left behind: %v", left)
	}
	view, _ := s.Checklist(ctx)
	if it, _ := view.Item("backup_verified"); it.State != checklist.Done {
		t.Fatalf("backup_verified after a backup: %+v", it)
	}
	name := s.Operator().Name
	s.Lock()

	restored := filepath.Join(t.TempDir(), "restored")
	if err := Restore(ctx, info.Path, restored, name, "wrong-passphrase"); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("restore with a wrong passphrase: %v", err)
	}
	if _, err := os.Stat(restored); !os.IsNotExist(err) {
		t.Fatal("a failed restore left its folder")
	}
	if err := Restore(ctx, info.Path, restored, name, "operator-pass"); err != nil {
		t.Fatal(err)
	}
	v, err := Open(restored, fast)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	id, _ := v.OperatorByName(name)
	rs, err := v.Unlock(id, "operator-pass")
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Lock()
	got, err := rs.Figures(ctx)
	if err != nil || got.Digest != want.Digest || got.Customers != 40 {
		t.Fatalf("restored figures %+v, want %+v (%v)", got, want, err)
	}
	if d, err := rs.Deal(); err != nil || d.Type != checklist.Equity {
		t.Fatalf("restored deal: %v", err)
	}

	b, _ := os.ReadFile(info.Path)
	for what, bad := range map[string][]byte{
		"flipped": func() []byte { c := append([]byte(nil), b...); c[len(c)/2] ^= 1; return c }(),
		"cut":     b[:len(b)*2/3],
	} {
		p := filepath.Join(t.TempDir(), what+".tar")
		os.WriteFile(p, bad, 0o600)
		if _, err := store.VerifyBackup(ctx, p); !errors.Is(err, store.ErrBadBackup) {
			t.Errorf("%s backup: %v", what, err)
		}
		if err := Restore(ctx, p, filepath.Join(t.TempDir(), "r"), name, "operator-pass"); !errors.Is(err, store.ErrBadBackup) {
			t.Errorf("%s backup restored: %v", what, err)
		}
	}
}
