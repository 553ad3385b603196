package vault

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// A review never done is due; doing it records its result and evidence and moves the due
// date a period on; once the period has passed it is overdue again.
func TestReviewsDueAndDone(t *testing.T) {
	admin, _ := newVault(t)
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	admin.v.opts.Now = func() time.Time { return now }
	rs, err := admin.Reviews(ctx)
	if err != nil || len(rs) != 5 {
		t.Fatalf("reviews: %d %v", len(rs), err)
	}
	for _, r := range rs {
		if !r.DueNow || r.Last != nil {
			t.Fatalf("%s never done is not due: %+v", r.ID, r)
		}
	}
	if _, err := admin.DoReview(ctx, "restore_test", "pass", "", "", nil); !errors.Is(err, ErrReviewFile) {
		t.Fatalf("a restore test without its record: %v", err)
	}
	if _, err := admin.DoReview(ctx, "access_review", "fail", "", "", nil); !errors.Is(err, ErrReviewResult) {
		t.Fatalf("a failure without a note: %v", err)
	}
	rec, err := admin.DoReview(ctx, "audit_verify", "", "", "", nil)
	if err != nil || rec.Result != "pass" || rec.Recorded["events"] == "" {
		t.Fatalf("audit verification: %+v %v", rec, err)
	}
	rec, err = admin.DoReview(ctx, "access_review", "pass", "全部确认", "", nil)
	if err != nil || !strings.Contains(rec.Recorded["管理员甲"], "admin") {
		t.Fatalf("access review: %+v %v", rec, err)
	}
	if rec, err = admin.DoReview(ctx, "restore_test", "pass", "恢复到备用机并核对账目一致", "restore.pdf", strings.NewReader("record")); err != nil || rec.SHA256 == "" {
		t.Fatalf("restore test: %+v %v", rec, err)
	}
	rs, _ = admin.Reviews(ctx)
	for _, r := range rs {
		switch r.ID {
		case "audit_verify":
			if r.DueNow || r.Due.String() != "2026-12-31" {
				t.Fatalf("after it was done: %+v", r)
			}
		case "open_findings":
			if !r.DueNow {
				t.Fatal("a review not done is no longer due")
			}
		}
	}
	now = now.AddDate(0, 0, 32)
	rs, _ = admin.Reviews(ctx)
	for _, r := range rs {
		if r.ID == "audit_verify" && !r.Overdue {
			t.Fatalf("a month later: %+v", r)
		}
	}
	pdf, err := admin.ReviewsReportPDF(ctx, "zh-CN")
	if err != nil || !strings.HasPrefix(string(pdf), "%PDF") {
		t.Fatal(err)
	}
}
