package checklist

import (
	"errors"
	"testing"
)

// Planned dates typed the way clerks type them are kept as YYYY-MM-DD; what is not a date is
// refused by field.
func TestDealDates(t *testing.T) {
	d := &Deal{Type: LoanBook, RecipientLocation: Mainland,
		Transferor:   Party{Name: "甲小额贷款有限公司", CreditCode: "91330100MA27XY012B"},
		Transferee:   Party{Name: "乙小额贷款有限公司", CreditCode: "91110108MA01ABC037"},
		PlannedStart: "2026/12/1", PlannedEnd: "2027年1月31日"}
	if err := d.Normalize(); err != nil {
		t.Fatal(err)
	}
	if d.PlannedStart != "2026-12-01" || d.PlannedEnd != "2027-01-31" {
		t.Fatalf("dates %q %q", d.PlannedStart, d.PlannedEnd)
	}
	d.PlannedEnd = "next month"
	var de *DealError
	if err := d.Normalize(); !errors.As(err, &de) || de.Field != "planned_end" {
		t.Fatalf("not a date: %v", err)
	}
}
