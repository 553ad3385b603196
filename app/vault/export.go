package vault

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"handover/app/audit"
	"handover/app/cert"
	"handover/app/importer"
	"handover/app/pkg"
	"handover/app/progress"
	"handover/store"
)

// GateError says a step is refused until other work is done; Missing names it.
type GateError struct {
	Step    string
	Missing []string
}

func (e *GateError) Error() string {
	return fmt.Sprintf("%s is refused until: %s", e.Step, strings.Join(e.Missing, "; "))
}

// exportGate is what must hold before a package may leave: until the checklist (issue 6)
// supplies its gates, that no imported row is still waiting in quarantine.
func exportGate(ctx context.Context, st *store.Store) error {
	open, err := importer.List(ctx, st, importer.Filter{States: []string{importer.ItemQuarantined}}, 1)
	if err != nil {
		return err
	}
	if len(open) > 0 {
		return &GateError{Step: "export", Missing: []string{"every quarantined row is corrected or dismissed"}}
	}
	return nil
}

// Export writes the whole book as a handover package (app/pkg). It needs the export
// permission and the gate, and is audited with the package ID, recipients, scope and counts.
func (s *Session) Export(ctx context.Context, o pkg.Options, p progress.Reporter) (string, *pkg.Manifest, error) {
	var dir string
	var m *pkg.Manifest
	detail := map[string]string{"scope": pkg.ScopeWhole}
	if o.Customers != nil {
		detail["scope"] = pkg.ScopeSelection
		detail["selected"] = strconv.Itoa(len(o.Customers))
	}
	var fps []string
	for _, c := range o.Recipients {
		fps = append(fps, c.Fingerprint[:16])
	}
	detail["recipients"] = strings.Join(fps, ",")
	err := s.do(PermExport, audit.PackageExport, "", detail, func(st *store.Store) error {
		if err := exportGate(ctx, st); err != nil {
			return err
		}
		var seq struct{ N int }
		if err := st.GetMeta("package-sequence", &seq); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		seq.N++
		o.Sequence, o.Deal, o.Now = seq.N, s.v.Manifest().ID, s.v.opts.Now()
		var err error
		if dir, m, err = pkg.Export(ctx, st, o, p); err != nil {
			return err
		}
		detail["package"], detail["sequence"] = m.ID, strconv.Itoa(m.Sequence)
		detail["customers"], detail["loans"] = strconv.FormatInt(m.Figures.Customers, 10), strconv.FormatInt(m.Figures.Loans, 10)
		detail["digest"] = m.Figures.Digest
		js, err := os.ReadFile(filepath.Join(dir, "package.json"))
		if err != nil {
			return err
		}
		sum := sha256.Sum256(js)
		// Certificates list every package exported, by the digest of its signed package.json.
		if err := st.PutMeta("package/"+m.ID, cert.Package{ID: m.ID, SHA256: hex.EncodeToString(sum[:])}); err != nil {
			return err
		}
		return st.PutMeta("package-sequence", seq)
	})
	return dir, m, err
}
