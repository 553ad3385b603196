package model

import (
	"testing"
	"time"
)

// TestDaysInAgreesWithTime: the month lengths the date checks use are the calendar's, leap
// years of every kind included, over the whole range a date may have.
func TestDaysInAgreesWithTime(t *testing.T) {
	for y := 1899; y <= 2201; y++ {
		for m := 1; m <= 12; m++ {
			want := time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
			if got := DaysIn(y, m); got != want {
				t.Fatalf("%d-%02d: %d days, want %d", y, m, got, want)
			}
		}
	}
}
