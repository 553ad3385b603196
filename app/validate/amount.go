package validate

import (
	"strings"

	"handover/store/model"
)

// Amount parses money into exact fen: "1,234.50", "¥1234.5", "1234.50元", full-width digits.
// More than two decimals, text, or a negative amount where none is allowed is refused:
// rounding or guessing would break the control totals both parties compare.
func Amount(raw string, allowNegative bool) (model.Fen, *Problem) {
	s := fold(raw)
	s = strings.TrimPrefix(strings.TrimPrefix(s, "¥"), "￥")
	s = strings.TrimPrefix(s, "RMB")
	s = strings.TrimSuffix(strings.TrimSuffix(s, "元"), "圆")
	s = strings.TrimSpace(s)
	neg := false
	if strings.HasPrefix(s, "-") {
		neg, s = true, s[1:]
	}
	intPart, frac, hasDot := strings.Cut(s, ".")
	if hasDot && (len(frac) == 0 || len(frac) > 2 || !allDigits(frac)) {
		return 0, fail(AmountFormat, "an amount has at most two decimals (fen)")
	}
	if !validGrouping(intPart) {
		return 0, fail(AmountFormat, "not an amount: use digits, an optional decimal point and thousands commas")
	}
	digits := strings.ReplaceAll(intPart, ",", "")
	if len(digits) > 15 {
		return 0, fail(AmountFormat, "the amount is too large")
	}
	var fen int64
	for i := range len(digits) {
		fen = fen*10 + int64(digits[i]-'0')
	}
	fen *= 100
	for i, c := range frac {
		if i == 0 {
			fen += int64(c-'0') * 10
		} else {
			fen += int64(c - '0')
		}
	}
	if neg {
		if !allowNegative {
			return 0, fail(AmountFormat, "a negative amount is not allowed here")
		}
		fen = -fen
	}
	return model.Fen(fen), nil
}

// validGrouping accepts "1234" and "1,234,567" but not "12,34" or "".
func validGrouping(s string) bool {
	if !strings.Contains(s, ",") {
		return allDigits(s)
	}
	groups := strings.Split(s, ",")
	if len(groups[0]) < 1 || len(groups[0]) > 3 || !allDigits(groups[0]) {
		return false
	}
	for _, g := range groups[1:] {
		if len(g) != 3 || !allDigits(g) {
			return false
		}
	}
	return true
}
