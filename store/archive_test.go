package store

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// An archived audit log verifies without the vault; a changed event, a removed last event or
// a checkpoint from another log fails.
func TestAuditArchive(t *testing.T) {
	s, _ := newStore(t)
	for i := range 40 {
		if _, err := s.AppendAudit(fmt.Appendf(nil, `{"seq":0,"action":"customer.view","target":"customer:%d","outcome":"ok"}`, i)); err != nil {
			t.Fatal(err)
		}
		if i == 20 {
			if _, err := s.SaveCheckpoint(); err != nil {
				t.Fatal(err)
			}
		}
	}
	dir := t.TempDir()
	if err := s.WriteAuditArchive(ctx, dir); err != nil {
		t.Fatal(err)
	}
	rep, err := VerifyAuditArchive(dir)
	if err != nil || rep.Problem != nil || rep.Events != 40 || rep.Checkpoints != 2 {
		t.Fatalf("%+v %v", rep, err)
	}
	logPath := filepath.Join(dir, "audit", "events.log")
	orig, _ := os.ReadFile(logPath)
	for name, edit := range map[string]func([]byte) []byte{
		"a changed event":   func(b []byte) []byte { return bytes.Replace(b, []byte("customer:7\""), []byte("customer:8\""), 1) },
		"the last one gone": func(b []byte) []byte { return b[:bytes.LastIndexByte(b[:len(b)-1], '\n')+1] },
		"two events swapped": func(b []byte) []byte {
			l := bytes.SplitAfter(b, []byte("\n"))
			l[3], l[4] = l[4], l[3]
			return bytes.Join(l, nil)
		},
		// A pruned event's leaf hash one byte too long once panicked hex.Decode.
		"a pruned leaf hash too long": func(b []byte) []byte {
			return append([]byte("pruned "+strings.Repeat("ab", 33)+"\n"), b...)
		},
		"a pruned leaf hash too short": func(b []byte) []byte {
			return append([]byte("pruned "+strings.Repeat("ab", 31)+"\n"), b...)
		},
	} {
		os.WriteFile(logPath, edit(bytes.Clone(orig)), 0o644)
		if rep, err := VerifyAuditArchive(dir); err == nil && rep.Problem == nil {
			t.Errorf("%s verified", name)
		}
	}
	os.WriteFile(logPath, orig, 0o644)
	cp, _ := s.Checkpoint()
	forged := bytes.Replace([]byte(cp), []byte("\n40\n"), []byte("\n39\n"), 1)
	os.WriteFile(filepath.Join(dir, "audit", "checkpoint-39.txt"), forged, 0o644)
	if _, err := VerifyAuditArchive(dir); err == nil {
		t.Error("a checkpoint whose signature does not hold was accepted")
	}
}

// FuzzVerifyAuditArchive feeds damaged event logs to the archive's verifier: it reports a
// problem or an error and never panics; a log it accepts has the archived number of events (a
// line may legitimately differ: an event replaced by its leaf hash, as pruning does).
func FuzzVerifyAuditArchive(f *testing.F) {
	s, _ := newStore(f)
	for i := range 5 {
		s.AppendAudit(fmt.Appendf(nil, `{"seq":0,"action":"customer.view","target":"customer:%d"}`, i))
	}
	dir := f.TempDir()
	if err := s.WriteAuditArchive(ctx, dir); err != nil {
		f.Fatal(err)
	}
	logPath := filepath.Join(dir, "audit", "events.log")
	orig, _ := os.ReadFile(logPath)
	f.Add(orig)
	f.Add(append([]byte("pruned "+strings.Repeat("0", 64)+"\n"), orig...))
	f.Fuzz(func(t *testing.T, b []byte) {
		if err := os.WriteFile(logPath, b, 0o644); err != nil {
			t.Fatal(err)
		}
		rep, err := VerifyAuditArchive(dir)
		if err == nil && rep.Problem == nil && rep.Events != 5 {
			t.Fatalf("a log of %d events verified against a checkpoint of 5:\n%q", rep.Events, b)
		}
	})
}
