// Package identity is a person's Handover identity: an Ed25519 key that signs (SSHSIG, so
// `ssh-keygen -Y verify` checks it) and an X25519 age key that receives packages. The
// secret half is one file encrypted with the person's passphrase (age, scrypt), meant to
// live on that person's own USB stick, never in a vault. The public half is a card that
// anyone may hold; its fingerprint is what two people compare in person.
package identity

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"filippo.io/age"
	"filippo.io/age/armor"
	"golang.org/x/crypto/ssh"

	"handover/crypto/sshsig"
)

// Card formats.
const (
	cardFormat   = "handover-card/v1"
	secretFormat = "handover-identity/v1"
)

// Namespaces of the documents identities sign; allowed_signers lines list them all.
var Namespaces = []string{"handover-certificate@v1", "handover-package@v1"}

// Errors meant for the user.
var (
	ErrPassphrase = errors.New("wrong passphrase for this identity file")
	ErrNotCard    = errors.New("not a Handover identity card")
	ErrNotSecret  = errors.New("not a Handover identity file")
	ErrTampered   = errors.New("the card's fingerprint does not match its contents")
	// ErrWorkFactor refuses an identity file whose scrypt work factor is above what this
	// program writes: it was altered, and opening it would cost seconds and gigabytes.
	ErrWorkFactor = errors.New("the identity file's work factor is above what Handover writes: the file was altered")
)

// Card is the public half of an identity.
type Card struct {
	Format       string    `json:"format"`
	Name         string    `json:"name"`
	Organisation string    `json:"organisation"`
	Role         string    `json:"role"`
	Created      time.Time `json:"created"`
	SigningKey   string    `json:"signing_key"`   // "ssh-ed25519 AAAA…"
	AgeRecipient string    `json:"age_recipient"` // "age1…"
	Fingerprint  string    `json:"fingerprint"`   // hex SHA-256 of the fields above
}

// fingerprint hashes every field a person vouches for when they compare fingerprints, in a
// fixed, unambiguous encoding (length-prefixed).
func (c Card) fingerprint() string {
	h := sha256.New()
	for _, f := range []string{cardFormat, c.Name, c.Organisation, c.Role, c.Created.UTC().Format(time.RFC3339),
		c.SigningKey, c.AgeRecipient} {
		fmt.Fprintf(h, "%d:%s\n", len(f), f)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Grouped is the fingerprint as people read it aloud: eight groups of eight hex digits.
func (c Card) Grouped() string {
	var g []string
	for i := 0; i+8 <= len(c.Fingerprint); i += 8 {
		g = append(g, strings.ToUpper(c.Fingerprint[i:i+8]))
	}
	return strings.Join(g, " ")
}

// Principal names the card in allowed_signers files: stable and free of spaces.
func (c Card) Principal() string { return "handover-" + c.Fingerprint[:16] }

// PublicKey parses the signing key.
func (c Card) PublicKey() (ssh.PublicKey, error) {
	k, _, _, _, err := ssh.ParseAuthorizedKey([]byte(c.SigningKey))
	if err != nil || k.Type() != ssh.KeyAlgoED25519 {
		return nil, ErrNotCard
	}
	return k, nil
}

// AllowedSigners is the card as one line of an OpenSSH allowed_signers file.
func (c Card) AllowedSigners() string {
	return fmt.Sprintf("%s namespaces=\"%s\" %s\n", c.Principal(), strings.Join(Namespaces, ","), c.SigningKey)
}

// Verify checks a signature by this card's key.
func (c Card) Verify(namespace string, message, sig []byte) error {
	k, err := c.PublicKey()
	if err != nil {
		return err
	}
	return sshsig.Verify(k, namespace, message, sig)
}

// Marshal is the card file: indented JSON.
func (c Card) Marshal() []byte {
	b, _ := json.MarshalIndent(c, "", "  ")
	return append(b, '\n')
}

// ParseCard reads a card file and checks that its fingerprint matches its contents.
func ParseCard(b []byte) (Card, error) {
	var c Card
	if len(b) > 64<<10 || json.Unmarshal(b, &c) != nil || c.Format != cardFormat {
		return Card{}, ErrNotCard
	}
	if _, err := c.PublicKey(); err != nil {
		return Card{}, err
	}
	if _, err := age.ParseX25519Recipient(c.AgeRecipient); err != nil {
		return Card{}, ErrNotCard
	}
	if c.fingerprint() != c.Fingerprint {
		return Card{}, ErrTampered
	}
	return c, nil
}

// Identity is an unlocked identity: the card and both secret keys.
type Identity struct {
	Card    Card
	signing ed25519.PrivateKey
	age     *age.X25519Identity
}

// New makes an identity for a person.
func New(name, org, role string, now time.Time) (*Identity, error) {
	name, org, role = strings.TrimSpace(name), strings.TrimSpace(org), strings.TrimSpace(role)
	for what, v := range map[string]string{"name": name, "organisation": org, "role": role} {
		if v == "" || !utf8.ValidString(v) || len(v) > 200 || strings.ContainsAny(v, "\n\r") {
			return nil, fmt.Errorf("identity: the %s must be one line of text", what)
		}
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	a, err := age.GenerateX25519Identity()
	if err != nil {
		return nil, err
	}
	return build(name, org, role, now.UTC().Truncate(time.Second), priv, a)
}

func build(name, org, role string, created time.Time, priv ed25519.PrivateKey, a *age.X25519Identity) (*Identity, error) {
	pub, err := ssh.NewPublicKey(priv.Public())
	if err != nil {
		return nil, err
	}
	c := Card{Format: cardFormat, Name: name, Organisation: org, Role: role, Created: created,
		SigningKey:   strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pub))),
		AgeRecipient: a.Recipient().String()}
	c.Fingerprint = c.fingerprint()
	return &Identity{Card: c, signing: priv, age: a}, nil
}

// Sign signs message under namespace (SSHSIG, armored).
func (id *Identity) Sign(namespace string, message []byte) ([]byte, error) {
	return sshsig.Sign(id.signing, namespace, message)
}

// AgeIdentity is the age key that decrypts packages sent to this person.
func (id *Identity) AgeIdentity() *age.X25519Identity { return id.age }

// AgeSecret is the age identity in the standard AGE-SECRET-KEY-1… form, for `age -d -i`.
func (id *Identity) AgeSecret() string { return id.age.String() }

type secretFile struct {
	Format  string `json:"format"`
	Card    Card   `json:"card"`
	Seed    []byte `json:"ed25519_seed"`
	AgeKey  string `json:"age_identity"`
	Comment string `json:"comment"`
}

// MinPassphraseLen is the shortest passphrase an identity file is sealed with, in the app and
// on the command line alike. An identity file travels on its owner's USB stick and can be
// attacked offline, so the rule is stricter than a vault slot's.
const MinPassphraseLen = 12

// ErrWeakPassphrase refuses a shorter passphrase for a new identity.
var ErrWeakPassphrase = fmt.Errorf("an identity's passphrase needs at least %d characters", MinPassphraseLen)

// Create makes a new identity and seals it with passphrase: the one implementation both front
// ends call. workFactor 0 means DefaultWorkFactor (tests pass a lower one).
func Create(name, org, role, passphrase string, workFactor int, now time.Time) (*Identity, []byte, error) {
	if utf8.RuneCountInString(passphrase) < MinPassphraseLen {
		return nil, nil, ErrWeakPassphrase
	}
	id, err := New(name, org, role, now)
	if err != nil {
		return nil, nil, err
	}
	if workFactor == 0 {
		workFactor = DefaultWorkFactor
	}
	sealed, err := id.Seal(passphrase, workFactor)
	if err != nil {
		return nil, nil, err
	}
	return id, sealed, nil
}

// DefaultWorkFactor is the scrypt work factor (log2 N) of identity files Handover writes,
// and MaxWorkFactor the largest it opens: the same, so a tampered file costs nothing.
const (
	DefaultWorkFactor = 18
	MaxWorkFactor     = DefaultWorkFactor
)

// Seal encrypts the identity with a passphrase (age scrypt, armored so it survives being
// copied as text). workFactor 0 means age's default.
func (id *Identity) Seal(passphrase string, workFactor int) ([]byte, error) {
	r, err := age.NewScryptRecipient(passphrase)
	if err != nil {
		return nil, err
	}
	if workFactor > 0 {
		r.SetWorkFactor(workFactor)
	}
	pt, err := json.Marshal(secretFile{Format: secretFormat, Card: id.Card, Seed: id.signing.Seed(),
		AgeKey: id.age.String(), Comment: "Handover identity of one person: keep it on their own USB stick"})
	if err != nil {
		return nil, err
	}
	defer clear(pt)
	var out bytes.Buffer
	aw := armorWriter(&out)
	w, err := age.Encrypt(aw, r)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(pt); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	if err := aw.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// Open decrypts an identity file.
func Open(data []byte, passphrase string) (*Identity, error) {
	// scrypt's memory goes back to the system at once (see keyslot.releaseScryptMemory).
	defer debug.FreeOSMemory()
	id, err := age.NewScryptIdentity(passphrase)
	if err != nil {
		return nil, err
	}
	if scryptWorkFactor(data) > MaxWorkFactor {
		return nil, ErrWorkFactor
	}
	id.SetMaxWorkFactor(MaxWorkFactor)
	r, err := age.Decrypt(armorReader(bytes.NewReader(data)), id)
	if err != nil {
		var nm *age.NoIdentityMatchError
		if errors.As(err, &nm) {
			return nil, ErrPassphrase
		}
		return nil, ErrNotSecret
	}
	pt, err := io.ReadAll(io.LimitReader(r, 64<<10))
	if err != nil {
		return nil, ErrNotSecret
	}
	defer clear(pt)
	var s secretFile
	if err := json.Unmarshal(pt, &s); err != nil || s.Format != secretFormat || len(s.Seed) != ed25519.SeedSize {
		return nil, ErrNotSecret
	}
	a, err := age.ParseX25519Identity(s.AgeKey)
	if err != nil {
		return nil, ErrNotSecret
	}
	got, err := build(s.Card.Name, s.Card.Organisation, s.Card.Role, s.Card.Created, ed25519.NewKeyFromSeed(s.Seed), a)
	if err != nil {
		return nil, err
	}
	if got.Card.Fingerprint != s.Card.Fingerprint {
		return nil, ErrTampered
	}
	return got, nil
}

// scryptWorkFactor reads the work factor from the scrypt stanza of an armored age file's
// header ("-> scrypt SALT LOGN"), before any scrypt work; 0 when there is none to read.
func scryptWorkFactor(data []byte) int {
	hdr, err := io.ReadAll(io.LimitReader(armorReader(bytes.NewReader(data)), 4<<10))
	if err != nil && len(hdr) == 0 {
		return 0
	}
	for _, line := range strings.Split(string(hdr), "\n") {
		if line == "---" || strings.HasPrefix(line, "--- ") {
			break
		}
		f := strings.Fields(line)
		if len(f) == 4 && f[0] == "->" && f[1] == "scrypt" {
			n, err := strconv.Atoi(f[3])
			if err != nil {
				return 1 << 10 // not a number age would accept either
			}
			return n
		}
	}
	return 0
}

func armorWriter(w io.Writer) io.WriteCloser { return armor.NewWriter(w) }
func armorReader(r io.Reader) io.Reader      { return armor.NewReader(r) }
