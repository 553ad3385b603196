package vault

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"handover/app/audit"
)

// TestFailedUnlocksCannotVanish: the file of failed unlocks is changed while the vault is
// locked in each way an intruder would; the next unlock records what was done to it, and
// takes in what is left of the failures.
func TestFailedUnlocksCannotVanish(t *testing.T) {
	cases := []struct {
		name     string
		tamper   func(path string)
		problem  string // "" for none
		failures int    // unlock_failed events taken in
	}{
		{"untouched", func(string) {}, "", 2},
		{"deleted", func(p string) { os.Remove(p) }, "missing", 0},
		{"cut inside a line", func(p string) {
			b, _ := os.ReadFile(p)
			os.WriteFile(p, b[:len(b)-20], 0o600)
		}, "junk", 1},
		{"a long junk line in front", func(p string) {
			b, _ := os.ReadFile(p)
			os.WriteFile(p, append([]byte(strings.Repeat("x", 1<<20)+"\n"), b...), 0o600)
		}, "junk at line 1", 2},
		{"padded past the size limit", func(p string) {
			f, _ := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0o600)
			f.Write(bytes.Repeat([]byte("y"), 5<<20))
			f.Close()
		}, "oversized", 2},
		{"replaced by a file of its own", func(p string) {
			os.WriteFile(p, []byte(`{"seq":1,"prev":"","time":"2026-01-01T00:00:00Z","operator":"op-x","reason":"wrong_passphrase"}`+"\n"), 0o600)
		}, "removed", 1},
		{"a forged, back-dated line", func(p string) {
			b, _ := os.ReadFile(p)
			lines := bytes.Split(bytes.TrimRight(b, "\n"), []byte("\n"))
			h := lineHashForTest(lines[len(lines)-1])
			f, _ := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0o600)
			f.WriteString(`{"seq":3,"prev":"` + h + `","time":"2020-01-01T00:00:00Z","operator":"op-x","workstation":"w","reason":"wrong_passphrase"}` + "\n")
			f.Close()
		}, "backdated", 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, dir := newVault(t)
			v := s.Vault()
			id := s.Operator().ID
			s.Lock()
			for range 2 {
				if _, err := v.Unlock(id, "not-the-passphrase"); err == nil {
					t.Fatal("a wrong passphrase opened the vault")
				}
			}
			c.tamper(filepath.Join(dir, "auth-failures.jsonl"))
			s, err := v.Unlock(id, "admin-passphrase")
			if err != nil {
				t.Fatal(err)
			}
			var failed int
			var problem string
			for _, ev := range events(t, s) {
				switch ev.Action {
				case audit.UnlockFailed:
					failed++
				case audit.UnlockFailuresAltered:
					problem = ev.Detail["problems"]
				}
			}
			if failed != c.failures || (c.problem == "") != (problem == "") || !strings.Contains(problem, c.problem) {
				t.Fatalf("%d failures taken in (want %d), problems %q (want %q)", failed, c.failures, problem, c.problem)
			}
			// Logging goes on: the next failure is taken in at the next unlock, without a problem.
			s.Lock()
			v.Unlock(id, "not-the-passphrase")
			s, err = v.Unlock(id, "admin-passphrase")
			if err != nil {
				t.Fatal(err)
			}
			evs := events(t, s)
			last := evs[len(evs)-2] // before this unlock's own event
			if last.Action != audit.UnlockFailed || evs[len(evs)-1].Action != audit.Unlock {
				t.Fatalf("after the tampering: %s", actions(evs[len(evs)-3:]))
			}
			s.Lock()
		})
	}
}

func lineHashForTest(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}
