package vault

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"

	"handover/app/audit"
	"handover/app/checklist"
	"handover/app/notice"
	"handover/app/validate"
	"handover/store"
	"handover/store/model"
)

func noticeSetupFixture() NoticeSetup {
	return NoticeSetup{Cutoff: model.Date{Y: 2027, M: 1, D: 1}, ReplyBy: model.Date{Y: 2026, M: 12, D: 31},
		TransfereeAddress: "北京市海淀区中关村大街1号", TransfereePhone: "010-8888 0000", RepayAccountName: "乙小额贷款有限公司",
		RepayAccountBank: "中国工商银行北京中关村支行", RepayAccountNo: "0200 0000 0000 0001 234", RepayChannels: "银行转账",
		ServicingPhone: "010-8888 0000", ComplaintsPhone: "010-8888 0001", Hotline: "400-800-1234",
		Purpose: "贷款管理和客户服务", Method: "收集、存储、使用", Categories: "姓名、身份证号、联系方式、借款记录", SMSSignature: "【乙小贷】"}
}

// noticeVault is a loan-book vault of n customers, each with a loan; customer 2 has no
// address and customer 3 no mobile. It returns the transferor's session.
func noticeVault(t *testing.T, n int) *Session {
	t.Helper()
	admin, _, transferor := destroyFixture(t, 0)
	code := func(body string) string { return body + string(validate.CreditCodeCheck(body)) }
	if _, err := admin.InitDeal(checklist.Deal{Type: checklist.LoanBook, RecipientLocation: checklist.Mainland,
		Transferor: checklist.Party{Name: "甲小额贷款有限公司", CreditCode: code("91330100MA27XY012")},
		Transferee: checklist.Party{Name: "乙小额贷款有限公司", CreditCode: code("91110108MA01ABC03")}}); err != nil {
		t.Fatal(err)
	}
	admin.Lock()
	s, err := admin.Vault().Unlock(transferor, "operator-pass")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Lock() })
	err = s.Bulk(ctx, audit.DemoGenerate, func(w *store.Writer) error {
		for i := 1; i <= n; i++ {
			c := model.Customer{Name: "客户" + fmt.Sprint(i), IDNumber: "11010519491231002X", Phone: fmt.Sprintf("139%08d", i), Address: "北京市朝阳区建国路" + fmt.Sprint(i) + "号"}
			if i == 2 {
				c.Address = ""
			}
			if i == 3 {
				c.Phone = ""
			}
			loan := model.Loan{Seq: 1, Contract: fmt.Sprintf("JK-%04d", i), Principal: 1000000, Outstanding: 500000, TermMonths: 12,
				Disbursed: model.Date{Y: 2026, M: 1, D: 1}, Maturity: model.Date{Y: 2027, M: 1, D: 1}, Status: model.StatusNormal, Class: model.ClassPass}
			if _, err := w.Add(&store.Book{Customer: c, Loans: []model.Loan{loan}}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func itemState(t *testing.T, s *Session, id string) string {
	t.Helper()
	view, err := s.Checklist(ctx)
	if err != nil {
		t.Fatal(err)
	}
	it, _ := view.Item(id)
	return string(it.State)
}

// A loan book's notices, end to end: the settings checked, letters and SMS written with
// their manifests, the customers the channel cannot reach listed, the batches sent, a
// gateway report with delivered, failed, unknown and unmatched rows read, the failure and
// the objection followed up; customers_notified follows the tracking, and the export waits
// for it (or a recorded legal basis).
func TestNoticesEndToEnd(t *testing.T) {
	s := noticeVault(t, 12)
	if err := s.ChecklistGate(ctx, checklist.StepExport); err == nil || !strings.Contains(err.Error(), "notice_before_export") {
		t.Fatalf("the export before the notices: %v", err)
	}
	out := filepath.Join(t.TempDir(), "letters")
	if _, err := s.GenerateNotices(ctx, GenerateRequest{Template: "loan-book-borrower", Channel: ChannelLetter, Out: out, Lang: "zh-CN", AllowTemporaryFolder: true}, nil); !errors.Is(err, ErrNoticeSetup) {
		t.Fatalf("letters before the settings: %v", err)
	}
	bad := noticeSetupFixture()
	bad.SMSSignature = "乙小贷"
	var se *SetupError
	if err := s.SetNoticeSetup(ctx, bad); !errors.As(err, &se) || se.Field != "sms_signature" {
		t.Fatalf("an SMS signature without 【】: %v", err)
	}
	if err := s.SetNoticeSetup(ctx, noticeSetupFixture()); err != nil {
		t.Fatal(err)
	}
	letters, err := s.GenerateNotices(ctx, GenerateRequest{Template: "loan-book-borrower", Channel: ChannelLetter, Out: out, Lang: "zh-CN", AllowTemporaryFolder: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if letters.Count != 11 || len(letters.Skipped) != 1 || letters.Skipped[0] != (NoticeSkipped{2, "no_address"}) {
		t.Fatalf("letters: %d, skipped %v", letters.Count, letters.Skipped)
	}
	if _, err := os.Stat(filepath.Join(out, "letters-0001.pdf")); err != nil {
		t.Fatal(err)
	}
	manifest, _ := os.ReadFile(filepath.Join(out, "manifest.json"))
	if strings.Contains(string(manifest), "客户") || strings.Contains(string(manifest), "1390000") {
		t.Fatal("the manifest holds personal data")
	}
	if _, err := s.GenerateNotices(ctx, GenerateRequest{Template: "loan-book-borrower", Channel: ChannelLetter, Out: out, AllowTemporaryFolder: true}, nil); !errors.Is(err, ErrNoticeOut) {
		t.Fatalf("a second batch into the same folder: %v", err)
	}
	smsDir := filepath.Join(t.TempDir(), "sms")
	sms, err := s.GenerateNotices(ctx, GenerateRequest{Template: "loan-book-borrower", Channel: ChannelSMS, Out: smsDir, Lang: "zh-CN", AllowTemporaryFolder: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sms.Count != 11 || len(sms.Skipped) != 1 || sms.Skipped[0].Customer != 3 || sms.Segments < 22 {
		t.Fatalf("sms: %d, skipped %v, segments %d", sms.Count, sms.Skipped, sms.Segments)
	}
	f, _ := os.Open(filepath.Join(smsDir, "sms.csv"))
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil || len(rows) != 12 {
		t.Fatalf("sms.csv: %d rows %v", len(rows), err)
	}
	codeOf := map[string]string{} // mobile → reference
	for _, r := range rows[1:] {
		if notice.CheckSMS(r[1]) != nil || strings.Contains(r[1], "11010519491231002X") || !strings.HasPrefix(r[1], "【乙小贷】") {
			t.Fatalf("an SMS: %q", r[1])
		}
		if fmt.Sprint(notice.Segments(r[1])) != r[3] {
			t.Fatalf("segments of %q: %s", r[1], r[3])
		}
		codeOf[r[0]] = r[2]
	}
	if itemState(t, s, "customers_notified") == "done" {
		t.Fatal("notified before anything was sent")
	}
	for _, b := range []string{letters.ID, sms.ID} {
		if _, err := s.MarkSent(ctx, b, model.Date{Y: 2026, M: 12, D: 2}); err != nil {
			t.Fatal(err)
		}
	}
	// Customer 2 (no address) got the SMS and customer 3 (no mobile) the letter: all
	// reached. The gateway says customer 4's SMS failed and 5's objects; 6 by mobile.
	report := "reference,mobile,status,reason\n" +
		codeOf["13900000004"] + ",,failed,空号\n" +
		codeOf["13900000005"] + ",,不同意,\n" +
		",13900000006,DELIVRD,\n" +
		"ZZZZ-ZZZZ,,delivered,\n" +
		",13999999999,delivered,\n" +
		codeOf["13900000007"] + ",,bogus,\n"
	res, err := s.ImportNoticeStatus(ctx, "report.csv", strings.NewReader(report), sms.ID)
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows != 6 || res.Applied != 3 || len(res.Refused) != 3 || res.Refused[0] != (StatusRow{5, "unknown_reference"}) ||
		res.Refused[1] != (StatusRow{6, "no_match"}) || res.Refused[2] != (StatusRow{7, "bad_status"}) {
		t.Fatalf("report: %+v", res)
	}
	if _, err := s.ImportNoticeStatus(ctx, "x.csv", strings.NewReader("name,result\n"), ""); !errors.Is(err, ErrNoticeReport) {
		t.Fatalf("a report without the columns: %v", err)
	}
	sums, err := s.NoticeStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sum := sums[0]
	if sum.Template != "loan-book-borrower" || sum.Customers != 12 || sum.Reached != 12 || sum.Objected != 1 ||
		len(sum.FollowUps) != 1 || sum.FollowUps[0] != (FollowUp{5, "objected"}) || sum.ByChannel[ChannelSMS][NoticeFailed] != 1 {
		// Customer 4's SMS failed but the letter was sent: a second channel, no follow-up.
		t.Fatalf("summary: %+v", sum)
	}
	if itemState(t, s, "customers_notified") == "done" {
		t.Fatal("notified with an objection open")
	}
	if err := s.ResolveFollowUp(ctx, "loan-book-borrower", 5, " "); !errors.Is(err, ErrResolveReason) {
		t.Fatalf("a resolution without a reason: %v", err)
	}
	if err := s.ResolveFollowUp(ctx, "loan-book-borrower", 5, "客户异议已记录，其数据不随包移交，由合规部跟进"); err != nil {
		t.Fatal(err)
	}
	if got := itemState(t, s, "customers_notified"); got != "done" {
		t.Fatalf("customers_notified: %s", got)
	}
	if got := itemState(t, s, "notice_before_export"); got != "done" {
		t.Fatalf("notice_before_export: %s", got)
	}
	// A change to the tracking whose fact was never recomputed (a kill after the change's
	// intent) leaves the fact not counting, never saying more than the tracking does.
	st, _ := s.store()
	if err := st.UpdateMeta([]store.MetaChange{nextNoticeGen(st)}); err != nil {
		t.Fatal(err)
	}
	if got := itemState(t, s, "customers_notified"); got == "done" {
		t.Fatal("a fact behind the tracking's generation counted")
	}
	s.refreshNotifiedFact(ctx)
	if got := itemState(t, s, "customers_notified"); got != "done" {
		t.Fatalf("after recomputing: %s", got)
	}
	nos, err := s.NoticeCustomers(ctx, "loan-book-borrower", NoticeFailed)
	if err != nil || len(nos) != 1 || nos[0] != 4 {
		t.Fatalf("failed: %v %v", nos, err)
	}
	for _, lang := range []string{"zh-CN", "en"} {
		pdf, err := s.NoticeReportPDF(ctx, lang)
		if err != nil || len(pdf) < 1000 {
			t.Fatalf("notice report: %v", err)
		}
		if dir := os.Getenv("HANDOVER_SNAPSHOTS"); dir != "" {
			os.WriteFile(filepath.Join(dir, "notice-report-"+lang+".pdf"), pdf, 0o644)
			for _, b := range []string{out} {
				letters, _ := os.ReadFile(filepath.Join(b, "letters-0001.pdf"))
				os.WriteFile(filepath.Join(dir, "letters-batch.pdf"), letters, 0o644)
			}
		}
	}
	// Past the reply deadline, a reached customer who neither consented nor objected counts
	// as no answer.
	late := noticeSetupFixture()
	late.ReplyBy = model.Date{Y: 2025, M: 1, D: 1}
	if err := s.SetNoticeSetup(ctx, late); err != nil {
		t.Fatal(err)
	}
	if sums, err := s.NoticeStatus(ctx); err != nil || sums[0].NoAnswer != 11 {
		t.Fatalf("no answer: %+v %v", sums, err)
	}
	// A customer imported since is not notified: the fact is stale.
	if err := s.Bulk(ctx, audit.DemoGenerate, func(w *store.Writer) error {
		_, err := w.Add(&store.Book{Customer: model.Customer{Name: "新客户", IDNumber: "11010519491231002X"}})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if got := itemState(t, s, "customers_notified"); got == "done" {
		t.Fatal("notified after a new customer came in")
	}
}

// A placeholder the data cannot fill stops the batch before anything is written, naming
// the template and the field; a restricted vault writes no letters.
func TestNoticeBatchStopsOnMissingValue(t *testing.T) {
	s := noticeVault(t, 3)
	if err := s.SetNoticeSetup(ctx, noticeSetupFixture()); err != nil {
		t.Fatal(err)
	}
	// The customer's contract is missing: stopped at that customer, files removed.
	if err := s.Bulk(ctx, audit.DemoGenerate, func(w *store.Writer) error {
		_, err := w.Add(&store.Book{Customer: model.Customer{Name: "无合同", IDNumber: "11010519491231002X", Address: "北京"}})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "b")
	_, err := s.GenerateNotices(ctx, GenerateRequest{Template: "loan-book-borrower", Channel: ChannelLetter, Out: out, Lang: "zh-CN", AllowTemporaryFolder: true}, nil)
	var missing *notice.MissingFieldError
	if !errors.As(err, &missing) || missing.Field != "contracts" || !strings.Contains(err.Error(), "customer 4") {
		t.Fatalf("a customer without a contract: %v", err)
	}
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Fatalf("a stopped batch left %d files", len(entries))
	}
	if _, err := s.GenerateNotices(ctx, GenerateRequest{Template: "equity-courtesy", Channel: ChannelLetter, Out: out, AllowTemporaryFolder: true}, nil); !errors.Is(err, ErrNoticeTemplate) {
		t.Fatalf("an equity template for a loan book: %v", err)
	}
	if _, err := s.GenerateNotices(ctx, GenerateRequest{Template: "loan-book-guarantor", Channel: ChannelLetter, Out: out, AllowTemporaryFolder: true}, nil); !errors.Is(err, ErrNoticeGuarantor) {
		t.Fatalf("guarantor letters: %v", err)
	}
	if _, err := s.GenerateNotices(ctx, GenerateRequest{Template: "loan-book-borrower", Channel: ChannelSMS, Out: filepath.Join(os.TempDir(), "x")}, nil); !errors.Is(err, ErrNoticeOut) {
		t.Fatalf("a batch into a temporary folder: %v", err)
	}
}

// An administrator saves an edited template in the vault: a placeholder no data fills is
// refused when saved, the version must rise, another role may not save, and new batches use
// the saved version.
func TestNoticeTemplateSaved(t *testing.T) {
	s := noticeVault(t, 3)
	if err := s.SetNoticeSetup(ctx, noticeSetupFixture()); err != nil {
		t.Fatal(err)
	}
	raw, err := s.NoticeTemplateJSON("loan-book-borrower")
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(raw), `"version": 1`, `"version": 2`, 1)
	edited = strings.Replace(edited, "防诈骗提示", "特别提示", 1)
	var pe *PermissionError
	if _, err := s.SaveNoticeTemplate(ctx, []byte(edited)); !errors.As(err, &pe) {
		t.Fatalf("the transferor saved a template: %v", err)
	}
	v, transferor := s.Vault(), s.Operator().ID
	s.Lock()
	admin, err := v.Unlock(adminID(t, v), "admin-passphrase")
	if err != nil {
		t.Fatal(err)
	}
	var unknown *notice.UnknownFieldError
	if _, err := admin.SaveNoticeTemplate(ctx, []byte(strings.Replace(edited, "{{hotline}}", "{{hot_line}}", 1))); !errors.As(err, &unknown) {
		t.Fatalf("a template with an unknown field was saved: %v", err)
	}
	if _, err := admin.SaveNoticeTemplate(ctx, raw); !errors.Is(err, ErrTemplateVersion) {
		t.Fatalf("the same version saved again: %v", err)
	}
	if tpl, err := admin.SaveNoticeTemplate(ctx, []byte(edited)); err != nil || tpl.Version != 2 {
		t.Fatalf("save: %v", err)
	}
	b, err := admin.GenerateNotices(ctx, GenerateRequest{Template: "loan-book-borrower", Channel: ChannelMail, Out: filepath.Join(t.TempDir(), "m"), AllowTemporaryFolder: true}, nil)
	if !errors.As(err, &pe) {
		t.Fatalf("the administrator wrote letters: %v %v", b, err)
	}
	admin.Lock()
	if s, err = v.Unlock(transferor, "operator-pass"); err != nil {
		t.Fatal(err)
	}
	defer s.Lock()
	b, err = s.GenerateNotices(ctx, GenerateRequest{Template: "loan-book-borrower", Channel: ChannelMail, Out: filepath.Join(t.TempDir(), "m"), AllowTemporaryFolder: true}, nil)
	if err != nil || b.Version != 2 {
		t.Fatalf("the batch used version %d: %v", b.Version, err)
	}
	if got, _ := s.NoticeTemplateJSON("loan-book-borrower"); !strings.Contains(string(got), "特别提示") {
		t.Fatal("the saved copy is not the one in use")
	}
}

// A batch may go encrypted to the print shop's age key: every file but the manifest, which
// holds no personal data, decrypts with that key alone.
func TestNoticeBatchEncryptedWithAge(t *testing.T) {
	s := noticeVault(t, 4)
	if err := s.SetNoticeSetup(ctx, noticeSetupFixture()); err != nil {
		t.Fatal(err)
	}
	shop, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "shop")
	if _, err := s.GenerateNotices(ctx, GenerateRequest{Template: "loan-book-borrower", Channel: ChannelMail, Out: out, AgeRecipient: "not-a-key", AllowTemporaryFolder: true}, nil); err == nil {
		t.Fatal("a bad age key was accepted")
	}
	b, err := s.GenerateNotices(ctx, GenerateRequest{Template: "loan-book-borrower", Channel: ChannelMail, Out: out, AgeRecipient: shop.Recipient().String(), AllowTemporaryFolder: true}, nil)
	if err != nil || len(b.Files) != 1 || b.Files[0].Name != "mailing-list.csv.age" {
		t.Fatalf("batch: %+v %v", b, err)
	}
	f, _ := os.Open(filepath.Join(out, "mailing-list.csv.age"))
	defer f.Close()
	r, err := age.Decrypt(f, shop)
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(r)
	if !strings.HasPrefix(string(plain), "seq,reference,recipient,address") || !strings.Contains(string(plain), "客户1") {
		t.Fatalf("decrypted: %.80s", plain)
	}
	if _, err := os.Stat(filepath.Join(out, "manifest.json")); err != nil {
		t.Fatal("the manifest is not beside the encrypted files")
	}
}

// A damaged code bucket stops a report's import with an error, and nothing of the report is
// applied: never a row quietly refused as unknown.
func TestNoticeReportOnDamagedBucket(t *testing.T) {
	s := noticeVault(t, 4)
	if err := s.SetNoticeSetup(ctx, noticeSetupFixture()); err != nil {
		t.Fatal(err)
	}
	b, err := s.GenerateNotices(ctx, GenerateRequest{Template: "loan-book-borrower", Channel: ChannelSMS, Out: filepath.Join(t.TempDir(), "s"), AllowTemporaryFolder: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := s.store()
	first, last := b.Entries[0].Code, b.Entries[1].Code
	if err := st.PutMeta(codesKey(b.ID, last[:2]), "not a bucket"); err != nil {
		t.Fatal(err)
	}
	report := "reference,status\n" + first + ",delivered\n" + last + ",delivered\n"
	if first[:2] == last[:2] {
		report = "reference,status\n" + last + ",delivered\n"
	}
	var ce *store.CorruptError
	if _, err := s.ImportNoticeStatus(ctx, "r.csv", strings.NewReader(report), ""); !errors.As(err, &ce) {
		t.Fatalf("a damaged bucket: %v", err)
	}
	if nos, err := s.NoticeCustomers(ctx, "loan-book-borrower", NoticeDelivered); err != nil || len(nos) != 0 {
		t.Fatalf("a refused import changed deliveries: %v %v", nos, err)
	}
}
