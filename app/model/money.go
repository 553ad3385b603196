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
	s := strconv.FormatInt(int64(f/100), 10)
	var out []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	res := fmt.Sprintf("%s.%02d", out, int64(f%100))
	if neg {
		res = "-" + res
	}
	return res
}
