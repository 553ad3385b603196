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
	a, iv := importScreen(t, dir, csv)
	if iv.startBtn.Disabled() == false {
		t.Fatal("start enabled with nothing to import")
	}
	test.Tap(iv.addFile)
	browseAndUse(t, a)
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
	// Identifiers are masked as on the customer screen; the audited reveal shows one in full
	// and only then can it be corrected.
	if q.entries[0].Text == "新客户丙" || !q.entries[1].Disabled() || q.revealBts[1] == nil {
		t.Fatalf("quarantined identifiers shown in full: %q %q", q.entries[0].Text, q.entries[1].Text)
	}
	snapshot(t, a, "import-quarantine")
	test.Tap(q.revealBts[1])
	if q.entries[1].Text != "3.70102E+17" || q.entries[1].Disabled() {
		t.Fatalf("after reveal: %q", q.entries[1].Text)
	}
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
	browseAndUse(t, a)
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

// TestImportTitleAndTotals: a file as an old system prints it, with a title above the
// header and a 合计 row below the data. The wizard says which row the column names come
// from, lets the clerk choose another, previews the totals row as a check, and after the
// import says whether the file's totals equal its rows.
func TestImportTitleAndTotals(t *testing.T) {
	dir := demoVault(t, 5)
	csv := filepath.Join(t.TempDir(), "客户台账.csv")
	body := "某某小额贷款有限公司客户台账（截至2024年12月31日）,,\n,,\n" +
		"姓名,身份证号,手机号码\n" +
		"新客户甲," + validID("11010519700101001") + ",13812345678\n" +
		"合计,1 人,\n"
	if err := os.WriteFile(csv, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	loans := filepath.Join(t.TempDir(), "贷款台账.csv")
	if err := os.WriteFile(loans, []byte("贷款台账,,\n借据号,身份证号,借款金额（元）\nJJ-1,"+validID("11010519700101001")+",1000.50\n合  计：,,1000.00\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	a, iv := importScreen(t, dir, csv)
	test.Tap(iv.addFile)
	browseAndUse(t, a)
	iv.add(loans) // a second file, as the dialog would give it
	if len(iv.inputs) != 2 || iv.inputs[0].in.HeaderRow != 3 || iv.inputs[0].in.Table != importer.Customers {
		t.Fatalf("inputs %+v", iv.inputs[0].in)
	}
	iv.fileList.Select(0)
	if iv.headerRow.Selected != L("import.row_n", map[string]any{"N": 3}) || !strings.Contains(iv.headerAt.Text, "3") {
		t.Fatalf("header row shown as %q, %q", iv.headerRow.Selected, iv.headerAt.Text)
	}
	if len(iv.prevRows) != 2 || !iv.prevRows[1].Totals {
		t.Fatalf("preview %+v", iv.prevRows)
	}
	snapshot(t, a, "import-title")
	// The clerk picks the title row by mistake: the file matches no table; back to row 3.
	iv.headerRow.SetSelectedIndex(0)
	if iv.inputs[0].in.Table != "" || iv.startBtn.Disabled() == false {
		t.Fatalf("the title as header: table %q", iv.inputs[0].in.Table)
	}
	iv.headerRow.SetSelectedIndex(2)
	if iv.inputs[0].in.Table != importer.Customers || iv.startBtn.Disabled() {
		t.Fatalf("back to row 3: table %q, %s", iv.inputs[0].in.Table, iv.status.Text)
	}
	test.Tap(iv.startBtn)
	eventually(t, "import", func() bool { return iv.results.Text != "" })
	diff := L("import.totals_diff", map[string]any{"Field": L("field.loans.principal"), "File": "1,000.00", "Read": "1,000.50"})
	if !strings.Contains(iv.results.Text, L("import.totals_different", map[string]any{"Row": 4, "Diffs": diff})) ||
		!strings.Contains(iv.results.Text, L("import.header_found", map[string]any{"Row": 3})) {
		t.Fatalf("results %q", iv.results.Text)
	}
	snapshot(t, a, "import-totals")
}

// importScreen signs the demo operator in to the vault at dir and opens the import screen;
// the stubbed native dialog picks path.
func importScreen(t *testing.T, dir, path string) (*App, *importView) {
	t.Helper()
	a := newTestApp(t, path)
	if err := a.OpenVault(dir); err != nil {
		t.Fatal(err)
	}
	unlockAs(t, a, demo.OperatorName, DemoPassphrase)
	eventually(t, "sign-in", func() bool { return a.shell != nil })
	a.shell.show("import")
	return a, a.shell.imports
}
