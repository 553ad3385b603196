package ui

import (
	"os"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"handover/app/audit"
	"handover/app/demo"
)

// TestAuditScreen: the transferor sees no audit log; the auditor pages, filters, verifies
// and saves the report.
func TestAuditScreen(t *testing.T) {
	dir := demoVault(t, 10)
	a := newTestApp(t, "")
	if err := a.OpenVault(dir); err != nil {
		t.Fatal(err)
	}
	unlockAs(t, a, demo.OperatorName, DemoPassphrase)
	eventually(t, "sign-in", func() bool { return a.shell != nil })
	for range 3 {
		a.session.Search(t.Context(), "name_prefix", "王")
	}
	a.shell.show("audit")
	if !strings.Contains(findText(a.shell.body), L("auditv.no_permission")) {
		t.Fatal("the transferor sees the audit log")
	}
	a.Lock()
	eventually(t, "locked", func() bool { return a.shell == nil })
	unlockAs(t, a, demo.AuditorName, DemoPassphrase)
	eventually(t, "auditor sign-in", func() bool { return a.shell != nil })
	a.shell.show("audit")
	// The test driver runs fyne.Do on the loading goroutine itself: wait for it before touching
	// the window, as the real driver would have.
	v := a.shell.audit
	eventually(t, "first page", func() bool { return v.loaded == 1 })
	snapshot(t, a, "audit-screen")
	if len(v.events) < 5 || v.events[0].Seq < v.events[len(v.events)-1].Seq {
		t.Fatalf("%d events, not newest first", len(v.events))
	}
	v.action.SetSelected(audit.Name(audit.Search, currentLang()))
	test.Tap(v.apply)
	eventually(t, "filtered page", func() bool { return v.loaded == 2 })
	if len(v.events) != 3 {
		t.Fatalf("search events: %d", len(v.events))
	}
	for _, ev := range v.events {
		if ev.Action != audit.Search {
			t.Fatalf("filter let %s through", ev.Action)
		}
	}
	v.from.SetText("2099-01-01")
	test.Tap(v.apply)
	eventually(t, "empty page", func() bool { return v.loaded == 3 })
	if len(v.events) != 0 {
		t.Fatal("a future period shows events")
	}
	v.from.SetText("not a date")
	test.Tap(v.apply)
	out := t.TempDir()
	path, err := v.writeReport(out)
	if err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(path); err != nil || len(b) < 1000 {
		t.Fatalf("report: %v", err)
	}
	rep, err := a.session.VerifyAudit(t.Context(), nil)
	if err != nil || rep.Problem != nil {
		t.Fatalf("verify: %+v %v", rep, err)
	}
}
