package ui

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"handover/app/bag"
	"handover/app/demo"
	"handover/app/pkg"
	"handover/crypto/identity"
)

// TestExportScreen: choose a trusted recipient and export; the package verifies for them.
// A wrong passphrase is refused and leaves nothing behind.
func TestExportScreen(t *testing.T) {
	dir := demoVault(t, 15)
	files := t.TempDir()
	_, senderFile := makeIdentity(t, files, "出让方", "甲公司")
	recipient, err := identity.New("受让方", "乙公司", "负责人", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	a := newTestApp(t, "")
	if err := a.OpenVault(dir); err != nil {
		t.Fatal(err)
	}
	unlockAs(t, a, demo.OperatorName, DemoPassphrase)
	eventually(t, "sign-in", func() bool { return a.shell != nil })
	if _, err := a.session.Trust(recipient.Card, "当面核对"); err != nil {
		t.Fatal(err)
	}
	a.shell.show("export")
	snapshot(t, a, "export-screen")
	v := a.shell.export
	if len(v.checks) != 1 {
		t.Fatalf("%d trusted cards listed", len(v.checks))
	}
	v.checks[0].SetChecked(true)
	stick := t.TempDir()
	v.run(senderFile, "wrong passphrase", stick)
	eventually(t, "refused", func() bool { return v.done == 1 })
	if !errors.Is(v.lastErr, identity.ErrPassphrase) {
		t.Fatalf("wrong passphrase: %v", v.lastErr)
	}
	v.run(senderFile, "passphrase-of-出让方", stick)
	eventually(t, "export", func() bool { return v.done == 2 })
	if v.lastErr != nil || !strings.Contains(v.status.Text, v.lastDir) {
		t.Fatalf("export: %v", v.lastErr)
	}
	sender, _ := identity.ParseCard(mustRead(t, senderFile+".card.json"))
	if _, err := pkg.Verify(v.lastDir, recipient, []identity.Card{sender}, bag.DefaultLimits); err != nil {
		t.Fatal(err)
	}
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
