// Package vault is the core of Handover: it opens vaults, unlocks them for one operator,
// and offers every operation on the data through Session, which checks the operator's
// permission and records an audit event for each call, in one place.
package vault

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"handover/app/audit"
	"handover/app/handoverpkg"
	"handover/crypto/keyslot"
	"handover/store"
)

// Options adjust a vault for tests and tools. The zero value is right for real use.
type Options struct {
	// WorkFactor is the scrypt work factor of new key slots (default keyslot.DefaultWorkFactor).
	// Tests lower it to stay fast.
	WorkFactor int
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Workstation names this machine in audit events (default Workstation()).
	Workstation string
}

func (o Options) withDefaults() Options {
	if o.WorkFactor == 0 {
		o.WorkFactor = keyslot.DefaultWorkFactor
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Workstation == "" {
		o.Workstation = Workstation()
	}
	return o
}

// Vault is a vault folder held by this process, locked or unlocked.
type Vault struct {
	dir  *store.Dir
	opts Options
}

// NewOperator describes an operator to create.
type NewOperator struct {
	Name       string
	Role       Role
	Passphrase string
}

func (n NewOperator) check() error {
	name := strings.TrimSpace(n.Name)
	if name == "" || utf8.RuneCountInString(name) > 64 {
		return errors.New("operator name must be 1 to 64 characters")
	}
	if _, err := ParseRole(string(n.Role)); err != nil {
		return err
	}
	if utf8.RuneCountInString(n.Passphrase) < MinPassphraseLen {
		return ErrWeakPassphrase
	}
	return nil
}

// Create makes a new vault at path with a first operator and returns it unlocked for that
// operator. demoPassphrase is recorded only for demo vaults.
func Create(path string, first NewOperator, demoPassphrase string, opts Options) (*Session, error) {
	opts = opts.withDefaults()
	if err := first.check(); err != nil {
		return nil, err
	}
	d, err := store.CreateDir(path, store.Manifest{Created: opts.Now().UTC(), DemoPassphrase: demoPassphrase})
	if err != nil {
		return nil, err
	}
	v := &Vault{dir: d, opts: opts}
	master := make([]byte, keyslot.MasterKeySize)
	if _, err := rand.Read(master); err != nil {
		d.Close()
		return nil, err
	}
	st, err := store.Open(d, master, true)
	if err != nil {
		d.Close()
		return nil, err
	}
	op := store.Operator{ID: store.NewID("op"), Name: strings.TrimSpace(first.Name), Role: string(first.Role),
		Created: opts.Now().UTC().Format(time.RFC3339)}
	s := newSession(v, st, op, master)
	if err := s.writeOperator(op, first.Passphrase); err != nil {
		s.closeStore()
		d.Close()
		return nil, err
	}
	if err := startAuthLog(st, d, opts.Now()); err != nil {
		s.closeStore()
		d.Close()
		return nil, err
	}
	s.record(audit.Event{Action: audit.VaultCreate, Target: d.Manifest.ID, Outcome: audit.OK})
	return s, nil
}

// Open holds the vault at path; another process holding it gives *InUseError.
func Open(path string, opts Options) (*Vault, error) {
	d, err := store.OpenDir(path)
	if err != nil {
		return nil, err
	}
	return &Vault{dir: d, opts: opts.withDefaults()}, nil
}

// Path is the vault's folder.
func (v *Vault) Path() string { return v.dir.Path() }

// Manifest describes the vault.
func (v *Vault) Manifest() store.Manifest { return v.dir.Manifest }

// Operators lists who can unlock the vault (from the slot headers, readable while locked).
func (v *Vault) Operators() ([]store.SlotHeader, error) { return v.dir.Slots() }

// OperatorByName finds an operator's ID by exact name, for the command line.
func (v *Vault) OperatorByName(name string) (string, error) {
	ops, err := v.Operators()
	if err != nil {
		return "", err
	}
	var found []string
	for _, o := range ops {
		if o.Name == name || o.Operator == name {
			found = append(found, o.Operator)
		}
	}
	switch len(found) {
	case 0:
		return "", fmt.Errorf("%w: %s", ErrNoOperator, name)
	case 1:
		return found[0], nil
	}
	return "", fmt.Errorf("several operators are called %s; use the operator id", name)
}

// Unlock opens the vault as operator with passphrase. A failure is recorded (in a plain
// file, since the log needs the key) and moved into the audit log at the next unlock.
func (v *Vault) Unlock(operator, passphrase string) (*Session, error) {
	h, sealed, err := v.dir.ReadSlot(operator)
	if err != nil {
		return nil, err
	}
	master, err := keyslot.Unwrap(sealed, operator, passphrase)
	if err != nil {
		reason := "damaged_slot"
		if errors.Is(err, keyslot.ErrWrongPassphrase) {
			reason, err = "wrong_passphrase", ErrWrongPassphrase
		}
		_ = v.dir.RecordAuthFailure(store.AuthFailure{Time: v.opts.Now().UTC(), Operator: h.Operator,
			Workstation: v.opts.Workstation, Reason: reason})
		return nil, err
	}
	st, err := store.Open(v.dir, master, false)
	if err != nil {
		clear(master)
		return nil, err
	}
	op, err := st.Operator(operator)
	if err != nil {
		st.Close()
		clear(master)
		return nil, err
	}
	s := newSession(v, st, op, master)
	s.ingestAuthFailures()
	s.record(audit.Event{Action: audit.Unlock, Outcome: audit.OK})
	// A receive cut off before its record (power loss) is undone before anything else;
	// then every operation cut off between its effect and its record is recorded.
	if undone, err := handoverpkg.RecoverReceive(st); undone {
		outcome := audit.OK
		if err != nil {
			outcome = audit.Failed
		}
		s.record(audit.Event{Action: audit.PackageReceiveUndone, Outcome: outcome})
	}
	s.resolveIntents(context.Background(), st)
	_ = s.syncRestrictedFlag(context.Background()) // the unlock screen's flag, after a crash
	return s, nil
}

// Close releases the vault folder. Sessions must be locked first.
func (v *Vault) Close() error { return v.dir.Close() }

// ChangePassphrase replaces an operator's passphrase without unlocking the database: the
// old passphrase opens the slot, the new one seals the same master key, and the slot file
// is replaced atomically, so a crash at any instant leaves one of the two working.
// begin, if not nil, runs just before the slot is replaced.
func (v *Vault) changeSlot(operator, oldPass, newPass string, begin beginFunc) error {
	if utf8.RuneCountInString(newPass) < MinPassphraseLen {
		return ErrWeakPassphrase
	}
	h, sealed, err := v.dir.ReadSlot(operator)
	if err != nil {
		return err
	}
	master, err := keyslot.Unwrap(sealed, operator, oldPass)
	if errors.Is(err, keyslot.ErrWrongPassphrase) {
		return ErrWrongPassphrase
	}
	if err != nil {
		return err
	}
	defer clear(master)
	newSealed, err := keyslot.Wrap(master, operator, newPass, v.opts.WorkFactor)
	if err != nil {
		return err
	}
	if begin != nil {
		if err := begin(); err != nil {
			return err
		}
	}
	return v.dir.WriteSlot(h, newSealed)
}

// Workstation names this machine, as audit events record it.
func (v *Vault) Workstation() string { return v.opts.Workstation }
