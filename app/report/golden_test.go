package report

import (
	"strings"
	"testing"
	"time"

	"handover/app/audit"
	"handover/app/checklist"
	"handover/app/doc/doctest"
	"handover/app/retention"
	"handover/store/model"
)

var now = time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC)

func goldenChecklist() *checklist.Snapshot {
	return &checklist.Snapshot{DealType: "loan-book", RecipientLocation: "mainland",
		Transferor: checklist.SnapshotParty{Name: "甲小额贷款有限公司", CreditCode: "91110000MA01ABCD1X"},
		Transferee: checklist.SnapshotParty{Name: "乙小额贷款有限公司", CreditCode: "91110000MA01ABCE2Y"},
		Items: []checklist.SnapshotItem{
			{ID: "nda_signed", Phase: "prepare", State: "done", Title: map[string]string{"zh-CN": "保密协议已签署", "en": "NDA signed"},
				By: "李四", At: now.Add(-time.Hour), Evidence: []checklist.EvidenceFile{{Name: "nda.pdf", SHA256: strings.Repeat("ef", 32)}}},
			{ID: "cross_border", Phase: "prepare", State: "done", Basis: "not_applicable", Title: map[string]string{"zh-CN": "跨境", "en": "Cross-border"}},
			{ID: "signoff_transferor", Phase: "close", State: "open", Title: map[string]string{"zh-CN": "出让方签认", "en": "Transferor sign-off"}},
		}}
}

func goldenAudit() *AuditSummary {
	evs := []audit.Event{
		{Seq: 1, Time: now.Add(-2 * time.Hour), Operator: "op-1", Action: "vault.create", Outcome: "ok"},
		{Seq: 2, Time: now.Add(-time.Hour), Operator: "op-1", Action: "vault.unlock", Outcome: "failed"},
		{Seq: 3, Time: now.Add(-time.Minute), Operator: "op-2", Action: "customer.reveal", Outcome: "ok", Target: "C000001"},
	}
	s := Summarise(evs, time.Time{}, time.Time{})
	s.Vault, s.Issued, s.Workstation, s.LogEvents = "v-golden", now, "ws-golden", 3
	s.Operators = map[string]string{"op-1": "王五", "op-2": "赵六"}
	s.Checkpoint = "handover/v-golden\n3\nAAAA\n\n— sig\n"
	return s
}

// The reports' bytes are a function of their inputs alone: the same inputs give the golden
// bytes in both languages.
func TestReportsGolden(t *testing.T) {
	for _, lang := range []string{"zh-CN", "en"} {
		pdf, err := RenderChecklist(goldenChecklist(), "v-golden", "ws-golden", now, lang)
		if err != nil {
			t.Fatal(err)
		}
		doctest.Golden(t, "checklist-"+lang+".pdf", pdf)
		pdf, err = RenderAudit(goldenAudit(), lang)
		if err != nil {
			t.Fatal(err)
		}
		doctest.Golden(t, "audit-"+lang+".pdf", pdf)
	}
}

// The retention report's bytes are a function of its inputs.
func TestRetentionReportGolden(t *testing.T) {
	rules, err := retention.Load()
	if err != nil {
		t.Fatal(err)
	}
	r := &Retention{Vault: "v-golden", Workstation: "ws-golden", Issued: now, AsOf: model.Date{Y: 2026, M: 11, D: 28},
		Classes: rules.Classes, Keeper: "transferee", KeeperYears: 10, KeeperConfirmed: "王律师", Active: 9, Ended: 3, Due: 1, Held: 2,
		ByYear: map[int]int64{2026: 1, 2035: 2}, Holds: []RetentionHold{{ID: "HOLD-1", Case: "（2026）京0105民初1号", Customers: 2}}}
	for i, c := range rules.Classes[:5] {
		n := int64(10 * (i + 1))
		r.Records = append(r.Records, RetentionRecords{Class: c, Records: n, Open: n / 2, Due: n / 5, Kept: n / 10, ByYear: map[int]int64{2027: 1, 2030: 2, 2035: n / 5}})
	}
	for _, lang := range []string{"zh-CN", "en"} {
		pdf, err := RenderRetention(r, lang)
		if err != nil {
			t.Fatal(err)
		}
		doctest.Golden(t, "retention-"+lang+".pdf", pdf)
	}
}

// The notice report's bytes are a function of its inputs.
func TestNoticeReportGolden(t *testing.T) {
	r := &Notices{Vault: "v-golden", Workstation: "ws-golden", Issued: now, DealType: "loan-book",
		Cutoff: model.Date{Y: 2027, M: 1, D: 1}, ReplyBy: model.Date{Y: 2026, M: 12, D: 31},
		Templates: []NoticeTemplate{{ID: "loan-book-borrower", Title: "债权转让及个人信息提供通知书", Required: true, Customers: 20000, Reached: 19990,
			Pending: 10, Consented: 15000, Objected: 3, ByChannel: map[string]map[string]int{"letter": {"sent": 19800, "returned": 200}, "sms": {"delivered": 19500, "failed": 480, "unknown": 20}},
			FollowUps: []model.CustomerNo{17, 4242, 19999}, FollowUpReasons: []string{"failed", "objected", "objected"}}},
		Batches: []NoticeBatch{{ID: "NB-20261128-160000-AB12", Template: "loan-book-borrower", Channel: "letter", Manifest: strings.Repeat("ab", 32), Count: 20000}}}
	for _, lang := range []string{"zh-CN", "en"} {
		pdf, err := RenderNotices(r, lang)
		if err != nil {
			t.Fatal(err)
		}
		doctest.Golden(t, "notices-"+lang+".pdf", pdf)
	}
}
