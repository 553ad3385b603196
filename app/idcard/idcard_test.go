package idcard

import (
	"errors"
	"testing"
	"time"
)

var now = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func TestValidate(t *testing.T) {
	tests := []struct {
		id   string
		want error
	}{
		{"11010519491231002X", nil}, // the standard's own example
		{"440524190001010017", nil},
		{"440524188001010014", ErrBirthdate}, // before 1890
		{"11010519491231002", ErrFormat},
		{"1101051949123100XX", ErrFormat},
		{"110105194912310021", ErrChecksum},
		{"99010519491231002X", ErrRegion},
		{"110105194902300020", ErrBirthdate},
		{"110105203001010020", ErrBirthdate},
	}
	for _, tc := range tests {
		if got := Validate(tc.id, now); !errors.Is(got, tc.want) {
			t.Errorf("Validate(%s) = %v, want %v", tc.id, got, tc.want)
		}
	}
}

func FuzzValidate(f *testing.F) {
	f.Add("11010519491231002X")
	f.Add("")
	f.Fuzz(func(t *testing.T, id string) {
		if Validate(id, now) == nil && CheckDigit(id[:17]) != id[17] {
			t.Fatalf("accepted %q with a wrong check digit", id)
		}
	})
}
