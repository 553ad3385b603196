package keyslot

import (
	"bytes"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

var master = bytes.Repeat([]byte{7}, MasterKeySize)

func TestRoundTrip(t *testing.T) {
	slot, err := Wrap(master, "op-1", "correct horse", 10)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Unwrap(slot, "op-1", "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, master) {
		t.Fatal("master key changed in round trip")
	}
}

func TestRefusals(t *testing.T) {
	slot, err := Wrap(master, "op-1", "correct horse", 10)
	if err != nil {
		t.Fatal(err)
	}
	absurd := regexp.MustCompile(`(?m)^(-> scrypt \S+) 10$`).ReplaceAll(slot, []byte("$1 40"))
	if bytes.Equal(absurd, slot) {
		t.Fatal("test did not rewrite the work factor")
	}
	tests := []struct {
		name     string
		slot     []byte
		operator string
		pass     string
		want     error
	}{
		{"wrong passphrase", slot, "op-1", "battery staple", ErrWrongPassphrase},
		{"other operator", slot, "op-2", "correct horse", ErrWrongOperator},
		{"absurd work factor", absurd, "op-1", "correct horse", ErrCorrupt},
		{"garbage", []byte("not an age file at all"), "op-1", "correct horse", ErrCorrupt},
		{"empty", nil, "op-1", "correct horse", ErrCorrupt},
		{"truncated", slot[:len(slot)-10], "op-1", "correct horse", ErrCorrupt},
		{"huge", bytes.Repeat([]byte("x"), 1<<20), "op-1", "correct horse", ErrCorrupt},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			_, err := Unwrap(tc.slot, tc.operator, tc.pass)
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			// An absurd work factor must be refused before scrypt runs, not after minutes.
			if d := time.Since(start); d > 5*time.Second {
				t.Fatalf("refusal took %v", d)
			}
		})
	}
}

func TestWrapRejectsBadInput(t *testing.T) {
	if _, err := Wrap(master[:5], "op", "p", 10); err == nil {
		t.Fatal("short master key accepted")
	}
	if _, err := Wrap(master, "op", "", 10); err == nil {
		t.Fatal("empty passphrase accepted")
	}
}

func FuzzUnwrap(f *testing.F) {
	slot, _ := Wrap(master, "op-1", "pw", 2)
	f.Add(slot)
	f.Add([]byte("age-encryption.org/v1\n-> scrypt AAAA 99\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		// A slot asking for a real work factor costs up to a second of scrypt and tests the
		// parser no further: once the fuzzer learned to write one, every input after it did.
		// Factors above the maximum are kept: refusing them at once is what is tested.
		if wf := workFactorOf(b); wf > 10 && wf <= MaxWorkFactor {
			t.Skip()
		}
		k, err := Unwrap(b, "op-1", "pw")
		if err == nil && len(k) != MasterKeySize {
			t.Fatalf("opened slot with %d-byte key", len(k))
		}
	})
}

// workFactorOf reads N from the first "-> scrypt SALT N" line of b; 0 when there is none.
func workFactorOf(b []byte) int {
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) >= 4 && f[0] == "->" && f[1] == "scrypt" {
			n, err := strconv.Atoi(f[3])
			if err == nil {
				return n
			}
		}
	}
	return 0
}
