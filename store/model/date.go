package model

import (
	"fmt"
	"time"
)

// Date is a calendar date without time zone: a loan's maturity is a day, not an instant.
// It is stored as "2006-01-02".
type Date struct{ Y, M, D int }

// DateOf returns the calendar date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, int(m), d}
}

// DaysIn is the length of month m (1-12) of year y in the Gregorian calendar. Asking
// time.Date whether a date exists cost a repayments import most of a second.
func DaysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// IsZero reports whether d is the zero date (unset).
func (d Date) IsZero() bool { return d == Date{} }

// Time returns midnight UTC of d.
func (d Date) Time() time.Time { return time.Date(d.Y, time.Month(d.M), d.D, 0, 0, 0, 0, time.UTC) }

// AddMonths adds n calendar months, clamping to the month's last day (Jan 31 + 1 = Feb 28).
func (d Date) AddMonths(n int) Date {
	first := time.Date(d.Y, time.Month(d.M)+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return Date{first.Year(), int(first.Month()), min(d.D, last)}
}

// DaysUntil returns the number of days from d to e (negative if e is earlier).
func (d Date) DaysUntil(e Date) int { return int(e.Time().Sub(d.Time()).Hours() / 24) }

// Before reports whether d is earlier than e.
func (d Date) Before(e Date) bool { return d.Time().Before(e.Time()) }

// AddDays is the date n days later (earlier if n is negative).
func (d Date) AddDays(n int) Date { return DateOf(d.Time().AddDate(0, 0, n)) }

// Compare is -1, 0 or +1 as d is before, the same day as, or after e.
func (d Date) Compare(e Date) int { return d.Time().Compare(e.Time()) }

func (d Date) String() string { return string(d.appendTo(nil)) }

// Append appends the date as String gives it, without allocating.
func (d Date) Append(b []byte) []byte { return d.appendTo(b) }

// appendTo appends YYYY-MM-DD without fmt: dates are marshalled millions of times in bulk.
func (d Date) appendTo(b []byte) []byte {
	if d.IsZero() {
		return b
	}
	y := d.Y
	b = append(b, byte('0'+y/1000%10), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-')
	b = append(b, byte('0'+d.M/10%10), byte('0'+d.M%10), '-')
	return append(b, byte('0'+d.D/10%10), byte('0'+d.D%10))
}

// MarshalText implements encoding.TextMarshaler.
func (d Date) MarshalText() ([]byte, error) { return d.appendTo(make([]byte, 0, 10)), nil }

// UnmarshalText implements encoding.TextUnmarshaler; it accepts only the stored form.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	t, err := time.Parse("2006-01-02", string(b))
	if err != nil {
		return fmt.Errorf("date %q: want YYYY-MM-DD", b)
	}
	*d = DateOf(t)
	return nil
}
