package vault

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"

	"handover/app/audit"
	"handover/app/bag"
	"handover/app/handoverpkg"
	"handover/app/progress"
	"handover/crypto/identity"
	"handover/store"
)

// receivedSequence is the meta record of the highest package sequence received per deal.
func receivedSequence(deal string) string { return "received-sequence/" + deal }

// Receive takes a handover package into the vault (app/handoverpkg.Receive): checked against the
// trusted cards, refused if it is not newer than one already received for its deal, committed
// whole or not at all, and its figures recomputed. It needs the
// receive permission and is audited with the package ID, sequence, sender and result.
func (s *Session) Receive(ctx context.Context, dir string, id *identity.Identity, trusted []identity.Card, p progress.Reporter) (*handoverpkg.Received, error) {
	// Committing a large book keeps Badger's memtables and the writer's batches alive
	// together; collecting garbage at half the live heap rather than all of it keeps the
	// peak within an office PC's share (docs/BENCHMARKS.md) for a few percent of CPU.
	if os.Getenv("GOGC") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(50))
	}
	var rec *handoverpkg.Received
	detail := map[string]string{"dir": filepath.Base(dir)}
	err := s.doRecorded(PermReceive, audit.PackageReceive, "", detail, func(st *store.Store, begin beginFunc) ([]store.MetaChange, error) {
		var err error
		rec, err = handoverpkg.Receive(ctx, st, dir, handoverpkg.ReceiveOptions{
			Identity: id, Trusted: trusted, Limits: bag.DefaultLimits, Staging: st.StagingDir(),
			LastSequence: func(deal string) (int, error) {
				var seq struct{ N int }
				if err := st.GetMeta(receivedSequence(deal), &seq); err != nil && !errors.Is(err, store.ErrNotFound) {
					return 0, err
				}
				return seq.N, nil
			},
			// The book stays marked as pending until the records below are committed with
			// the audit event: a crash before that drops it again at the next unlock.
			BeforeCommit: func() error { return begin() },
			KeepPending:  true,
		}, p)
		if err != nil {
			return nil, err
		}
		m := rec.Manifest
		detail["package"], detail["sequence"], detail["sender"] = m.ID, strconv.Itoa(m.Sequence), m.Sender[:16]
		detail["customers"], detail["digest"] = strconv.FormatInt(rec.Figures.Customers, 10), rec.Figures.Digest
		detail["equal"] = strconv.FormatBool(rec.Equal)
		if !rec.Equal {
			// handoverpkg.Receive took the book out again: the vault is as it was, and a corrected
			// package can be received. Nothing is recorded but the audit event.
			return nil, nil
		}
		recs, err := packageRecords(dir, m.ID)
		if err != nil {
			return nil, err
		}
		if offer, err := offeredDealChange(st, m.ID, rec.Checklist, s.v.opts.Now()); err != nil {
			return nil, err
		} else if offer != nil {
			recs = append(recs, *offer)
			detail["deal_offered"] = "true"
		}
		return append(recs, factChange(metaFactReceived, s.v.opts.Now()),
			store.MetaChange{Name: receivedSequence(m.Deal), Value: struct{ N int }{m.Sequence}},
			store.MetaChange{Name: handoverpkg.PendingReceive, Delete: true}), nil
	})
	return rec, err
}
