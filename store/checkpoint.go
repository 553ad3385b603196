package store

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"

	"handover/crypto/merkle"
)

// Checkpoints are C2SP tlog-checkpoint notes ("origin\nsize\nbase64 root\n") signed as C2SP
// signed notes with Ed25519, through golang.org/x/mod/sumdb/note, the reference
// implementation, so that any transparency-log tool reads them.

// ErrCheckpoint says a checkpoint is malformed, for another log, or not signed by this
// vault's audit key.
var ErrCheckpoint = errors.New("not a valid checkpoint of this vault's audit log")

func keyHash(name string, pub ed25519.PublicKey) uint32 {
	h := sha256.New()
	h.Write([]byte(name))
	h.Write([]byte{'\n', 1})
	h.Write(pub)
	return binary.BigEndian.Uint32(h.Sum(nil))
}

func verifierKey(name string, pub ed25519.PublicKey) string {
	v, _ := note.NewEd25519VerifierKey(name, pub)
	return v
}

func signerKey(name string, priv ed25519.PrivateKey) string {
	return fmt.Sprintf("PRIVATE+KEY+%s+%08x+%s", name, keyHash(name, priv.Public().(ed25519.PublicKey)),
		base64.StdEncoding.EncodeToString(append([]byte{1}, priv.Seed()...)))
}

func signCheckpoint(origin string, size uint64, root merkle.Hash, key ed25519.PrivateKey) (string, error) {
	signer, err := note.NewSigner(signerKey(origin, key))
	if err != nil {
		return "", err
	}
	body := fmt.Sprintf("%s\n%d\n%s\n", origin, size, base64.StdEncoding.EncodeToString(root[:]))
	b, err := note.Sign(&note.Note{Text: body}, signer)
	return string(b), err
}

func openCheckpoint(text, origin string, pub ed25519.PublicKey) (uint64, merkle.Hash, error) {
	var root merkle.Hash
	v, err := note.NewVerifier(verifierKey(origin, pub))
	if err != nil {
		return 0, root, err
	}
	n, err := note.Open([]byte(text), note.VerifierList(v))
	if err != nil {
		return 0, root, fmt.Errorf("%w: %v", ErrCheckpoint, err)
	}
	lines := strings.Split(n.Text, "\n")
	if len(lines) < 4 || lines[0] != origin {
		return 0, root, ErrCheckpoint
	}
	size, err := strconv.ParseUint(lines[1], 10, 64)
	rb, rerr := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || rerr != nil || len(rb) != 32 {
		return 0, root, ErrCheckpoint
	}
	copy(root[:], rb)
	return size, root, nil
}
