package validate

import (
	"testing"
	"time"

	"handover/store/model"
)

var now = time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)

func reason(p *Problem) string {
	if p == nil {
		return ""
	}
	if p.Warning {
		return "warn:" + string(p.Reason)
	}
	return string(p.Reason)
}

func TestIDNumber(t *testing.T) {
	tests := []struct{ in, want, reason string }{
		{"11010519491231002X", "11010519491231002X", ""},
		{" 11010519491231002x ", "11010519491231002X", ""},
		{"１１０１０５１９４９１２３１００２Ｘ", "11010519491231002X", ""},
		{"110105491231002", "11010519491231002X", "warn:id_legacy15"},
		{"3.70102E+17", "", "id_excel_scientific"},
		{"4.40524E+17", "", "id_excel_scientific"},
		{"110105194912310021", "", "id_checksum"},
		{"110105203012310027", "", "id_birthdate"},
		{"990105194912310026", "", "id_region"},
		{"11010519491231002", "", "id_format"},
		{"1101051949123100AB", "", "id_format"},
		{"", "", "id_format"},
	}
	for _, tc := range tests {
		got, p := IDNumber(tc.in, now)
		if got != tc.want || reason(p) != tc.reason {
			t.Errorf("IDNumber(%q) = %q, %s; want %q, %s", tc.in, got, reason(p), tc.want, tc.reason)
		}
	}
}

func TestPhoneCardName(t *testing.T) {
	phones := []struct{ in, want, reason string }{
		{"13812345678", "13812345678", ""},
		{"+86 138-1234-5678", "13812345678", ""},
		{"0086 13812345678", "13812345678", ""},
		{"１３８１２３４５６７８", "13812345678", ""},
		{"010-62345678", "010-62345678", ""},
		{"0755-8888888", "0755-8888888", ""},
		{"12812345678", "", "phone_format"},
		{"1381234567", "", "phone_format"},
		{"abc", "", "phone_format"},
	}
	for _, tc := range phones {
		got, p := Phone(tc.in)
		if got != tc.want || reason(p) != tc.reason {
			t.Errorf("Phone(%q) = %q, %s", tc.in, got, reason(p))
		}
	}
	cards := []struct{ in, want, reason string }{
		{"6222 0202 0011 2233 445", "6222020200112233445", "warn:card_luhn"},
		{"4111111111111111", "4111111111111111", ""},
		{"12345", "", "card_format"},
		{"62220202001122334455", "", "card_format"},
		{"6222-abcd", "", "card_format"},
	}
	for _, tc := range cards {
		got, p := BankCard(tc.in)
		if got != tc.want || reason(p) != tc.reason {
			t.Errorf("BankCard(%q) = %q, %s", tc.in, got, reason(p))
		}
	}
	names := []struct{ in, reason string }{
		{"欧阳修", ""}, {"", "name_empty"}, {"  ", "name_empty"}, {"张\uFFFD", "name_damaged"}, {"??", "name_damaged"}, {"李？？", "name_damaged"},
	}
	for _, tc := range names {
		if _, p := Name(tc.in); reason(p) != tc.reason {
			t.Errorf("Name(%q) = %s", tc.in, reason(p))
		}
	}
}

func TestAmount(t *testing.T) {
	tests := []struct {
		in     string
		neg    bool
		want   model.Fen
		reason string
	}{
		{"1,234.50", false, 123450, ""},
		{"¥1234.5", false, 123450, ""},
		{"￥1234.5", false, 123450, ""},
		{"1234.50元", false, 123450, ""},
		{"１２３４．５", false, 123450, ""},
		{"0.07", false, 7, ""},
		{"300000", false, 30000000, ""},
		{"-12.30", true, -1230, ""},
		{"-12.30", false, 0, "amount_format"},
		{"1.234", false, 0, "amount_format"},
		{"12,34", false, 0, "amount_format"},
		{"abc", false, 0, "amount_format"},
		{"", false, 0, "amount_format"},
		{"1.", false, 0, "amount_format"},
		{"1e5", false, 0, "amount_format"},
	}
	for _, tc := range tests {
		got, p := Amount(tc.in, tc.neg)
		if got != tc.want || reason(p) != tc.reason {
			t.Errorf("Amount(%q) = %d, %s; want %d, %s", tc.in, got, reason(p), tc.want, tc.reason)
		}
	}
}

func TestDate(t *testing.T) {
	want := model.Date{Y: 2023, M: 1, D: 5}
	for _, in := range []string{"2023-01-05", "2023/1/5", "2023.1.5", "2023年1月5日", "20230105", "44931", "2023-01-05 00:00:00", "２０２３/１/５"} {
		if got, p := Date(in); got != want || p != nil {
			t.Errorf("Date(%q) = %v, %v", in, got, p)
		}
	}
	if got, _ := Date("60"); got != (model.Date{Y: 1900, M: 2, D: 28}) && got != (model.Date{Y: 1900, M: 3, D: 1}) {
		t.Errorf("Excel serial around the 1900 leap-year bug: %v", got)
	}
	for _, in := range []string{"2023/2/30", "2023-13-01", "20230230", "hello", "", "0", "2023年2月30日"} {
		if _, p := Date(in); reason(p) != "date_invalid" {
			t.Errorf("Date(%q) accepted", in)
		}
	}
}

func FuzzIDNumber(f *testing.F) {
	for _, s := range []string{"11010519491231002X", "110105491231002", "3.70102E+17", "", "１１０"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, p := IDNumber(s, now)
		if p == nil || p.Warning {
			// Whatever is accepted must pass the checks again, unchanged.
			again, p2 := IDNumber(got, now)
			if again != got || p2 != nil {
				t.Fatalf("%q accepted as %q, which then gives %q, %v", s, got, again, p2)
			}
		}
	})
}

func FuzzAmount(f *testing.F) {
	for _, s := range []string{"1,234.50", "¥1234.5", "1234.50元", "-1", "0.07", "1e5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fen, p := Amount(s, true)
		if p != nil {
			return
		}
		// Round trip: the yuan text of an accepted amount parses back to the same fen.
		back, p2 := Amount(fen.Yuan(), true)
		if p2 != nil || back != fen {
			t.Fatalf("%q -> %d -> %q -> %d, %v", s, fen, fen.Yuan(), back, p2)
		}
	})
}

func FuzzDate(f *testing.F) {
	for _, s := range []string{"2023-01-05", "2023年1月5日", "44931", "20230230", "2023/2/30"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, p := Date(s)
		if p != nil {
			return
		}
		back, p2 := Date(d.String())
		if p2 != nil || back != d {
			t.Fatalf("%q -> %v -> %v, %v", s, d, back, p2)
		}
	})
}

func TestCreditCode(t *testing.T) {
	for _, c := range []struct{ in, want, reason string }{
		{"91350100M000100Y43", "91350100M000100Y43", ""},
		{"91110000802100433b", "91110000802100433B", ""},
		{"９１４４０３００７１５２６７２６ＸＧ", "9144030071526726XG", ""},
		{"9131-0000-7178-6638-9C", "91310000717866389C", ""},
		{"91310000717866389D", "", "credit_code_checksum"},
		{"91310000717866389", "", "credit_code_format"},
		{"9131000071786638IC", "", "credit_code_format"},
		{"", "", "credit_code_format"},
	} {
		got, p := CreditCode(c.in)
		reason := ""
		if p != nil {
			reason = string(p.Reason)
		}
		if got != c.want || reason != c.reason {
			t.Errorf("%q: %q %q, want %q %q", c.in, got, reason, c.want, c.reason)
		}
	}
}

func FuzzCreditCode(f *testing.F) {
	f.Add("91350100M000100Y43")
	f.Add("９１４４０３００７１５２６７２６ＸＧ")
	f.Fuzz(func(t *testing.T, s string) {
		got, p := CreditCode(s)
		if p == nil {
			if again, p2 := CreditCode(got); p2 != nil || again != got {
				t.Fatalf("%q normalises to %q, which does not validate to itself", s, got)
			}
			if got[17] != CreditCodeCheck(got[:17]) {
				t.Fatal("accepted with a wrong check character")
			}
		}
	})
}
