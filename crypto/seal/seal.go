// Package seal derives purpose-bound subkeys and seals records with an AEAD.
//
// Badger's own at-rest encryption is AES-CTR, which detects nothing: a flipped bit on disk
// becomes a flipped bit in the data. Every record Handover stores is therefore sealed here
// with AES-256-GCM, with the record's storage key as associated data, so damage or a record
// moved to another key is reported as ErrCorrupt and never shown as data.
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"errors"
)

// KeySize is the size of every key in this package.
const KeySize = 32

// Key is a 256-bit symmetric key.
type Key [KeySize]byte

// version is the first byte of every sealed value, so the format can evolve.
const version = 1

// Overhead is how many bytes Seal adds to a plaintext.
const Overhead = 1 + 12 + 16

// ErrCorrupt means a sealed value failed authentication: it was damaged or moved.
var ErrCorrupt = errors.New("sealed record failed authentication")

// NewKey returns a fresh random key.
func NewKey() Key {
	var k Key
	if _, err := rand.Read(k[:]); err != nil {
		panic("seal: system random source failed: " + err.Error())
	}
	return k
}

// Derive returns the subkey of master for one purpose. Distinct labels give independent
// keys, so a key used for one job can never decrypt another's data.
func Derive(master []byte, label string) Key {
	b, err := hkdf.Key(sha256.New, master, nil, "handover/v1/"+label, KeySize)
	if err != nil {
		panic("seal: hkdf: " + err.Error())
	}
	var k Key
	copy(k[:], b)
	return k
}

// Sealer seals and opens values under one key. It is safe for concurrent use.
type Sealer struct{ aead cipher.AEAD }

// NewSealer returns a Sealer for k.
func NewSealer(k Key) *Sealer {
	block, err := aes.NewCipher(k[:])
	if err != nil {
		panic("seal: " + err.Error())
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic("seal: " + err.Error())
	}
	return &Sealer{aead: aead}
}

// Seal appends the sealed form of plaintext to dst, bound to ad.
func (s *Sealer) Seal(dst, ad, plaintext []byte) []byte {
	out := append(dst, version)
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic("seal: system random source failed: " + err.Error())
	}
	out = append(out, nonce...)
	return s.aead.Seal(out, nonce, plaintext, ad)
}

// Open returns the plaintext of sealed, or ErrCorrupt.
func (s *Sealer) Open(ad, sealed []byte) ([]byte, error) { return s.OpenAppend(nil, ad, sealed) }

// OpenAppend is Open appending the plaintext to dst, so that a reader opening many records
// in a row (a document's chunks) reuses one buffer instead of allocating for each.
func (s *Sealer) OpenAppend(dst, ad, sealed []byte) ([]byte, error) {
	ns := s.aead.NonceSize()
	if len(sealed) < 1+ns+s.aead.Overhead() || sealed[0] != version {
		return nil, ErrCorrupt
	}
	pt, err := s.aead.Open(dst, sealed[1:1+ns], sealed[1+ns:], ad)
	if err != nil {
		return nil, ErrCorrupt
	}
	return pt, nil
}

// Wipe overwrites a key in memory. Go may have copied it elsewhere, so this narrows the
// window rather than guaranteeing erasure; the vault also drops every reference on lock.
func (k *Key) Wipe() {
	for i := range k {
		k[i] = 0
	}
}
