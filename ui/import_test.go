package ui

import (
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"handover/app/demo"
	"handover/app/idcard"
	"handover/app/importer"
)

func validID(body string) string { return body + string(idcard.CheckDigit(body)) }

// TestImportWizardAndQuarantine drives the import section as a user would: add a file
// through the (stubbed) native dialog, fix the mapping of a column the aliases do not know,
// look at the preview, import, then correct one quarantined row and dismiss another.
func TestImportWizardAndQuarantine(t *testing.T) {
	dir := demoVault(t, 20)
	csv := filepath.Join(t.TempDir(), "旧系统客户.csv")
	body := "客户名,身份证号,手机号码\n" +
		"新客户甲," + validID("11010519700101001") + ",13812345678\n" +
		"新客户乙,12345,13912345678\n" +
		"新客户丙,3.70102E+17,\n"
	if err := os.WriteFile(csv, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	a := newTestApp(t, csv)
	if err := a.OpenVault(dir); err != nil {
		t.Fatal(err)
	}
	unlockAs(t, a, demo.OperatorName, DemoPassphrase)
	eventually(t, "sign-in", func() bool { return a.shell != nil })
	a.shell.show("import")
	iv := a.shell.imports
	if iv.startBtn.Disabled() == false {
		t.Fatal("start enabled with nothing to import")
	}
	test.Tap(iv.addFile)
	if len(iv.inputs) != 1 || iv.inputs[0].in.Table != "" {
		t.Fatalf("inputs %+v", iv.inputs)
	}
	// "客户名" is no known alias: choose the table, then map the name column by hand.
	iv.table.SetSelected(L("table.customers"))
	if !iv.startBtn.Disabled() || !strings.Contains(iv.inputLine(iv.inputs[0]), L("field.customers.name")) {
		t.Fatalf("missing name not reported: %q", iv.inputLine(iv.inputs[0]))
	}
	iv.mapSelect["name"].SetSelected("客户名")
	if iv.startBtn.Disabled() {
		t.Fatalf("start still disabled: %s", iv.status.Text)
	}
	if len(iv.prevRows) != 3 || iv.prevRows[0].Values["id_number"] == "" || strings.Contains(iv.prevRows[0].Values["id_number"], "19700101") {
		t.Fatalf("preview %+v", iv.prevRows)
	}
	snapshot(t, a, "import-wizard")
	if findingText(iv.prevRows[1].Findings) != L("reason.id_format") {
		t.Fatalf("preview finding %q", findingText(iv.prevRows[1].Findings))
	}
	before, _ := a.session.Counts()
	test.Tap(iv.startBtn)
	eventually(t, "import", func() bool { return iv.results.Text != "" })
	after, _ := a.session.Counts()
	if after.Customers != before.Customers+1 || !strings.Contains(iv.results.Text, "旧系统客户.csv") {
		t.Fatalf("customers %d → %d, results %q", before.Customers, after.Customers, iv.results.Text)
	}

	// The validation report: two open rows, filtered by reason.
	iv.tabs.SelectIndex(1)
	q := iv.quarantine
	if len(q.shown) != 2 {
		t.Fatalf("report shows %d rows", len(q.shown))
	}
	q.reason.SetSelected(L("reason.id_excel_scientific"))
	if len(q.shown) != 1 || q.shown[0].Row != 4 {
		t.Fatalf("filtered %+v", q.shown)
	}
	q.list.Select(0)
	if q.revalid.Disabled() || len(q.entries) != 3 {
		t.Fatal("editor not ready")
	}
	snapshot(t, a, "import-quarantine")
	q.entries[1].SetText(validID("11010519700101002"))
	test.Tap(q.revalid)
	after2, _ := a.session.Counts()
	if after2.Customers != after.Customers+1 {
		t.Fatal("the corrected row was not imported")
	}
	q.reason.SetSelectedIndex(0)
	if len(q.shown) != 1 {
		t.Fatalf("open rows after the correction: %d", len(q.shown))
	}
	q.list.Select(0)
	q.dismiss("旧系统测试数据，不属于本次移交")
	if len(q.shown) != 0 {
		t.Fatalf("open rows after the dismissal: %d", len(q.shown))
	}
	q.state.SetSelected(L("qstate.dismissed"))
	if len(q.shown) != 1 || q.shown[0].Note == "" {
		t.Fatalf("dismissed: %+v", q.shown)
	}

	iv.tabs.SelectIndex(2)
	snapshot(t, a, "import-history")
	if len(iv.history.sums) != 1 || iv.history.sums[0].Corrected != 1 || iv.history.sums[0].Dismissed != 1 {
		t.Fatalf("history %+v", iv.history.sums)
	}

	// A mapping profile saved from the wizard maps the same file next time.
	iv.tabs.SelectIndex(0)
	test.Tap(iv.addFile)
	iv.table.SetSelected(L("table.customers"))
	iv.mapSelect["name"].SetSelected("客户名")
	if err := iv.saveProfile("旧系统"); err != nil {
		t.Fatal(err)
	}
	p, err := importer.LoadProfile(filepath.Join(iv.profileDir(), "旧系统.json"))
	if err != nil || p.Tables[importer.Customers]["name"] != "客户名" {
		t.Fatalf("profile %+v, %v", p, err)
	}
	if err := iv.saveProfile("a/b"); err == nil {
		t.Fatal("a profile name with a slash was accepted")
	}
	test.Tap(iv.startBtn)
	eventually(t, "second import", func() bool {
		return strings.Contains(iv.results.Text, L("import.result_again", map[string]any{"File": "旧系统客户.csv", "Rows": 3}))
	})
}

// snapshot saves what the window shows as a PNG when HANDOVER_SNAPSHOTS names a folder, so
// that a developer can look at a screen without a display.
func snapshot(t *testing.T, a *App, name string) {
	dir := os.Getenv("HANDOVER_SNAPSHOTS")
	if dir == "" {
		return
	}
	f, err := os.Create(filepath.Join(dir, name+".png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, a.win.Canvas().Capture()); err != nil {
		t.Fatal(err)
	}
}
