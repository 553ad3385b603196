package vault

import (
	"errors"
	"testing"
	"time"
)

func TestDetectSearchKind(t *testing.T) {
	for _, tc := range []struct {
		q    string
		want SearchKind
	}{
		{"11010519491231002X", ByIDNumber}, {"110105491231002", ByIDNumber}, {"110105194912310021", ByIDNumber},
		{"13812345678", ByPhone}, {"+86 138-1234-5678", ByPhone}, {"张", ByNamePrefix}, {"欧阳娜", ByNamePrefix},
		{"XD202406-100001-1", ByContract}, {"JJ-2024-001", ByContract}, {"Zhang", ByNamePrefix},
	} {
		if got := DetectSearchKind(tc.q); got != tc.want {
			t.Errorf("DetectSearchKind(%q) = %s, want %s", tc.q, got, tc.want)
		}
	}
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	var se *SearchIDError
	if err := CheckSearchedID("110105194912310021", now); !errors.As(err, &se) || se.Reason != "id_checksum" {
		t.Fatalf("a wrong check digit: %v", err)
	}
	if err := CheckSearchedID("11010519491231002X", now); err != nil {
		t.Fatalf("a valid number: %v", err)
	}
}
