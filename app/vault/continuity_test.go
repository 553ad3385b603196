package vault

import (
	"errors"
	"strings"
	"testing"

	"handover/app/checklist"
	"handover/store/model"
)

// The change-over: the plan checked against the letters' cut-off, the customers falling due
// after it, the register of repayments received after the cut-off, and servicing_handed_over
// following once the plan is recorded, the three items signed off and the register
// reconciles.
func TestContinuity(t *testing.T) {
	s := noticeVault(t, 6)
	d := func(y, m, day int) model.Date { return model.Date{Y: y, M: m, D: day} }
	plan := ContinuityPlan{OldAccountCloses: d(2027, 3, 31), NewAccountFrom: d(2027, 1, 1), Complaints: "自切换日起由受让方客服部受理，出让方收到的投诉三个工作日内转交",
		CreditReporter: checklist.KeeperTransferee, CreditReportingFrom: d(2027, 2, 1)}
	if _, err := s.SetContinuityPlan(ctx, plan); !errors.Is(err, ErrNoticeSetup) {
		t.Fatalf("a plan before the notice settings: %v", err)
	}
	if err := s.SetNoticeSetup(ctx, noticeSetupFixture()); err != nil {
		t.Fatal(err)
	}
	early := plan
	early.OldAccountCloses = d(2026, 12, 1)
	var se *SetupError
	if _, err := s.SetContinuityPlan(ctx, early); !errors.As(err, &se) || se.Field != "old_account_closes" {
		t.Fatalf("an old account closing before the cut-off: %v", err)
	}
	if got := itemState(t, s, "servicing_handed_over"); got == "done" {
		t.Fatal("servicing handed over before anything")
	}
	if _, err := s.SetContinuityPlan(ctx, plan); err != nil {
		t.Fatal(err)
	}
	// Every demo loan here runs 2026-01-01 to 2027-01-01: the last instalment falls on the
	// cut-off itself, not after it.
	due, cut, err := s.ContinuityDue(ctx, []int{30, 60, 90})
	if err != nil || cut != d(2027, 1, 1) || len(due) != 3 || due[0].Customers != 0 {
		t.Fatalf("due: %+v %v %v", due, cut, err)
	}
	if n := instalmentsBetween(model.Loan{Disbursed: d(2026, 11, 15), Maturity: d(2027, 11, 15), TermMonths: 12}, d(2027, 1, 1), d(2027, 3, 2)); n != 2 {
		t.Fatalf("instalments in 60 days: %d", n)
	}
	if _, err := s.AddForwardedPayment(ctx, 1, 123456, d(2026, 12, 30), model.Date{}, "", nil); !errors.Is(err, ErrBeforeCutoff) {
		t.Fatalf("a repayment before the cut-off: %v", err)
	}
	p, err := s.AddForwardedPayment(ctx, 1, 123456, d(2027, 1, 5), model.Date{}, "slip.jpg", strings.NewReader("bank slip"))
	if err != nil || len(p.Evidence) != 1 {
		t.Fatalf("register: %+v %v", p, err)
	}
	if _, err := s.AddForwardedPayment(ctx, 2, 50000, d(2027, 1, 6), d(2027, 1, 7), "", nil); err != nil {
		t.Fatal(err)
	}
	r, err := s.ForwardedPayments(ctx)
	if err != nil || r.Received != 173456 || r.Forwarded != 50000 || r.Outstanding != 123456 || r.Reconciles {
		t.Fatalf("register: %+v %v", r, err)
	}
	for _, id := range continuityItems {
		if err := s.SignOff(ctx, id, s.Operator().ID, "operator-pass", ""); err != nil {
			t.Fatalf("%s: %v", id, err)
		}
	}
	view, _ := s.Checklist(ctx)
	it, _ := view.Item("servicing_handed_over")
	if it.State == checklist.Done || !strings.Contains(strings.Join(it.Needs, ","), checklist.NeedPaymentsForwarded) ||
		!strings.Contains(strings.Join(it.Needs, ","), checklist.NeedItem("complaints_routed")) {
		t.Fatalf("servicing_handed_over: %+v", it.Needs)
	}
	if _, err := s.ForwardPayment(ctx, p.ID, d(2027, 1, 4), "", nil); !errors.Is(err, ErrForwardedBefore) {
		t.Fatalf("forwarded before received: %v", err)
	}
	if _, err := s.ForwardPayment(ctx, p.ID, d(2027, 1, 8), "", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ForwardPayment(ctx, p.ID, d(2027, 1, 9), "", nil); !errors.Is(err, ErrPaymentForwarded) {
		t.Fatalf("forwarded twice: %v", err)
	}
	view, _ = s.Checklist(ctx)
	it, _ = view.Item("servicing_handed_over")
	if it.State == checklist.Done || strings.Contains(strings.Join(it.Needs, ","), checklist.NeedPaymentsForwarded) {
		t.Fatalf("after forwarding, one party's sign-offs only: %+v %s", it.Needs, it.State)
	}
	for _, lang := range []string{"zh-CN", "en"} {
		if pdf, err := s.ContinuityReportPDF(ctx, lang); err != nil || len(pdf) < 1000 {
			t.Fatalf("report: %v", err)
		}
	}
}
