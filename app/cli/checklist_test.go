package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"handover/app/demo"
	"handover/app/validate"
)

func creditCode(body string) string { return body + string(validate.CreditCodeCheck(body)) }

// TestLoanBookDealThroughCommands drives a loan-book assignment from the command line: the
// deal recorded, the export refused until the preparation is done, the figures signed off
// by both parties, the package exported and received, and the confirmation signed by both,
// which opens the destruction gate.
func TestLoanBookDealThroughCommands(t *testing.T) {
	dir := t.TempDir()
	v := filepath.Join(dir, "transferor")
	pw := map[string]string{"HANDOVER_PASSPHRASE": "demo-passphrase"}
	if r := runCLI(pw, "demo", "--customers", "20", "--out", v); r.code != 0 {
		t.Fatal(r)
	}
	ids := map[string]string{}
	for _, who := range []string{"sender", "recipient"} {
		f := filepath.Join(dir, who+".identity")
		if r := runCLI(map[string]string{"HANDOVER_PASSPHRASE": "identity-" + who}, "identity", "new", "--out", f,
			"--name", who, "--org", map[string]string{"sender": "甲小额贷款有限公司", "recipient": "乙资产管理有限公司"}[who], "--role", "officer"); r.code != 0 {
			t.Fatal(r)
		}
		ids[who] = f
	}
	sender := map[string]string{"HANDOVER_PASSPHRASE": "demo-passphrase", "HANDOVER_IDENTITY_PASSPHRASE": "identity-sender"}
	export := func() result {
		return runCLI(sender, "export", "--vault", v, "--identity", ids["sender"], "--to", ids["recipient"]+".card.json", "--out", dir, "--json")
	}
	if r := runCLI(pw, "checklist", "show", "--vault", v); r.code != 1 || !strings.Contains(r.stderr, "deal init") {
		t.Fatalf("show without a deal: %+v", r)
	}
	if r := export(); r.code != 1 || !strings.Contains(r.stderr, "deal (the deal recorded") {
		t.Fatalf("export without a deal: %+v", r)
	}
	deal := []string{"deal", "init", "--vault", v, "--type", "loan-book",
		"--transferor", "甲小额贷款有限公司", "--transferor-credit-code", creditCode("91330100MA27XY012"),
		"--transferee", "乙资产管理有限公司", "--transferee-credit-code", creditCode("91110108MA01ABC03"),
		"--transferee-contact", "李经理", "--transferee-phone", "010-66660000", "--planned-start", "2026-11-01"}
	bad := slices.Clone(deal)
	bad[9] = "91330100MA27XY0120"
	if r := runCLI(pw, bad...); r.code != 1 || !strings.Contains(r.stderr, "transferor.credit_code: credit_code_checksum") {
		t.Fatalf("bad credit code: %+v", r)
	}
	if r := runCLI(pw, deal...); r.code != 0 || !strings.Contains(r.stdout, "deal recorded: loan-book") {
		t.Fatalf("deal init: %+v", r)
	}
	if r := runCLI(pw, deal...); r.code != 1 || !strings.Contains(r.stderr, "already holds a deal") {
		t.Fatalf("second deal: %+v", r)
	}
	// An operator without a current NDA and training is refused the export before any gate.
	if r := export(); r.code != 1 || !strings.Contains(r.stderr, "no current nda record") {
		t.Fatalf("export without an NDA: %+v", r)
	}
	nda := filepath.Join(dir, "nda.pdf")
	os.WriteFile(nda, []byte("%PDF-1.4 signed NDA"), 0o600)
	register := func(env map[string]string, vaultDir, who string) {
		t.Helper()
		if r := runCLI(env, "register", "nda", "add", "--vault", vaultDir, "--for-operator", who, "--agreement-version", "2026-1",
			"--signed", "2026-10-01", "--scope", "交接的全部客户资料", "--liability-clause", "--file", nda); r.code != 0 {
			t.Fatalf("register nda: %+v", r)
		}
		if r := runCLI(env, "register", "training", "add", "--vault", vaultDir, "--for-operator", who, "--date", "2026-10-02",
			"--content", "个人信息保护法与交接流程", "--trainer", "合规部", "--score", "92", "--expires", "2099-12-31"); r.code != 0 {
			t.Fatalf("register training: %+v", r)
		}
	}
	register(pw, v, demo.OperatorName)
	prep := []string{"agreement_signed", "processing_terms", "nda_signed", "training_done", "risk_assessment", "compliance_review", "pia_done", "sensitive_notice", "incident_plan"}
	attested := []string{"agreement_signed", "processing_terms", "sensitive_notice", "incident_plan"}
	if r := export(); r.code != 1 || !strings.Contains(r.stderr, "export is refused until") || !strings.Contains(r.stderr, "pia_done") {
		t.Fatalf("gate: %+v", r)
	}
	show := func() ChecklistJSON {
		t.Helper()
		r := runCLI(pw, "checklist", "show", "--vault", v, "--json")
		var c ChecklistJSON
		if r.code != 0 || json.Unmarshal([]byte(r.stdout), &c) != nil {
			t.Fatalf("show: %+v", r)
		}
		return c
	}
	state := func(c ChecklistJSON, id string) ChecklistItemJSON {
		for _, it := range c.Items {
			if it.ID == id {
				return it
			}
		}
		t.Fatalf("no item %s", id)
		return ChecklistItemJSON{}
	}
	c := show()
	if !slices.Equal(c.Blocking["export"], append(slices.Clone(prep), "backup_verified", "notice_before_export")) || c.Deal.Type != "loan-book" || len(c.Progress) != 4 {
		t.Fatalf("checklist: %+v", c)
	}
	if it := state(c, "agreement_signed"); it.State != "open" || !slices.Equal(it.Needs, []string{"attestation", "evidence"}) ||
		it.Phase != "prepare" || it.Source == "" || it.Title["zh-CN"] == "" {
		t.Fatalf("agreement_signed: %+v", it)
	}
	if r := runCLI(pw, "checklist", "complete", "--vault", v, "agreement_signed"); r.code != 1 || !strings.Contains(r.stderr, "attach the evidence") {
		t.Fatalf("evidence item without a file: %+v", r)
	}
	if r := runCLI(pw, "checklist", "complete", "--vault", v, "agreement_signed", "--evidence", filepath.Join(dir, "missing.pdf")); r.code != 1 {
		t.Fatalf("missing evidence file: %+v", r)
	}
	if r := runCLI(pw, "checklist", "complete", "--vault", v, "nda_signed"); r.code != 1 || !strings.Contains(r.stderr, "follows from the vault") {
		t.Fatalf("the NDA item by hand: %+v", r)
	}
	for _, id := range attested {
		args := []string{"checklist", "complete", "--vault", v, id, "--note", "已核对"}
		if it := state(c, id); it.Kind == "evidence" {
			f := filepath.Join(dir, id+".pdf")
			os.WriteFile(f, []byte("%PDF-1.4 "+id), 0o600)
			args = append(args, "--evidence", f)
		}
		if r := runCLI(pw, args...); r.code != 0 || !strings.Contains(r.stdout, id+": done") {
			t.Fatalf("complete %s: %+v", id, r)
		}
	}
	// The assessments: every question answered through the commands, a finding of high
	// severity that blocks the export until it is closed, and the auditor's sign-off.
	for _, wb := range []string{"risk_assessment", "compliance_review", "pia"} {
		r := runCLI(pw, "assess", "show", "--vault", v, "--workbook", wb, "--json")
		var w WorkbookJSON
		if r.code != 0 || json.Unmarshal([]byte(r.stdout), &w) != nil || len(w.Unanswered) == 0 {
			t.Fatalf("assess show %s: %+v", wb, r)
		}
		for _, q := range w.Questions {
			if !q.Asked {
				continue
			}
			args := []string{"assess", "answer", "--vault", v, "--workbook", wb, "--question", q.ID}
			switch q.Type {
			case "choice":
				args = append(args, "--value", q.Options[0])
			case "number":
				args = append(args, "--value", "20")
			case "evidence":
				args = append(args, "--file", nda)
			case "risk":
				args = append(args, "--likelihood", "2", "--impact", "4", "--owner", "信息科技部", "--mitigation", "加密和双人复核", "--residual", "low")
			default:
				args = append(args, "--value", "贷款管理和还款服务")
			}
			if r := runCLI(pw, args...); r.code != 0 {
				t.Fatalf("answer %s/%s: %+v", wb, q.ID, r)
			}
		}
		if r := runCLI(pw, "assess", "signoff", "--vault", v, "--workbook", wb); r.code != 1 || !strings.Contains(r.stderr, "compliance reviewer") {
			t.Fatalf("an officer signed the workbook off: %+v", r)
		}
		if r := runCLI(pw, "assess", "signoff", "--vault", v, "--workbook", wb, "--operator", demo.AuditorName); r.code != 0 {
			t.Fatalf("signoff %s: %+v", wb, r)
		}
	}
	if r := runCLI(pw, "assess", "answer", "--vault", v, "--workbook", "pia", "--question", "kept_years", "--value", "2"); r.code != 1 || !strings.Contains(r.stderr, "min") {
		t.Fatalf("two years accepted: %+v", r)
	}
	r := runCLI(pw, "assess", "finding", "add", "--vault", v, "--workbook", "risk_assessment", "--title", "移交用U盘未加密", "--severity", "high",
		"--owner", "信息科技部", "--due", "2026-12-31", "--json")
	var finding struct{ ID string }
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &finding) != nil || finding.ID == "" {
		t.Fatalf("finding add: %+v", r)
	}
	if r := runCLI(pw, "checklist", "gate", "--vault", v, "export"); r.code != 1 || !strings.Contains(r.stdout, "finding:"+finding.ID) || !strings.Contains(r.stdout, "移交用U盘未加密") {
		t.Fatalf("export gate with an open high finding: %+v", r)
	}
	if r := runCLI(pw, "assess", "finding", "close", "--vault", v, "--id", finding.ID, "--reason", "改用加密移交包"); r.code != 0 {
		t.Fatalf("finding close: %+v", r)
	}
	report := filepath.Join(dir, "pia.pdf")
	if r := runCLI(pw, "assess", "report", "--vault", v, "--workbook", "pia", "--out", report); r.code != 0 {
		t.Fatalf("assess report: %+v", r)
	}
	// The registers' items follow once every operator has both records.
	if r := runCLI(pw, "checklist", "gate", "--vault", v, "export"); r.code != 1 || !strings.Contains(r.stdout, "nda_signed") {
		t.Fatalf("export gate before everyone is registered: %+v", r)
	}
	for _, who := range []string{demo.AdminName, demo.AuditorName, demo.TransfereeName} {
		register(pw, v, who)
	}
	if r := runCLI(pw, "register", "nda", "list", "--vault", v, "--json"); r.code != 0 || strings.Contains(r.stdout, `"nda_missing": "none"`) ||
		!strings.Contains(r.stdout, `"liability_clause": true`) {
		t.Fatalf("register nda list: %+v", r)
	}
	// A verified backup before the export (§四.3).
	early := filepath.Join(dir, "early-backup")
	os.Mkdir(early, 0o755)
	if r := runCLI(pw, "backup", "create", "--vault", v, "--out", early); r.code != 0 {
		t.Fatalf("backup: %+v", r)
	}
	// A loan book's export also waits for the notices (PIPL Art. 23), or for a legal basis
	// for providing without consent, recorded with its evidence and who decided.
	if r := runCLI(pw, "checklist", "gate", "--vault", v, "export"); r.code != 1 || !strings.Contains(r.stdout, "notice_before_export") ||
		strings.Contains(r.stdout, "nda_signed") || strings.Contains(r.stdout, "backup_verified") {
		t.Fatalf("export gate before the notices: %+v", r)
	}
	opinion := filepath.Join(dir, "opinion.pdf")
	os.WriteFile(opinion, []byte("%PDF-1.4 legal opinion"), 0o600)
	if r := runCLI(pw, "notice", "basis", "--vault", v, "--basis", "履行合同所必需（个人信息保护法第十三条第一款第二项）", "--decided-by", "王律师"); r.code != 2 {
		t.Fatalf("a basis without evidence: %+v", r)
	}
	if r := runCLI(pw, "notice", "basis", "--vault", v, "--basis", "履行合同所必需（个人信息保护法第十三条第一款第二项）", "--decided-by", "王律师", "--evidence", opinion); r.code != 0 ||
		!strings.Contains(r.stdout, "must still be notified") {
		t.Fatalf("notice basis: %+v", r)
	}
	if r := runCLI(pw, "checklist", "gate", "--vault", v, "export"); r.code != 0 {
		t.Fatalf("export gate: %+v", r)
	}
	// Both parties sign off the figures, each as themselves.
	r = runCLI(pw, "checklist", "complete", "--vault", v, "figures_agreed", "--operator", demo.OperatorName)
	if r.code != 0 || !strings.Contains(r.stdout, "figures_agreed: partial (still needs: signoff_transferee)") {
		t.Fatalf("transferor sign-off: %+v", r)
	}
	r = runCLI(pw, "checklist", "complete", "--vault", v, "figures_agreed", "--operator", demo.AuditorName)
	if r.code != 1 || !strings.Contains(r.stderr, "role auditor may not checklist") {
		t.Fatalf("auditor sign-off: %+v", r)
	}
	r = runCLI(pw, "checklist", "complete", "--vault", v, "figures_agreed", "--operator", demo.TransfereeName)
	if r.code != 0 || !strings.Contains(r.stdout, "figures_agreed: done") {
		t.Fatalf("transferee sign-off: %+v", r)
	}

	r = export()
	var res PackageResult
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &res) != nil {
		t.Fatalf("export: %+v", r)
	}
	// The transferee records the same deal in a new vault and receives the package.
	rvault := filepath.Join(dir, "transferee")
	recv := map[string]string{"HANDOVER_PASSPHRASE": "receiver-passphrase", "HANDOVER_IDENTITY_PASSPHRASE": "identity-recipient"}
	if r := runCLI(recv, "vault", "init", "--vault", rvault, "--operator", "受让经办", "--role", "transferee"); r.code != 0 {
		t.Fatal(r)
	}
	rdeal := slices.Clone(deal)
	rdeal[3] = rvault
	if r := runCLI(recv, rdeal...); r.code != 0 {
		t.Fatal(r)
	}
	register(recv, rvault, "受让经办")
	if r := runCLI(recv, "receive", "--vault", rvault, "--identity", ids["recipient"], "--trust", ids["sender"]+".card.json",
		"--receipt-dir", dir, res.Dir); r.code != 0 {
		t.Fatalf("receive: %+v", r)
	}
	rc := func() ChecklistJSON {
		r := runCLI(recv, "checklist", "show", "--vault", rvault, "--json")
		var c ChecklistJSON
		if r.code != 0 || json.Unmarshal([]byte(r.stdout), &c) != nil {
			t.Fatalf("receiver's checklist: %+v", r)
		}
		return c
	}()
	if it := state(rc, "package_received"); it.State != "done" {
		t.Fatalf("receiver's package_received: %+v", it)
	}
	// Both sign the receipt; the sender takes it back, which completes their item.
	receipt := filepath.Join(dir, res.Package+"-receipt.json")
	if r := runCLI(pw, "cert", "verify", "--vault", v, receipt); r.code != 1 {
		t.Fatalf("an unsigned receipt was taken: %+v", r)
	}
	for _, who := range []string{"recipient", "sender"} {
		env := map[string]string{"HANDOVER_IDENTITY_PASSPHRASE": "identity-" + who}
		if r := runCLI(env, "cert", "sign", "--identity", ids[who], receipt); r.code != 0 {
			t.Fatalf("sign receipt: %+v", r)
		}
	}
	if r := runCLI(pw, "cert", "verify", "--vault", v, receipt); r.code != 0 || !strings.Contains(r.stdout, "receipt recorded") {
		t.Fatalf("receipt back at the sender: %+v", r)
	}

	// A backup, read back whole, completes the backup item and restores.
	backups := filepath.Join(dir, "backups")
	os.Mkdir(backups, 0o755)
	var info struct {
		Path    string `json:"path"`
		Entries int64  `json:"entries"`
	}
	if r := runCLI(pw, "backup", "create", "--vault", v, "--out", backups, "--json"); r.code != 0 || json.Unmarshal([]byte(r.stdout), &info) != nil || info.Entries == 0 {
		t.Fatalf("backup: %+v", r)
	}
	if r := runCLI(nil, "backup", "verify", info.Path); r.code != 0 || !strings.Contains(r.stdout, "backup whole") {
		t.Fatalf("backup verify: %+v", r)
	}
	if r := runCLI(pw, "backup", "restore", "--from", info.Path, "--vault", filepath.Join(dir, "restored"), "--operator", demo.OperatorName); r.code != 0 {
		t.Fatalf("backup restore: %+v", r)
	}
	if r := runCLI(pw, "figures", "--vault", filepath.Join(dir, "restored"), "--json"); r.code != 0 || !strings.Contains(r.stdout, res.Digest) {
		t.Fatalf("restored figures: %+v", r)
	}

	// The confirmation, signed by both, opens the destruction gate.
	if r := runCLI(pw, "checklist", "gate", "--vault", v, "destroy"); r.code != 1 || !strings.Contains(r.stdout, "confirmation_signed") {
		t.Fatalf("destroy gate before the confirmation: %+v", r)
	}
	stmt := filepath.Join(dir, "confirmation.json")
	if r := runCLI(pw, "cert", "new", "--vault", v, "--kind", "confirmation", "--out", stmt,
		"--signer", ids["sender"]+".card.json", "--signer", ids["recipient"]+".card.json"); r.code != 0 {
		t.Fatalf("cert new: %+v", r)
	}
	if b, _ := os.ReadFile(stmt); !strings.Contains(string(b), `"type": "loan-book"`) || !strings.Contains(string(b), `"pia_done"`) {
		t.Fatalf("the statement lacks the deal's checklist: %.300s", b)
	}
	for _, who := range []string{"sender", "recipient"} {
		env := map[string]string{"HANDOVER_IDENTITY_PASSPHRASE": "identity-" + who}
		if r := runCLI(env, "cert", "sign", "--identity", ids[who], stmt); r.code != 0 {
			t.Fatalf("sign: %+v", r)
		}
	}
	if r := runCLI(pw, "cert", "verify", "--vault", v, stmt); r.code != 0 || !strings.Contains(r.stdout, "complete") {
		t.Fatalf("cert verify --vault: %+v", r)
	}
	// For a loan book the customers must also have been told (an assignment binds a
	// borrower only once notified) before the transferor's copy goes.
	if r := runCLI(pw, "checklist", "gate", "--vault", v, "destroy"); r.code != 1 || !strings.Contains(r.stdout, "customers_notified") ||
		strings.Contains(r.stdout, "confirmation_signed") {
		t.Fatalf("destroy gate after the confirmation: %+v", r)
	}
	setup := filepath.Join(dir, "notice-setup.json")
	js, _ := json.Marshal(demo.NoticeSetup())
	os.WriteFile(setup, js, 0o600)
	if r := runCLI(pw, "notice", "setup", "--vault", v, "--file", setup); r.code != 0 {
		t.Fatalf("notice setup: %+v", r)
	}
	notices := map[string]string{"HANDOVER_PASSPHRASE": pw["HANDOVER_PASSPHRASE"], "HANDOVER_NOTICE_ALLOW_TMP": "1"} // the test's folders are temporary ones
	for _, channel := range []string{"letter", "sms"} {
		r := runCLI(notices, "notice", "generate", "--vault", v, "--template", "loan-book-borrower", "--channel", channel, "--out", filepath.Join(dir, channel), "--json")
		var b struct{ ID string }
		if r.code != 0 || json.Unmarshal([]byte(r.stdout), &b) != nil || b.ID == "" {
			t.Fatalf("notice generate %s: %+v", channel, r)
		}
		if r := runCLI(pw, "notice", "sent", "--vault", v, "--batch", b.ID); r.code != 0 {
			t.Fatalf("notice sent: %+v", r)
		}
	}
	if r := runCLI(pw, "notice", "list", "--vault", v); r.code != 0 || !strings.Contains(r.stdout, "loan-book-borrower (required): 20 customers, 20 reached, 0 pending") {
		t.Fatalf("notice list: %+v", r)
	}
	// And who keeps the AML records must be settled and confirmed.
	if r := runCLI(pw, "checklist", "gate", "--vault", v, "destroy"); r.code != 1 || !strings.Contains(r.stdout, "retention_set") {
		t.Fatalf("destroy gate before the retention arrangement: %+v", r)
	}
	if r := runCLI(pw, "deal", "retention", "--vault", v, "--keeper", "transferee", "--years", "9", "--confirmed-by", "王律师"); r.code != 1 {
		t.Fatalf("nine years were accepted: %+v", r)
	}
	if r := runCLI(pw, "deal", "retention", "--vault", v, "--keeper", "transferee", "--confirmed-by", "王律师"); r.code != 0 || !strings.Contains(r.stdout, "transferee keeps the AML records 10 years") {
		t.Fatalf("retention: %+v", r)
	}
	// Guarantors are notified outside the program (the book holds their identity numbers
	// only): the mailing list and receipts are the evidence (Civil Code Art. 696).
	if r := runCLI(pw, "checklist", "gate", "--vault", v, "destroy"); r.code != 1 || !strings.Contains(r.stdout, "guarantors_notified") {
		t.Fatalf("destroy gate before the guarantors: %+v", r)
	}
	if r := runCLI(pw, "checklist", "complete", "--vault", v, "guarantors_notified", "--evidence", opinion); r.code != 0 {
		t.Fatalf("guarantors: %+v", r)
	}
	if r := runCLI(pw, "checklist", "gate", "--vault", v, "destroy"); r.code != 0 {
		t.Fatalf("destroy gate after the notice and the retention: %+v", r)
	}
	c = show()
	for _, id := range append(prep, "data_validated", "figures_agreed", "backup_verified", "package_exported", "package_received", "confirmation_signed") {
		if it := state(c, id); it.State != "done" {
			t.Errorf("%s: %+v", id, it)
		}
	}
	if it := state(c, "figures_agreed"); it.Record == nil || len(it.Record.SignOffs) != 2 {
		t.Fatalf("figures_agreed record: %+v", it)
	}
	if r := runCLI(pw, "checklist", "reopen", "--vault", v, "incident_plan"); r.code != 2 {
		t.Fatalf("reopen without reason: %+v", r)
	}
	if r := runCLI(pw, "checklist", "reopen", "--vault", v, "incident_plan", "--reason", "预案修订"); r.code != 0 {
		t.Fatalf("reopen: %+v", r)
	}
	if it := state(show(), "incident_plan"); it.State != "open" || len(it.Record.Reopened) != 1 {
		t.Fatalf("reopened: %+v", it)
	}
	regPDF := filepath.Join(dir, "registers.pdf")
	if r := runCLI(pw, "register", "nda", "report", "--vault", v, "--out", regPDF); r.code != 0 {
		t.Fatalf("register report: %+v", r)
	}
	pdf := filepath.Join(dir, "checklist.pdf")
	if r := runCLI(pw, "checklist", "report", "--vault", v, "--out", pdf); r.code != 0 {
		t.Fatalf("report: %+v", r)
	}
	if b, err := os.ReadFile(pdf); err != nil || !strings.HasPrefix(string(b), "%PDF") {
		t.Fatalf("report file: %v", err)
	}
}
