package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"

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

// The dashboard keeps its place when it is built again after a change.
func TestDashboardKeepsItsPlace(t *testing.T) {
	dir := demoVaultWithDeal(t, 20, "loan-book")
	a := newTestApp(t, "")
	if err := a.OpenVault(dir); err != nil {
		t.Fatal(err)
	}
	unlockAs(t, a, demo.OperatorName, DemoPassphrase)
	eventually(t, "sign-in", func() bool { return a.shell != nil })
	a.shell.show("deal")
	dv := a.shell.deal
	sc, ok := dv.content.Objects[0].(*container.Scroll)
	if !ok {
		t.Fatal("no dashboard on a vault with a loan-book deal")
	}
	if sc.Content.MinSize().Height < sc.Size().Height+200 {
		t.Fatalf("the dashboard of a loan-book deal does not scroll (%v of %v)", sc.Size(), sc.Content.MinSize())
	}
	sc.ScrollToOffset(fyne.NewPos(0, 200))
	dv.refresh()
	if sc2 := dv.content.Objects[0].(*container.Scroll); sc2 == sc || sc2.Offset.Y != 200 {
		t.Fatalf("offset after the rebuild: %v", sc2.Offset)
	}
}
