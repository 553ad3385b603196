package ui

import (
	"context"
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"handover/app/assess"
	"handover/app/checklist"
	"handover/app/demo"
	"handover/app/importer"
	"handover/app/progress"
	"handover/app/vault"
	"handover/app/vault/vaulttest"
	"handover/assets"
)

var fastVault = vaulttest.Options

type stubChooser struct{ path string }

func (s stubChooser) ChooseFolder(string) (string, bool, error) { return s.path, s.path != "", nil }
func (s stubChooser) ChooseFile(string, string, []string) (string, bool, error) {
	return s.path, s.path != "", nil
}

func newTestApp(t *testing.T, chooserPath string) *App {
	t.Helper()
	t.Setenv("GSETTINGS_BACKEND", "memory")
	a := New(Config{App: test.NewTempApp(t), Chooser: stubChooser{chooserPath},
		SettingsPath: filepath.Join(t.TempDir(), "settings.json"), VaultOptions: fastVault})
	drainUI(false)
	t.Cleanup(func() {
		a.closeVault()
		drainUI(false) // nothing of this test may run in the next
	})
	return a
}

// uiQueue is the tests' UI goroutine: background work hands its results to onUI, and the
// test's own goroutine runs them in eventually, so taps and callbacks never overlap.
var uiQueue = make(chan func(), 4096)

func TestMain(m *testing.M) {
	onUI = func(f func()) { uiQueue <- f }
	os.Exit(m.Run())
}

// drainUI runs (or, with run false, drops) every callback waiting for the UI goroutine.
func drainUI(run bool) {
	for {
		select {
		case f := <-uiQueue:
			if run {
				f()
			}
		default:
			return
		}
	}
}

// eventually waits for background work that reports back through onUI, running its
// callbacks meanwhile.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for drainUI(true); !cond(); drainUI(true) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// demoVault makes a small demo vault (three operators, passphrase "handover-demo").
func demoVault(t *testing.T, n int) string {
	t.Helper()
	return demoVaultWithDeal(t, n, "")
}

// demoVaultWithDeal is demoVault with a demo deal of that type, its preparation done.
func demoVaultWithDeal(t *testing.T, n int, deal string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "demo")
	s, err := demo.CreateVault(context.Background(), dir, demo.Options{Customers: n, Seed: 5, Documents: true,
		DocumentLimit: 3, Passphrase: DemoPassphrase, Vault: fastVault, Deal: deal}, progress.Discard)
	if err != nil {
		t.Fatal(err)
	}
	v := s.Vault()
	s.Lock()
	v.Close()
	return dir
}

func unlockAs(t *testing.T, a *App, operator, pass string) {
	t.Helper()
	a.unlock.selectOperator(operator)
	test.Type(a.unlock.pass, pass)
	test.Tap(a.unlock.unlockBtn)
}

func TestCreateVaultLockWrongPassphraseUnlock(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new-vault")
	a := newTestApp(t, dir)
	a.ShowWelcome()
	if a.unlock.pass != nil {
		t.Fatal("the welcome screen asks for a passphrase without a vault")
	}
	a.showCreate()
	c := a.create
	test.Tap(c.createBt)
	if c.status.Text != L("create.need_folder") {
		t.Fatalf("empty form: %q", c.status.Text)
	}
	test.Tap(findButton(t, c.content, L("create.browse"))) // the stub dialog picks dir
	if c.path.Text != dir {
		t.Fatalf("folder chooser not used: %q", c.path.Text)
	}
	test.Type(c.name, "周管理")
	test.Type(c.pass, "short")
	test.Type(c.confirm, "short")
	test.Tap(c.createBt)
	if !strings.Contains(c.status.Text, "8") {
		t.Fatalf("weak passphrase accepted: %q", c.status.Text)
	}
	c.pass.SetText("a good long passphrase")
	c.confirm.SetText("a good long passphrase")
	test.Tap(c.createBt)
	if a.session == nil || a.shell == nil {
		t.Fatalf("not signed in after create: %q", c.status.Text)
	}
	if a.session.Role() != vault.Admin {
		t.Fatalf("first operator's role %s", a.session.Role())
	}

	test.Tap(a.shell.lockBtn)
	eventually(t, "the unlock screen after Lock", func() bool { return a.session == nil && a.shell == nil && a.unlock != nil })
	unlockAs(t, a, "周管理", "wrong passphrase!")
	eventually(t, "the wrong-passphrase message", func() bool { return a.unlock.status.Text != "" })
	if !strings.Contains(a.unlock.status.Text, L("error.wrong_passphrase")) || a.session != nil {
		t.Fatalf("wrong passphrase: %q", a.unlock.status.Text)
	}
	if a.unlock.pass.Text != "" {
		t.Fatal("the wrong passphrase stays in the field")
	}
	unlockAs(t, a, "周管理", "a good long passphrase")
	eventually(t, "sign-in", func() bool { return a.session != nil })
}

func TestDemoNavigationSearchAndReveal(t *testing.T) {
	dir := demoVault(t, 300)
	a := newTestApp(t, "")
	if err := a.OpenVault(dir); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(findText(a.unlock.content), DemoPassphrase) {
		t.Fatal("the demo unlock screen does not show the demo passphrase")
	}
	unlockAs(t, a, demo.OperatorName, DemoPassphrase)
	eventually(t, "sign-in", func() bool { return a.shell != nil })
	a.shell.show("customers")
	cv := a.shell.customers
	if cv.list.Length() != 300 {
		t.Fatalf("list shows %d customers", cv.list.Length())
	}
	// Search by exact identity number finds customer 5 and opens it.
	want := (&demo.Generator{Seed: 5}).Book(4).Customer
	cv.kind.SetSelectedIndex(0) // detect: an identity number
	test.Type(cv.query, strings.ToLower(want.IDNumber))
	test.Tap(cv.search)
	if cv.list.Length() != 1 || cv.detail.no != 5 {
		t.Fatalf("search: %d hits, open %d", cv.list.Length(), cv.detail.no)
	}
	idLabel := cv.detail.fields["id_number"]
	if idLabel.Text == want.IDNumber || !strings.Contains(idLabel.Text, "**") {
		t.Fatalf("identity number not masked: %q", idLabel.Text)
	}
	test.Tap(cv.detail.reveals["id_number"])
	if idLabel.Text != want.IDNumber {
		t.Fatalf("reveal shows %q", idLabel.Text)
	}
	cv.detail.remask(5, "id_number") // what the timer does
	if idLabel.Text == want.IDNumber {
		t.Fatal("not masked again")
	}
	// A mistyped check digit says so, and the customer shown before is no longer shown.
	bad := want.IDNumber[:17] + map[bool]string{true: "0", false: "1"}[want.IDNumber[17] != '0']
	cv.query.SetText(bad)
	test.Tap(cv.search)
	if cv.list.Length() != 0 || cv.detail.no != 0 || !strings.Contains(cv.summary.Text, reasonName("id_checksum")) {
		t.Fatalf("a wrong check digit: %d hits, open %d, %q", cv.list.Length(), cv.detail.no, cv.summary.Text)
	}
	test.Tap(cv.reset)
	if cv.list.Length() != 300 {
		t.Fatal("reset did not show every customer")
	}
	// Name-prefix search, then the other sections.
	cv.kind.SetSelectedIndex(0)
	test.Type(cv.query, string([]rune(want.Name)[:1]))
	test.Tap(cv.search)
	if n := cv.list.Length(); n < 1 || n >= 300 {
		t.Fatalf("name prefix search: %d hits", n)
	}
	a.shell.show("settings")
	if a.shell.settings == nil || a.shell.current != "settings" {
		t.Fatal("settings did not open")
	}
	a.shell.show("about")
	if !strings.Contains(findText(a.shell.body), "Handover") {
		t.Fatal("about shows no version")
	}
}

func TestRevealRefusedForAuditor(t *testing.T) {
	dir := demoVault(t, 20)
	a := newTestApp(t, "")
	if err := a.OpenVault(dir); err != nil {
		t.Fatal(err)
	}
	unlockAs(t, a, demo.AuditorName, DemoPassphrase)
	eventually(t, "sign-in", func() bool { return a.shell != nil })
	a.shell.show("customers")
	cv := a.shell.customers
	cv.list.Select(0)
	masked := cv.detail.fields["phone"].Text
	test.Tap(cv.detail.reveals["phone"])
	if cv.detail.fields["phone"].Text != masked {
		t.Fatal("the auditor saw an unmasked phone number")
	}
	if a.win.Canvas().Overlays().Top() == nil {
		t.Fatal("no message explains the refusal")
	}
	if !strings.Contains(findText(a.win.Canvas().Overlays().Top()), L("role.auditor")) {
		t.Fatalf("refusal does not name the role: %q", findText(a.win.Canvas().Overlays().Top()))
	}
}

func TestAutoLockClearsScreen(t *testing.T) {
	dir := demoVault(t, 20)
	a := newTestApp(t, "")
	if err := a.OpenVault(dir); err != nil {
		t.Fatal(err)
	}
	unlockAs(t, a, demo.OperatorName, DemoPassphrase)
	eventually(t, "sign-in", func() bool { return a.shell != nil })
	s := a.session
	a.shell.show("customers")
	cv := a.shell.customers
	cv.list.Select(0)
	test.Tap(cv.detail.reveals["name"])
	revealed := cv.detail.fields["name"].Text
	if !s.LockIfIdle(time.Now().Add(time.Hour)) {
		t.Fatal("session did not lock when idle")
	}
	eventually(t, "the unlock screen", func() bool { return a.shell == nil && a.unlock != nil })
	if cv.detail.fields != nil || len(cv.nos) != 0 || len(cv.rows) != 0 {
		t.Fatal("customer data kept after the lock")
	}
	if strings.Contains(findText(a.win.Content()), revealed) {
		t.Fatal("the revealed name is still on screen")
	}
	if a.unlock.status.Text != L("unlock.idle_locked") {
		t.Fatalf("status after idle lock: %q", a.unlock.status.Text)
	}
}

func TestLanguageSwitchIsRemembered(t *testing.T) {
	a := newTestApp(t, "")
	a.ShowWelcome()
	if L("nav.customers") != "客户资料" {
		t.Fatalf("default language is not Chinese: %q", L("nav.customers"))
	}
	a.unlock.language.SetSelectedIndex(1)
	if L("nav.customers") != "Customers" || a.win.Title() != "Handover" {
		t.Fatalf("English not applied: %q, title %q", L("nav.customers"), a.win.Title())
	}
	b, _ := os.ReadFile(a.setPath)
	if !strings.Contains(string(b), `"language": "en"`) {
		t.Fatalf("language not saved: %s", b)
	}
	a.unlock.language.SetSelectedIndex(0)
	if L("nav.customers") != "客户资料" {
		t.Fatal("could not switch back to Chinese")
	}
}

// TestTranslationsComplete checks that every key the UI uses exists in both languages and
// that both files have the same keys.
func TestTranslationsComplete(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	used := map[string]bool{}
	re := regexp.MustCompile(`\bL\("([a-z_]+\.[a-z_.A-Z-]*[a-zA-Z_-])"`)
	for _, f := range files {
		b, _ := os.ReadFile(f)
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = true
		}
	}
	// Keys built at run time from core values.
	for _, r := range vault.Roles {
		used["role."+string(r)] = true
		for _, p := range r.Permissions() {
			used["perm."+string(p)] = true
		}
	}
	for _, k := range searchKinds {
		if k != "" {
			used["search."+string(k)] = true
		}
	}
	used["search.auto"] = true
	for _, k := range []string{"status.normal", "status.overdue", "status.settled", "class.pass", "class.special",
		"class.substandard", "class.doubtful", "class.loss", "doc.id_card_front", "doc.id_card_back"} {
		used[k] = true
	}
	for _, r := range importer.Reasons {
		used["reason."+r] = true
		used["reasonmsg."+r] = true
	}
	for _, t := range []importer.Table{importer.Customers, importer.Loans, importer.Repayments} {
		used["table."+string(t)] = true
		for _, f := range importer.Fields(t) {
			used["field."+string(t)+"."+f] = true
		}
	}
	for _, e := range encodings {
		used["encoding."+e] = true
	}
	for _, st := range append(quarantineStates, importer.ItemQuarantined, importer.ItemRefused) {
		used["qstate."+st] = true
	}
	for _, c := range historyCols {
		used["history."+c] = true
	}
	used["table.documents"], used["encoding.xlsx"] = true, true
	for _, r := range []string{"missing", "damaged", "altered", "checkpoint", "truncated"} {
		used["auditv.reason."+r] = true
	}
	for _, k := range []string{"seq", "time", "action", "outcome", "operator", "detail"} {
		used["auditv."+k] = true
	}
	for _, k := range certKinds {
		used["cert.kind."+k] = true
	}
	used["import.state.running"], used["import.state.done"] = true, true
	for _, d := range checklist.DealTypes {
		used["deal.type."+d] = true
	}
	for _, l := range checklist.Locations {
		used["deal.location."+l] = true
	}
	for _, b := range checklist.Bases {
		used["checklist.basis."+b] = true
	}
	for _, f := range []string{"type", "recipient_location", "transferor.name", "transferor.credit_code", "transferee.name",
		"transferee.credit_code", "planned_start", "planned_end"} {
		used["deal.field."+f] = true
	}
	for _, r := range []string{"deal_type", "required", "credit_code_format", "credit_code_checksum", "same_party", "location", "date", "dates_order"} {
		used["deal.reason."+r] = true
	}
	for _, st := range []string{"export", "destroy"} {
		used["dash.gate_open."+st], used["dash.gate_closed."+st], used["gate."+st] = true, true, true
	}
	for _, k := range []string{checklist.Open, checklist.Partial, checklist.Done} {
		used["checklist.state."+k] = true
	}
	for _, k := range []string{checklist.Manual, checklist.Evidence, checklist.Automatic, checklist.Dual} {
		used["checklist.kind."+k] = true
	}
	for _, n := range []string{checklist.NeedAttestation, checklist.NeedEvidence, checklist.NeedBasis, checklist.NeedSignTransferor,
		checklist.NeedSignTransferee, checklist.NeedImport, checklist.NeedQuarantine, checklist.NeedBackup, checklist.NeedExport,
		checklist.NeedReceipt, checklist.NeedConfirmation, checklist.NeedAuditReport, checklist.NeedCounsel, checklist.NeedBookChanged,
		checklist.NeedConfirmationParties, checklist.NeedNDA, checklist.NeedTraining, checklist.NeedCrossBorderWeaker,
		checklist.NeedCrossBorderDetail, checklist.NeedWorkbookAnswers, checklist.NeedWorkbookSignOff, checklist.NeedDestruction,
		checklist.NeedArchive, checklist.NeedRetention, checklist.NeedNotification, checklist.NeedNotificationOrBasis,
		checklist.NeedContinuityPlan, checklist.NeedPaymentsForwarded} {
		used["checklist.need."+n] = true
	}
	for _, k := range []string{"subtype", "acting_for", "target.name", "target.credit_code", "transferor.person", "transferee.person"} {
		used["deal.field."+k] = true
	}
	for _, k := range []string{"subtype", "person_not_allowed"} {
		used["deal.reason."+k] = true
	}
	for _, k := range []string{"none", "expired", "no_liability", "failed"} {
		used["register.reason."+k] = true
	}
	for _, k := range []string{"choice", "empty", "number", "min", "file", "likelihood", "impact", "owner", "mitigation", "residual"} {
		used["err.answer."+k] = true
	}
	for _, k := range assess.Levels {
		used["assess.level."+k] = true
	}
	used["register.nda"], used["register.training"] = true, true
	for _, k := range []string{"no_deal", "deal_exists", "unknown_item", "automatic_item", "needs_evidence", "needs_basis", "not_dual",
		"signoff_role", "already_signed", "item_reason_required", "not_done", "already_complete", "evidence_too_large", "no_evidence_item",
		"bad_backup", "receipt_not_ours", "receipt_incomplete"} {
		used["error."+k] = true
	}
	msgs := map[string]map[string]string{}
	for _, l := range assets.Languages {
		m, err := assets.Messages(l)
		if err != nil {
			t.Fatal(err)
		}
		msgs[l] = m
		for k := range used {
			if strings.TrimSpace(m[k]) == "" {
				t.Errorf("%s lacks %q", l, k)
			}
		}
	}
	for k := range msgs["zh-CN"] {
		if _, ok := msgs["en"][k]; !ok {
			t.Errorf("en lacks %q", k)
		}
	}
	for k := range msgs["en"] {
		if _, ok := msgs["zh-CN"][k]; !ok {
			t.Errorf("zh-CN lacks %q", k)
		}
	}
	if _, err := json.Marshal(used); err != nil {
		t.Fatal(err)
	}
}

func findButton(t *testing.T, o fyne.CanvasObject, text string) *widget.Button {
	t.Helper()
	var found *widget.Button
	walk(o, func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == text {
			found = b
		}
	})
	if found == nil {
		t.Fatalf("no button %q", text)
	}
	return found
}

// findText gathers the text of every label and card under o.
func findText(o fyne.CanvasObject) string {
	var sb strings.Builder
	walk(o, func(o fyne.CanvasObject) {
		switch w := o.(type) {
		case *widget.Label:
			sb.WriteString(w.Text + "\n")
		case *widget.Card:
			sb.WriteString(w.Title + "\n")
		}
	})
	return sb.String()
}

func walk(o fyne.CanvasObject, fn func(fyne.CanvasObject)) {
	if o == nil {
		return
	}
	fn(o)
	switch w := o.(type) {
	case *fyne.Container:
		for _, c := range w.Objects {
			walk(c, fn)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(w).Objects() {
			walk(c, fn)
		}
	}
}

func TestGroupDigits(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 1000000: "1,000,000", 20000: "20,000"} {
		if got := groupDigits(n); got != want {
			t.Errorf("groupDigits(%d) = %q", n, got)
		}
	}
}

// A vault whose only operator can neither read the audit log nor add one who can is created,
// with a warning that says so (in the user's language).
func TestCreateAloneWithoutAuditWarns(t *testing.T) {
	for _, code := range []string{"zh-CN", "en"} {
		t.Run(code, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "new-vault")
			a := newTestApp(t, dir)
			if err := setLanguage(code); err != nil {
				t.Fatal(err)
			}
			defer setLanguage("zh-CN")
			a.win.Resize(fyne.NewSize(1024, 768))
			a.showCreate()
			c := a.create
			test.Tap(findButton(t, c.content, L("create.browse")))
			test.Type(c.name, "受让经办")
			c.role.SetSelectedIndex(slices.Index(vault.Roles, vault.Transferee))
			c.pass.SetText("a good long passphrase")
			c.confirm.SetText("a good long passphrase")
			test.Tap(c.createBt)
			if a.session == nil || a.session.Role() != vault.Transferee {
				t.Fatalf("not created: %q", c.status.Text)
			}
			want := L("create.no_audit_reader", map[string]any{"Role": roleName(vault.Transferee)})
			if !overlayHasText(a.win.Canvas(), want) {
				t.Fatal("no warning shown")
			}
			if p := os.Getenv("HANDOVER_UI_SHOT"); p != "" {
				f, _ := os.Create(p + "-" + code + ".png")
				png.Encode(f, a.win.Canvas().Capture())
				f.Close()
			}
		})
	}
}

// overlayHasText says whether a dialog on top of the canvas shows text.
func overlayHasText(c fyne.Canvas, text string) bool {
	found := false
	for _, o := range c.Overlays().List() {
		walkObjects(o, func(obj fyne.CanvasObject) {
			if l, ok := obj.(*widget.Label); ok && l.Text == text {
				found = true
			}
		})
	}
	return found
}

func walkObjects(o fyne.CanvasObject, fn func(fyne.CanvasObject)) {
	fn(o)
	switch x := o.(type) {
	case *fyne.Container:
		for _, c := range x.Objects {
			walkObjects(c, fn)
		}
	case fyne.Widget:
		r := test.WidgetRenderer(x)
		for _, c := range r.Objects() {
			walkObjects(c, fn)
		}
	}
}
