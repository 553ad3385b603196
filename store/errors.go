package store

import (
	"errors"
	"fmt"

	"handover/store/model"
)

// Errors meant for the user; the UI maps each to a translated message with a hint.
var (
	ErrNotVault     = errors.New("not a Handover vault")
	ErrExists       = errors.New("a vault or other files already exist there")
	ErrNoOperator   = errors.New("no such operator")
	ErrKeyDestroyed = errors.New("the customer's data key was destroyed")
	ErrNotFound     = errors.New("not found")
	ErrWrongKey     = errors.New("the database does not open with this vault's key")
	errLocked       = errors.New("locked")
)

// InUseError says another process holds the vault.
type InUseError struct{ PID int }

func (e *InUseError) Error() string {
	if e.PID > 0 {
		return fmt.Sprintf("vault in use by process %d", e.PID)
	}
	return "vault in use by another process"
}

// CorruptError says one stored record failed authentication. It names the record by its
// internal customer number only, so it can be logged and shown without leaking anything.
type CorruptError struct {
	Customer model.CustomerNo // 0 when the record belongs to no customer
	What     string           // "customer", "loan", "repayment", "document", "meta", "audit", "key"
}

func (e *CorruptError) Error() string {
	if e.Customer != 0 {
		return fmt.Sprintf("stored %s of customer #%d is corrupt (failed authentication)", e.What, e.Customer)
	}
	return fmt.Sprintf("stored %s record is corrupt (failed authentication)", e.What)
}

// DamageError says a file of the vault is damaged as a whole: a database table, log or
// manifest whose checksum fails. It names the file relative to the vault folder; the remedy
// is restoring the last verified backup.
type DamageError struct {
	File   string // e.g. "db/000003.sst"
	Detail string // what failed, without data
}

func (e *DamageError) Error() string {
	return fmt.Sprintf("vault file %s is damaged (%s); restore the last verified backup", e.File, e.Detail)
}
