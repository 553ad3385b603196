package ui

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"handover/app/demo"
	"handover/app/vault"
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
	if !strings.Contains(v.retention.Text, "Anti-Money-Laundering Law") {
		t.Fatalf("retention: %s", v.retention.Text)
	}
	out := t.TempDir()
	a.chooser = stubChooser{out}
	test.Tap(v.report)
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
