package vault

import (
	"context"
	"strconv"
	"time"

	"handover/app/audit"
	"handover/store"
)

// VerifyAudit recomputes the audit log's Merkle tree and checks it against every
// checkpoint kept in the vault and the given ones (signed notes). It needs the audit
// permission (auditors and administrators) and is itself audited.
func (s *Session) VerifyAudit(ctx context.Context, checkpoints []string) (*store.AuditReport, error) {
	var rep *store.AuditReport
	detail := map[string]string{}
	err := s.do(PermAudit, audit.AuditVerify, "", detail, func(st *store.Store) error {
		var err error
		rep, err = st.VerifyAudit(ctx, checkpoints)
		if rep != nil {
			detail["events"] = strconv.FormatUint(rep.Events, 10)
			if rep.Problem != nil {
				detail["problem"] = rep.Problem.Reason
				detail["at"] = strconv.FormatUint(rep.Problem.Seq, 10)
			}
		}
		return err
	})
	return rep, err
}

// Checkpoint signs and keeps a checkpoint of the audit log and returns it, with the key
// that verifies it. Anyone may ask for one: it names no data, and handing checkpoints out is
// what makes a later rewrite of the log detectable.
func (s *Session) Checkpoint() (checkpoint, verifierKey string, err error) {
	err = s.do("", audit.AuditCheckpoint, "", nil, func(st *store.Store) error {
		checkpoint, err = st.SaveCheckpoint()
		verifierKey = st.AuditVerifierKey()
		return err
	})
	return checkpoint, verifierKey, err
}

// AuditEventsFiltered returns the events at or after since (zero: all) with the action
// (empty: any). It needs the audit permission.
func (s *Session) AuditEventsFiltered(ctx context.Context, since time.Time, action string) ([]audit.Event, error) {
	st, err := s.gate(PermAudit)
	if err != nil {
		return nil, err
	}
	var out []audit.Event
	err = st.AuditEvents(ctx, 1, func(seq uint64, b []byte) bool {
		ev, derr := audit.Decode(b)
		if derr == nil && (since.IsZero() || !ev.Time.Before(since)) && (action == "" || ev.Action == action) {
			ev.Seq = seq
			out = append(out, ev)
		}
		return true
	})
	return out, err
}

// PruneAudit removes the content of events older than before (their hashes stay, so the
// log still verifies). The core refuses events younger than three years; it needs the
// administrator's destroy permission.
func (s *Session) PruneAudit(ctx context.Context, before time.Time) (int, error) {
	n := 0
	detail := map[string]string{"before": before.UTC().Format(time.RFC3339)}
	err := s.do(PermDestroy, audit.AuditPrune, "", detail, func(st *store.Store) error {
		var err error
		n, err = st.PruneAudit(ctx, before, s.v.opts.Now())
		detail["pruned"] = strconv.Itoa(n)
		return err
	})
	return n, err
}
