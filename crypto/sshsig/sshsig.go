// Package sshsig signs and verifies in OpenSSH's SSHSIG format (PROTOCOL.sshsig), with
// Ed25519 keys. A receiver checks a Handover signature with `ssh-keygen -Y verify` and an
// allowed_signers file, years later and without our program; each kind of document signs
// under its own namespace, so a signature on a package can never pass for one on a
// certificate.
package sshsig

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/ssh"
)

const (
	magic    = "SSHSIG"
	version  = 1
	hashAlg  = "sha512"
	pemType  = "SSH SIGNATURE"
	maxInput = 64 << 10 // an armored signature is about 300 bytes
)

// Errors of verification. They name what failed, never the message.
var (
	ErrFormat    = errors.New("not an SSH signature (SSHSIG)")
	ErrNamespace = errors.New("the signature was made for another kind of document (namespace)")
	ErrKey       = errors.New("the signature was made with another key")
	ErrBad       = errors.New("the signature does not match the signed bytes")
)

type wrapper struct {
	Magic     [6]byte
	Version   uint32
	PublicKey []byte
	Namespace string
	Reserved  string
	HashAlg   string
	Signature []byte
}

type signedData struct {
	Magic     [6]byte
	Namespace string
	Reserved  string
	HashAlg   string
	Hash      []byte
}

func toSign(namespace string, message []byte) []byte {
	h := sha512.Sum512(message)
	d := signedData{Namespace: namespace, HashAlg: hashAlg, Hash: h[:]}
	copy(d.Magic[:], magic)
	return ssh.Marshal(d)
}

// Sign signs message under namespace and returns the armored signature, as
// `ssh-keygen -Y sign -n namespace` writes it.
func Sign(key ed25519.PrivateKey, namespace string, message []byte) ([]byte, error) {
	if namespace == "" {
		return nil, errors.New("sshsig: empty namespace")
	}
	signer, err := ssh.NewSignerFromKey(key)
	if err != nil {
		return nil, err
	}
	sig, err := signer.Sign(rand.Reader, toSign(namespace, message))
	if err != nil {
		return nil, err
	}
	w := wrapper{Version: version, PublicKey: signer.PublicKey().Marshal(), Namespace: namespace,
		HashAlg: hashAlg, Signature: ssh.Marshal(sig)}
	copy(w.Magic[:], magic)
	return armor(ssh.Marshal(w)), nil
}

// armor wraps at 70 columns like ssh-keygen (which PEM's 64 would also satisfy).
func armor(b []byte) []byte {
	enc := base64.StdEncoding.EncodeToString(b)
	var out strings.Builder
	out.WriteString("-----BEGIN " + pemType + "-----\n")
	for len(enc) > 70 {
		out.WriteString(enc[:70] + "\n")
		enc = enc[70:]
	}
	out.WriteString(enc + "\n-----END " + pemType + "-----\n")
	return []byte(out.String())
}

// Signer returns the public key inside an armored signature, without checking it.
func Signer(armored []byte) (ssh.PublicKey, error) {
	w, err := parse(armored)
	if err != nil {
		return nil, err
	}
	return ssh.ParsePublicKey(w.PublicKey)
}

func parse(armored []byte) (*wrapper, error) {
	if len(armored) > maxInput {
		return nil, ErrFormat
	}
	block, _ := pem.Decode(bytes.TrimSpace(armored))
	if block == nil || block.Type != pemType {
		return nil, ErrFormat
	}
	var w wrapper
	if err := ssh.Unmarshal(block.Bytes, &w); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	if string(w.Magic[:]) != magic || w.Version != version {
		return nil, ErrFormat
	}
	return &w, nil
}

// Verify checks that armored is want's signature over message under namespace.
func Verify(want ssh.PublicKey, namespace string, message, armored []byte) error {
	w, err := parse(armored)
	if err != nil {
		return err
	}
	if w.Namespace != namespace {
		return ErrNamespace
	}
	if !bytes.Equal(w.PublicKey, want.Marshal()) {
		return ErrKey
	}
	if w.HashAlg != "sha512" && w.HashAlg != "sha256" {
		return ErrFormat
	}
	var sig ssh.Signature
	if err := ssh.Unmarshal(w.Signature, &sig); err != nil {
		return fmt.Errorf("%w: %v", ErrFormat, err)
	}
	data := toSign(namespace, message)
	if w.HashAlg == "sha256" { // ssh-keygen can be told to use it
		d := signedData{Namespace: namespace, HashAlg: w.HashAlg, Hash: sha256Sum(message)}
		copy(d.Magic[:], magic)
		data = ssh.Marshal(d)
	}
	if err := want.Verify(data, &sig); err != nil {
		return ErrBad
	}
	return nil
}

func sha256Sum(b []byte) []byte {
	h := sha256.Sum256(b)
	return h[:]
}
