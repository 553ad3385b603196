package vault

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"

	"handover/app/audit"
	"handover/app/bag"
	"handover/app/cert"
	"handover/app/pkg"
	"handover/app/progress"
	"handover/crypto/identity"
	"handover/store"
)

// receivedSequence is the meta record of the highest package sequence received per deal.
func receivedSequence(deal string) string { return "received-sequence/" + deal }

// Receive takes a handover package into the vault (app/pkg.Receive): checked against the
// trusted cards, refused if it is not newer than one already received for its deal, staged
// encrypted, committed whole or not at all, and its figures recomputed. It needs the
// receive permission and is audited with the package ID, sequence, sender and result.
func (s *Session) Receive(ctx context.Context, dir string, id *identity.Identity, trusted []identity.Card, p progress.Reporter) (*pkg.Received, error) {
	// Committing a large book keeps Badger's memtables and the writer's batches alive
	// together; collecting garbage at half the live heap rather than all of it keeps the
	// peak within an office PC's share (docs/BENCHMARKS.md) for a few percent of CPU.
	if os.Getenv("GOGC") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(50))
	}
	var rec *pkg.Received
	detail := map[string]string{"dir": filepath.Base(dir)}
	err := s.do(PermReceive, audit.PackageReceive, "", detail, func(st *store.Store) error {
		var err error
		rec, err = pkg.Receive(ctx, st, dir, pkg.ReceiveOptions{
			Identity: id, Trusted: trusted, Limits: bag.DefaultLimits, Staging: st.StagingDir(),
			LastSequence: func(deal string) (int, error) {
				var seq struct{ N int }
				if err := st.GetMeta(receivedSequence(deal), &seq); err != nil && !errors.Is(err, store.ErrNotFound) {
					return 0, err
				}
				return seq.N, nil
			},
		}, p)
		if err != nil {
			return err
		}
		m := rec.Manifest
		detail["package"], detail["sequence"], detail["sender"] = m.ID, strconv.Itoa(m.Sequence), m.Sender[:16]
		detail["customers"], detail["digest"] = strconv.FormatInt(rec.Figures.Customers, 10), rec.Figures.Digest
		detail["equal"] = strconv.FormatBool(rec.Equal)
		js, err := os.ReadFile(filepath.Join(dir, "package.json"))
		if err != nil {
			return err
		}
		sum := sha256.Sum256(js)
		// The receipt and later certificates list the package by its signed package.json.
		if err := st.PutMeta("package/"+m.ID, cert.Package{ID: m.ID, SHA256: hex.EncodeToString(sum[:])}); err != nil {
			return err
		}
		if rec.Equal {
			if err := putFact(st, metaFactReceived, s.v.opts.Now()); err != nil {
				return err
			}
		}
		return st.PutMeta(receivedSequence(m.Deal), struct{ N int }{m.Sequence})
	})
	return rec, err
}
