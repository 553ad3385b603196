package vault

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"strconv"
	"strings"

	"handover/app/audit"
	"handover/app/checklist"
	"handover/app/handoverpkg"
	"handover/app/progress"
	"handover/store"
)

// GateError says a step is refused until other work is done; Missing names the checklist
// items it waits for by ID ("deal" when no deal is recorded yet).
type GateError struct {
	Step    string
	Missing []string
	Titles  map[string]string // English titles by ID, for the message
	// Findings: the titles of the open findings of high severity it names (by
	// checklist.NeedFinding(id)), as their authors wrote them.
	Findings map[string]string
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

// Export writes the whole book as a handover package (app/handoverpkg). It needs the export
// permission and the gate, and is audited with the package ID, recipients, scope and counts.
func (s *Session) Export(ctx context.Context, o handoverpkg.Options, p progress.Reporter) (string, *handoverpkg.Manifest, error) {
	// The walk's decoded books and the documents in flight are short-lived garbage made
	// fast; collected at half the live heap rather than all of it, the 2.3 GiB package's
	// export peaks at about 140 MiB of anonymous memory instead of 250-275 MiB, under the
	// 256 MiB an export may use (issue 21), as for a receive.
	if os.Getenv("GOGC") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(50))
	}
	var dir string
	var m *handoverpkg.Manifest
	detail := map[string]string{"scope": handoverpkg.ScopeWhole}
	if o.Customers != nil {
		detail["scope"] = handoverpkg.ScopeSelection
		detail["selected"] = strconv.Itoa(len(o.Customers))
	}
	var fps []string
	for _, c := range o.Recipients {
		fps = append(fps, c.Fingerprint[:16])
	}
	detail["recipients"] = strings.Join(fps, ",")
	err := s.doRecorded(PermExport, audit.PackageExport, "", detail, func(st *store.Store, begin beginFunc) ([]store.MetaChange, error) {
		view, err := s.checklistGate(ctx, st, checklist.StepExport)
		if err != nil {
			return nil, err
		}
		if o.Customers, err = exportScope(st, o.Customers); err != nil {
			return nil, err
		}
		if o.Customers != nil {
			detail["scope"], detail["selected"] = handoverpkg.ScopeSelection, strconv.Itoa(len(o.Customers))
		}
		if err := s.checkExportAbroad(ctx, st, view, o.Customers); err != nil {
			return nil, err
		}
		var seq struct{ N int }
		if err := st.GetMeta("package-sequence", &seq); err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		seq.N++
		o.Sequence, o.Deal, o.Now = seq.N, s.v.Manifest().ID, s.v.opts.Now()
		snap := view.Snapshot()
		snap.Deal = view.Deal
		if o.Checklist, err = json.Marshal(snap); err != nil {
			return nil, err
		}
		// The sequence number is spent before anything is written: a package that reaches
		// the stick can never share it with a later one, whatever happens next.
		o.ID = handoverpkg.NewID(o.Deal, o.Sequence)
		detail["package"], detail["sequence"], detail["out"] = o.ID, strconv.Itoa(o.Sequence), o.Out
		if err := begin(store.MetaChange{Name: "package-sequence", Value: seq}); err != nil {
			return nil, err
		}
		if dir, m, err = handoverpkg.Export(ctx, st, o, p); err != nil {
			return nil, err
		}
		delete(detail, "out")
		detail["customers"], detail["loans"] = strconv.FormatInt(m.Figures.Customers, 10), strconv.FormatInt(m.Figures.Loans, 10)
		detail["digest"] = m.Figures.Digest
		recs, err := packageRecords(dir, m.ID)
		if err != nil {
			return nil, err
		}
		// What the package holds, for an incident should it be lost: its customers, counts
		// and recipients (docs/INCIDENTS.md).
		held, err := packageHolding(ctx, st, o, m)
		if err != nil {
			return nil, err
		}
		recs = append(recs, held)
		return append(recs, factChange(metaFactExported, o.Now)), nil
	})
	return dir, m, err
}
