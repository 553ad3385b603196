package ui

import (
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"handover/app/vault"
)

// TestFirstRunOperators: a vault created in the app by its administrator opens on the
// operators, which say which party has nobody yet; the administrator adds both parties'
// officers through the dialogs, changes a role and resets a passphrase; the administrator's
// own import screen says why it cannot import, and the transferor's officer can.
func TestFirstRunOperators(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new-vault")
	a := newTestApp(t, dir)
	a.ShowWelcome()
	a.showCreate()
	c := a.create
	test.Tap(findButton(t, c.content, L("create.browse")))
	test.Type(c.name, "周管理")
	c.pass.SetText("a good long passphrase")
	c.confirm.SetText("a good long passphrase")
	test.Tap(c.createBt)
	if a.shell == nil || a.shell.settings == nil {
		t.Fatal("the first run does not open the operators")
	}
	dismissOverlays(a)
	ov := a.shell.settings.operators
	if !strings.Contains(ov.missing.Text, roleName(vault.Transferor)) || !strings.Contains(ov.missing.Text, roleName(vault.Transferee)) {
		t.Fatalf("missing roles: %q", ov.missing.Text)
	}
	snapshot(t, a, "operators-first-run")

	addOperatorInApp(t, a, ov, "李出让", vault.Transferor, "transferor passphrase")
	addOperatorInApp(t, a, ov, "王受让", vault.Witness, "transferee passphrase")
	if len(ov.ops) != 3 || !strings.Contains(ov.missing.Text, roleName(vault.Transferee)) || strings.Contains(ov.missing.Text, roleName(vault.Transferor)) {
		t.Fatalf("after adding: %d operators, %q", len(ov.ops), ov.missing.Text)
	}
	pick := func(name string) {
		for i, o := range ov.ops {
			if o.Name == name {
				ov.list.Select(i)
			}
		}
	}
	pick("王受让")
	test.Tap(ov.setRole)
	top := a.win.Canvas().Overlays().Top()
	findSelect(top).SetSelected(roleName(vault.Transferee))
	test.Tap(findButton(t, top, L("operators.set_role")))
	dismissOverlays(a)
	if !ov.missing.Hidden {
		t.Fatalf("both parties present, still: %q", ov.missing.Text)
	}
	pick("王受让")
	test.Tap(ov.reset)
	top = a.win.Canvas().Overlays().Top()
	es := entriesOf(top)
	test.Type(es[0], "reset by the admin")
	test.Type(es[1], "reset by the admin")
	test.Tap(findButton(t, top, L("operators.reset")))
	dismissOverlays(a)

	// The administrator cannot import, and the import screen says so.
	a.shell.show("import")
	if iv := a.shell.imports; !strings.Contains(iv.status.Text, roleName(vault.Transferor)) || !iv.startBtn.Disabled() {
		t.Fatalf("import status for an administrator: %q", iv.status.Text)
	}
	test.Tap(a.shell.lockBtn)
	eventually(t, "unlock screen", func() bool { return a.unlock != nil && a.session == nil })
	unlockAs(t, a, "王受让", "reset by the admin")
	eventually(t, "the transferee signs in with the reset passphrase", func() bool { return a.session != nil })
	if a.session.Role() != vault.Transferee {
		t.Fatalf("role %s", a.session.Role())
	}
	a.shell.show("settings")
	if !a.shell.settings.operators.add.Disabled() || !strings.Contains(a.shell.settings.operators.why.Text, roleName(vault.Admin)) {
		t.Fatalf("a transferee may manage operators: %q", a.shell.settings.operators.why.Text)
	}
}

func dismissOverlays(a *App) {
	for _, o := range a.win.Canvas().Overlays().List() {
		a.win.Canvas().Overlays().Remove(o)
	}
}

// addOperatorInApp adds an operator through the settings screen's dialog.
func addOperatorInApp(t *testing.T, a *App, ov *operatorsView, name string, role vault.Role, pass string) {
	t.Helper()
	test.Tap(ov.add)
	top := a.win.Canvas().Overlays().Top()
	es := entriesOf(top)
	test.Type(es[0], name)
	findSelect(top).SetSelected(roleName(role))
	test.Type(es[1], pass)
	test.Type(es[2], pass)
	test.Tap(findButton(t, top, L("operators.add")))
	dismissOverlays(a)
}
