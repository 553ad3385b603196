package ui

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"handover/app/assess"
	"handover/app/cert"
	"handover/app/checklist"
	"handover/app/demo"
	"handover/app/figures"
	"handover/app/validate"
	"handover/app/vault"
	"handover/crypto/identity"
	"handover/store/model"
)

// TestEquityDealThroughTheUI drives an equity transfer from the deal's creation to the
// confirmation signed by both parties, through the screens: the wizard refuses a mistyped
// credit code, the export is refused naming the missing preparation, evidence is attached
// and items completed, both parties sign off the figures with their own passphrases, the
// package is exported, and the joint signature of the confirmation opens destruction.
func TestEquityDealThroughTheUI(t *testing.T) {
	dir := demoVault(t, 20)
	files := t.TempDir()
	ch := &seqChooser{}
	a := newTestApp(t, "")
	a.chooser = ch
	if err := a.OpenVault(dir); err != nil {
		t.Fatal(err)
	}
	unlockAs(t, a, demo.OperatorName, DemoPassphrase)
	eventually(t, "sign-in", func() bool { return a.shell != nil })
	if a.shell.current != "deal" || a.shell.deal.form == nil {
		t.Fatal("a vault without a deal does not open on the setup wizard")
	}
	dv := a.shell.deal
	f := dv.form
	snapshot(t, a, "deal-wizard")
	f.kind.SetSelected(L("deal.type.equity"))
	if !strings.Contains(f.about.Text, "目标公司仍是个人信息处理者") || !f.targetCard.Visible() || !f.tor.person.Visible() || f.subtypeForm.Visible() {
		t.Fatalf("the deal type is not explained, or its fields not shown: %q", f.about.Text)
	}
	code := func(body string) string { return body + string(validate.CreditCodeCheck(body)) }
	test.Type(f.targetName, "甲小额贷款有限公司")
	test.Type(f.targetCode, "91330100MA27XY0120") // one character mistyped
	f.tor.person.SetChecked(true)                 // the selling shareholder is a natural person
	test.Type(f.tor.name, "甲某")
	test.Type(f.tee.name, "乙金融控股有限公司")
	test.Type(f.tee.code, strings.ToLower(code("91110108MA01ABC03")))
	snapshot(t, a, "deal-wizard-equity")
	test.Tap(f.save)
	if dv.view != nil || !strings.Contains(f.status.Text, L("deal.field.target.credit_code")) ||
		!strings.Contains(f.status.Text, L("deal.reason.credit_code_checksum")) {
		t.Fatalf("mistyped credit code: %q", f.status.Text)
	}
	f.targetCode.SetText(code("91330100MA27XY012"))
	test.Tap(f.save)
	if dv.view == nil || dv.view.Deal.Type != checklist.Equity || dv.view.Deal.Target == nil || !dv.view.Deal.Transferor.Person {
		t.Fatalf("deal not saved: %q", f.status.Text)
	}
	snapshot(t, a, "deal-dashboard-new")

	// The export is refused: first the operator's own NDA, then the preparation still to do.
	cardA, idA := makeIdentity(t, files, "甲某", "甲小额贷款有限公司")
	cardB, idB := makeIdentity(t, files, "乙某", "乙金融控股有限公司")
	recipient, _ := identity.ParseCard(mustRead(t, cardB))
	if _, err := a.session.Trust(recipient, "当面核对"); err != nil {
		t.Fatal(err)
	}
	a.shell.show("export")
	ev := a.shell.export
	ev.checks[0].SetChecked(true)
	stick := t.TempDir()
	ev.run(idA, "passphrase-of-甲某", stick)
	eventually(t, "export refused", func() bool { return ev.done == 1 })
	if msg, _ := describe(ev.lastErr); !strings.Contains(msg, L("register.nda")) || !strings.Contains(msg, demo.OperatorName) {
		t.Fatalf("export without an NDA: %q", msg)
	}

	// The registers, through their screen: one NDA and one training through the dialogs,
	// the others' records alike.
	a.shell.show("registers")
	rv := a.shell.registers
	ndaFile := filepath.Join(files, "nda.pdf")
	os.WriteFile(ndaFile, []byte("%PDF-1.4 signed NDA"), 0o600)
	test.Tap(rv.addNDA)
	top := a.win.Canvas().Overlays().Top()
	var entries []*widget.Entry
	walk(top, func(o fyne.CanvasObject) {
		if e, ok := asEntry(o); ok {
			entries = append(entries, e)
		}
	})
	// name (disabled for an operator), version, signed, until, scope, the signed copy
	if len(entries) != 6 {
		t.Fatalf("NDA form has %d entries", len(entries))
	}
	test.Type(entries[1], "2026-1")
	test.Type(entries[2], "2026-11-01")
	test.Type(entries[4], "交接的全部客户资料")
	ch.answers = []string{ndaFile}
	test.Tap(findButton(t, top, L("register.choose_file")))
	n := rv.done
	test.Tap(findButton(t, top, L("notice.save")))
	if rv.done != n+1 || rv.lastErr != nil {
		t.Fatalf("NDA through the dialog: %v", rv.lastErr)
	}
	ops, _ := a.session.Operators(t.Context())
	today := model.DateOf(time.Now())
	for _, o := range ops {
		if o.ID != ops[0].ID {
			rv.addNDAFile(vault.NDARecord{Operator: o.ID, Version: "2026-1", Signed: today.AddDays(-30), Scope: "全部", Liability: true}, ndaFile)
			if rv.lastErr != nil {
				t.Fatal(rv.lastErr)
			}
		}
		if _, err := a.session.AddTraining(t.Context(), vault.TrainingRecord{Operator: o.ID, Date: today.AddDays(-30), Content: "个人信息保护",
			Trainer: "合规部", Expires: today.AddMonths(12)}); err != nil {
			t.Fatal(err)
		}
	}
	rv.refresh()
	if strings.Contains(rv.standing.Text, L("register.reason.none")) || !strings.Contains(rv.records.Text, "2026-1") {
		t.Fatalf("registers: %q", rv.standing.Text)
	}
	snapshot(t, a, "registers")

	a.shell.show("export")
	ev = a.shell.export
	ev.checks[0].SetChecked(true)
	ev.run(idA, "passphrase-of-甲某", stick)
	eventually(t, "export refused", func() bool { return ev.done == 1 })
	var gate *vault.GateError
	prep := []string{"agreement_signed", "risk_assessment", "compliance_review", "incident_plan", "backup_verified"}
	if !errors.As(ev.lastErr, &gate) || !slices.Equal(gate.Missing, prep) {
		t.Fatalf("export before the preparation: %v", ev.lastErr)
	}
	if msg, _ := describe(ev.lastErr); !strings.Contains(msg, "股权转让协议已签署") {
		t.Fatalf("the refusal does not name the items: %q", msg)
	}
	prep = []string{"agreement_signed", "incident_plan"}

	// The assessments, through their screen: the reviewer may not sign off a workbook with
	// questions open; one answer through the dialog, the rest alike; the auditor signs off.
	a.shell.show("assess")
	av := a.shell.assess
	if !av.panels["risk_assessment"].signOff.Disabled() {
		t.Fatal("a workbook with unanswered questions can be signed off")
	}
	test.Tap(av.panels["risk_assessment"].answer["overall"])
	top = a.win.Canvas().Overlays().Top()
	var radio *widget.RadioGroup
	walk(top, func(o fyne.CanvasObject) {
		if r, ok := o.(*widget.RadioGroup); ok {
			radio = r
		}
	})
	radio.SetSelected(radio.Options[0])
	n = av.done
	test.Tap(findButton(t, top, L("notice.save")))
	if av.done != n+1 || av.lastErr != nil {
		t.Fatalf("answer through the dialog: %v", av.lastErr)
	}
	for _, wbID := range []string{"risk_assessment", "compliance_review"} {
		wb, err := a.session.Workbook(t.Context(), wbID)
		if err != nil {
			t.Fatal(err)
		}
		for _, qid := range wb.Unanswered {
			q, _ := wb.Template.Question(qid)
			av.saveAnswer(wbID, q, assess.SampleAnswer(q), ndaFile)
			if av.lastErr != nil {
				t.Fatalf("%s/%s: %v", wbID, qid, av.lastErr)
			}
		}
		n = av.done
		av.askSignOff(wbID)
		signInDialog(t, a, demo.AuditorName, DemoPassphrase, L("assess.signoff"), "")
		eventually(t, "sign-off", func() bool { return av.done == n+1 })
		if av.lastErr != nil {
			t.Fatalf("sign-off %s: %v", wbID, av.lastErr)
		}
	}
	// A finding of high severity, recorded through its dialog, blocks the export by name
	// until it is closed through its own.
	test.Tap(av.panels["risk_assessment"].finding)
	top = a.win.Canvas().Overlays().Top()
	entries = nil
	walk(top, func(o fyne.CanvasObject) {
		if e, ok := asEntry(o); ok {
			entries = append(entries, e)
		}
		if r, ok := o.(*widget.RadioGroup); ok {
			r.SetSelected(L("assess.level.high"))
		}
	})
	test.Type(entries[0], "移交用U盘未加密")
	test.Type(entries[1], "信息科技部")
	test.Type(entries[2], "2026-12-31")
	n = av.done
	test.Tap(findButton(t, top, L("notice.save")))
	if av.done != n+1 || av.lastErr != nil {
		t.Fatalf("finding through the dialog: %v", av.lastErr)
	}
	snapshot(t, a, "assess")
	if err := a.session.ChecklistGate(t.Context(), "export"); err == nil {
		t.Fatal("export open with a finding of high severity")
	} else if msg, _ := describe(err); !strings.Contains(msg, "移交用U盘未加密") {
		t.Fatalf("the gate does not name the finding: %q", msg)
	}
	var closeBtn *widget.Button
	for _, b := range av.panels["risk_assessment"].closeBtn {
		closeBtn = b
	}
	test.Tap(closeBtn)
	top = a.win.Canvas().Overlays().Top()
	walk(top, func(o fyne.CanvasObject) {
		if e, ok := asEntry(o); ok {
			test.Type(e, "改用加密移交包")
		}
	})
	n = av.done
	test.Tap(findButton(t, top, L("assess.close_finding")))
	if av.done != n+1 || av.lastErr != nil {
		t.Fatalf("closing the finding: %v", av.lastErr)
	}

	a.shell.show("deal")
	dv = a.shell.deal
	for _, id := range prep {
		row := dv.rows[id]
		if row.attach != nil {
			if !row.complete.Disabled() {
				t.Fatalf("%s can be completed without evidence", id)
			}
			scan := filepath.Join(files, id+".pdf")
			os.WriteFile(scan, []byte("%PDF-1.4 "+id), 0o600)
			n := dv.done
			ch.answers = []string{scan}
			test.Tap(row.attach)
			browseAndUse(t, a)
			eventually(t, "evidence for "+id, func() bool { return dv.done == n+1 })
			if dv.lastErr != nil {
				t.Fatal(dv.lastErr)
			}
		}
		if id == "incident_plan" {
			// Through the dialog, as a user does it: the button, a note, confirm.
			row = dv.rows[id] // the screen was rebuilt after the file was attached
			test.Tap(row.complete)
			top := a.win.Canvas().Overlays().Top()
			var note *widget.Entry
			walk(top, func(o fyne.CanvasObject) {
				if e, ok := asEntry(o); ok && note == nil {
					note = e
				}
			})
			test.Type(note, "应急预案已存档")
			test.Tap(findButton(t, top, L("checklist.complete")))
		} else {
			dv.complete(id, "已核对原件", "")
		}
		if dv.lastErr != nil {
			t.Fatalf("%s: %v", id, dv.lastErr)
		}
	}
	if p := dv.view.Progress[0]; p.Done != p.Total {
		t.Fatalf("preparation %d/%d", p.Done, p.Total)
	}

	// A backup to another disk, read back whole, before the export (§四.3).
	n = dv.done
	ch.answers = []string{t.TempDir()}
	test.Tap(dv.rows["backup_verified"].backup)
	// The app says what is chosen and why before any native dialog; Browse fills the path.
	top = a.win.Canvas().Overlays().Top()
	if !strings.Contains(findText(top), L("path.purpose.backup")) {
		t.Fatalf("the backup's path dialog does not say why: %q", findText(top))
	}
	test.Tap(findButton(t, top, L("create.browse")))
	test.Tap(findButton(t, top, L("path.use")))
	eventually(t, "backup", func() bool { return dv.done == n+1 })
	if it, _ := dv.view.Item("backup_verified"); it.State != checklist.Done {
		t.Fatalf("backup_verified: %s %v", it.State, dv.lastErr)
	}
	if !strings.Contains(findText(dv.content), L("dash.gate_open.export")) {
		t.Fatal("the dashboard does not say export is open")
	}

	// Both parties sign off the figures, each with their own passphrase.
	// The dialog shows the figures and the digest being agreed to, and offers the operator
	// at the keyboard first; a wrong passphrase keeps it open with the note as typed.
	n = dv.done
	figuresItem, _ := dv.view.Item("figures_agreed")
	book, err := a.session.Figures(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	dv.askSignOff(figuresItem)
	top = signerDialog(t, a)
	if txt := findText(top); !strings.Contains(txt, book.Digest[:8]+" "+book.Digest[8:16]) || !strings.Contains(txt, model.Group(book.Customers)) {
		t.Fatalf("the sign-off does not show what is signed: %q", txt)
	}
	snapshot(t, a, "signoff-figures")
	if sel := findSelect(top); sel == nil || !strings.HasPrefix(sel.Selected, demo.OperatorName) {
		t.Fatalf("the signer offered first is not the operator at the keyboard: %+v", sel)
	}
	signInDialog(t, a, demo.TransfereeName, "not the passphrase", L("checklist.signoff"), "核对一致")
	top = signerDialog(t, a)
	if !strings.Contains(findText(top), L("error.signer_passphrase")) || findSelect(top).Selected == "" ||
		!strings.HasPrefix(findSelect(top).Selected, demo.TransfereeName) || entriesOf(top)[1].Text != "核对一致" {
		t.Fatalf("after a wrong passphrase: %q", findText(top))
	}
	snapshot(t, a, "signoff-wrong-passphrase")
	a.win.Canvas().Overlays().Remove(top)
	dv.askSignOff(figuresItem)
	signInDialog(t, a, demo.OperatorName, DemoPassphrase, L("checklist.signoff"), "")
	eventually(t, "transferor's sign-off", func() bool { return dv.done == n+1 })
	if it, _ := dv.view.Item("figures_agreed"); it.State != checklist.Partial {
		t.Fatalf("after one party: %s %v", it.State, dv.lastErr)
	}
	figuresItem, _ = dv.view.Item("figures_agreed")
	dv.askSignOff(figuresItem)
	signInDialog(t, a, demo.TransfereeName, DemoPassphrase, L("checklist.signoff"), "核对一致")
	eventually(t, "transferee's sign-off", func() bool { return dv.done == n+2 })
	if it, _ := dv.view.Item("figures_agreed"); it.State != checklist.Done {
		t.Fatalf("after both: %s %v", it.State, dv.lastErr)
	}

	a.shell.show("export")
	ev = a.shell.export
	ev.checks[0].SetChecked(true)
	ev.run(idA, "passphrase-of-甲某", stick)
	eventually(t, "export", func() bool { return ev.done == 1 })
	if ev.lastErr != nil {
		t.Fatalf("export after the preparation: %v", ev.lastErr)
	}

	// The receiver's signed receipt, taken back: one for a package this vault did not
	// export is refused; the right one completes package_received.
	a.shell.show("deal")
	dv = a.shell.deal
	idOf := func(file, pass string) *identity.Identity {
		id, err := identity.Open(mustRead(t, file), pass)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	signers := []*identity.Identity{idOf(idA, "passphrase-of-甲某"), idOf(idB, "passphrase-of-乙某")}
	js := mustRead(t, filepath.Join(ev.lastDir, "package.json"))
	var exported struct {
		ID string `json:"id"`
	}
	json.Unmarshal(js, &exported)
	sum := sha256.Sum256(js)
	receipt := func(name string, p cert.Package) string {
		st, err := cert.NewWithWitnesses(cert.KindReceipt, "v-receiver", "receiver-ws", time.Now(), &figures.Figures{}, nil,
			[]identity.Card{signers[0].Card, signers[1].Card}, nil)
		if err != nil {
			t.Fatal(err)
		}
		st.Packages = []cert.Package{p}
		path := filepath.Join(files, name)
		os.WriteFile(path, st.Marshal(), 0o644)
		for _, id := range signers {
			sig, err := cert.Sign(st.Marshal(), id)
			if err != nil {
				t.Fatal(err)
			}
			os.WriteFile(cert.SignaturePath(path, id.Card.Fingerprint), sig, 0o644)
		}
		return path
	}
	dv.takeReceiptFile(receipt("other.json", cert.Package{ID: "HANDOVER-X-001-000000000000", SHA256: strings.Repeat("0", 64)}))
	if !errors.Is(dv.lastErr, vault.ErrReceiptNotOurs) {
		t.Fatalf("someone else's receipt: %v", dv.lastErr)
	}
	ch.answers = []string{receipt("receipt.json", cert.Package{ID: exported.ID, SHA256: hex.EncodeToString(sum[:])})}
	test.Tap(dv.rows["package_received"].receipt)
	browseAndUse(t, a)
	if it, _ := dv.view.Item("package_received"); it.State != checklist.Done || dv.lastErr != nil {
		t.Fatalf("package_received after the receipt: %s %v", it.State, dv.lastErr)
	}

	// The confirmation, signed by both at this workstation.
	a.shell.show("certificates")
	cv := a.shell.certs
	ch.answers = []string{cardA}
	test.Tap(cv.addCard)
	browseAndUse(t, a)
	ch.answers = []string{cardB}
	test.Tap(cv.addCard)
	browseAndUse(t, a)
	test.Tap(cv.issue)
	if cv.st == nil || !strings.Contains(string(cv.st.Checklist), `"figures_agreed"`) {
		t.Fatal("the statement does not carry the checklist")
	}
	cv.signWith(cv.cards[0], idA, "passphrase-of-甲某")
	eventually(t, "A signs", func() bool { return cv.signed == 1 })
	cv.signWith(cv.cards[1], idB, "passphrase-of-乙某")
	eventually(t, "B signs", func() bool { return cv.signed == 2 })

	a.shell.show("deal")
	dv = a.shell.deal
	for _, id := range append(prep, "data_validated", "figures_agreed", "backup_verified", "package_exported", "package_received", "confirmation_signed") {
		if it, _ := dv.view.Item(id); it.State != checklist.Done {
			t.Errorf("%s: %s, needs %v", id, it.State, it.Needs)
		}
	}
	if err := a.session.ChecklistGate(t.Context(), "destroy"); err != nil {
		t.Fatalf("destroy gate: %v", err)
	}
	text := findText(dv.content)
	// An equity transfer keeps the same handler: the dashboard says why nothing is destroyed
	// instead of showing the destroy step's gate.
	for _, want := range []string{"无需销毁出让方副本：股权转让中公司本身仍是个人信息处理者", L("dash.gate_open.export"), "核对一致", "应急预案已存档",
		"目标公司：甲小额贷款有限公司", "请与法律顾问确认"} {
		if !strings.Contains(text, want) {
			t.Errorf("the dashboard lacks %q", want)
		}
	}
	snapshot(t, a, "deal-dashboard")
	path, err := dv.writeReport(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); !strings.HasPrefix(string(b), "%PDF") {
		t.Fatal("checklist report is not a PDF")
	}
	// Reopening asks for a reason and is shown.
	dv.reopen("incident_plan", "")
	if !errors.Is(dv.lastErr, vault.ErrReasonRequired) {
		t.Fatalf("reopen without a reason: %v", dv.lastErr)
	}
	dv.reopen("incident_plan", "预案修订")
	if it, _ := dv.view.Item("incident_plan"); it.State != checklist.Open || !strings.Contains(findText(dv.content), "预案修订") {
		t.Fatalf("reopened: %s", it.State)
	}
}

// The wizard shows a merger's sub-types, asks who acts for a transferor in bankruptcy, and
// records them.
func TestMergerWizard(t *testing.T) {
	dir := demoVault(t, 5)
	a := newTestApp(t, "")
	if err := a.OpenVault(dir); err != nil {
		t.Fatal(err)
	}
	unlockAs(t, a, demo.OperatorName, DemoPassphrase)
	eventually(t, "sign-in", func() bool { return a.shell != nil })
	dv := a.shell.deal
	f := dv.form
	f.kind.SetSelected(dealTypeName(checklist.Merger))
	if !f.subtypeForm.Visible() || f.targetCard.Visible() || f.actingForm.Visible() || f.tor.person.Visible() {
		t.Fatal("a merger's fields are not the ones shown")
	}
	if !strings.Contains(f.about.Text, "《民法典》第六十七条") || strings.Contains(f.about.Text, "五百四十六") {
		t.Fatalf("a merger is not explained as succession: %q", f.about.Text)
	}
	f.subtype.SetSelected("破产（管理人）")
	if !f.actingForm.Visible() {
		t.Fatal("a bankruptcy does not ask who acts for the transferor")
	}
	code := func(body string) string { return body + string(validate.CreditCodeCheck(body)) }
	test.Type(f.tor.name, "甲小额贷款有限公司")
	test.Type(f.tor.code, code("91330100MA27XY012"))
	test.Type(f.tee.name, "乙金融控股有限公司")
	test.Type(f.tee.code, code("91110108MA01ABC03"))
	test.Tap(f.save)
	if dv.view != nil || !strings.Contains(f.status.Text, L("deal.field.acting_for")) {
		t.Fatalf("a bankruptcy without its administrator: %q", f.status.Text)
	}
	test.Type(f.actingFor, "某某律师事务所（破产管理人）")
	test.Tap(f.save)
	if dv.view == nil || dv.view.Deal.Subtype != checklist.Bankruptcy || dv.view.Deal.ActingFor == "" {
		t.Fatalf("deal not saved: %q", f.status.Text)
	}
	if _, ok := dv.view.Item("records_to_designated_institution"); !ok {
		t.Fatal("a bankruptcy's checklist lacks the hand-over to the designated institution")
	}
	if text := findText(dv.content); !strings.Contains(text, "破产（管理人）") || !strings.Contains(text, "某某律师事务所") {
		t.Fatalf("the dashboard does not show the sub-type and who acts: %q", text)
	}
	// A partial transfer's scope, from a file of customer numbers.
	list := filepath.Join(t.TempDir(), "scope.txt")
	os.WriteFile(list, []byte("1\n3\n"), 0o600)
	dv.setScopeFile(list)
	if dv.lastErr != nil || !strings.Contains(findText(dv.content), "部分转让，2户客户") {
		t.Fatalf("scope: %v", dv.lastErr)
	}
}

// signerDialog waits for the signer dialog (a select of signers and a passphrase entry).
func signerDialog(t *testing.T, a *App) fyne.CanvasObject {
	t.Helper()
	var top fyne.CanvasObject
	eventually(t, "the signer dialog", func() bool {
		top = a.win.Canvas().Overlays().Top()
		return top != nil && findSelect(top) != nil && len(entriesOf(top)) > 0
	})
	return top
}

// signInDialog chooses the signer by name in the signer dialog, types the passphrase (and
// a note when the dialog has one and note is not empty) and confirms.
func signInDialog(t *testing.T, a *App, signer, passphrase, confirm, note string) {
	t.Helper()
	top := signerDialog(t, a)
	sel := findSelect(top)
	for _, o := range sel.Options {
		if strings.HasPrefix(o, signer) {
			sel.SetSelected(o)
		}
	}
	es := entriesOf(top)
	test.Type(es[0], passphrase)
	if note != "" && len(es) > 1 {
		es[1].SetText(note)
	}
	test.Tap(findButton(t, top, confirm))
}

func findSelect(o fyne.CanvasObject) *widget.Select {
	var s *widget.Select
	walk(o, func(o fyne.CanvasObject) {
		if w, ok := o.(*widget.Select); ok && s == nil {
			s = w
		}
	})
	return s
}

// asEntry is o as a text entry: Fyne's, or the app's formEntry.
func asEntry(o fyne.CanvasObject) (*widget.Entry, bool) {
	switch e := o.(type) {
	case *formEntry:
		return &e.Entry, true
	case *widget.Entry:
		return e, true
	}
	return nil, false
}

func entriesOf(o fyne.CanvasObject) []*widget.Entry {
	var out []*widget.Entry
	walk(o, func(o fyne.CanvasObject) {
		if e, ok := asEntry(o); ok {
			out = append(out, e)
		}
	})
	return out
}

// usePath confirms the path dialog on top with a typed path.
func usePath(t *testing.T, a *App, path string) {
	t.Helper()
	top := a.win.Canvas().Overlays().Top()
	es := entriesOf(top)
	if len(es) == 0 {
		t.Fatal("no path dialog")
	}
	es[len(es)-1].SetText(path)
	test.Tap(findButton(t, top, L("path.use")))
}
