package vault

import (
	"context"
	"errors"
	"strconv"

	"handover/app/audit"
	"handover/app/figures"
	"handover/crypto/keyslot"
	"handover/store"
)

// RepairReport is what a repair found once the vault opened.
type RepairReport struct {
	Kept     string           `json:"kept"` // the folder holding the logs as they were
	Figures  *figures.Figures `json:"figures,omitempty"`
	AuditOK  bool             `json:"audit_ok"`
	Problem  string           `json:"problem,omitempty"` // what is still wrong: the vault must come from a backup
	Operator string           `json:"operator"`
}

// Repair opens a vault whose logs an unlock refused as damaged, as the database would after
// a crash: each log is cut at its first bad entry, after the files were copied into a folder
// of the vault. It then reads the whole book and verifies the audit log. Only an
// administrator may repair. A repair that finds the book or the log incomplete says so: the
// remedy is then the last verified backup. The repair is recorded in the audit log.
func (v *Vault) Repair(ctx context.Context, operator, passphrase string) (*RepairReport, error) {
	h, sealed, err := v.dir.ReadSlot(operator)
	if err != nil {
		return nil, err
	}
	// The role in the slot's header is a label, but the authoritative one is in the database,
	// which cannot be read before the repair: the label decides whether to begin, the record
	// is checked again once the database opens.
	if role := Role(h.Role); !role.Can(PermManageOperators) {
		return nil, &PermissionError{Role: role, Permission: PermManageOperators}
	}
	master, err := keyslot.Unwrap(sealed, operator, passphrase)
	if errors.Is(err, keyslot.ErrWrongPassphrase) {
		return nil, ErrWrongPassphrase
	}
	if err != nil {
		return nil, err
	}
	st, kept, err := store.OpenTrimming(v.dir, master, v.opts.Now())
	if err != nil {
		clear(master)
		if kept == "" {
			return nil, err
		}
		return &RepairReport{Kept: kept, Operator: operator, Problem: err.Error()}, ErrRepairIncomplete
	}
	rep := &RepairReport{Kept: kept, Operator: operator}
	op, err := st.Operator(operator)
	if err != nil {
		st.Close()
		clear(master)
		rep.Problem = err.Error()
		return rep, ErrRepairIncomplete
	}
	s := newSession(v, st, op, master)
	defer s.Lock()
	detail := map[string]string{"kept": kept}
	err = s.do(PermManageOperators, audit.VaultRepair, "", detail, func(st *store.Store) error {
		incomplete := func(problem string) error {
			rep.Problem, detail["problem"] = problem, problem
			return ErrRepairIncomplete
		}
		f, err := figures.Compute(ctx, st)
		if err != nil {
			return incomplete(err.Error())
		}
		rep.Figures = f
		detail["customers"], detail["digest"] = strconv.FormatInt(f.Customers, 10), f.Digest
		ar, err := st.VerifyAudit(ctx, nil)
		if err != nil {
			return incomplete(err.Error())
		}
		if ar.Problem != nil {
			return incomplete(ar.Problem.Error())
		}
		rep.AuditOK = true
		return nil
	})
	return rep, err
}

// ErrRepairIncomplete says a repaired vault does not read whole: restore the backup.
var ErrRepairIncomplete = errors.New("the repaired vault does not read whole: restore the last verified backup")
