package store

import (
	"context"
	"crypto/ed25519"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/dgraph-io/badger/v4"

	"handover/crypto/merkle"
)

// The audit log is an append-only RFC 6962 Merkle tree over the events' bytes. Each stored
// record is 0x01 ‖ the tree's root after this event ‖ the event, sealed under the audit key
// with its key (a|seq) as associated data; the tree's compact state is saved with every
// append, so checkpoints cost nothing to make. Records from before the tree (they start with
// '{') are leaves without a stored root.
const (
	auditRecordV1     = 0x01
	auditRecordPruned = 0x02 // 0x02 ‖ root ‖ leaf hash: the event was removed after its retention
)

// AuditRetention is how long events must be kept (PIPL Art. 54–56, Network Data
// Regulations Art. 12: at least three years).
const AuditRetentionYears = 3

// ErrRetention says events younger than the retention period were asked to be removed.
var ErrRetention = errors.New("audit events must be kept for at least three years")

type auditTreeState struct {
	Size  uint64        `json:"size"`
	Stack []merkle.Hash `json:"stack"`
}

// loadAuditTree restores the tree's state, or rebuilds it from the log (vaults made before
// the tree existed).
func (s *Store) loadAuditTree(ctx context.Context) error {
	var st auditTreeState
	err := s.GetMeta("audit-tree", &st)
	if err == nil {
		if st.Size == s.auditSeq.Load() {
			return s.auditTree.Restore(st.Size, st.Stack)
		}
		// A missing tail or extra events: leave the tree empty; AuditVerify reports it.
		return s.auditTree.Restore(st.Size, st.Stack)
	}
	if !errors.Is(err, ErrNotFound) {
		return err
	}
	return s.eachAuditRecord(ctx, 1, false, func(_ uint64, rec []byte) (bool, error) {
		if rec == nil {
			return false, &CorruptError{What: "audit"}
		}
		s.auditTree.Append(leafOf(rec))
		return true, nil
	})
}

// AppendAudit stores one audit event and returns its sequence number (from 1).
func (s *Store) AppendAudit(event []byte) (uint64, error) { return s.AppendAuditWith(event, nil) }

// splitRecord returns an audit record's event and stored root (ok false for old records).
// A pruned record has no event.
func splitRecord(rec []byte) (event []byte, root merkle.Hash, ok bool) {
	if len(rec) > 33 && (rec[0] == auditRecordV1 || rec[0] == auditRecordPruned) {
		copy(root[:], rec[1:33])
		if rec[0] == auditRecordPruned {
			return nil, root, true
		}
		return rec[33:], root, true
	}
	return rec, root, false
}

// leafOf is the record's leaf hash: of its event, or as kept by a pruned record.
func leafOf(rec []byte) merkle.Hash {
	if len(rec) == 65 && rec[0] == auditRecordPruned {
		var h merkle.Hash
		copy(h[:], rec[33:])
		return h
	}
	ev, _, _ := splitRecord(rec)
	return merkle.LeafHash(ev)
}

// PruneAudit removes the content of events older than before, keeping each one's leaf hash
// so that the tree, every checkpoint and every proof stay valid. Events younger than the
// retention period at now are refused, whatever the caller asks.
func (s *Store) PruneAudit(ctx context.Context, before, now time.Time) (int, error) {
	if before.After(now.AddDate(-AuditRetentionYears, 0, 0)) {
		return 0, ErrRetention
	}
	s.auditMu.Lock()
	defer s.auditMu.Unlock()
	type pruned struct {
		k, rec []byte
	}
	var todo []pruned
	err := s.eachAuditRecord(ctx, 1, false, func(seq uint64, rec []byte) (bool, error) {
		if rec == nil {
			return false, &CorruptError{What: "audit"}
		}
		ev, root, ok := splitRecord(rec)
		if ev == nil && ok {
			return true, nil // already pruned
		}
		var t struct {
			Time time.Time `json:"time"`
		}
		if json.Unmarshal(ev, &t) != nil || !t.Time.Before(before) {
			return false, nil // events are in time order: the rest are younger
		}
		leaf := merkle.LeafHash(ev)
		todo = append(todo, pruned{kAudit(seq), append(append([]byte{auditRecordPruned}, root[:]...), leaf[:]...)})
		return true, nil
	})
	if err != nil {
		return 0, err
	}
	for i := 0; i < len(todo); i += 1000 {
		batch := todo[i:min(i+1000, len(todo))]
		if err := s.db.Update(func(txn *badger.Txn) error {
			for _, p := range batch {
				if err := txn.Set(p.k, s.audit.Seal(nil, p.k, p.rec)); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return 0, err
		}
	}
	return len(todo), nil
}

// AuditEvents calls fn with each audit event from sequence number from on, in order.
func (s *Store) AuditEvents(ctx context.Context, from uint64, fn func(seq uint64, event []byte) bool) error {
	return s.eachAuditEvent(ctx, from, false, fn)
}

// eachAuditRecord calls fn with every stored audit record from sequence number from on, in
// order or newest first, opened; a record that fails authentication is passed as nil, so
// that verification can name it and readers can refuse it.
func (s *Store) eachAuditRecord(ctx context.Context, from uint64, reverse bool, fn func(seq uint64, rec []byte) (bool, error)) error {
	return s.db.View(func(txn *badger.Txn) error {
		opts := badger.DefaultIteratorOptions
		opts.Prefix = []byte{pAudit}
		opts.Reverse = reverse
		it := txn.NewIterator(opts)
		defer it.Close()
		for it.Seek(kAudit(from)); it.Valid(); it.Next() {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			seq := binary.BigEndian.Uint64(it.Item().Key()[1:])
			pt, err := openItem(s.audit, it.Item())
			if err != nil {
				pt = nil
			}
			if more, err := fn(seq, pt); err != nil || !more {
				return err
			}
		}
		return nil
	})
}

// eachAuditEvent calls fn with every readable event (pruned ones are skipped); a damaged
// record is a CorruptError. The records must come without a gap and reach the end of the log
// (forward) or its first event (backward): an iterator that stops at a damaged block would
// otherwise show part of the log as if it were all of it.
func (s *Store) eachAuditEvent(ctx context.Context, from uint64, reverse bool, fn func(seq uint64, event []byte) bool) error {
	s.auditMu.Lock()
	size := s.auditTree.Size()
	s.auditMu.Unlock()
	if from == 0 && !reverse {
		from = 1
	}
	if reverse && from > size {
		from = size
	}
	next, stopped := from, false
	err := s.eachAuditRecord(ctx, from, reverse, func(seq uint64, rec []byte) (bool, error) {
		if seq != next && (reverse || seq <= size) {
			return false, auditGap(next)
		}
		if rec == nil {
			return false, &CorruptError{What: "audit"}
		}
		if reverse {
			next--
		} else {
			next++
		}
		ev, _, _ := splitRecord(rec)
		if ev == nil {
			return true, nil // pruned after its retention period
		}
		stopped = !fn(seq, ev)
		return !stopped, nil
	})
	if err != nil || stopped {
		return err
	}
	if (reverse && next >= 1 && from >= 1) || (!reverse && next <= size) {
		return auditGap(next)
	}
	return nil
}

func auditGap(seq uint64) error {
	return &DamageError{File: dbDir, Detail: fmt.Sprintf("audit event %d cannot be read", seq)}
}

// Checkpoint is the log's current checkpoint in the C2SP tlog-checkpoint format, signed by
// the vault's audit key as a C2SP signed note.
func (s *Store) Checkpoint() (string, error) {
	s.auditMu.Lock()
	size, root := s.auditTree.Size(), s.auditTree.Root()
	s.auditMu.Unlock()
	return signCheckpoint(s.auditOrigin(), size, root, s.auditKey)
}

// SaveCheckpoint signs the current checkpoint and keeps it in the vault, so that a later
// verification can prove the log still extends it.
func (s *Store) SaveCheckpoint() (string, error) {
	cp, err := s.Checkpoint()
	if err != nil {
		return "", err
	}
	size := s.auditTree.Size()
	return cp, s.PutMeta(fmt.Sprintf("audit-checkpoint/%020d", size), cp)
}

// AuditVerifierKey is the public key that verifies this vault's checkpoints, in the
// signed-note verifier key form (name+hash+key).
func (s *Store) AuditVerifierKey() string {
	return verifierKey(s.auditOrigin(), s.auditKey.Public().(ed25519.PublicKey))
}

func (s *Store) auditOrigin() string { return "handover.local/audit/" + s.dir.Manifest.ID }

// AuditProblem is the first thing wrong with the log: the event's sequence number and what.
type AuditProblem struct {
	Seq    uint64
	Reason string // missing, damaged, altered, truncated, checkpoint
	Detail string
}

func (p *AuditProblem) Error() string {
	return fmt.Sprintf("audit event %d: %s (%s)", p.Seq, p.Reason, p.Detail)
}

// AuditReport is the result of verifying the log.
type AuditReport struct {
	Events      uint64
	Root        merkle.Hash
	Checkpoints int // checkpoints checked (stored and given)
	Problem     *AuditProblem
}

// VerifyAudit recomputes the tree over every stored event and checks: that no sequence
// number is missing, that every record opens, that every stored root matches the tree
// recomputed so far, that every checkpoint kept in the vault or given (signed notes) is a
// prefix of the log, and that the saved tree state has the log's size. It names the first
// bad event.
func (s *Store) VerifyAudit(ctx context.Context, external []string) (*AuditReport, error) {
	type cp struct {
		size uint64
		root merkle.Hash
		from string
	}
	var cps []cp
	addCP := func(text, from string) error {
		size, root, err := openCheckpoint(text, s.auditOrigin(), s.auditKey.Public().(ed25519.PublicKey))
		if err != nil {
			return fmt.Errorf("%s: %w", from, err)
		}
		cps = append(cps, cp{size, root, from})
		return nil
	}
	err := s.MetaPrefix(ctx, "audit-checkpoint/", func(name string, b []byte) (bool, error) {
		var text string
		if err := json.Unmarshal(b, &text); err != nil {
			return false, &CorruptError{What: "audit checkpoint"}
		}
		return true, addCP(text, "checkpoint kept in the vault ("+strings.TrimPrefix(name, "audit-checkpoint/")+")")
	})
	if err != nil {
		return nil, err
	}
	for i, text := range external {
		if err := addCP(text, "checkpoint "+strconv.Itoa(i+1)+" given"); err != nil {
			return nil, err
		}
	}
	sort.Slice(cps, func(i, j int) bool { return cps[i].size < cps[j].size })
	rep := &AuditReport{}
	var tree merkle.Tree
	next := 0
	var good uint64 // the size of the last checkpoint that matched
	check := func() *AuditProblem {
		for next < len(cps) && cps[next].size == tree.Size() {
			if cps[next].root != tree.Root() {
				// Every root was recomputed, so the checkpoints bound the change: it lies after
				// the last one that matched.
				return &AuditProblem{Seq: good + 1, Reason: "checkpoint", Detail: fmt.Sprintf(
					"events %d to %d differ from the %s; one of them was changed, inserted or removed", good+1, tree.Size(), cps[next].from)}
			}
			good = tree.Size()
			next++
			rep.Checkpoints++
		}
		return nil
	}
	want := uint64(1)
	err = s.eachAuditRecord(ctx, 1, false, func(seq uint64, rec []byte) (bool, error) {
		if seq != want {
			rep.Problem = &AuditProblem{Seq: want, Reason: "missing", Detail: "the event was deleted"}
			return false, nil
		}
		if rec == nil {
			rep.Problem = &AuditProblem{Seq: seq, Reason: "damaged", Detail: "the stored record fails authentication: changed bytes, or moved from another place"}
			return false, nil
		}
		_, stored, hasRoot := splitRecord(rec)
		tree.Append(leafOf(rec))
		if hasRoot && stored != tree.Root() {
			rep.Problem = &AuditProblem{Seq: seq, Reason: "altered", Detail: "the event or an earlier one was changed or reordered after it was logged"}
			return false, nil
		}
		if p := check(); p != nil {
			rep.Problem = p
			return false, nil
		}
		want++
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	rep.Events, rep.Root = tree.Size(), tree.Root()
	if rep.Problem == nil && next < len(cps) {
		rep.Problem = &AuditProblem{Seq: tree.Size() + 1, Reason: "truncated",
			Detail: fmt.Sprintf("the %s covers %d events but the log has %d", cps[next].from, cps[next].size, tree.Size())}
	}
	if rep.Problem == nil && tree.Size() != s.auditTree.Size() {
		rep.Problem = &AuditProblem{Seq: tree.Size() + 1, Reason: "truncated",
			Detail: fmt.Sprintf("the vault's record of the log counts %d events but %d are stored", s.auditTree.Size(), tree.Size())}
	}
	return rep, nil
}

// AuditEventsBackward calls fn with each readable event from sequence number from down to
// 1, newest first, until fn returns false: the audit screen pages through a million events
// this way without reading them all.
func (s *Store) AuditEventsBackward(ctx context.Context, from uint64, fn func(seq uint64, event []byte) bool) error {
	return s.eachAuditEvent(ctx, from, true, fn)
}
