package vault

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"time"

	"handover/app/audit"
	"handover/app/cert"
	"handover/app/figures"
	"handover/app/handoverpkg"
	"handover/app/importer"
	"handover/app/progress"
	"handover/crypto/identity"
	"handover/store"
)

// Import runs an import of planned inputs (importer.Plan). It needs the import permission;
// the run and each file are audited with the file's name, SHA-256 and counts, never a value.
func (s *Session) Import(ctx context.Context, inputs []importer.Input, opts importer.Options, p progress.Reporter, stats *importer.Stats) ([]importer.Result, error) {
	var results []importer.Result
	detail := map[string]string{"files": strconv.Itoa(len(inputs))}
	opts.Operator = s.op.ID
	if opts.Now == nil {
		opts.Now = s.v.opts.Now
	}
	err := s.do(PermImport, audit.Import, "", detail, func(st *store.Store) error {
		// An import is activity: the idle lock must not close the vault under it.
		defer progress.Every(10*time.Second, s.Touch)()
		var err error
		results, err = importer.Run(ctx, st, inputs, opts, p, stats)
		var rows, acc, quar int64
		for _, r := range results {
			rows, acc, quar = rows+r.Rows, acc+r.Accepted, quar+r.Quarantined
			outcome := audit.OK
			if r.AlreadyImported {
				outcome = "unchanged"
			}
			s.record(audit.Event{Action: audit.ImportFile, Target: "file:" + r.SHA256, Outcome: outcome, Detail: map[string]string{
				"file": r.File, "sheet": r.Sheet, "sha256": r.SHA256, "table": string(r.Table),
				"rows": itoa(r.Rows), "accepted": itoa(r.Accepted), "quarantined": itoa(r.Quarantined), "warnings": itoa(r.Warnings)}})
		}
		detail["rows"], detail["accepted"], detail["quarantined"] = itoa(rows), itoa(acc), itoa(quar)
		if ctx.Err() != nil {
			detail["stopped"] = "cancel"
		}
		return err
	})
	return results, err
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// ImportSummaries lists the summaries of every file imported into the vault.
func (s *Session) ImportSummaries(ctx context.Context) ([]importer.Summary, error) {
	st, err := s.gate(PermView)
	if err != nil {
		return nil, err
	}
	return importer.LoadSummaries(ctx, st)
}

// Quarantine lists quarantine records (refused rows, warnings, refused columns).
func (s *Session) Quarantine(ctx context.Context, f importer.Filter, limit int) ([]importer.Entry, error) {
	st, err := s.gate(PermView)
	if err != nil {
		return nil, err
	}
	return importer.List(ctx, st, f, limit)
}

// RevealQuarantined shows one value of a quarantined row in full, as Reveal does a
// customer's: it needs the reveal permission and is audited with the row and the column,
// never the value. The screens show a quarantined row's identifiers masked until then.
func (s *Session) RevealQuarantined(k store.QuarantineKey, column int) (string, error) {
	var val string
	err := s.do(PermReveal, audit.QuarantineReveal, quarantineTarget(k), map[string]string{"column": strconv.Itoa(column)}, func(st *store.Store) error {
		var err error
		val, err = importer.Value(st, k, column)
		return err
	})
	return val, err
}

// CorrectQuarantined re-validates a quarantined row with corrected values.
func (s *Session) CorrectQuarantined(ctx context.Context, k store.QuarantineKey, values []string) (*importer.Item, error) {
	var it *importer.Item
	detail := map[string]string{}
	err := s.do(PermImport, audit.QuarantineFix, quarantineTarget(k), detail, func(st *store.Store) error {
		var err error
		it, err = importer.Correct(ctx, st, k, values, s.op.ID, s.v.opts.Now())
		if it != nil {
			detail["state"] = it.State
		}
		return err
	})
	return it, err
}

// DismissQuarantined closes a quarantined row with a recorded reason.
func (s *Session) DismissQuarantined(k store.QuarantineKey, reason string) (*importer.Item, error) {
	var it *importer.Item
	err := s.do(PermImport, audit.QuarantineClose, quarantineTarget(k), nil, func(st *store.Store) error {
		var err error
		it, err = importer.Dismiss(st, k, reason, s.op.ID, s.v.opts.Now())
		return err
	})
	return it, err
}

func quarantineTarget(k store.QuarantineKey) string {
	return fmt.Sprintf("quarantine:%x:%d", k.File, k.Row)
}

// gate is read for reads that a person asks for (not list rows scrolling past): they count
// as activity and postpone the idle lock.
func (s *Session) gate(perm Permission) (*store.Store, error) {
	st, err := s.read(perm)
	if err != nil {
		return nil, err
	}
	s.Touch()
	return st, nil
}

// RecordProfileSave audits that a mapping profile was saved (profiles hold header names,
// never data, and live outside the vault).
func (s *Session) RecordProfileSave(name string) {
	s.record(audit.Event{Action: audit.ProfileSave, Target: "profile:" + name, Outcome: audit.OK})
}

// Figures computes the book's figures and digest (app/figures); it reads every record, so
// it is audited.
func (s *Session) Figures(ctx context.Context) (*figures.Figures, error) {
	var f *figures.Figures
	err := s.do(PermView, audit.Figures, "", nil, func(st *store.Store) error {
		var err error
		f, err = figures.Compute(ctx, st)
		return err
	})
	return f, err
}

// NewStatement issues a certificate statement from the vault's current state: its figures
// and import summaries, and the cards of the people who must sign.
func (s *Session) NewStatement(ctx context.Context, kind string, signers []identity.Card) (*cert.Statement, error) {
	return s.NewStatementWithWitnesses(ctx, kind, signers, nil)
}

// NewStatementWithWitnesses is NewStatement with optional witnesses.
func (s *Session) NewStatementWithWitnesses(ctx context.Context, kind string, signers, witnesses []identity.Card) (*cert.Statement, error) {
	return s.newStatement(ctx, kind, signers, witnesses, nil, nil)
}

// NewReceipt issues the receipt (接收回执) of a package just received, with the figures the
// receive computed from this vault a moment ago: walking a large book again would double
// the receive's time for the same numbers.
func (s *Session) NewReceipt(ctx context.Context, rec *handoverpkg.Received, signers []identity.Card) (*cert.Statement, error) {
	f := rec.Figures
	return s.newStatement(ctx, cert.KindReceipt, signers, nil, &f, nil)
}

// newStatement issues a statement; decorate, if not nil, adds what its kind states (a
// destruction) before the statement is recorded.
func (s *Session) newStatement(ctx context.Context, kind string, signers, witnesses []identity.Card, known *figures.Figures, decorate func(*store.Store, *cert.Statement) error) (*cert.Statement, error) {
	var st *cert.Statement
	detail := map[string]string{"kind": kind}
	err := s.doRecorded(PermView, audit.CertNew, "", detail, func(sto *store.Store, _ beginFunc) ([]store.MetaChange, error) {
		return s.issueStatement(ctx, sto, &st, kind, signers, witnesses, known, detail, decorate)
	})
	return st, err
}

// issueStatement makes the statement and returns its record, which is committed with the
// audit event that reports it.
func (s *Session) issueStatement(ctx context.Context, sto *store.Store, out **cert.Statement, kind string, signers, witnesses []identity.Card, known *figures.Figures, detail map[string]string, decorate func(*store.Store, *cert.Statement) error) ([]store.MetaChange, error) {
	var st *cert.Statement
	defer func() { *out = st }()
	var changes []store.MetaChange
	err := func() error {
		f := known
		if f == nil {
			var err error
			if f, err = figures.Compute(ctx, sto); err != nil {
				return err
			}
		}
		sums, err := importer.LoadSummaries(ctx, sto)
		if err != nil {
			return err
		}
		st, err = cert.NewWithWitnesses(kind, s.v.Manifest().ID, s.v.opts.Workstation, s.v.opts.Now(), f, statementImports(sums), signers, witnesses)
		if st != nil && decorate != nil {
			if err := decorate(sto, st); err != nil {
				st = nil
				return err
			}
		}
		if st != nil {
			if st.AuditCheckpoint, err = sto.SaveCheckpoint(); err != nil {
				return err
			}
			if err := sto.MetaPrefix(ctx, "package/", func(_ string, b []byte) (bool, error) {
				var p cert.Package
				if err := json.Unmarshal(b, &p); err != nil {
					return false, &store.CorruptError{What: "package record"}
				}
				st.Packages = append(st.Packages, p)
				return true, nil
			}); err != nil {
				return err
			}
			detail["certificate"], detail["digest"] = st.ID, f.Digest
			// Rows still in quarantine do not stop a certificate; the certificate says how
			// many, and so does its audit event.
			var open int64
			for _, im := range st.Imports {
				open += im.Open
			}
			if open > 0 {
				detail["open_quarantine"] = strconv.FormatInt(open, 10)
			}
			if err := s.fillChecklist(ctx, sto, st); err != nil {
				return err
			}
			rec := certRecord{ID: st.ID, Kind: st.Kind, Signed: map[string]bool{}}
			for _, sg := range st.Signers {
				rec.Signers = append(rec.Signers, sg.Fingerprint)
			}
			if d, err := loadDeal(sto); err == nil {
				rec.Sides = signerSides(d, signers)
			}
			changes = append(changes, store.MetaChange{Name: metaCertificatePrefix + st.ID, Value: rec})
		}
		return err
	}()
	return changes, err
}

// statementImports is what a certificate states of each imported file, in the order the
// files were imported.
func statementImports(sums []importer.Summary) []cert.Import {
	sort.Slice(sums, func(i, j int) bool { return sums[i].Started.Before(sums[j].Started) })
	out := make([]cert.Import, 0, len(sums))
	for _, m := range sums {
		out = append(out, cert.Import{File: m.File, SHA256: m.SHA256, Sheet: m.Sheet, Table: string(m.Table),
			Rows: m.Rows, Accepted: m.Accepted, Quarantined: m.Quarantined, Corrected: m.Corrected, Dismissed: m.Dismissed,
			Open: m.Open(), Warnings: m.Warnings, Totals: m.Totals})
	}
	return out
}
