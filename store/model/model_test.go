package model

import (
	"encoding/json"
	"testing"
)

func TestYuan(t *testing.T) {
	tests := map[Fen]string{0: "0.00", 5: "0.05", 123456789: "1,234,567.89", -100050: "-1,000.50", 100: "1.00"}
	for f, want := range tests {
		if got := f.Yuan(); got != want {
			t.Errorf("Fen(%d).Yuan() = %q, want %q", f, got, want)
		}
	}
}

func TestDates(t *testing.T) {
	d := Date{2024, 1, 31}
	if got := d.AddMonths(1); got != (Date{2024, 2, 29}) {
		t.Errorf("Jan 31 + 1 month = %v", got)
	}
	if got := d.AddMonths(13); got != (Date{2025, 2, 28}) {
		t.Errorf("+13 months = %v", got)
	}
	if n := (Date{2024, 2, 28}).DaysUntil(Date{2024, 3, 1}); n != 2 {
		t.Errorf("days = %d", n)
	}
	b, _ := json.Marshal(struct {
		D Date `json:"d"`
		Z Date `json:"z,omitzero"`
	}{D: Date{2023, 1, 5}})
	if string(b) != `{"d":"2023-01-05"}` {
		t.Errorf("json = %s", b)
	}
	var back Date
	if err := back.UnmarshalText([]byte("2023-02-30")); err == nil {
		t.Error("impossible date accepted")
	}
}

func TestMasked(t *testing.T) {
	tests := []struct {
		m        Mask
		in, want string
	}{
		{MaskID, "11010519491231002X", "1101**********002X"},
		{MaskPhone, "13812345678", "138****5678"},
		{MaskCard, "6222020200112233445", "6222 **** **** 3445"},
		{MaskName, "欧阳修", "欧**"},
		{MaskName, "王五", "王*"},
		{MaskAddress, "北京市朝阳区建国路1号", "北京市朝阳****"},
		{MaskID, "", ""},
	}
	for _, tc := range tests {
		if got := Masked(tc.m, tc.in); got != tc.want {
			t.Errorf("Masked(%d, %q) = %q, want %q", tc.m, tc.in, got, tc.want)
		}
	}
}

func TestEveryFieldClassified(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range Fields {
		key := f.Table + "." + f.Field
		if seen[key] {
			t.Errorf("%s classified twice", key)
		}
		seen[key] = true
		if f.Level == C3 {
			t.Errorf("%s is C3, which must never be stored", key)
		}
	}
	for _, k := range []string{"customers.id_number", "customers.phone", "customers.bank_card", "loans.outstanding"} {
		if f, ok := Field(k[:len(k)-len(k[indexDot(k)+1:])-1], k[indexDot(k)+1:]); !ok || f.Level != C2 {
			t.Errorf("%s should be C2", k)
		}
	}
}

func indexDot(s string) int {
	for i := range s {
		if s[i] == '.' {
			return i
		}
	}
	return -1
}

// FuzzUnmarshalDate checks that every accepted date round-trips to the same text.
func FuzzUnmarshalDate(f *testing.F) {
	for _, s := range []string{"2023-01-05", "2024-02-29", "0001-01-01", "", "2023-13-01", "２０２３-01-05"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var d Date
		if d.UnmarshalText([]byte(s)) != nil || d.IsZero() {
			return
		}
		if d.String() != s {
			t.Fatalf("%q parsed to %v", s, d)
		}
	})
}
