package ui

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"handover/app/demo"
	"handover/app/vault"
	"handover/store/model"
)

// TestDestroyScreen walks the destruction as an administrator would: the retention shown
// with the readings for counsel, a plan of the whole book, two approvals (the second by the
// auditor at the same desk with their own passphrase), the run, and the verification.
func TestDestroyScreen(t *testing.T) {
	dir := demoVault(t, 12)
	a := newTestApp(t, "")
	if err := a.OpenVault(dir); err != nil {
		t.Fatal(err)
	}
	unlockAs(t, a, demo.AdminName, DemoPassphrase)
	eventually(t, "sign-in", func() bool { return a.shell != nil })
	a.shell.show("destroy")
	v := a.shell.destroy
	eventually(t, "retention", func() bool { return strings.Contains(v.retention.Text, L("destroy.counsel")) })
	if !strings.Contains(v.retention.Text, "《反洗钱法》") {
		t.Fatalf("retention: %s", v.retention.Text)
	}
	out := t.TempDir()
	a.chooser = stubChooser{out}
	test.Tap(v.report)
	browseAndUse(t, a)
	if files, _ := filepath.Glob(filepath.Join(out, "retention-*.pdf")); len(files) != 1 {
		t.Fatalf("the retention report was not saved: %v", files)
	}
	v.scope.SetSelectedIndex(slices.Index(destroyScopes, vault.ScopeAll))
	test.Tap(v.planBtn)
	if v.current == nil || v.current.Destroy.Customers != 12 || v.run.Disabled() != true || v.approve.Disabled() {
		t.Fatalf("after planning: %+v", v.current)
	}
	test.Tap(v.approve)
	auditor, err := a.session.Vault().OperatorByName(demo.AuditorName)
	if err != nil {
		t.Fatal(err)
	}
	v.approveWith(auditor, DemoPassphrase)
	if len(v.current.Approvals) != 2 || v.run.Disabled() {
		t.Fatalf("after two approvals: %+v, run disabled %v", v.current.Approvals, v.run.Disabled())
	}
	v.doRun()
	eventually(t, "the run", func() bool { return v.current.Run != nil && v.current.Run.Status == "done" })
	if v.verify.Disabled() {
		t.Fatal("verify is not offered after the run")
	}
	snapshot(t, a, "destroy-screen")
	v.doVerify()
	eventually(t, "the verification", func() bool { return v.current.Run.Verified != nil })
	if !strings.Contains(v.plan.Text, L("destroy.verified_ok", map[string]any{"Keys": 0, "Records": 0, "Remaining": 0})) {
		t.Fatalf("plan text: %s", v.plan.Text)
	}
	if c, _ := a.session.Counts(); c.Customers != 0 {
		t.Fatalf("%d customers remain", c.Customers)
	}
}

// TestDestroyScreenLooks captures the retention and destruction screen at 1024x768 and
// 1366x768 in both languages (HANDOVER_SNAPSHOTS=DIR keeps the pictures), with a plan made, a
// hold and the storage-only state, and checks that no text is left as a raw key.
func TestDestroyScreenLooks(t *testing.T) {
	for _, code := range []string{"zh-CN", "en"} {
		for _, size := range []fyne.Size{{Width: 1024, Height: 768}, {Width: 1366, Height: 768}} {
			dir := demoVault(t, 6)
			a := newTestApp(t, "")
			if err := setLanguage(code); err != nil {
				t.Fatal(err)
			}
			defer setLanguage("zh-CN")
			a.win.Resize(size)
			if err := a.OpenVault(dir); err != nil {
				t.Fatal(err)
			}
			unlockAs(t, a, demo.AdminName, DemoPassphrase)
			eventually(t, "sign-in", func() bool { return a.shell != nil })
			if _, err := a.session.AddHold(t.Context(), "（2026）京0105民初1号", false, []model.CustomerNo{2}, model.Date{}); err != nil {
				t.Fatal(err)
			}
			if _, err := a.session.Restrict(t.Context(), nil, "依法保存至期满"); err != nil {
				t.Fatal(err)
			}
			a.shell.show("destroy")
			v := a.shell.destroy
			v.scope.SetSelectedIndex(slices.Index(destroyScopes, vault.ScopeAll))
			test.Tap(v.planBtn)
			eventually(t, "retention", func() bool { return strings.Contains(v.retention.Text, L("destroy.counsel")) })
			// The first screen (the English deal form) may have widened the window: this screen
			// must fit the size asked for on its own.
			a.win.Resize(size)
			if w := a.win.Canvas().Size().Width; w > size.Width {
				t.Errorf("%s: the screen needs %.0f px, wider than %.0f", code, w, size.Width)
			}
			text := findText(v.content)
			if strings.Contains(text, "destroy.") || strings.Contains(text, "role.") {
				t.Errorf("%s %v: a raw label key on the screen: %s", code, size, text)
			}
			if code == "zh-CN" && (strings.Contains(text, "Law") || strings.Contains(text, "PIPL") || strings.Contains(text, "Restricted")) {
				t.Errorf("English in the Chinese screen: %s", text)
			}
			snapshot(t, a, fmt.Sprintf("destroy-%s-%.0f", code, size.Width))
			a.Lock()
		}
	}
}
