package ui

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"handover/app/bag"
	"handover/app/cert"
	"handover/app/demo"
	"handover/app/handoverpkg"
	"handover/app/progress"
	"handover/app/vault"
	"handover/crypto/identity"
)

// TestExportScreen: choose a trusted recipient and export; the package verifies for them.
// A wrong passphrase is refused and leaves nothing behind.
func TestExportScreen(t *testing.T) {
	dir := demoVaultWithDeal(t, 15, "equity")
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
	if _, err := handoverpkg.Verify(v.lastDir, recipient, []identity.Card{sender}, bag.DefaultLimits); err != nil {
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

// TestReceiveScreen: the transferee opens a new vault, trusts the sender's card and
// receives the package through the Receive tab; the figures equal the sender's. A package
// for someone else is refused with the vault left empty.
func TestReceiveScreen(t *testing.T) {
	files := t.TempDir()
	sender, _ := identity.New("出让方", "甲公司", "负责人", time.Now())
	_, recipientFile := makeIdentity(t, files, "受让方", "乙公司")
	recipientCard, _ := identity.ParseCard(mustRead(t, recipientFile+".card.json"))
	// The sender's package, made from a demo vault.
	src, err := demo.CreateVault(context.Background(), filepath.Join(t.TempDir(), "src"), demo.Options{Customers: 12, Seed: 8,
		Documents: true, DocumentLimit: 2, Passphrase: DemoPassphrase, Vault: fastVault, Deal: "equity"}, progress.Discard)
	if err != nil {
		t.Fatal(err)
	}
	pkgDir, m, err := src.Export(context.Background(), handoverpkg.Options{Out: t.TempDir(), Sender: sender, Recipients: []identity.Card{recipientCard}}, progress.Discard)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := identity.New("别人", "丙公司", "负责人", time.Now())
	otherDir, _, err := src.Export(context.Background(), handoverpkg.Options{Out: t.TempDir(), Sender: sender, Recipients: []identity.Card{other.Card}}, progress.Discard)
	if err != nil {
		t.Fatal(err)
	}
	v := src.Vault()
	src.Lock()
	v.Close()

	dir := filepath.Join(t.TempDir(), "received")
	s, err := vault.Create(dir, vault.NewOperator{Name: "受让经办", Role: vault.Transferee, Passphrase: "transferee-passphrase"}, "", fastVault)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Trust(sender.Card, "当面核对"); err != nil {
		t.Fatal(err)
	}
	nv := s.Vault()
	s.Lock()
	nv.Close()

	a := newTestApp(t, "")
	if err := a.OpenVault(dir); err != nil {
		t.Fatal(err)
	}
	unlockAs(t, a, "受让经办", "transferee-passphrase")
	eventually(t, "sign-in", func() bool { return a.shell != nil })
	a.shell.show("export")
	r := a.shell.receive
	if r == nil || r.start.Disabled() {
		t.Fatal("the receive tab is missing or disabled for the transferee")
	}
	r.run(otherDir, recipientFile, "passphrase-of-受让方")
	eventually(t, "refused", func() bool { return r.done == 1 })
	if c, _ := a.session.Counts(); !errors.Is(r.lastErr, handoverpkg.ErrNotRecipient) || c.Customers != 0 {
		t.Fatalf("another recipient's package: %v", r.lastErr)
	}
	r.run(pkgDir, recipientFile, "passphrase-of-受让方")
	eventually(t, "receive", func() bool { return r.done == 2 })
	if r.lastErr != nil || !r.lastRec.Equal || r.lastRec.Figures.Digest != m.Figures.Digest {
		t.Fatalf("receive: %v %+v", r.lastErr, r.lastRec)
	}
	if !strings.Contains(r.result.Text, m.ID) {
		t.Fatalf("outcome: %q", r.result.Text)
	}
	snapshot(t, a, "receive-screen")
	if r.receipt.Hidden {
		t.Fatal("no way to the receipt after an equal receive")
	}
	test.Tap(r.receipt)
	if a.shell.current != "certificates" || a.shell.certs.kindCode() != cert.KindReceipt {
		t.Fatalf("receipt button: section %q", a.shell.current)
	}
}
