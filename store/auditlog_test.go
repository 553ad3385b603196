package store

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"handover/crypto/merkle"
)

func logEvents(t *testing.T, s *Store, n int) []merkle.Hash {
	t.Helper()
	var leaves []merkle.Hash
	start := int(s.auditSeq.Load())
	for i := start + 1; i <= start+n; i++ {
		ev := []byte(fmt.Sprintf(`{"action":"customer.view","target":"customer:%d"}`, i))
		seq, err := s.AppendAudit(ev)
		if err != nil || seq != uint64(i) {
			t.Fatalf("append %d: %d, %v", i, seq, err)
		}
		leaves = append(leaves, merkle.LeafHash(ev))
	}
	return leaves
}

func TestAuditLogVerifies(t *testing.T) {
	s, _ := newStore(t)
	leaves := logEvents(t, s, 50)
	rep, err := s.VerifyAudit(ctx, nil)
	if err != nil || rep.Problem != nil || rep.Events != 50 || rep.Root != merkle.Root(leaves) {
		t.Fatalf("%+v, %v", rep, err)
	}
	cp, err := s.SaveCheckpoint()
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(cp, "\n")
	if lines[0] != s.auditOrigin() || lines[1] != "50" || lines[2] != base64.StdEncoding.EncodeToString(rep.Root[:]) ||
		lines[3] != "" || !strings.HasPrefix(lines[4], "— "+s.auditOrigin()+" ") {
		t.Fatalf("checkpoint:\n%s", cp)
	}
	logEvents(t, s, 10) // the log grows past the checkpoint: still consistent
	if rep, _ := s.VerifyAudit(ctx, []string{cp}); rep.Problem != nil || rep.Checkpoints != 2 {
		t.Fatalf("after growth: %+v", rep)
	}
	forged := strings.Replace(cp, "\n50\n", "\n49\n", 1)
	if _, err := s.VerifyAudit(ctx, []string{forged}); err == nil {
		t.Fatal("a checkpoint with a changed size was accepted")
	}
}

// Each kind of tampering is caught and named by the first bad event.
func TestAuditTampering(t *testing.T) {
	cases := []struct {
		name   string
		tamper func(t *testing.T, s *Store)
		seq    uint64
		reason string
	}{
		{"flipped bit", func(t *testing.T, s *Store) {
			v, _ := s.rawGet(kAudit(17))
			v[len(v)/2] ^= 4
			s.rawSet(kAudit(17), v)
		}, 17, "damaged"},
		{"deleted event", func(t *testing.T, s *Store) { s.rawDelete(kAudit(23)) }, 23, "missing"},
		{"swapped records", func(t *testing.T, s *Store) {
			a, _ := s.rawGet(kAudit(30))
			b, _ := s.rawGet(kAudit(31))
			s.rawSet(kAudit(30), b)
			s.rawSet(kAudit(31), a)
		}, 30, "damaged"},
		{"swapped and resealed with the key", func(t *testing.T, s *Store) {
			a := s.openAudit(t, 30)
			b := s.openAudit(t, 31)
			s.sealAudit(30, b)
			s.sealAudit(31, a)
		}, 30, "altered"},
		{"edited with the key", func(t *testing.T, s *Store) {
			r := s.openAudit(t, 12)
			s.sealAudit(12, []byte(strings.Replace(string(r), "customer:12", "customer:99", 1)))
		}, 12, "altered"},
		{"edited and every root recomputed", func(t *testing.T, s *Store) {
			var tr merkle.Tree
			for seq := uint64(1); seq <= 50; seq++ {
				ev, _, _ := splitRecord(s.openAudit(t, seq))
				if seq == 40 {
					ev = []byte(strings.Replace(string(ev), "view", "edit", 1))
				}
				tr.Append(merkle.LeafHash(ev))
				root := tr.Root()
				s.sealAudit(seq, append(append([]byte{auditRecordV1}, root[:]...), ev...))
			}
		}, 40, "checkpoint"},
		{"truncated tail", func(t *testing.T, s *Store) {
			for seq := uint64(46); seq <= 50; seq++ {
				s.rawDelete(kAudit(seq))
			}
		}, 46, "truncated"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, _ := newStore(t)
			logEvents(t, s, 39)
			cp, err := s.Checkpoint() // given to the auditor before the tampering
			if err != nil {
				t.Fatal(err)
			}
			logEvents(t, s, 11)
			full, _ := s.Checkpoint()
			c.tamper(t, s)
			rep, err := s.VerifyAudit(ctx, []string{cp, full})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Problem == nil || rep.Problem.Seq != c.seq || rep.Problem.Reason != c.reason {
				t.Fatalf("problem %+v, want %s at %d", rep.Problem, c.reason, c.seq)
			}
		})
	}
}

func (s *Store) openAudit(t *testing.T, seq uint64) []byte {
	raw, err := s.rawGet(kAudit(seq))
	if err != nil {
		t.Fatal(err)
	}
	pt, err := s.audit.Open(kAudit(seq), raw)
	if err != nil {
		t.Fatal(err)
	}
	return pt
}

func (s *Store) sealAudit(seq uint64, rec []byte) {
	s.rawSet(kAudit(seq), s.audit.Seal(nil, kAudit(seq), rec))
}

// Events older than three years may be pruned; the tree and every checkpoint still verify.
// Younger events are refused whatever the caller asks.
func TestAuditRetention(t *testing.T) {
	s, _ := newStore(t)
	old := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 10 {
		ev := fmt.Sprintf(`{"time":%q,"action":"customer.view"}`, old.Add(time.Duration(i)*time.Hour).Format(time.RFC3339))
		s.AppendAudit([]byte(ev))
	}
	now := time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)
	for i := range 5 {
		s.AppendAudit([]byte(fmt.Sprintf(`{"time":%q,"action":"customer.view"}`, now.Add(time.Duration(i)*time.Minute).Format(time.RFC3339))))
	}
	cp, _ := s.Checkpoint()
	if _, err := s.PruneAudit(ctx, now.AddDate(-1, 0, 0), now); err != ErrRetention {
		t.Fatalf("pruning younger than three years: %v", err)
	}
	n, err := s.PruneAudit(ctx, now.AddDate(-3, 0, 0), now)
	if err != nil || n != 10 {
		t.Fatalf("pruned %d, %v", n, err)
	}
	rep, err := s.VerifyAudit(ctx, []string{cp})
	if err != nil || rep.Problem != nil || rep.Events != 15 {
		t.Fatalf("after pruning: %+v, %v", rep, err)
	}
	kept := 0
	s.AuditEvents(ctx, 1, func(uint64, []byte) bool { kept++; return true })
	if kept != 5 {
		t.Fatalf("%d events readable after pruning, want 5", kept)
	}
	if _, err := s.AppendAudit([]byte(`{"action":"after"}`)); err != nil {
		t.Fatal(err)
	}
	if rep, _ := s.VerifyAudit(ctx, []string{cp}); rep.Problem != nil {
		t.Fatalf("append after pruning: %+v", rep.Problem)
	}
}
