package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"handover/app/assess"
	"handover/app/cert"
	"handover/app/checklist"
	"handover/app/demo"
	"handover/app/progress"
	"handover/app/validate"
	"handover/app/vault"
	"handover/store/model"
)

// The parties of the whole handover, as the deal and the identities name them: a signer
// counts for a party when the organisation on their card is the party's name.
const (
	sellerOrg = "甲小额贷款有限公司"
	buyerOrg  = "乙金融服务有限公司"
)

// TestWholeHandoverInTheApp is the handover a clerk does in the app alone, as issue 19
// asks: a vault created in the app, its operators added, a loan-book deal set up, files with
// bad rows imported, one row corrected and one dismissed, the preparation completed, a
// backup, the export; then, on a new vault of the receiving side, the sender's card trusted,
// the package received, the deal it carries confirmed and the receipt signed by both; back
// at the sender, the receipt taken in and the confirmation signed by both parties. Only the
// native file dialogs are stubbed (seqChooser), and the identities' passphrase-hardening is
// light, as everywhere in the tests.
func TestWholeHandoverInTheApp(t *testing.T) {
	files := t.TempDir()
	ch := &seqChooser{}
	a := newTestApp(t, "")
	a.chooser = ch

	// 1. A new vault, created by its administrator, who adds the operators of both parties.
	senderDir := filepath.Join(t.TempDir(), "sender-vault")
	a.ShowWelcome()
	a.showCreate()
	fillCreate(a.create, senderDir, "周管理", "administrator passphrase")
	if a.shell == nil || a.shell.settings == nil {
		t.Fatal("the first run does not open the operators")
	}
	dismissOverlays(a)
	ov := a.shell.settings.operators
	for _, op := range []struct {
		name string
		role vault.Role
	}{{"李出让", vault.Transferor}, {"王受让", vault.Transferee}, {"赵审计", vault.Auditor}} {
		addOperatorInApp(t, a, ov, op.name, op.role, op.name+" passphrase")
	}
	if len(ov.ops) != 4 || !ov.missing.Hidden {
		t.Fatalf("operators: %d, missing %q", len(ov.ops), ov.missing.Text)
	}
	signIn := func(name string) {
		t.Helper()
		if a.session != nil {
			test.Tap(a.shell.lockBtn)
		}
		eventually(t, "unlock screen", func() bool { return a.unlock != nil && a.session == nil })
		unlockAs(t, a, name, name+" passphrase")
		eventually(t, name+" signs in", func() bool { return a.shell != nil })
		dismissOverlays(a)
	}
	signIn("李出让")

	// 2. The deal: a loan book, typed into the wizard.
	dv := a.shell.deal
	if dv.form == nil {
		t.Fatal("no deal wizard")
	}
	code := func(body string) string { return body + string(validate.CreditCodeCheck(body)) }
	dv.form.kind.SetSelected(dealTypeName(checklist.LoanBook))
	test.Type(dv.form.tor.name, sellerOrg)
	test.Type(dv.form.tor.code, code("91330100MA27XY012"))
	test.Type(dv.form.tee.name, buyerOrg)
	test.Type(dv.form.tee.code, code("91110108MA01ABC03"))
	test.Type(dv.form.start, "2026/12/1")
	test.Tap(dv.form.save)
	if dv.view == nil || dv.view.Deal.Type != checklist.LoanBook || dv.view.Deal.PlannedStart != "2026-12-01" {
		t.Fatalf("deal not saved: %q", dv.form.status.Text)
	}

	// 3. The old system's files, two rows of them bad, through the import wizard.
	book := filepath.Join(files, "book")
	if err := demo.ExportCSV(context.Background(), book, &demo.Generator{Seed: 11}, 12, progress.Discard); err != nil {
		t.Fatal(err)
	}
	appendRows(t, filepath.Join(book, "customers.csv"),
		"坏行甲,12345,男,1980-01-01,13800000001,,,,\n"+
			"坏行乙,4.10203E+17,女,1981-02-02,13800000002,,,,\n")
	a.shell.show("import")
	iv := a.shell.imports
	ch.answers = []string{book}
	test.Tap(iv.addFolder)
	browseAndUse(t, a)
	if len(iv.inputs) != 3 {
		t.Fatalf("the folder gave %d inputs", len(iv.inputs))
	}
	test.Tap(iv.startBtn)
	eventually(t, "import", func() bool { return iv.results.Text != "" })
	if cnt, _ := a.session.Counts(); cnt.Customers != 12 {
		t.Fatalf("customers after the import: %d (%s)", cnt.Customers, iv.results.Text)
	}
	if iv.toReport.Hidden {
		t.Fatal("no way from the results to the rows set aside")
	}
	test.Tap(iv.toReport)
	q := iv.quarantine
	if len(q.shown) != 2 {
		t.Fatalf("the validation report shows %d rows", len(q.shown))
	}
	if strings.Contains(findText(iv.content), "4.10203E+17") {
		t.Fatal("the validation report shows an identity number in full")
	}
	// The row whose number Excel mangled is corrected (after an audited reveal); the other
	// is dismissed with a reason.
	q.reason.SetSelected(L("reason.id_excel_scientific"))
	q.list.Select(0)
	test.Tap(q.revealBts[1])
	q.entries[1].SetText(validID("11010519810202002"))
	test.Tap(q.revalid)
	q.reason.SetSelectedIndex(0)
	q.list.Select(0)
	q.dismiss("旧系统测试数据，不属于本次移交")
	if cnt, _ := a.session.Counts(); cnt.Customers != 13 || len(q.shown) != 0 {
		t.Fatalf("after correcting and dismissing: %d customers, %d open rows", cnt.Customers, len(q.shown))
	}

	// 4. The registers, the assessments and the items people attest.
	evidence := func(name string) string {
		p := filepath.Join(files, name)
		if err := os.WriteFile(p, []byte("%PDF-1.4 "+name), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	a.shell.show("registers")
	rv := a.shell.registers
	ops, _ := a.session.Operators(t.Context())
	today := model.DateOf(time.Now())
	for _, o := range ops {
		rv.addNDAFile(vault.NDARecord{Operator: o.ID, Version: "2026-1", Signed: today.AddDays(-3), Scope: "本次交接的全部客户资料", Liability: true}, evidence("nda-"+o.ID+".pdf"))
		if rv.lastErr != nil {
			t.Fatal(rv.lastErr)
		}
		if _, err := a.session.AddTraining(t.Context(), vault.TrainingRecord{Operator: o.ID, Date: today.AddDays(-3), Content: "个人信息保护",
			Trainer: "合规部", Expires: today.AddMonths(12)}); err != nil {
			t.Fatal(err)
		}
	}
	a.shell.show("assess")
	av := a.shell.assess
	for _, wbID := range assess.IDs {
		wb, err := a.session.Workbook(t.Context(), wbID)
		if err != nil {
			t.Fatal(err)
		}
		for _, qid := range wb.Unanswered {
			question, _ := wb.Template.Question(qid)
			av.saveAnswer(wbID, question, assess.SampleAnswer(question), evidence(qid+".pdf"))
			if av.lastErr != nil {
				t.Fatalf("%s/%s: %v", wbID, qid, av.lastErr)
			}
		}
		n := av.done
		av.askSignOff(wbID)
		signInDialog(t, a, "赵审计", "赵审计 passphrase", L("assess.signoff"), "")
		eventually(t, "sign-off of "+wbID, func() bool { return av.done == n+1 })
		if av.lastErr != nil {
			t.Fatalf("sign-off %s: %v", wbID, av.lastErr)
		}
	}
	a.shell.show("deal")
	dv = a.shell.deal
	for _, id := range []string{"agreement_signed", "processing_terms", "incident_plan", "sensitive_notice"} {
		it, _ := dv.view.Item(id)
		if dv.rows[id].attach != nil {
			n := dv.done
			ch.answers = []string{evidence(id + ".pdf")}
			test.Tap(dv.rows[id].attach)
			browseAndUse(t, a)
			eventually(t, "evidence of "+id, func() bool { return dv.done == n+1 })
		}
		confirmedBy := ""
		if it.Counsel {
			confirmedBy = "钱律师"
		}
		dv.finish(a.session.CompleteItemWith(t.Context(), id, vault.Completion{Note: "已核对原件", ConfirmedBy: confirmedBy}))
		if dv.lastErr != nil {
			t.Fatalf("%s: %v", id, dv.lastErr)
		}
	}
	// No consent is asked of the customers: counsel's basis, through the item's own dialog.
	test.Tap(dv.rows["notice_before_export"].basis)
	top := a.win.Canvas().Overlays().Top()
	if !strings.Contains(findText(top), "第二十三条") {
		t.Fatalf("the basis dialog does not explain itself: %q", findText(top))
	}
	es := entriesOf(top)
	test.Type(es[0], "依据《个人信息保护法》第十三条第一款第二项，为履行借款合同所必需")
	test.Type(es[1], "钱律师")
	es[2].SetText(evidence("counsel-opinion.pdf"))
	test.Tap(findButton(t, top, L("notice.save")))
	dismissOverlays(a)
	dv = a.shell.deal
	if it, _ := dv.view.Item("notice_before_export"); it.State != checklist.Done {
		t.Fatalf("notice_before_export: %s, needs %v (%v)", it.State, it.Needs, dv.lastErr)
	}
	// The backup, to another disk through the path dialog.
	n := dv.done
	test.Tap(dv.rows["backup_verified"].backup)
	usePath(t, a, t.TempDir())
	eventually(t, "backup", func() bool { return dv.done == n+1 })
	// Both parties sign off the figures.
	for i, who := range []string{"李出让", "王受让"} {
		it, _ := dv.view.Item("figures_agreed")
		dv.askSignOff(it)
		signInDialog(t, a, who, who+" passphrase", L("checklist.signoff"), "核对一致")
		eventually(t, who+"'s sign-off", func() bool { return dv.done == n+2+i })
	}
	if blocking := dv.view.Blocking(checklist.StepExport); len(blocking) != 0 {
		t.Fatalf("the export still waits for %v", blocking)
	}
	snapshot(t, a, "handover-ready-to-export")

	// 5. The identities (each person's own stick), the recipient's card trusted after the
	// fingerprint is compared, and the export.
	sellerCard, sellerID := makeIdentity(t, files, "李出让", sellerOrg)
	buyerCard, buyerID := makeIdentity(t, files, "王受让", buyerOrg)
	a.shell.show("certificates")
	cv := a.shell.certs
	if err := cv.addCardFile(buyerCard); err != nil {
		t.Fatal(err)
	}
	cv.showFingerprint(cv.cards[0])
	confirmTrust(t, a)
	a.shell.show("export")
	ev := a.shell.export
	ev.checks[0].SetChecked(true)
	stick := t.TempDir()
	ev.run(sellerID, "passphrase-of-李出让", stick)
	eventually(t, "export", func() bool { return ev.done == 1 })
	if ev.lastErr != nil {
		t.Fatalf("export: %v", ev.lastErr)
	}
	pkgDir := ev.lastDir

	// 6. The receiving side: "receive a handover" from the first screen, a new vault.
	test.Tap(a.shell.lockBtn)
	eventually(t, "locked", func() bool { return a.session == nil })
	a.closeVault()
	a.ShowWelcome()
	test.Tap(findButton(t, a.unlock.content, L("unlock.receive")))
	c := a.create
	if c == nil || !c.receiving || c.role.Selected != roleName(vault.Transferee) {
		t.Fatal("receiving does not start a vault for the transferee's clerk")
	}
	fillCreate(c, filepath.Join(t.TempDir(), "receiver-vault"), "孙接收", "孙接收 passphrase")
	if a.shell == nil || a.shell.receive == nil {
		t.Fatal("the receiving vault does not open on the receive steps")
	}
	// A clerk alone cannot read the audit log nor add who can: said when the vault is made.
	if txt := findText(a.win.Canvas().Overlays().Top()); !strings.Contains(txt, L("create.next_receive")) || !strings.Contains(txt, roleName(vault.Transferee)) {
		t.Fatalf("the receiving vault's first notice: %q", txt)
	}
	dismissOverlays(a)
	// Signing in again opens on the same steps while nothing is received.
	test.Tap(a.shell.lockBtn)
	eventually(t, "locked", func() bool { return a.session == nil })
	unlockAs(t, a, "孙接收", "孙接收 passphrase")
	eventually(t, "the receiver signs in", func() bool { return a.shell != nil })
	if a.shell.current != "export" || a.shell.receive == nil {
		t.Fatalf("a receiving vault with nothing in it opens on %q", a.shell.current)
	}
	r := a.shell.receive
	if !strings.Contains(r.trusted.Text, L("receive.trusted_none")) || !r.receipt.Disabled() || !r.accept.Disabled() {
		t.Fatalf("a new receiving vault: %q", r.trusted.Text)
	}
	snapshot(t, a, "receive-steps-new")
	test.Tap(r.trust)
	usePath(t, a, sellerCard)
	confirmTrust(t, a)
	if !strings.Contains(r.trusted.Text, "李出让") {
		t.Fatalf("the sender is not listed as trusted: %q", r.trusted.Text)
	}
	test.Tap(r.start)
	usePath(t, a, pkgDir)
	// The identity file and its passphrase, in one form that says why they are asked.
	top = a.win.Canvas().Overlays().Top()
	if !strings.Contains(findText(top), L("path.purpose.identity_file")) {
		t.Fatalf("the identity form: %q", findText(top))
	}
	entriesOf(top)[0].SetText(buyerID)
	test.Type(entriesOf(top)[1], "passphrase-of-王受让")
	test.Tap(findButton(t, top, L("receive.start")))
	eventually(t, "receive", func() bool { return r.done == 1 })
	if r.lastErr != nil || !r.lastRec.Equal {
		t.Fatalf("receive: %v", r.lastErr)
	}
	// The deal came with the package: the receiver compares it and confirms.
	if r.accept.Disabled() || !strings.Contains(r.deal.Text, sellerOrg) || !strings.Contains(r.deal.Text, "2026-12-01") {
		t.Fatalf("the package's deal is not offered: %q", r.deal.Text)
	}
	snapshot(t, a, "receive-steps-received")
	test.Tap(r.accept)
	if d, err := a.session.Deal(); err != nil || d.Type != checklist.LoanBook || d.Transferee.Name != buyerOrg {
		t.Fatalf("the receiver's deal: %+v %v", d, err)
	}
	// The receipt needs the clerk's NDA and training on record: the step says so and leads
	// to the registers.
	if r.regNote.Hidden || r.toRegs.Hidden {
		t.Fatal("the receipt step does not say the registers come first")
	}
	test.Tap(r.toRegs)
	rv = a.shell.registers
	me := a.session.Operator()
	rv.addNDAFile(vault.NDARecord{Operator: me.ID, Version: "2026-1", Signed: today.AddDays(-3), Scope: "接收的全部客户资料", Liability: true}, evidence("nda-receiver.pdf"))
	if _, err := a.session.AddTraining(t.Context(), vault.TrainingRecord{Operator: me.ID, Date: today.AddDays(-3), Content: "个人信息保护",
		Trainer: "合规部", Expires: today.AddMonths(12)}); err != nil {
		t.Fatal(err)
	}
	a.shell.show("export")
	r = a.shell.receive
	if !r.regNote.Hidden {
		t.Fatalf("registered, still: %q", r.regNote.Text)
	}
	// The receipt, signed by both at the receiving desk, saved for the sender.
	test.Tap(r.receipt)
	cv = a.shell.certs
	if cv.kindCode() != cert.KindReceipt {
		t.Fatalf("receipt button: %s", cv.kindCode())
	}
	receipts := t.TempDir()
	receiptPath := signBoth(t, a, cv, sellerCard, sellerID, buyerCard, buyerID, receipts, ch)
	if !strings.Contains(string(mustRead(t, receiptPath)), buyerOrg) {
		t.Fatal("the receipt does not name the parties from the deal")
	}
	a.shell.show("deal")
	if it, _ := a.shell.deal.view.Item("package_received"); it.State != checklist.Done {
		t.Fatalf("receiver's package_received: %s", it.State)
	}

	// 7. Back at the sender: the receipt taken in, the confirmation signed by both parties.
	test.Tap(a.shell.lockBtn)
	eventually(t, "locked", func() bool { return a.session == nil })
	if err := a.OpenVault(senderDir); err != nil {
		t.Fatal(err)
	}
	signIn("李出让")
	dv = a.shell.deal
	ch.answers = []string{receiptPath}
	test.Tap(dv.rows["package_received"].receipt)
	browseAndUse(t, a)
	if it, _ := dv.view.Item("package_received"); it.State != checklist.Done {
		t.Fatalf("sender's package_received after the receipt: %s %v", it.State, dv.lastErr)
	}
	a.shell.show("certificates")
	cv = a.shell.certs
	if cv.kindCode() != cert.KindConfirmation {
		t.Fatalf("kind %s", cv.kindCode())
	}
	signBoth(t, a, cv, sellerCard, sellerID, buyerCard, buyerID, t.TempDir(), ch)
	a.shell.show("deal")
	dv = a.shell.deal
	for _, id := range []string{"data_validated", "figures_agreed", "backup_verified", "notice_before_export", "package_exported",
		"package_received", "confirmation_signed"} {
		if it, _ := dv.view.Item(id); it.State != checklist.Done {
			t.Errorf("%s: %s, needs %v", id, it.State, it.Needs)
		}
	}
	snapshot(t, a, "handover-confirmed")
}

// confirmTrust confirms the fingerprint dialog on top and closes the notice after it.
func confirmTrust(t *testing.T, a *App) {
	t.Helper()
	top := a.win.Canvas().Overlays().Top()
	if !strings.Contains(findText(top), " ") {
		t.Fatalf("no fingerprint shown: %q", findText(top))
	}
	test.Type(entriesOf(top)[0], "当面逐组核对一致")
	test.Tap(findButton(t, top, L("cert.trust")))
	if msg := findText(a.win.Canvas().Overlays().Top()); !strings.Contains(msg, L("cert.fingerprint")) {
		t.Fatalf("after trusting: %q", msg)
	}
	dismissOverlays(a)
}

// signBoth issues the certificate screen's statement for both cards, has each sign with
// their identity, and saves it into dir; it returns the statement's path.
func signBoth(t *testing.T, a *App, cv *certView, cardA, idA, cardB, idB, dir string, ch *seqChooser) string {
	t.Helper()
	for _, c := range []string{cardA, cardB} {
		if err := cv.addCardFile(c); err != nil {
			t.Fatal(err)
		}
	}
	test.Tap(cv.issue)
	if cv.st == nil {
		t.Fatalf("no statement issued: %q", findText(a.win.Canvas().Overlays().Top()))
	}
	cv.signWith(cv.cards[0], idA, "passphrase-of-李出让")
	eventually(t, "the transferor signs", func() bool { return cv.signed == 1 })
	cv.signWith(cv.cards[1], idB, "passphrase-of-王受让")
	eventually(t, "the transferee signs", func() bool { return cv.signed == 2 })
	if cv.lastErr != nil {
		t.Fatal(cv.lastErr)
	}
	ch.answers = []string{dir}
	test.Tap(cv.save)
	browseAndUse(t, a)
	dismissOverlays(a)
	if out := os.Getenv("HANDOVER_SNAPSHOTS"); out != "" {
		// Both languages' PDFs, to look at.
		for _, lang := range []string{"zh-CN", "en"} {
			pdf, _, err := cert.Render(cv.statement, cv.sigs, lang)
			if err != nil {
				t.Fatal(err)
			}
			os.WriteFile(filepath.Join(out, cv.st.Kind+"-"+lang+".pdf"), pdf, 0o644)
		}
	}
	return filepath.Join(dir, cv.st.ID+".statement.json")
}

func appendRows(t *testing.T, path, rows string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(rows); err != nil {
		t.Fatal(err)
	}
}

// fillCreate fills the create screen as a user types it and creates the vault.
func fillCreate(c *createScreen, dir, name, pass string) {
	test.Type(c.path, dir)
	test.Type(c.name, name)
	c.pass.SetText(pass)
	c.confirm.SetText(pass)
	test.Tap(c.createBt)
}
