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
	"sort"
	"strings"

	"handover/app/assess"
	"handover/app/audit"
	"handover/store"
	"handover/store/atomicfile"
	"handover/store/model"
)

// The compliance archive: what the handover's own records must keep (PIPL Art. 56: at least
// three years) once the customers' data is gone. It holds no personal data: the audit log
// (events name customers by number), its checkpoints and verifier key, the checklist with
// its evidence files' names and hashes, the certificates issued, the destruction plans
// (counts and salted digests, never customer numbers) and the holds.

// Errors of the archive and of whole-vault destruction, meant for the user.
var (
	ErrArchiveNotEmpty = errors.New("the archive folder must be new or empty")
	ErrArchiveBad      = errors.New("the archive did not read back whole")
	ErrConfirmVault    = errors.New("type the vault's ID to confirm that the whole vault is destroyed")
	ErrActiveHold      = errors.New("a legal hold is in force: the vault cannot be destroyed while data must be kept")
	ErrNotAllDestroyed = errors.New("destroy the customers first (a plan of scope all, run and verified), then the vault")
)

// WriteArchive writes the compliance archive into dir and reads it back (SHA256SUMS, the
// audit log's tree against its checkpoints). An administrator makes it.
func (s *Session) WriteArchive(ctx context.Context, dir string) error {
	detail := map[string]string{"out": dir}
	return s.doMeta(PermDestroy, audit.VaultArchive, "", detail, func(st *store.Store) ([]store.MetaChange, error) {
		if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
			return nil, ErrArchiveNotEmpty
		}
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, err
		}
		if err := s.writeArchive(ctx, st, dir); err != nil {
			return nil, err
		}
		// The fact the checklist follows from commits with the event, once the archive read
		// back whole.
		if err := verifyArchive(dir); err != nil {
			return nil, err
		}
		return []store.MetaChange{factChange(metaFactArchived, s.v.opts.Now())}, nil
	})
}

func (s *Session) writeArchive(ctx context.Context, st *store.Store, dir string) error {
	files := map[string]any{}
	m := s.v.Manifest()
	files["vault.json"] = map[string]any{"id": m.ID, "created": m.Created, "archived": s.v.opts.Now().UTC(), "by": s.op.Name}
	if view, err := s.evaluate(ctx, st); err == nil {
		files["checklist.json"] = view.Snapshot()
	} else if !errors.Is(err, ErrNoDeal) {
		return err
	}
	var certs []certRecord
	if err := st.MetaPrefix(ctx, metaCertificatePrefix, func(_ string, b []byte) (bool, error) {
		var c certRecord
		if err := json.Unmarshal(b, &c); err != nil {
			return false, &store.CorruptError{What: "certificate record"}
		}
		certs = append(certs, c)
		return true, nil
	}); err != nil {
		return err
	}
	files["certificates.json"] = certs
	var plans []DestroyPlan
	if err := st.MetaPrefix(ctx, metaPlanPrefix, func(_ string, b []byte) (bool, error) {
		var rec planRecord
		if err := json.Unmarshal(b, &rec); err != nil {
			return false, &store.CorruptError{What: "destruction plan"}
		}
		plans = append(plans, rec.Plan) // the plan, without its customer numbers
		return true, nil
	}); err != nil {
		return err
	}
	files["destruction-plans.json"] = plans
	holds, err := loadHolds(ctx, st)
	if err != nil {
		return err
	}
	files["holds.json"] = holds
	// The assessments and registers are handover records kept three years (PIPL Art. 56):
	// the answers (evidence by name and SHA-256), findings and sign-offs, and both registers.
	var workbooks []WorkbookRecord
	for _, id := range assess.IDs {
		_, rec, err := loadWorkbook(st, id)
		if err != nil {
			return err
		}
		workbooks = append(workbooks, rec)
	}
	files["assessments.json"] = workbooks
	findings, err := readFindings(ctx, st)
	if err != nil {
		return err
	}
	files["findings.json"] = append([]Finding{}, findings...)
	ndas, trainings, err := readRegisters(ctx, st)
	if err != nil {
		return err
	}
	files["registers.json"] = map[string]any{"ndas": ndas, "trainings": trainings}
	for name, v := range files {
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return err
		}
		if err := atomicfile.Write(filepath.Join(dir, name), append(b, '\n'), 0o644); err != nil {
			return err
		}
	}
	if err := st.WriteAuditArchive(ctx, dir); err != nil {
		return err
	}
	return writeSums(dir)
}

// writeSums writes SHA256SUMS over every file of the archive.
func writeSums(dir string) error {
	var lines []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() == "SHA256SUMS" {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		sum := sha256.Sum256(b)
		lines = append(lines, hex.EncodeToString(sum[:])+"  "+filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		return err
	}
	sort.Strings(lines)
	return atomicfile.Write(filepath.Join(dir, "SHA256SUMS"), []byte(strings.Join(lines, "\n")+"\n"), 0o644)
}

// verifyArchive reads an archive back: every file against SHA256SUMS, no file unlisted, the
// audit log against its checkpoints.
func verifyArchive(dir string) error {
	b, err := os.ReadFile(filepath.Join(dir, "SHA256SUMS"))
	if err != nil {
		return fmt.Errorf("%w: %v", ErrArchiveBad, err)
	}
	listed := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		sum, name, ok := strings.Cut(line, "  ")
		if !ok {
			return ErrArchiveBad
		}
		f, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
		got := sha256.Sum256(f)
		if err != nil || hex.EncodeToString(got[:]) != sum {
			return fmt.Errorf("%w: %s", ErrArchiveBad, name)
		}
		listed[name] = true
	}
	rep, err := store.VerifyAuditArchive(dir)
	if err != nil {
		return err
	}
	if rep.Problem != nil {
		return fmt.Errorf("%w: audit log: %s", ErrArchiveBad, rep.Problem.Detail)
	}
	return nil
}

// VerifyArchive checks a compliance archive without any vault: SHA256SUMS and the audit log.
func VerifyArchive(dir string) (*store.AuditReport, error) {
	if err := verifyArchive(dir); err != nil {
		return nil, err
	}
	return store.VerifyAuditArchive(dir)
}

// DestroyVault destroys the whole vault after its customers were destroyed and the
// compliance archive was written to archiveDir and read back: every key slot and the key
// table are overwritten, every file removed. confirm must be the vault's ID. The session
// and the vault are closed; nothing of the vault folder remains.
func (s *Session) DestroyVault(ctx context.Context, archiveDir, confirm string) error {
	if confirm != s.v.Manifest().ID {
		return ErrConfirmVault
	}
	detail := map[string]string{"archive": archiveDir}
	err := s.do(PermDestroy, audit.VaultDestroy, "", detail, func(st *store.Store) error {
		holds, err := loadHolds(ctx, st)
		if err != nil {
			return err
		}
		today := model.DateOf(s.v.opts.Now().In(shanghai))
		for _, h := range holds {
			if h.Active(today) {
				return fmt.Errorf("%w (%s, %s)", ErrActiveHold, h.ID, h.Case)
			}
		}
		if st.Counts().Customers > 0 {
			return ErrNotAllDestroyed
		}
		if err := s.destroyGate(ctx, st); err != nil {
			return err
		}
		if entries, err := os.ReadDir(archiveDir); err == nil && len(entries) > 0 {
			return ErrArchiveNotEmpty
		}
		return os.MkdirAll(archiveDir, 0o700)
	})
	if err != nil {
		return err
	}
	// The archive holds the event above and every one before: it is the log's last state.
	st, err := s.store()
	if err != nil {
		return err
	}
	if err := s.writeArchive(ctx, st, archiveDir); err != nil {
		return err
	}
	if err := verifyArchive(archiveDir); err != nil {
		return err
	}
	if err := s.closeStore(); err != nil {
		return err
	}
	return s.v.dir.Erase()
}
