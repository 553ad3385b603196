package vault

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"handover/app/audit"
	"handover/crypto/keyslot"
	"handover/store"
)

// Backup writes the vault to a backup file in dir and verifies it by reading it back
// (store.Backup). A verified backup is what the checklist's backup item follows from.
func (s *Session) Backup(ctx context.Context, dir string) (*store.BackupInfo, error) {
	var info *store.BackupInfo
	detail := map[string]string{}
	detail["out"] = dir
	err := s.doRecorded(PermBackup, audit.Backup, "", detail, func(st *store.Store, begin beginFunc) ([]store.MetaChange, error) {
		if err := begin(); err != nil {
			return nil, err
		}
		var err error
		if info, err = st.Backup(ctx, dir, s.v.opts.Now()); err != nil {
			return nil, err
		}
		detail["sha256"], detail["size"], detail["entries"] = info.SHA256, strconv.FormatInt(info.Size, 10), strconv.FormatInt(info.Entries, 10)
		return []store.MetaChange{factChange(metaFactBackup, info.Made)}, nil
	})
	return info, err
}

// Restore makes a new vault at path from a backup file, opened with an operator's
// passphrase (by name or ID); open it afterwards like any vault.
func Restore(ctx context.Context, backup, path, operator, passphrase string) error {
	return store.Restore(ctx, backup, path, func(d *store.Dir) ([]byte, error) {
		slots, err := d.Slots()
		if err != nil {
			return nil, err
		}
		for _, h := range slots {
			if h.Operator == operator || h.Name == operator {
				_, sealed, err := d.ReadSlot(h.Operator)
				if err != nil {
					return nil, err
				}
				master, err := keyslot.Unwrap(sealed, h.Operator, passphrase)
				if errors.Is(err, keyslot.ErrWrongPassphrase) {
					return nil, ErrWrongPassphrase
				}
				return master, err
			}
		}
		return nil, fmt.Errorf("%s: %w", operator, ErrNoOperator)
	})
}
