package vault

import (
	"errors"
	"io"
	"strings"
	"testing"

	"handover/app/assess"
	"handover/app/audit"
	"handover/app/checklist"
)

// registerAll records a current NDA and training for every operator of s's vault.
func registerAll(t *testing.T, s *Session) {
	t.Helper()
	ops, err := s.Operators(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range ops {
		registerOne(t, s, op.ID)
	}
}

func registerOne(t *testing.T, s *Session, operator string) {
	t.Helper()
	today := s.today()
	if _, err := s.AddNDA(ctx, NDARecord{Operator: operator, Version: "v1", Signed: today.AddDays(-10), Scope: "全部客户资料", Liability: true},
		"nda.pdf", strings.NewReader("signed")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddTraining(ctx, TrainingRecord{Operator: operator, Date: today.AddDays(-10), Content: "个人信息保护", Trainer: "王老师",
		Expires: today.AddMonths(12)}); err != nil {
		t.Fatal(err)
	}
}

// An operator without a current NDA is refused a reveal once a deal is recorded, with the
// missing record named; adding it lets the reveal through; both are in the audit log.
func TestRevealNeedsTheRegisters(t *testing.T) {
	admin, _ := newVault(t)
	as := withOperators(t, admin, Transferor, Auditor)
	s := as(Transferor)
	addCustomers(t, s, 3)
	if _, err := s.Reveal(1, "id_number"); err != nil {
		t.Fatalf("before a deal the registers do not gate: %v", err)
	}
	if _, err := s.InitDeal(testDeal("mainland")); err != nil {
		t.Fatal(err)
	}
	var re *RegisterError
	if _, err := s.Reveal(1, "id_number"); !errors.As(err, &re) || re.Missing != "nda" || re.Reason != "none" {
		t.Fatalf("reveal without an NDA: %v", err)
	}
	today := s.today()
	op := s.Operator().ID
	// An agreement without a liability clause, and one whose term ended, do not count.
	if _, err := s.AddNDA(ctx, NDARecord{Operator: op, Version: "v0", Signed: today.AddDays(-400), Until: today.AddDays(-1), Scope: "全部", Liability: true},
		"old.pdf", strings.NewReader("old")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Reveal(1, "id_number"); !errors.As(err, &re) || re.Reason != "expired" {
		t.Fatalf("reveal with an expired NDA: %v", err)
	}
	if _, err := s.AddNDA(ctx, NDARecord{Operator: op, Version: "v1", Signed: today, Scope: "全部"}, "nda.pdf", strings.NewReader("x")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Reveal(1, "id_number"); !errors.As(err, &re) || re.Missing != "nda" || re.Reason != "no_liability" {
		t.Fatalf("reveal with an NDA without a liability clause: %v", err)
	}
	if _, err := s.AddNDA(ctx, NDARecord{Operator: op, Version: "v2", Signed: today, Scope: "全部", Liability: true}, "nda.pdf", strings.NewReader("y")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Reveal(1, "id_number"); !errors.As(err, &re) || re.Missing != "training" {
		t.Fatalf("reveal without training: %v", err)
	}
	low := PassMark - 1
	if _, err := s.AddTraining(ctx, TrainingRecord{Operator: op, Date: today, Content: "PIPL", Trainer: "王", Score: &low, Expires: today.AddMonths(12)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Reveal(1, "id_number"); !errors.As(err, &re) || re.Reason != "failed" {
		t.Fatalf("reveal after a failed training: %v", err)
	}
	pass := PassMark
	if _, err := s.AddTraining(ctx, TrainingRecord{Operator: op, Date: today, Content: "PIPL", Trainer: "王", Score: &pass, Expires: today.AddMonths(12)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Reveal(1, "id_number"); err != nil {
		t.Fatalf("reveal with both records: %v", err)
	}
	s.Lock()
	s = as(Auditor)
	defer s.Lock()
	var denied, added, revealed bool
	for _, ev := range events(t, s) {
		switch {
		case ev.Action == audit.CustomerReveal && ev.Outcome == audit.Denied && ev.Detail["missing"] == "nda":
			denied = true
		case ev.Action == audit.RegisterNDA && ev.Outcome == audit.OK:
			added = true
			if ev.Detail["sha256"] == "" || ev.Detail["operator"] != op {
				t.Errorf("NDA event %v", ev.Detail)
			}
		case ev.Action == audit.CustomerReveal && ev.Outcome == audit.OK:
			revealed = true
		}
	}
	if !denied || !added || !revealed {
		t.Errorf("audit: refused %v, NDA added %v, revealed %v", denied, added, revealed)
	}
}

// Bad register input is refused and nothing is stored.
func TestRegisterInputRefused(t *testing.T) {
	admin, _ := newVault(t)
	today := admin.today()
	bad := -1
	for name, c := range map[string]struct {
		nda   *NDARecord
		tr    *TrainingRecord
		file  bool
		wants error
	}{
		"nobody":           {nda: &NDARecord{Version: "v", Signed: today, Scope: "s", Liability: true}, file: true, wants: ErrRegisterPerson},
		"no file":          {nda: &NDARecord{Person: "张三", Version: "v", Signed: today, Scope: "s", Liability: true}, wants: ErrRegisterFile},
		"no version":       {nda: &NDARecord{Person: "张三", Signed: today, Scope: "s"}, file: true, wants: ErrRegisterField},
		"term backwards":   {nda: &NDARecord{Person: "张三", Version: "v", Signed: today, Until: today.AddDays(-1), Scope: "s"}, file: true, wants: ErrRegisterDates},
		"unknown operator": {nda: &NDARecord{Operator: "nobody", Version: "v", Signed: today, Scope: "s"}, file: true, wants: ErrNoOperator},
		"score":            {tr: &TrainingRecord{Person: "张三", Date: today, Content: "c", Trainer: "t", Score: &bad, Expires: today}, wants: ErrRegisterScore},
		"no expiry":        {tr: &TrainingRecord{Person: "张三", Date: today, Content: "c", Trainer: "t"}, wants: ErrRegisterDates},
	} {
		var err error
		if c.nda != nil {
			var f *strings.Reader
			if c.file {
				f = strings.NewReader("signed")
			}
			if f == nil {
				_, err = admin.AddNDA(ctx, *c.nda, "", nil)
			} else {
				_, err = admin.AddNDA(ctx, *c.nda, "nda.pdf", f)
			}
		} else {
			_, err = admin.AddTraining(ctx, *c.tr)
		}
		if !errors.Is(err, c.wants) {
			t.Errorf("%s: %v, want %v", name, err, c.wants)
		}
	}
	ndas, trs, err := admin.Registers(ctx)
	if err != nil || len(ndas)+len(trs) != 0 {
		t.Fatalf("refused records stored: %d %d %v", len(ndas), len(trs), err)
	}
	// A person without an operator account is kept by name, and counts for nobody's gate.
	r, err := admin.AddNDA(ctx, NDARecord{Person: "外部律师", Version: "v", Signed: today, Scope: "s", Liability: true}, "nda.pdf", strings.NewReader("x"))
	if err != nil || r.Operator != "" || r.SHA256 == "" {
		t.Fatalf("person NDA: %+v %v", r, err)
	}
}

// prepareForExport records the registers for every operator, attests every item the export
// waits for that people attest (a file attached where one is needed, counsel named where
// the reading is for counsel) and makes a backup: what a test of a later step needs first.
func prepareForExport(t *testing.T, s *Session) {
	t.Helper()
	registerAll(t, s)
	view, err := s.Checklist(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range view.Items {
		if it.Gate != checklist.StepExport || it.Kind == checklist.Automatic || it.State == checklist.Done {
			continue
		}
		if it.Kind == checklist.Evidence {
			if _, err := s.AttachEvidence(ctx, it.ID, it.ID+".pdf", strings.NewReader(it.ID)); err != nil {
				t.Fatal(err)
			}
		}
		c := Completion{Note: "已核对", ConfirmedBy: "王律师"}
		if checklist.NeedsBasis(it.Item, view.Deal) {
			c.Basis = checklist.BasisSecurityAssessment
			c.CrossBorder = &checklist.CrossBorder{Destination: "新加坡", Filing: "网信安评 2026-01", Consent: "单独同意"}
		}
		if err := s.CompleteItemWith(ctx, it.ID, c); err != nil {
			t.Fatalf("%s: %v", it.ID, err)
		}
	}
	signOffWorkbooks(t, s)
	if _, err := s.Backup(ctx, t.TempDir()); err != nil {
		t.Fatal(err)
	}
}

// signOffWorkbooks answers every question of every workbook the deal asks, and has the
// vault's auditor (passphrase "operator-pass") sign each off.
func signOffWorkbooks(t *testing.T, s *Session) {
	t.Helper()
	reviewer := ""
	ops, err := s.Operators(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range ops {
		if Role(op.Role) == Auditor {
			reviewer = op.ID
		}
	}
	if reviewer == "" {
		t.Fatal("the vault has no auditor to sign the workbooks off")
	}
	for _, id := range assess.IDs {
		wb, err := s.Workbook(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range wb.Unanswered {
			question, _ := wb.Template.Question(q)
			var file io.Reader
			if question.Type == assess.Evidence {
				file = strings.NewReader("evidence for " + q)
			}
			if err := s.AnswerQuestion(ctx, id, q, assess.SampleAnswer(question), q+".pdf", file); err != nil {
				t.Fatalf("%s/%s: %v", id, q, err)
			}
		}
		if err := s.SignOffWorkbook(ctx, id, reviewer, "operator-pass", ""); err != nil {
			t.Fatalf("sign-off %s: %v", id, err)
		}
	}
}
