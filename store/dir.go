package store

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"handover/crypto/keyslot"
	"handover/store/atomicfile"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The files of a vault directory.
const (
	manifestName = "vault.json"
	slotsDir     = "slots"
	dbDir        = "db"
	lockName     = "LOCK"
	keyTableName = "keytable.bin"
	failuresName = "auth-failures.jsonl"
)

// Manifest is vault.json: what a vault is, readable before unlocking. It holds no secrets and
// no personal data of customers.
type Manifest struct {
	Format  string    `json:"format"`
	Version int       `json:"version"`
	ID      string    `json:"id"`
	Created time.Time `json:"created"`
	// DemoPassphrase is set only in demo vaults of synthetic data, so the unlock screen can
	// show it to a first-time user.
	DemoPassphrase string `json:"demo_passphrase,omitempty"`
	// RestrictedSince is set while the vault is restricted to storage only (PIPL Art. 47), so
	// that the unlock screen can say so before anyone signs in. It is a flag, not the
	// restriction: that is sealed in the vault and enforced there.
	RestrictedSince time.Time `json:"restricted_since,omitzero"`
}

// SetRestricted records in vault.json that the vault is restricted since t (zero: not).
func (d *Dir) SetRestricted(t time.Time) error {
	m := d.Manifest
	m.RestrictedSince = t.UTC()
	return d.writeManifest(m)
}

// upgrade records in vault.json that the vault is in this program's format, before anything
// in the new format is written, so that an older program refuses it instead of misreading it.
func (d *Dir) upgrade() error {
	if d.Manifest.Version >= formatVersion {
		return nil
	}
	m := d.Manifest
	m.Version = formatVersion
	return d.writeManifest(m)
}

func (d *Dir) writeManifest(m Manifest) error {
	b, _ := json.MarshalIndent(m, "", "  ")
	if err := atomicfile.Write(filepath.Join(d.path, manifestName), append(b, '\n'), 0o600); err != nil {
		return err
	}
	d.Manifest = m
	return nil
}

const manifestFormat = "handover-vault"

// formatVersion is the vault format this program writes. 2: the blind index is stored in
// pages (indexpage.go); a program that knows only version 1 would find nothing in them, so
// it must refuse the vault, which it does for any version above its own. 3: the repayments
// in a customer's record are packed (packed.go), which a program of version 2 would take
// for damage. 4: customers' records are binary (binrecord.go). An older vault is read as it is and takes this version when this program
// opens it.
const formatVersion = 4

// SlotHeader is the plain first line of a key slot file: enough to list operators on the
// unlock screen. The authoritative role is in the encrypted operator record.
type SlotHeader struct {
	Operator string `json:"operator"`
	Name     string `json:"name"`
	Role     string `json:"role"`
}

// Dir is a vault directory held by this process. Holding it is what makes a vault "in use";
// unlocking it gives a Store.
type Dir struct {
	path     string
	lock     *os.File
	Manifest Manifest
}

// CreateDir makes a new, empty vault directory at path and holds it. path must not exist or
// be an empty folder.
func CreateDir(path string, m Manifest) (*Dir, error) {
	if entries, err := os.ReadDir(path); err == nil && len(entries) > 0 {
		return nil, fmt.Errorf("%s: %w", path, ErrExists)
	}
	if err := os.MkdirAll(filepath.Join(path, slotsDir), 0o700); err != nil {
		return nil, err
	}
	d, err := hold(path)
	if err != nil {
		return nil, err
	}
	if m.ID == "" {
		m.ID = NewID("v")
	}
	m.Format, m.Version = manifestFormat, formatVersion
	if m.Created.IsZero() {
		m.Created = time.Now().UTC()
	}
	b, _ := json.MarshalIndent(m, "", "  ")
	if err := atomicfile.Write(filepath.Join(path, manifestName), append(b, '\n'), 0o600); err != nil {
		d.Close()
		return nil, err
	}
	d.Manifest = m
	return d, nil
}

// OpenDir holds an existing vault directory. Another process holding it gives *InUseError.
func OpenDir(path string) (*Dir, error) {
	b, err := os.ReadFile(filepath.Join(path, manifestName))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s: %w", path, ErrNotVault)
		}
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil || m.Format != manifestFormat {
		return nil, fmt.Errorf("%s: %w", path, ErrNotVault)
	}
	if m.Version > formatVersion {
		return nil, fmt.Errorf("%s: vault format version %d is newer than this program", path, m.Version)
	}
	if m.Version < 1 {
		return nil, fmt.Errorf("%s: vault.json is damaged: %w", path, ErrNotVault)
	}
	d, err := hold(path)
	if err != nil {
		return nil, err
	}
	d.Manifest = m
	return d, nil
}

func hold(path string) (*Dir, error) {
	f, err := os.OpenFile(filepath.Join(path, lockName), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := lockFile(f); err != nil {
		pid := 0
		if b, rerr := io.ReadAll(io.LimitReader(f, 32)); rerr == nil {
			pid, _ = strconv.Atoi(strings.TrimSpace(string(b)))
		}
		f.Close()
		if errors.Is(err, errLocked) {
			return nil, &InUseError{PID: pid}
		}
		return nil, err
	}
	_ = f.Truncate(0)
	_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return &Dir{path: path, lock: f}, nil
}

// Path is the vault's folder.
func (d *Dir) Path() string { return d.path }

// Close releases the vault for other processes.
func (d *Dir) Close() error {
	if d.lock == nil {
		return nil
	}
	_ = d.lock.Truncate(0)
	_ = unlockFile(d.lock)
	err := d.lock.Close()
	d.lock = nil
	return err
}

// Slots lists the operators that have a key slot, sorted by name.
func (d *Dir) Slots() ([]SlotHeader, error) {
	entries, err := os.ReadDir(filepath.Join(d.path, slotsDir))
	if err != nil {
		return nil, err
	}
	var out []SlotHeader
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".slot") {
			continue
		}
		h, _, err := d.ReadSlot(strings.TrimSuffix(e.Name(), ".slot"))
		if err != nil {
			continue // a damaged slot is reported when someone tries to use it
		}
		out = append(out, h)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// ReadSlot returns an operator's slot header and the age-encrypted key it holds.
func (d *Dir) ReadSlot(operator string) (SlotHeader, []byte, error) {
	if !validID(operator) {
		return SlotHeader{}, nil, ErrNoOperator
	}
	b, err := readLimited(filepath.Join(d.path, slotsDir, operator+".slot"), 64<<10)
	if errors.Is(err, os.ErrNotExist) {
		return SlotHeader{}, nil, ErrNoOperator
	}
	if err != nil {
		return SlotHeader{}, nil, err
	}
	line, rest, ok := bytes.Cut(b, []byte("\n"))
	var h SlotHeader
	if !ok || json.Unmarshal(line, &h) != nil || h.Operator != operator {
		return SlotHeader{}, nil, fmt.Errorf("operator %s: %w", operator, keyslot.ErrCorrupt)
	}
	return h, rest, nil
}

// WriteSlot replaces an operator's slot atomically: at every instant the old or the new slot
// is complete on disk, so a crash during a passphrase change never locks the operator out.
func (d *Dir) WriteSlot(h SlotHeader, sealedKey []byte) error {
	if !validID(h.Operator) {
		return fmt.Errorf("invalid operator id %q", h.Operator)
	}
	line, _ := json.Marshal(h)
	data := append(append(line, '\n'), sealedKey...)
	return atomicfile.Write(filepath.Join(d.path, slotsDir, h.Operator+".slot"), data, 0o600)
}

// RemoveSlot deletes an operator's slot.
func (d *Dir) RemoveSlot(operator string) error {
	if !validID(operator) {
		return ErrNoOperator
	}
	err := os.Remove(filepath.Join(d.path, slotsDir, operator+".slot"))
	if errors.Is(err, os.ErrNotExist) {
		return ErrNoOperator
	}
	if err != nil {
		return err
	}
	return atomicfile.SyncDir(filepath.Join(d.path, slotsDir))
}

func readLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s is larger than %d bytes", filepath.Base(path), limit)
	}
	return b, nil
}

// NewID returns a random identifier with a prefix, e.g. "op-3f9a2c1b7d".
func NewID(prefix string) string {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return prefix + "-" + hex.EncodeToString(b[:])
}

func validID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}
