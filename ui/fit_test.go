package ui

import (
	"testing"

	"handover/app/demo"
)

// TestEveryScreenFits1024: no screen needs more than the window's 1020×700 (which fits a
// 1024×768 display), a customer opened included: Fyne grows a window to its content's
// minimum size, which pushed the lock button and the checklist's buttons off-screen.
func TestEveryScreenFits1024(t *testing.T) {
	dir := demoVault(t, 50)
	a := newTestApp(t, "")
	if err := a.OpenVault(dir); err != nil {
		t.Fatal(err)
	}
	unlockAs(t, a, demo.OperatorName, DemoPassphrase)
	eventually(t, "sign-in", func() bool { return a.shell != nil })
	for _, sec := range a.shell.sections {
		a.shell.show(sec.id)
		if sec.id == "customers" {
			a.shell.customers.list.Select(0)
		}
		drainUI(false)
		if m := a.win.Content().MinSize(); m.Width > 1020 || m.Height > 700 {
			t.Errorf("%s needs %.0f×%.0f", sec.id, m.Width, m.Height)
		}
	}
}
