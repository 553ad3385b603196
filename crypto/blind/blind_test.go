package blind

import "testing"

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{" 11010519491231002x ", "11010519491231002X"},
		{"１３８００１３８０００", "13800138000"},
		{"ＨＴ－２０２３", "HT－2023"},
		{"张三", "张三"},
	}
	for _, tc := range tests {
		if got := Normalize(tc.in); got != tc.want {
			t.Errorf("Normalize(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestTagsSeparateKindsAndKeys(t *testing.T) {
	a := NewTagger([]byte("k1"))
	b := NewTagger([]byte("k2"))
	if a.Tag(Phone, "13800138000") != a.Tag(Phone, "１３８００１３８０００") {
		t.Fatal("normalised values give different tags")
	}
	if a.Tag(Phone, "x") == a.Tag(Contract, "x") {
		t.Fatal("kinds share a tag space")
	}
	if a.Tag(Phone, "x") == b.Tag(Phone, "x") {
		t.Fatal("keys share a tag space")
	}
}
