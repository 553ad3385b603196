package model

import (
	"fmt"
	"strconv"
)

// Fen is an amount of money in 分 (1/100 yuan). Money is never a float: sums over a million
// loans must match to the fen on both sides of a handover.
type Fen int64

// Yuan formats f as yuan with two decimals and thousands separators: 1,234,567.89.
func (f Fen) Yuan() string {
	neg := f < 0
	if neg {
		f = -f
	}
	res := fmt.Sprintf("%s.%02d", Group(int64(f/100)), int64(f%100))
	if neg {
		res = "-" + res
	}
	return res
}

// Group writes a non-negative whole number with thousands separators: 1,000,000.
func Group(n int64) string {
	s := strconv.FormatInt(n, 10)
	out := make([]byte, 0, len(s)+len(s)/3)
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return string(out)
}
