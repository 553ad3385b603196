// Package keyslot wraps a vault's master key under one operator's passphrase.
//
// A key slot is a standard age file encrypted to an age scrypt recipient. Its plaintext is
// the operator ID followed by the 32-byte master key, so that a slot copied over another
// operator's file is refused instead of silently unlocking as the wrong person. Because the
// slot is plain age, an administrator can inspect it with `age -d` in an emergency.
package keyslot

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"strings"

	"filippo.io/age"
)

// MasterKeySize is the size of a vault master key in bytes.
const MasterKeySize = 32

// DefaultWorkFactor is the scrypt work factor (log2 N) written into new slots. 2^18 costs
// about a quarter of a second and 256 MiB on an office PC, which is age's own default.
const DefaultWorkFactor = 18

// MaxWorkFactor is the largest work factor accepted when opening a slot. A tampered slot
// that claims more is refused before any scrypt work, so it cannot exhaust memory.
const MaxWorkFactor = 18

// maxSlotSize bounds how much of a slot file is read; real slots are about 200 bytes.
const maxSlotSize = 4096

var (
	// ErrWrongPassphrase means the passphrase does not open this slot.
	ErrWrongPassphrase = errors.New("wrong passphrase")
	// ErrCorrupt means the slot is not a valid key slot (damaged, truncated or tampered).
	ErrCorrupt = errors.New("key slot is damaged or not a key slot")
	// ErrWrongOperator means the slot belongs to another operator.
	ErrWrongOperator = errors.New("key slot belongs to another operator")
)

// Wrap encrypts masterKey for operatorID under passphrase with the given scrypt work factor.
func Wrap(masterKey []byte, operatorID, passphrase string, workFactor int) ([]byte, error) {
	defer releaseScryptMemory()
	if len(masterKey) != MasterKeySize {
		return nil, fmt.Errorf("keyslot: master key must be %d bytes", MasterKeySize)
	}
	if passphrase == "" {
		return nil, errors.New("keyslot: empty passphrase")
	}
	r, err := age.NewScryptRecipient(passphrase)
	if err != nil {
		return nil, err
	}
	r.SetWorkFactor(workFactor)
	var out bytes.Buffer
	w, err := age.Encrypt(&out, r)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(plaintext(masterKey, operatorID)); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// Unwrap opens a slot and returns the master key.
func Unwrap(slot []byte, operatorID, passphrase string) (key []byte, err error) {
	defer func() {
		// Only a derivation that ran holds scrypt's memory: it ends in a key or in a wrong
		// passphrase. A slot refused before any work has nothing to give back, and forcing a
		// collection for it costs more than the refusal.
		if err == nil || errors.Is(err, ErrWrongPassphrase) || errors.Is(err, ErrWrongOperator) {
			releaseScryptMemory()
		}
	}()
	if len(slot) > maxSlotSize {
		return nil, ErrCorrupt
	}
	id, err := age.NewScryptIdentity(passphrase)
	if err != nil {
		return nil, ErrWrongPassphrase
	}
	id.SetMaxWorkFactor(MaxWorkFactor)
	r, err := age.Decrypt(bytes.NewReader(slot), id)
	if err != nil {
		// age wraps ErrIncorrectIdentity both for a failed AEAD tag (wrong passphrase) and for
		// a file that has no scrypt stanza at all; only the former is the user's typo.
		if errors.Is(err, age.ErrIncorrectIdentity) && strings.Contains(err.Error(), "incorrect passphrase") {
			return nil, ErrWrongPassphrase
		}
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	body, err := io.ReadAll(io.LimitReader(r, maxSlotSize))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	prefix := plaintext(nil, operatorID)
	if !bytes.HasPrefix(body, []byte(slotMagic)) || len(body) <= MasterKeySize {
		return nil, ErrCorrupt
	}
	if !bytes.Equal(body[:len(body)-MasterKeySize], prefix) {
		return nil, ErrWrongOperator
	}
	return body[len(body)-MasterKeySize:], nil
}

const slotMagic = "handover-keyslot-v1\n"

func plaintext(masterKey []byte, operatorID string) []byte {
	b := make([]byte, 0, len(slotMagic)+len(operatorID)+1+MasterKeySize)
	b = append(b, slotMagic...)
	b = append(b, operatorID...)
	b = append(b, '\n')
	return append(b, masterKey...)
}

// releaseScryptMemory hands the memory of a finished scrypt derivation (256 MiB at the
// default work factor) back to the system at once. Without it the Go runtime keeps it for
// minutes, and a long import or export that follows an unlock looks 256 MiB larger than it
// is, on an office PC that needs the memory for other things.
func releaseScryptMemory() { debug.FreeOSMemory() }
