package ui

import (
	"context"
	"errors"
	"strconv"

	"handover/app/vault"
)

// describe maps a core error to a translated message and a hint. Unknown errors show their
// English text, which the core guarantees holds no personal data or passphrase.
func describe(err error) (msg, hint string) {
	var pe *vault.PermissionError
	var iu *vault.InUseError
	var ce *vault.CorruptError
	switch {
	case errors.Is(err, vault.ErrWrongPassphrase):
		return L("error.wrong_passphrase"), L("hint.wrong_passphrase")
	case errors.Is(err, vault.ErrWeakPassphrase):
		return L("error.weak_passphrase", map[string]any{"N": vault.MinPassphraseLen}), L("hint.weak_passphrase")
	case errors.As(err, &pe):
		return L("error.permission", map[string]any{"Role": roleName(pe.Role), "Permission": L("perm." + string(pe.Permission))}),
			L("hint.permission")
	case errors.As(err, &iu):
		return L("error.in_use", map[string]any{"PID": strconv.Itoa(iu.PID)}), L("hint.in_use")
	case errors.As(err, &ce):
		return L("error.corrupt", map[string]any{"No": strconv.FormatUint(uint64(ce.Customer), 10)}), L("hint.corrupt")
	case errors.Is(err, vault.ErrSlotDamaged):
		return L("error.slot_damaged"), L("hint.slot_damaged")
	case errors.Is(err, vault.ErrNotVault):
		return L("error.not_vault"), L("hint.not_vault")
	case errors.Is(err, vault.ErrExists):
		return L("error.exists"), L("hint.exists")
	case errors.Is(err, vault.ErrLocked):
		return L("error.locked"), ""
	case errors.Is(err, vault.ErrKeyDestroyed):
		return L("error.destroyed"), ""
	case errors.Is(err, vault.ErrLastAdmin):
		return L("error.last_admin"), ""
	case errors.Is(err, context.Canceled):
		return L("error.cancelled"), ""
	}
	return err.Error(), ""
}

func roleName(r vault.Role) string { return L("role." + string(r)) }
