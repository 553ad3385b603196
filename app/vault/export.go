package vault

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"handover/app/audit"
	"handover/app/cert"
	"handover/app/pkg"
	"handover/app/progress"
	"handover/store"
)

// GateError says a step is refused until other work is done; Missing names the checklist
// items it waits for by ID ("deal" when no deal is recorded yet).
type GateError struct {
	Step    string
	Missing []string
	Titles  map[string]string // English titles by ID, for the message
}

func (e *GateError) Error() string {
	var parts []string
	for _, id := range e.Missing {
		if t := e.Titles[id]; t != "" {
			id += " (" + t + ")"
		}
		parts = append(parts, id)
	}
	return fmt.Sprintf("%s is refused until these checklist items are done: %s", e.Step, strings.Join(parts, "; "))
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
		if err := s.checklistGate(ctx, st, "export"); err != nil {
			return err
		}
		var seq struct{ N int }
		if err := st.GetMeta("package-sequence", &seq); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		seq.N++
		o.Sequence, o.Deal, o.Now = seq.N, s.v.Manifest().ID, s.v.opts.Now()
		view, err := s.evaluate(ctx, st)
		if err != nil {
			return err
		}
		if o.Checklist, err = json.Marshal(view.CertChecklist()); err != nil {
			return err
		}
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
		if err := putFact(st, metaFactExported, o.Now); err != nil {
			return err
		}
		return st.PutMeta("package-sequence", seq)
	})
	return dir, m, err
}
