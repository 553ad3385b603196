package pkg

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"filippo.io/age"

	"handover/app/bag"
	"handover/crypto/identity"
)

// Errors of verification; each names what failed.
var (
	ErrNotPackage   = errors.New("not a Handover package (package.json missing or malformed)")
	ErrUntrusted    = errors.New("the package is signed by a key that is not among the trusted cards")
	ErrBadSignature = errors.New("package.json does not match its signature: it was changed after signing")
	ErrNotRecipient = errors.New("the package is not addressed to this identity")
)

// Report is what Verify found.
type Report struct {
	Manifest *Manifest
	Sender   identity.Card
	Files    int
	Bytes    int64
}

// Verify checks a package folder completely and changes nothing: the signature of
// package.json against a trusted card, that the identity is a recipient, every part's size
// and SHA-256 (naming the bad part), the age stream to its end, and the bag inside (names,
// limits, manifests). Payload content is read and discarded.
func Verify(dir string, id *identity.Identity, trusted []identity.Card, lim bag.Limits) (*Report, error) {
	return VerifyWith(dir, id, trusted, lim, func(_ string, r io.Reader) error {
		_, err := io.Copy(io.Discard, r)
		return err
	})
}

// VerifyWith is Verify, passing each payload file to payload, which must read it to the
// end. Nothing passed is trusted before VerifyWith returns nil.
func VerifyWith(dir string, id *identity.Identity, trusted []identity.Card, lim bag.Limits, payload func(path string, r io.Reader) error) (*Report, error) {
	m, sender, err := readManifest(dir, trusted)
	if err != nil {
		return nil, err
	}
	addressed := false
	for _, r := range m.Recipients {
		addressed = addressed || r == id.Card.Fingerprint
	}
	if !addressed {
		return nil, ErrNotRecipient
	}
	// Every part's size and hash first, so that a damaged, cut, missing or swapped part is
	// named before anything is decrypted.
	check := &partsReader{dir: dir, parts: m.Parts}
	_, err = io.Copy(io.Discard, check)
	check.Close()
	if err != nil {
		return nil, err
	}
	parts := &partsReader{dir: dir, parts: m.Parts}
	defer parts.Close()
	plain, err := age.Decrypt(parts, id.AgeIdentity())
	if err != nil {
		var pe *PartError
		if errors.As(err, &pe) {
			return nil, pe
		}
		return nil, fmt.Errorf("the payload does not decrypt with this identity: %w", err)
	}
	rep := &Report{Manifest: m, Sender: sender}
	info, err := bag.Read(plain, receiveLimits(lim, m), func(path string, size int64, r io.Reader) error {
		rep.Files++
		rep.Bytes += size
		return payload(path, r)
	})
	if err != nil {
		var pe *PartError
		if errors.As(err, &pe) {
			return nil, pe
		}
		return nil, err
	}
	if info["External-Identifier"] != m.ID {
		return nil, fmt.Errorf("%w: the bag inside belongs to package %q", bag.ErrInvalid, info["External-Identifier"])
	}
	// age authenticates chunk by chunk; reaching its end proves the stream was not cut.
	if _, err := io.Copy(io.Discard, plain); err != nil {
		return nil, fmt.Errorf("the payload ends badly: %w", err)
	}
	return rep, nil
}

func readManifest(dir string, trusted []identity.Card) (*Manifest, identity.Card, error) {
	js, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if err != nil || len(js) > 16<<20 {
		return nil, identity.Card{}, ErrNotPackage
	}
	var m Manifest
	if json.Unmarshal(js, &m) != nil || m.Format != format {
		return nil, identity.Card{}, ErrNotPackage
	}
	var sender *identity.Card
	for i := range trusted {
		if trusted[i].Fingerprint == m.Sender && trusted[i].SigningKey == m.SenderKey {
			sender = &trusted[i]
		}
	}
	if sender == nil {
		return nil, identity.Card{}, ErrUntrusted
	}
	sig, err := os.ReadFile(filepath.Join(dir, "package.json.sig"))
	if err != nil {
		return nil, identity.Card{}, ErrBadSignature
	}
	if err := sender.Verify(Namespace, js, sig); err != nil {
		return nil, identity.Card{}, ErrBadSignature
	}
	return &m, *sender, nil
}
