package vault

import (
	"context"
	"errors"
	"fmt"

	"handover/crypto/keyslot"
	"handover/store"
)

// Errors meant for the user. ui maps each to a translated message and a hint; the CLI prints
// the English text. None of them ever contains a passphrase or a customer's data.
var (
	ErrWrongPassphrase = errors.New("wrong passphrase")
	ErrLocked          = errors.New("the vault is locked")
	ErrWeakPassphrase  = fmt.Errorf("passphrase too short (at least %d characters)", MinPassphraseLen)
	ErrLastAdmin       = errors.New("cannot remove the last operator who can manage operators")
	ErrHowRequired     = errors.New("say how the fingerprint was compared (for example: in person, read aloud)")
	ErrUnknownField    = errors.New("unknown field")
	// These come from the layers below, re-exported so callers need only this package.
	ErrNotVault      = store.ErrNotVault
	ErrExists        = store.ErrExists
	ErrNoOperator    = store.ErrNoOperator
	ErrNotFound      = store.ErrNotFound
	ErrKeyDestroyed  = store.ErrKeyDestroyed
	ErrSlotDamaged   = keyslot.ErrCorrupt
	ErrWrongOperator = keyslot.ErrWrongOperator
	ErrBadBackup     = store.ErrBadBackup
	// ErrEvidenceTooLarge refuses an evidence file over the vault's limit.
	ErrEvidenceTooLarge = store.ErrEvidenceTooLarge
	// ErrEvidenceDestroyed is an evidence file whose content a destruction erased.
	ErrEvidenceDestroyed = store.ErrEvidenceDestroyed
	// ErrArchive, ErrDestroyInProgress and ErrRetention are the store's, named here so
	// that front ends need not import the storage engine.
	ErrArchive           = store.ErrArchive
	ErrDestroyInProgress = store.ErrDestroyInProgress
	ErrRetention         = store.ErrRetention
)

// MinPassphraseLen is the shortest passphrase accepted for a new slot.
const MinPassphraseLen = 8

// PermissionError says the operator's role lacks a permission.
type PermissionError struct {
	Role       Role
	Permission Permission
}

func (e *PermissionError) Error() string {
	return fmt.Sprintf("role %s may not %s", e.Role, e.Permission)
}

// Typed errors from below, for errors.As.
type (
	InUseError   = store.InUseError
	CorruptError = store.CorruptError
	DamageError  = store.DamageError
)

// Records the front ends show, re-exported so that ui and app/cli need only this package and
// never import the storage engine (app/arch_test.go holds them to it).
type (
	Operator      = store.Operator
	SlotHeader    = store.SlotHeader
	AuditReport   = store.AuditReport
	BackupInfo    = store.BackupInfo
	QuarantineKey = store.QuarantineKey
)

// VerifyBackup reads a backup file back and checks every member against its SHA256SUMS,
// without a vault or a passphrase.
func VerifyBackup(ctx context.Context, path string) (*BackupInfo, error) {
	return store.VerifyBackup(ctx, path)
}
