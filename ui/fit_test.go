package ui

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"

	"handover/app/demo"
)

// TestEveryScreenFits1024: no screen needs more than the window's 1020×700 (which fits a
// 1024×768 display), in either language, a customer opened included: Fyne grows a window to
// its content's minimum size, which pushed the lock button and the checklist's buttons
// off-screen. No screen shows a translation key in place of its text. With
// HANDOVER_SNAPSHOTS set, every screen is saved at 1024×768 and 1366×768 in both languages,
// to look at.
func TestEveryScreenFits1024(t *testing.T) {
	dir := demoVaultWithDeal(t, 50, "loan-book")
	a := newTestApp(t, "")
	if err := a.OpenVault(dir); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = setLanguage("zh-CN") }) // the next tests read Chinese
	// The screens before signing in: unlock, new vault, new vault for receiving.
	for _, lang := range []string{"en", "zh-CN"} {
		a.setLanguageAndRebuild(lang)
		for _, pre := range []struct {
			name string
			show func()
		}{{"unlock", a.showUnlock}, {"create", a.showCreate}, {"receive-setup", a.showReceiveSetup}} {
			pre.show()
			if m := a.win.Content().MinSize(); m.Width > 1020 || m.Height > 700 {
				t.Errorf("%s (%s) needs %.0f×%.0f", pre.name, lang, m.Width, m.Height)
			}
			a.win.Resize(fyne.NewSize(1020, 700))
			snapshot(t, a, "screen-"+lang+"-"+pre.name)
		}
	}
	a.showUnlock()
	unlockAs(t, a, demo.OperatorName, DemoPassphrase)
	eventually(t, "sign-in", func() bool { return a.shell != nil })
	rawKey := regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$`)
	for _, lang := range []string{"zh-CN", "en"} {
		a.setLanguageAndRebuild(lang)
		for _, sec := range a.shell.sections {
			a.shell.show(sec.id)
			if sec.id == "customers" {
				a.shell.customers.list.Select(0)
			}
			drainUI(false)
			if m := a.win.Content().MinSize(); m.Width > 1020 || m.Height > 700 {
				t.Errorf("%s (%s) needs %.0f×%.0f", sec.id, lang, m.Width, m.Height)
			}
			for _, line := range strings.Split(findText(a.win.Content()), "\n") {
				if rawKey.MatchString(strings.TrimSpace(line)) {
					t.Errorf("%s (%s) shows the key %q", sec.id, lang, line)
				}
			}
			if os.Getenv("HANDOVER_SNAPSHOTS") == "" {
				continue
			}
			for _, size := range []fyne.Size{{Width: 1362, Height: 700}, {Width: 1020, Height: 700}} {
				// Built again at each size, as a window of that size would show it.
				a.win.Resize(size)
				a.shell.show(sec.id)
				if sec.id == "customers" {
					a.shell.customers.list.Select(0)
				}
				drainUI(true)
				snapshot(t, a, fmt.Sprintf("screen-%s-%s-%.0f", lang, sec.id, size.Width))
			}
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
