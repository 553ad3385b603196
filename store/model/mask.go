package model

import "strings"

// Masked returns value as shown to an operator who has not revealed it.
func Masked(m Mask, value string) string {
	if value == "" {
		return ""
	}
	r := []rune(value)
	switch m {
	case MaskName:
		return string(r[0]) + strings.Repeat("*", max(len(r)-1, 1))
	case MaskID:
		if len(r) < 8 {
			return strings.Repeat("*", len(r))
		}
		return string(r[:4]) + strings.Repeat("*", len(r)-8) + string(r[len(r)-4:])
	case MaskPhone:
		if len(r) < 7 {
			return strings.Repeat("*", len(r))
		}
		return string(r[:3]) + strings.Repeat("*", len(r)-7) + string(r[len(r)-4:])
	case MaskCard:
		if len(r) < 8 {
			return strings.Repeat("*", len(r))
		}
		return string(r[:4]) + " **** **** " + string(r[len(r)-4:])
	case MaskAddress:
		keep := min(6, len(r)/2)
		return string(r[:keep]) + "****"
	}
	return value
}
