package vault

import (
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"handover/app/handoverpkg"
	"handover/app/progress"
	"handover/crypto/identity"
	"handover/store/model"
)

// A package of 5,000 customers of a 20,000-customer loan book is lost: the incident's scope is
// exactly those 5,000 with their sensitive fields, the decision is recorded, both drafts
// render with every Art. 57 element, the notices go to the 5,000 through the SMS channel
// with tracking, and their destruction is refused while the incident is open.
func TestLostPackageIncident(t *testing.T) {
	if testing.Short() {
		t.Skip("20,000 customers")
	}
	s := noticeVault(t, 20000)
	if err := s.SetNoticeSetup(ctx, noticeSetupFixture()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordNoticeBasis(ctx, "法律规定的情形", "王律师", "basis.pdf", strings.NewReader("x")); err != nil {
		t.Fatal(err)
	}
	prepareForExport(t, s)
	var lost []model.CustomerNo
	for i := 1; i <= 5000; i++ {
		lost = append(lost, model.CustomerNo(i*4)) // every fourth customer
	}
	sender, _ := identity.New("出让人", "甲小额贷款有限公司", "负责人", time.Now())
	receiver, _ := identity.New("受让人", "乙小额贷款有限公司", "负责人", time.Now())
	_, m, err := s.Export(ctx, handoverpkg.Options{Out: t.TempDir(), Sender: sender, Recipients: []identity.Card{receiver.Card}, Customers: lost}, progress.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.OpenIncident(ctx, IncidentRequest{Kind: IncidentLostMedia, Discovered: time.Now(), Summary: "x", Package: "HANDOVER-NONE"}); !errors.Is(err, ErrPackageNotHeld) {
		t.Fatalf("an unknown package: %v", err)
	}
	in, err := s.OpenIncident(ctx, IncidentRequest{Kind: IncidentLostMedia, Discovered: time.Now().Add(-2 * time.Hour),
		Summary: "快递途中装有移交包的 U 盘丢失", Package: m.ID, Custodians: []string{"张三"}})
	if err != nil {
		t.Fatal(err)
	}
	sc := in.Scope
	if !slices.Equal(sc.Customers, lost) || sc.Records["customers"] != 5000 || sc.Records["loans"] != 5000 || !sc.Encrypted ||
		len(sc.Recipients) != 1 || sc.Recipients[0] != receiver.Card.Fingerprint {
		t.Fatalf("scope: %d customers, records %v, encrypted %v %v", len(sc.Customers), sc.Records, sc.Encrypted, sc.Recipients)
	}
	// Customer 4 is in the package; 2 (no address) and 3 (no phone) are not.
	if sc.Sensitive["id_number"] != 5000 || sc.Sensitive["phone"] != 5000 || sc.Sensitive["address"] != 5000 {
		t.Fatalf("sensitive fields %v", sc.Sensitive)
	}
	if err := s.DecideIncident(in.ID, IncidentDecision{NotifyIndividuals: true}, IncidentContent{}); !errors.Is(err, ErrIncidentDecision) {
		t.Fatalf("a decision without its reasoning: %v", err)
	}
	decision := IncidentDecision{NotifyIndividuals: true, Reasoning: "移交包虽经加密，但无法排除接收人身份文件同时丢失", DecidedBy: "王律师",
		Authorities: []string{"省网信办", "省地方金融管理局"}, Due: s.today().AddDays(3)}
	content := IncidentContent{Cause: "快递途中 U 盘丢失", Harm: "如被解密，可能被用于诈骗", Measures: "已吊销接收人身份并重新导出",
		Advice: "警惕冒充本公司的来电，不向个人账户转账"}
	if err := s.DecideIncident(in.ID, decision, content); err != nil {
		t.Fatal(err)
	}
	in, _ = s.IncidentOf(in.ID)
	if in.Content.Contact == "" || !strings.Contains(in.Content.Contact, "甲小额贷款有限公司") {
		t.Fatalf("the handler's contact is not filled from the deal: %q", in.Content.Contact)
	}
	if cat := incidentCategories(in.Scope, "zh-CN"); !strings.Contains(cat, "身份证号码") || !strings.Contains(cat, "借款及还款记录") {
		t.Fatalf("categories %q", cat)
	}
	for _, which := range []string{"authority", "individuals"} {
		for _, lang := range []string{"zh-CN", "en"} {
			pdf, err := s.IncidentPDF(in.ID, which, lang)
			if err != nil || !strings.HasPrefix(string(pdf), "%PDF") {
				t.Fatalf("%s %s: %v", which, lang, err)
			}
		}
	}
	// The notices go to the incident's customers through the SMS channel, and are tracked.
	b, err := s.GenerateNotices(ctx, GenerateRequest{Template: "incident-individual", Channel: ChannelSMS, Out: filepath.Join(t.TempDir(), "sms"),
		Lang: "zh-CN", AllowTemporaryFolder: true, Incident: in.ID}, nil)
	if err != nil || b.Count != 5000 || len(b.Skipped) != 0 {
		t.Fatalf("incident SMS: %+v %v", b, err)
	}
	if _, err := s.MarkSent(ctx, b.ID, s.today()); err != nil {
		t.Fatal(err)
	}
	sums, _ := s.NoticeStatus(ctx)
	for _, sum := range sums {
		if sum.Template == "incident-individual" && sum.Reached != 5000 {
			t.Fatalf("tracking: %+v", sum)
		}
	}
	if _, err := s.GenerateNotices(ctx, GenerateRequest{Template: "incident-individual", Channel: ChannelSMS, Out: filepath.Join(t.TempDir(), "x"),
		Lang: "zh-CN", AllowTemporaryFolder: true}, nil); err == nil {
		t.Fatal("an incident notice without its incident")
	}
	if err := s.AdvanceIncident(in.ID, IncidentNotified, "短信已发送"); err != nil {
		t.Fatal(err)
	}
	// Their destruction is refused while the incident is open.
	st, _ := s.store()
	var ib *IncidentBlockError
	if err := incidentBlocks(ctx, st, []model.CustomerNo{1, 8}, false); !errors.As(err, &ib) || ib.Customers != 1 {
		t.Fatalf("destroying a customer of the incident: %v", err)
	}
	if err := incidentBlocks(ctx, st, []model.CustomerNo{1, 2, 3}, false); err != nil {
		t.Fatalf("destroying other customers: %v", err)
	}
	// Closing needs the root cause, every action done, and two roles.
	a, err := s.AddIncidentAction(in.ID, IncidentAction{What: "改用加密 U 盘并双人押运", Owner: "信息科技部", Due: s.today().AddDays(14)})
	if err != nil {
		t.Fatal(err)
	}
	tr := operatorID(t, s, Transferor)
	if err := s.SignOffIncident(in.ID, tr, "operator-pass"); !errors.Is(err, ErrIncidentNotReady) {
		t.Fatalf("closed before the root cause: %v", err)
	}
	if err := s.SetRootCause(in.ID, "移交包由普通快递寄送"); err != nil {
		t.Fatal(err)
	}
	if err := s.CompleteIncidentAction(in.ID, a.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.SignOffIncident(in.ID, tr, "operator-pass"); err != nil {
		t.Fatal(err)
	}
	if err := s.SignOffIncident(in.ID, tr, "operator-pass"); !errors.Is(err, ErrIncidentSameRole) {
		t.Fatalf("the same role twice: %v", err)
	}
	if err := s.SignOffIncident(in.ID, operatorID(t, s, Auditor), "operator-pass"); err != nil {
		t.Fatal(err)
	}
	if in, _ = s.IncidentOf(in.ID); in.State != IncidentClosed || len(in.Timeline) < 8 {
		t.Fatalf("closed: %s, %d timeline entries", in.State, len(in.Timeline))
	}
	if err := incidentBlocks(ctx, st, []model.CustomerNo{8}, false); err != nil {
		t.Fatalf("a closed incident still blocks: %v", err)
	}
}

// An access incident lists exactly the customers the audit log shows revealed, viewed or
// found by a search in the window.
func TestAccessIncident(t *testing.T) {
	s := noticeVault(t, 10)
	registerAll(t, s)
	before := s.v.opts.Now()
	time.Sleep(10 * time.Millisecond)
	if _, err := s.Reveal(3, "id_number"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Search(ctx, ByPhone, "13900000007"); err != nil {
		t.Fatal(err)
	}
	after := s.v.opts.Now()
	time.Sleep(10 * time.Millisecond)
	if _, err := s.Reveal(5, "id_number"); err != nil {
		t.Fatal(err)
	}
	in, err := s.OpenIncident(ctx, IncidentRequest{Kind: IncidentAccess, Discovered: time.Now(), Summary: "离职员工越权查看", From: before, To: after})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(in.Scope.Customers, []model.CustomerNo{3, 7}) || in.Scope.Accesses["customer.reveal"] != 1 || in.Scope.Encrypted {
		t.Fatalf("access scope %v %v", in.Scope.Customers, in.Scope.Accesses)
	}
}
