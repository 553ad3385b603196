package vault

import (
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"handover/app/checklist"
	"handover/app/handoverpkg"
	"handover/app/progress"
	"handover/crypto/identity"
	"handover/store/model"
)

// A partial transfer's scope is carried to the export, the notices and the destruction of
// the transferor's copy.
func TestPartialTransferScope(t *testing.T) {
	s := noticeVault(t, 6)
	if _, err := s.SetDealScope(ctx, nil); !errors.Is(err, ErrScopeEmpty) {
		t.Fatalf("an empty scope: %v", err)
	}
	if _, err := s.SetDealScope(ctx, []model.CustomerNo{1, 99}); err == nil {
		t.Fatal("a customer not in the book was taken into the scope")
	}
	sc, err := s.SetDealScope(ctx, []model.CustomerNo{4, 1, 4, 5})
	if err != nil || !slices.Equal(sc.Customers, []model.CustomerNo{1, 4, 5}) {
		t.Fatalf("scope: %+v %v", sc, err)
	}
	// The notices go to the scope: one letter each, and the others are not counted.
	if err := s.SetNoticeSetup(ctx, noticeSetupFixture()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GenerateNotices(ctx, GenerateRequest{Template: "loan-book-borrower", Channel: ChannelLetter, Out: filepath.Join(t.TempDir(), "x"),
		Customers: []model.CustomerNo{2}, AllowTemporaryFolder: true}, nil); !errors.Is(err, ErrOutsideScope) {
		t.Fatalf("a letter outside the scope: %v", err)
	}
	b, err := s.GenerateNotices(ctx, GenerateRequest{Template: "loan-book-borrower", Channel: ChannelLetter, Out: filepath.Join(t.TempDir(), "l"),
		Lang: "zh-CN", AllowTemporaryFolder: true}, nil)
	if err != nil || b.Count != 3 {
		t.Fatalf("letters for the scope: %+v %v", b, err)
	}
	sums, err := s.NoticeStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, sum := range sums {
		if sum.Template == "loan-book-borrower" && sum.Customers != 3 {
			t.Fatalf("the tracking counts %d customers, the scope holds 3", sum.Customers)
		}
	}
	// The export defaults to the scope and refuses a customer outside it.
	if _, err := s.RecordNoticeBasis(ctx, "法律规定的情形", "王律师", "basis.pdf", strings.NewReader("x")); err != nil {
		t.Fatal(err)
	}
	prepareForExport(t, s)
	sender, _ := identity.New("出让人", "甲小额贷款有限公司", "负责人", time.Now())
	receiver, _ := identity.New("受让人", "乙小额贷款有限公司", "负责人", time.Now())
	export := func(nos []model.CustomerNo) (*handoverpkg.Manifest, error) {
		_, m, err := s.Export(ctx, handoverpkg.Options{Out: t.TempDir(), Sender: sender, Recipients: []identity.Card{receiver.Card}, Customers: nos}, progress.Discard)
		return m, err
	}
	if _, err := export([]model.CustomerNo{1, 2}); !errors.Is(err, ErrOutsideScope) {
		t.Fatalf("export outside the scope: %v", err)
	}
	m, err := export(nil)
	if err != nil || m.Figures.Customers != 3 || m.Scope != handoverpkg.ScopeSelection {
		t.Fatalf("export of the scope: %+v %v", m, err)
	}
	if _, err := s.SetDealScope(ctx, []model.CustomerNo{1}); !errors.Is(err, ErrScopeExported) {
		t.Fatalf("scope changed after the export: %v", err)
	}
	// A plan covering the scope is the transferor's copy, gated and counted like the whole
	// book; one of other customers is not.
	st, err := s.store()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		plan DestroyPlan
		nos  []model.CustomerNo
		want bool
	}{
		{DestroyPlan{Scope: ScopeAll}, nil, true},
		{DestroyPlan{Scope: ScopeCustomers}, []model.CustomerNo{1, 4, 5, 6}, true},
		{DestroyPlan{Scope: ScopeCustomers}, []model.CustomerNo{1, 4}, false},
		{DestroyPlan{Scope: ScopeCustomers}, []model.CustomerNo{2}, false},
	} {
		got, err := isTransferorCopy(st, &planRecord{Plan: c.plan, Customers: c.nos})
		if err != nil || got != c.want {
			t.Errorf("plan %s %v: transferor's copy %v (%v)", c.plan.Scope, c.nos, got, err)
		}
	}
	if view, _ := s.Checklist(ctx); slices.Contains(view.Blocking(checklist.StepDestroy), "customers_notified") == false {
		t.Fatal("the letters were not sent, yet customers_notified does not block")
	}
}
