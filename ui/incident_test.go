package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"handover/app/demo"
	"handover/app/handoverpkg"
	"handover/app/progress"
	"handover/app/vault"
	"handover/crypto/identity"
	"handover/store/model"
)

// TestIncidentScreen: a lost package recorded through the screen's dialog, its scope computed
// from the export; the decision, the drafts, and the dashboard's warning.
func TestIncidentScreen(t *testing.T) {
	dir := demoVaultWithDeal(t, 12, "loan-book")
	a := newTestApp(t, "")
	if err := a.OpenVault(dir); err != nil {
		t.Fatal(err)
	}
	unlockAs(t, a, demo.OperatorName, DemoPassphrase)
	eventually(t, "sign-in", func() bool { return a.shell != nil })
	sender, _ := identity.New("出让方", "演示小额贷款有限公司", "负责人", time.Now())
	receiver, _ := identity.New("受让方", "示范金融服务有限公司", "负责人", time.Now())
	_, m, err := a.session.Export(context.Background(), handoverpkg.Options{Out: t.TempDir(), Sender: sender,
		Recipients: []identity.Card{receiver.Card}, Customers: nil}, progress.Discard)
	if err != nil {
		t.Fatal(err)
	}
	a.shell.show("incidents")
	v := a.shell.incidents
	test.Tap(v.openBtn)
	top := a.win.Canvas().Overlays().Top()
	var entries []*widget.Entry
	var selects []*widget.Select
	walk(top, func(o fyne.CanvasObject) {
		if e, ok := asEntry(o); ok {
			entries = append(entries, e)
		}
		if w, ok := o.(*widget.Select); ok {
			selects = append(selects, w)
		}
	})
	// discovered, summary, from, to; kind, package
	test.Type(entries[1], "快递途中 U 盘丢失")
	selects[1].SetSelectedIndex(0)
	if !strings.Contains(selects[1].Selected, m.ID) {
		t.Fatalf("the package offered: %q", selects[1].Selected)
	}
	n := v.done
	test.Tap(findButton(t, top, L("inc.open")))
	eventually(t, "incident opened", func() bool { return v.done == n+1 })
	if v.lastErr != nil {
		t.Fatal(v.lastErr)
	}
	ins, _ := a.session.Incidents(t.Context())
	if len(ins) != 1 || len(ins[0].Scope.Customers) != 12 || !ins[0].Scope.Encrypted {
		t.Fatalf("incident %+v", ins)
	}
	id := ins[0].ID
	if !v.cards[id].notify.Disabled() {
		t.Fatal("notices offered before the decision")
	}
	today := model.DateOf(time.Now().In(shanghai))
	if err := a.session.DecideIncident(id, vault.IncidentDecision{NotifyIndividuals: true, Reasoning: "无法排除解密", DecidedBy: "王律师",
		Authorities: []string{"省网信办"}, Due: today.AddDays(3)}, vault.IncidentContent{Cause: "快递丢失", Harm: "诈骗风险",
		Measures: "吊销接收人身份", Advice: "警惕冒充来电"}); err != nil {
		t.Fatal(err)
	}
	v.refresh()
	if v.cards[id].notify.Disabled() {
		t.Fatal("notices not offered after the decision")
	}
	drafts := t.TempDir()
	if _, err := v.writeDrafts(id, drafts); err != nil {
		t.Fatal(err)
	}
	for _, which := range []string{"authority", "individuals"} {
		if b, err := os.ReadFile(filepath.Join(drafts, id+"-"+which+".pdf")); err != nil || !strings.HasPrefix(string(b), "%PDF") {
			t.Fatalf("draft %s: %v", which, err)
		}
	}
	snapshot(t, a, "incidents")
	// The dashboard warns while it is open.
	a.shell.show("deal")
	if text := findText(a.shell.deal.content); !strings.Contains(text, "未关闭的安全事件1起") {
		t.Fatal("the dashboard does not warn of the open incident")
	}
}

// The dashboard shows the reviews due; doing one on the Registers screen records it and it
// is no longer due.
func TestReviewsOnScreen(t *testing.T) {
	dir := demoVaultWithDeal(t, 5, "equity")
	a := newTestApp(t, "")
	if err := a.OpenVault(dir); err != nil {
		t.Fatal(err)
	}
	unlockAs(t, a, demo.OperatorName, DemoPassphrase)
	eventually(t, "sign-in", func() bool { return a.shell != nil })
	if text := findText(a.shell.deal.content); !strings.Contains(text, "定期审查：到期") || !strings.Contains(text, "审计日志核验") {
		t.Fatalf("the dashboard does not show the reviews due: %q", text)
	}
	a.shell.show("registers")
	rv := a.shell.registers
	evidence := filepath.Join(t.TempDir(), "restore.pdf")
	os.WriteFile(evidence, []byte("%PDF-1.4 restore record"), 0o600)
	rv.recordReview("restore_test", "pass", "恢复到备用机，账目一致", evidence)
	if rv.lastErr != nil {
		t.Fatal(rv.lastErr)
	}
	rs, _ := a.session.Reviews(t.Context())
	for _, r := range rs {
		if r.ID == "restore_test" && (r.DueNow || r.Last == nil || r.Last.SHA256 == "") {
			t.Fatalf("after the restore test: %+v", r)
		}
	}
	snapshot(t, a, "reviews")
}

// The standards map is written from the Registers screen as PDF and CSV.
func TestStandardsFromScreen(t *testing.T) {
	dir := demoVaultWithDeal(t, 3, "loan-book")
	a := newTestApp(t, "")
	if err := a.OpenVault(dir); err != nil {
		t.Fatal(err)
	}
	unlockAs(t, a, demo.OperatorName, DemoPassphrase)
	eventually(t, "sign-in", func() bool { return a.shell != nil })
	a.shell.show("registers")
	out := t.TempDir()
	path, err := a.shell.registers.writeStandards(out)
	if err != nil {
		t.Fatal(err)
	}
	table, err := os.ReadFile(strings.TrimSuffix(path, ".pdf") + ".csv")
	if err != nil || !strings.Contains(string(table), "C17") {
		t.Fatalf("standards CSV: %v", err)
	}
}
