package demo

import (
	"context"
	"path/filepath"

	"handover/app/audit"
	"handover/app/progress"
	"handover/app/vault"
	"handover/store"
)

// Operator names of a demo vault.
const (
	OperatorName = "演示操作员" // transferor officer: may import, reveal, export, sign
	AuditorName  = "演示审计员" // auditor: sees masked data only
	AdminName    = "演示管理员" // administrator: manages operators
)

// Options describe a demo vault.
type Options struct {
	Customers int
	Seed      uint64
	Documents bool
	// DocumentLimit: see Generator.DocumentLimit.
	DocumentLimit int
	Passphrase    string
	Vault         vault.Options
	// Deal, when set (equity, loan-book, merger), records a demo deal of that type with its
	// preparation done (PrepareDeal), so the export is open.
	Deal string
	// Backup is where the demo deal's backup goes ("" for a folder next to the vault, named
	// after it with "-backups"); NoBackup skips it (benchmarks of large books), and the
	// export then waits for one.
	Backup   string
	NoBackup bool
}

// CreateVault makes a vault at path with three demo operators sharing one passphrase and a
// generated book, and returns it unlocked as the transferor officer. On failure (or when ctx
// is cancelled) the vault folder is released; the caller decides whether to delete it.
func CreateVault(ctx context.Context, path string, o Options, p progress.Reporter) (*vault.Session, error) {
	s, err := vault.Create(path, vault.NewOperator{Name: AdminName, Role: vault.Admin, Passphrase: o.Passphrase},
		o.Passphrase, o.Vault)
	if err != nil {
		return nil, err
	}
	v := s.Vault()
	fail := func(err error) (*vault.Session, error) {
		s.Lock()
		v.Close()
		return nil, err
	}
	var officer string
	for _, n := range []vault.NewOperator{
		{Name: OperatorName, Role: vault.Transferor, Passphrase: o.Passphrase},
		{Name: AuditorName, Role: vault.Auditor, Passphrase: o.Passphrase},
		{Name: TransfereeName, Role: vault.Transferee, Passphrase: o.Passphrase},
	} {
		op, err := s.AddOperator(n)
		if err != nil {
			return fail(err)
		}
		if n.Role == vault.Transferor {
			officer = op.ID
		}
	}
	if err := s.Lock(); err != nil {
		return fail(err)
	}
	if s, err = v.Unlock(officer, o.Passphrase); err != nil {
		v.Close()
		return nil, err
	}
	g := &Generator{Seed: o.Seed, Documents: o.Documents, DocumentLimit: o.DocumentLimit}
	err = s.Bulk(ctx, audit.DemoGenerate, func(w *store.Writer) error {
		return Write(ctx, w, g, o.Customers, p)
	})
	if err != nil {
		return fail(err)
	}
	if o.Deal != "" {
		backup := o.Backup
		if backup == "" && !o.NoBackup {
			backup = filepath.Clean(path) + "-backups"
		}
		if o.NoBackup {
			backup = ""
		}
		if err := PrepareDeal(ctx, s, o.Deal, backup, o.Passphrase); err != nil {
			return fail(err)
		}
	}
	return s, nil
}
