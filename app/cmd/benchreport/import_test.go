//go:build linux

package main

import (
	"testing"
	"time"
)

// TestImportAfterUnlock reads the line `handover import` ends with (app/cli/import.go).
func TestImportAfterUnlock(t *testing.T) {
	whole := 40 * time.Second
	for _, tc := range []struct {
		stderr string
		want   time.Duration
	}{
		{"  100 rows\nimport took 37.5 s (unlocking the vault 1.3 s, after unlocking 36.214 s)\n", 36214 * time.Millisecond},
		{"import took 2.0 s (unlocking the vault 1.0 s, after unlocking 1.000 s)", time.Second},
		{"an older binary says nothing of it\n", whole},
	} {
		if got := importAfterUnlock(tc.stderr, whole); got != tc.want {
			t.Errorf("%q: %v, want %v", tc.stderr, got, tc.want)
		}
	}
}
