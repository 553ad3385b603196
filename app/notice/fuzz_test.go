package notice

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// A delivery report of any bytes is read or refused, never a panic; what is read keeps its
// row numbers in order and only statuses this program knows.
func FuzzReadReport(f *testing.F) {
	f.Add([]byte("reference,status,reason\n7K3M-Q9TD,delivered,\nABCD-EFGH,失败,空号\n"))
	f.Add([]byte("\xef\xbb\xbf手机号,状态\n13900000001,DELIVRD\n"))
	f.Add([]byte("mobile,status\n\"13900000001\",\"un\"\"known\"\n"))
	f.Add([]byte("status\nx\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		rows, err := ReadReport(bytes.NewReader(b))
		if err != nil {
			return
		}
		for i, r := range rows {
			if r.Row != i+2 {
				t.Fatalf("row %d numbered %d", i, r.Row)
			}
			if r.Status != "" && reportStatuses[r.Status] != r.Status && !strings.Contains(ReportDelivered+ReportSent+ReportFailed+ReportReturned+ReportUnknown+ReportConsented+ReportObjected, r.Status) {
				t.Fatalf("status %q", r.Status)
			}
		}
	})
}

// A template of any bytes is accepted or refused, never a panic; an accepted one names only
// known fields, and filled with a value for each it leaves no placeholder.
func FuzzParseTemplate(f *testing.F) {
	for _, name := range []string{"loan-book-borrower", "merger-borrower", "equity-courtesy"} {
		b, err := os.ReadFile("../../assets/notices/" + name + ".json")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		tpl, err := Parse(b)
		if err != nil {
			return
		}
		for _, p := range tpl.Placeholders() {
			if _, ok := Fields[p]; !ok {
				t.Fatalf("unknown field %q accepted", p)
			}
		}
		for _, lang := range []string{"zh-CN", "en"} {
			title, paras, _, err := tpl.Render(lang, sample())
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range append(paras, title) {
				if placeholder.MatchString(s) {
					t.Fatalf("a placeholder left in %q", s)
				}
			}
		}
	})
}

// A normalised code normalises to itself; segments never fall as a message grows.
func FuzzCodeAndSegments(f *testing.F) {
	f.Add("7k3m-q9td", "【乙小贷】您好")
	f.Add("OIL0 0000", strings.Repeat("a", 160))
	f.Fuzz(func(t *testing.T, code, msg string) {
		if c := NormalizeCode(code); c != "" && NormalizeCode(c) != c {
			t.Fatalf("%q → %q → %q", code, c, NormalizeCode(c))
		}
		if n, m := Segments(msg), Segments(msg+"a"); m < n || (msg != "" && n < 1) {
			t.Fatalf("%q: %d segments, with one more character %d", msg, n, m)
		}
	})
}
