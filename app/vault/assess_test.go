package vault

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"handover/app/assess"
	"handover/app/checklist"
	"handover/app/handoverpkg"
	"handover/app/progress"
	"handover/crypto/identity"
)

// Workbooks: an answer must fit its question; only the auditor signs off, and only a fully
// answered workbook; a later answer voids the sign-off; an open finding of high severity
// blocks the export, named, until it is closed.
func TestWorkbooksGateTheExport(t *testing.T) {
	admin, _ := newVault(t)
	as := withOperators(t, admin, Transferor, Auditor)
	s := as(Transferor)
	defer s.Lock()
	addCustomers(t, s, 3)
	if _, err := s.InitDeal(testDeal(checklist.Mainland)); err != nil {
		t.Fatal(err)
	}
	var ae *assess.AnswerError
	if err := s.AnswerQuestion(ctx, assess.Risk, "overall", assess.Answer{Value: "maybe"}, "", nil); !errors.As(err, &ae) {
		t.Fatalf("a choice not offered: %v", err)
	}
	if err := s.AnswerQuestion(ctx, assess.Risk, "legal_assignment_notice", assess.SampleAnswer(assess.Question{Type: assess.RiskType}), "", nil); !errors.Is(err, assess.ErrUnknownQuestion) {
		t.Fatalf("a question this equity deal is not asked: %v", err)
	}
	if err := s.AnswerQuestion(ctx, "weather", "q", assess.Answer{}, "", nil); !errors.Is(err, ErrUnknownWorkbook) {
		t.Fatalf("unknown workbook: %v", err)
	}
	aud := operatorID(t, s, Auditor)
	if err := s.SignOffWorkbook(ctx, assess.Risk, aud, "operator-pass", ""); !errors.Is(err, ErrUnanswered) {
		t.Fatalf("sign-off of an empty workbook: %v", err)
	}
	prepareForExport(t, s) // answers every workbook and has the auditor sign each off
	if err := s.SignOffWorkbook(ctx, assess.Risk, operatorID(t, s, Transferor), "operator-pass", ""); !errors.Is(err, ErrReviewerRole) {
		t.Fatalf("an officer signed off: %v", err)
	}
	view, _ := s.Checklist(ctx)
	if it, _ := view.Item("risk_assessment"); it.State != checklist.Done {
		t.Fatalf("risk_assessment after the sign-off: %+v", it)
	}
	// A changed answer needs a new sign-off.
	if err := s.AnswerQuestion(ctx, assess.Risk, "overall", assess.Answer{Value: "with_conditions"}, "", nil); err != nil {
		t.Fatal(err)
	}
	view, _ = s.Checklist(ctx)
	if it, _ := view.Item("risk_assessment"); it.State == checklist.Done || !slices.Equal(it.Needs, []string{checklist.NeedWorkbookSignOff}) {
		t.Fatalf("after a changed answer: %+v", it)
	}
	if err := s.SignOffWorkbook(ctx, assess.Risk, aud, "operator-pass", "附条件接受"); err != nil {
		t.Fatal(err)
	}
	f, err := s.AddFinding(ctx, Finding{Workbook: assess.Risk, Title: "移交用U盘未加密", Severity: assess.High, Owner: "信息科技部", Due: s.today().AddDays(7)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddFinding(ctx, Finding{Workbook: assess.Risk, Title: "x", Severity: "severe", Owner: "y", Due: s.today()}); !errors.Is(err, ErrFinding) {
		t.Fatalf("a severity not known: %v", err)
	}
	sender, _ := identity.New("出让人", "甲小额贷款有限公司", "负责人", time.Now())
	receiver, _ := identity.New("受让人", "乙金融服务有限公司", "负责人", time.Now())
	export := func() error {
		_, _, err := s.Export(ctx, handoverpkg.Options{Out: t.TempDir(), Sender: sender, Recipients: []identity.Card{receiver.Card}}, progress.Discard)
		return err
	}
	var gate *GateError
	if err := export(); !errors.As(err, &gate) || !slices.Equal(gate.Missing, []string{"finding:" + f.ID}) || !strings.Contains(err.Error(), "移交用U盘未加密") {
		t.Fatalf("export with an open high finding: %v", err)
	}
	if err := s.CloseFinding(ctx, f.ID, ""); !errors.Is(err, ErrReasonRequired) {
		t.Fatalf("closed without saying how: %v", err)
	}
	if err := s.CloseFinding(ctx, f.ID, "改用加密移交包"); err != nil {
		t.Fatal(err)
	}
	if err := s.CloseFinding(ctx, f.ID, "again"); !errors.Is(err, ErrNoFinding) {
		t.Fatalf("closed twice: %v", err)
	}
	if err := export(); err != nil {
		t.Fatalf("export after the finding was closed: %v", err)
	}
	for _, lang := range []string{"zh-CN", "en"} {
		pdf, err := s.WorkbookReportPDF(ctx, assess.Risk, lang)
		if err != nil || !strings.HasPrefix(string(pdf), "%PDF") {
			t.Fatalf("report %s: %v", lang, err)
		}
	}
}
