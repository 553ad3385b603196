package ui

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"

	"handover/app/demo"
	"handover/app/vault"
	"handover/store/model"
)

// TestNoticeScreen walks the notices as a clerk would on a loan-book deal: the settings
// shown, a letter previewed for a real customer, an SMS batch written into a chosen folder,
// the batch marked sent, a gateway report read with a row that matches nothing, and the
// counts; then the screen is looked at in both languages.
func TestNoticeScreen(t *testing.T) {
	t.Setenv("HANDOVER_NOTICE_ALLOW_TMP", "1") // the test's folders are temporary ones
	for _, code := range []string{"zh-CN", "en"} {
		dir := demoVaultWithDeal(t, 8, "loan-book")
		a := newTestApp(t, "")
		if err := setLanguage(code); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { setLanguage("zh-CN") })
		if err := a.OpenVault(dir); err != nil {
			t.Fatal(err)
		}
		unlockAs(t, a, demo.OperatorName, DemoPassphrase)
		eventually(t, "sign-in", func() bool { return a.shell != nil })
		a.win.Resize(fyne.NewSize(1024, 768))
		a.shell.show("notices")
		v := a.shell.notices
		if !strings.Contains(v.settings.Text, "2027-01-01") || !strings.Contains(v.settings.Text, "【示范金融】") {
			t.Fatalf("settings: %s", v.settings.Text)
		}
		eventually(t, "the counts", func() bool { return strings.Contains(v.status.Text, "8") })
		out := t.TempDir()
		a.chooser = stubChooser{out}
		// The preview asks for the customer in a form; its saving step is what the form runs.
		v.a.saveTo(L("notice.preview"), "notice.preview_saved", func(dir string) (string, error) {
			pdf, err := v.s.PreviewNotice(t.Context(), v.templates[0].ID, 1, currentLang())
			if err != nil {
				return "", err
			}
			p := filepath.Join(dir, "preview.pdf")
			return p, os.WriteFile(p, pdf, 0o600)
		})
		browseAndUse(t, a)
		if _, err := os.Stat(filepath.Join(out, "preview.pdf")); err != nil {
			t.Fatal(err)
		}
		smsDir := filepath.Join(out, "sms")
		v.writeBatch("loan-book-borrower", "sms", smsDir)
		eventually(t, "the batch", func() bool { return v.lastBatch != nil })
		if v.lastBatch.Count+len(v.lastBatch.Skipped) != 8 {
			t.Fatalf("batch: %+v", v.lastBatch)
		}
		v.markSent(v.lastBatch.ID)
		f, _ := os.Open(filepath.Join(smsDir, "sms.csv"))
		rows, _ := csv.NewReader(f).ReadAll()
		f.Close()
		report := filepath.Join(out, "report.csv")
		os.WriteFile(report, []byte("参考号,状态\n"+rows[1][2]+",成功\nZZZZ-ZZZZ,成功\n"), 0o600)
		v.readReport(report, v.lastBatch.ID)
		if v.lastReport == nil || v.lastReport.Applied != 1 || len(v.lastReport.Refused) != 1 {
			t.Fatalf("report: %+v", v.lastReport)
		}
		eventually(t, "the counts after sending", func() bool {
			return strings.Contains(v.status.Text, L("notice.summary", map[string]any{"Title": v.templates[0].Title[code], "Customers": 8,
				"Reached": v.lastBatch.Count, "Pending": len(v.lastBatch.Skipped), "Consented": 0, "Objected": 0, "FollowUps": 0}))
		})
		// The dashboard counts the notices too.
		a.shell.show("deal")
		eventually(t, "the dashboard's notice line", func() bool {
			return a.shell.deal.notices != nil && strings.Contains(a.shell.deal.notices.Text, fmt.Sprint(v.lastBatch.Count))
		})
		a.shell.show("notices")
		v = a.shell.notices
		// The change-over: the plan and a repayment received after the cut-off.
		c := v.continuity
		d := func(y, m, day int) model.Date { return model.Date{Y: y, M: m, D: day} }
		if _, err := v.s.SetContinuityPlan(t.Context(), vault.ContinuityPlan{OldAccountCloses: d(2027, 3, 31), NewAccountFrom: d(2027, 1, 1),
			Complaints: "受让方客服部", CreditReporter: "transferee", CreditReportingFrom: d(2027, 2, 1)}); err != nil {
			t.Fatal(err)
		}
		if _, err := v.s.AddForwardedPayment(t.Context(), 1, 123456, d(2027, 1, 5), model.Date{}, "", nil); err != nil {
			t.Fatal(err)
		}
		c.refresh()
		eventually(t, "the continuity summary", func() bool {
			return strings.Contains(c.summary.Text, "1,234.56") && strings.Contains(c.summary.Text, "2027-03-31") &&
				strings.Contains(c.summary.Text, L("cont.due_window", map[string]any{"Days": 90, "Customers": 0})[:2])
		})
		for _, o := range a.win.Canvas().Overlays().List() {
			a.win.Canvas().Overlays().Remove(o) // the information dialogs, to see the screen
		}
		snapshot(t, a, "notices-"+code)
		for _, txt := range []string{v.settings.Text, v.status.Text} {
			if strings.Contains(txt, "notice.") {
				t.Fatalf("a raw key: %s", txt)
			}
		}
	}
}
