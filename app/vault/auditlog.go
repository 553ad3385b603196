package vault

import (
	"context"
	"slices"
	"strconv"
	"time"

	"handover/app/audit"
	"handover/app/report"
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

// AuditReport summarises the log between from and to (zero: open) for the audit report:
// counts by action and operator, the exceptions, the verification's verdict and a fresh
// signed checkpoint. It needs the audit permission and is audited.
func (s *Session) AuditReport(ctx context.Context, from, to time.Time) (*report.AuditSummary, error) {
	var sum *report.AuditSummary
	err := s.do(PermAudit, audit.AuditReport, "", map[string]string{"kind": "report"}, func(st *store.Store) error {
		var evs []audit.Event
		err := st.AuditEvents(ctx, 1, func(seq uint64, b []byte) bool {
			if ev, derr := audit.Decode(b); derr == nil {
				ev.Seq = seq
				evs = append(evs, ev)
			}
			return true
		})
		if err != nil {
			return err
		}
		sum = report.Summarise(evs, from, to)
		sum.Vault, sum.Workstation, sum.Issued = s.v.Manifest().ID, s.v.opts.Workstation, s.v.opts.Now().UTC().Truncate(time.Second)
		ops, err := st.Operators(ctx)
		if err != nil {
			return err
		}
		for _, o := range ops {
			sum.Operators[o.ID] = o.Name
		}
		rep, err := st.VerifyAudit(ctx, nil)
		if err != nil {
			return err
		}
		sum.LogEvents = rep.Events
		if rep.Problem != nil {
			sum.Verified = "FAILED: " + rep.Problem.Error()
			sum.Problem = rep.Problem.Error()
		} else {
			sum.Verified = "ok: " + strconv.FormatUint(rep.Events, 10) + " events, every one in place"
		}
		if sum.Checkpoint, err = st.SaveCheckpoint(); err != nil {
			return err
		}
		return putFact(st, metaFactAuditReport, s.v.opts.Now())
	})
	return sum, err
}

// AuditFilter selects events for the audit screen.
type AuditFilter struct {
	From, To time.Time // To exclusive; zero: open
	Operator string    // operator ID
	Action   string
	Customer string // customer number
}

func (f AuditFilter) keep(ev audit.Event) bool {
	return (f.From.IsZero() || !ev.Time.Before(f.From)) && (f.To.IsZero() || ev.Time.Before(f.To)) &&
		(f.Operator == "" || ev.Operator == f.Operator) && (f.Action == "" || ev.Action == f.Action) &&
		(f.Customer == "" || ev.Target == "customer:"+f.Customer)
}

// AuditPage returns up to limit events matching f, newest first, with sequence numbers
// below before (0: from the newest). It needs the audit permission.
func (s *Session) AuditPage(ctx context.Context, f AuditFilter, before uint64, limit int) ([]audit.Event, error) {
	st, err := s.gate(PermAudit)
	if err != nil {
		return nil, err
	}
	if before == 0 {
		before = ^uint64(0)
	} else {
		before--
	}
	var out []audit.Event
	err = st.AuditEventsBackward(ctx, before, func(seq uint64, b []byte) bool {
		if ev, derr := audit.Decode(b); derr == nil {
			ev.Seq = seq
			if f.keep(ev) {
				out = append(out, ev)
			}
		}
		return len(out) < limit
	})
	return out, err
}

// RecordSettingChange audits a changed preference (its name and new value; preferences hold
// no personal data).
func (s *Session) RecordSettingChange(name, value string) {
	s.record(audit.Event{Action: audit.SettingsChange, Target: "setting:" + name, Outcome: audit.OK, Detail: map[string]string{"value": value}})
}

// RecordSignature audits that a signer signed a certificate statement at this workstation
// (or that a signature made elsewhere was brought in): the certificate and the card's
// fingerprint, never the key.
func (s *Session) RecordSignature(certificate, fingerprint string, imported bool) {
	how := "here"
	if imported {
		how = "imported"
	}
	// The checklist's confirmation item follows from these records.
	if st, err := s.store(); err == nil {
		var c certRecord
		if st.GetMeta(metaCertificatePrefix+certificate, &c) == nil && slices.Contains(c.Signers, fingerprint) {
			if c.Signed == nil {
				c.Signed = map[string]bool{}
			}
			c.Signed[fingerprint] = true
			_ = st.PutMeta(metaCertificatePrefix+certificate, c)
		}
	}
	s.record(audit.Event{Action: audit.CertSign, Target: "certificate:" + certificate, Outcome: audit.OK,
		Detail: map[string]string{"signer": fingerprint, "signed": how}})
}
