package importer

import "testing"

// TestTotalsKind: totals and subtotal rows are told by their first non-empty cell, with
// spaces, colons and case ignored; records (names, contract numbers, dates) are not.
func TestTotalsKind(t *testing.T) {
	cases := []struct {
		fields []string
		want   totalsRowKind
	}{
		{[]string{"合计", "2"}, totalsRow},
		{[]string{"", " ", "合　计：", "100.00"}, totalsRow},
		{[]string{"总合计"}, totalsRow},
		{[]string{"合计金额"}, totalsRow},
		{[]string{"累计:"}, totalsRow},
		{[]string{"Grand Total", ""}, totalsRow},
		{[]string{"TOTALS"}, totalsRow},
		{[]string{" 小计 "}, subtotalRow},
		{[]string{"SubTotal"}, subtotalRow},
		{[]string{"合同"}, notTotals},
		{[]string{"总经理"}, notTotals},
		{[]string{"张三", "合计"}, notTotals},
		{[]string{"XD202408-100001-1", "2024-09-01"}, notTotals},
		{[]string{"tom"}, notTotals},
		{[]string{"", ""}, notTotals},
		{nil, notTotals},
	}
	for _, c := range cases {
		if got := totalsKind(c.fields); got != c.want {
			t.Errorf("totalsKind(%q) = %d, want %d", c.fields, got, c.want)
		}
	}
}
