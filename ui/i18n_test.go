package ui

import "testing"

func TestTightenCJK(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"口令至少 8 个字符。", "口令至少8个字符。"},
		{"C2 级 数据", "C2级数据"},
		{"第 {{.Row}} 行", "第{{.Row}}行"},
		{"口令错误。 请检查", "口令错误。请检查"},
		{"Excel“Unicode 文本”", "Excel“Unicode文本”"},
		{"handover cert verify FILE", "handover cert verify FILE"},
		{"（UTC+8） 中文", "（UTC+8）中文"},
		{"a  b", "a  b"},
		{"", ""},
	} {
		if got := tightenCJK(tc.in); got != tc.want {
			t.Errorf("tightenCJK(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
