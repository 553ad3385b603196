package handoverpkg

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"filippo.io/age"

	"handover/app/bag"
	"handover/app/progress"
	"handover/crypto/identity"
	"handover/store"
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
	js, err := readSmallFile(filepath.Join(dir, "package.json"), maxManifestSize)
	if err != nil {
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
	sig, err := readSmallFile(filepath.Join(dir, "package.json.sig"), maxSignatureSize)
	if err != nil {
		return nil, identity.Card{}, ErrBadSignature
	}
	if err := sender.Verify(Namespace, js, sig); err != nil {
		return nil, identity.Card{}, ErrBadSignature
	}
	if err := checkParts(dir, m.Parts); err != nil {
		return nil, identity.Card{}, err
	}
	return &m, *sender, nil
}

// Sizes of the files read whole, checked before they are read: package.json lists at most
// maxParts parts, and a signature is a few hundred bytes.
const (
	maxParts         = 4096
	maxManifestSize  = 1 << 20
	maxSignatureSize = 16 << 10
)

// readSmallFile reads a regular file of at most limit bytes; anything else is an error
// before a byte is read.
func readSmallFile(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() || info.Size() > limit {
		return nil, fmt.Errorf("%s: not a regular file of at most %d bytes", filepath.Base(path), limit)
	}
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil || int64(len(b)) > limit {
		return nil, fmt.Errorf("%s: grew while read", filepath.Base(path))
	}
	return b, nil
}

// checkParts confines the parts a signed package.json names: payload.age.000, .001, … in
// order, in the package folder itself, regular files of the stated size. A signed name
// with "../" or a link to a device would otherwise be read; a wrong size is named at once
// instead of after hours of reading.
func checkParts(dir string, parts []Part) error {
	if len(parts) == 0 || len(parts) > maxParts {
		return fmt.Errorf("%w: package.json lists %d parts", ErrNotPackage, len(parts))
	}
	for i, p := range parts {
		if p.Name != partName(i) {
			return &PartError{Part: filepath.Base(p.Name), Reason: "not the name package.json should give this part (payload.age.NNN in order)"}
		}
		if p.Size <= 0 || len(p.SHA256) != 64 {
			return &PartError{Part: p.Name, Reason: "package.json gives no valid size or SHA-256"}
		}
		info, err := os.Lstat(filepath.Join(dir, p.Name))
		switch {
		case err != nil:
			return &PartError{Part: p.Name, Reason: "missing"}
		case !info.Mode().IsRegular():
			return &PartError{Part: p.Name, Reason: "not a regular file (a link or device)"}
		case info.Size() < p.Size:
			return &PartError{Part: p.Name, Reason: fmt.Sprintf("cut short: %d of %d bytes", info.Size(), p.Size)}
		case info.Size() > p.Size:
			return &PartError{Part: p.Name, Reason: "longer than package.json says"}
		}
	}
	return nil
}

// VerifyBook applies every check a receive applies short of committing into the user's
// vault: the package is received into a throwaway vault in a temporary folder (sealed under a
// key that exists only in memory, removed afterwards), so its records are decoded, ordered,
// matched with their documents and its figures and digest recomputed and compared exactly as
// a receive would. Verify alone checks the signature, parts, stream and bag; a package could
// pass it and still be refused by every receiver.
func VerifyBook(ctx context.Context, dir string, id *identity.Identity, trusted []identity.Card, lim bag.Limits, p progress.Reporter) (*Received, error) {
	tmp, err := os.MkdirTemp("", "handover-verify-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	d, err := store.CreateDir(filepath.Join(tmp, "v"), store.Manifest{})
	if err != nil {
		return nil, err
	}
	defer d.Close()
	master := make([]byte, 32)
	if _, err := rand.Read(master); err != nil {
		return nil, err
	}
	st, err := store.Open(d, master, true)
	clear(master)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	return Receive(ctx, st, dir, ReceiveOptions{Identity: id, Trusted: trusted, Limits: lim, Staging: st.StagingDir()}, p)
}
