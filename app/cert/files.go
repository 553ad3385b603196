package cert

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"handover/app/doc"
	"handover/crypto/identity"
	"handover/store/atomicfile"
)

// The files a certificate is made of, written and read in one place for the app and the
// command line: the statement, each signature (SSHSIG) and its note beside it, the PDF,
// and the signers' identity files and cards.

// ErrNotOurs refuses a signature that no signer of the statement made.
var ErrNotOurs = errors.New("the signature is not a valid signature of this statement by one of its signers")

// ExistsError refuses to overwrite a statement or an identity: both are written once.
type ExistsError struct{ Path string }

func (e *ExistsError) Error() string {
	return e.Path + " already exists: a statement or an identity is never overwritten"
}

func refuseExisting(paths ...string) error {
	for _, p := range paths {
		if _, err := os.Stat(p); err == nil {
			return &ExistsError{Path: p}
		}
	}
	return nil
}

// SignAs signs the statement as id and records when and on which workstation.
func SignAs(statement []byte, id *identity.Identity, workstation string, at time.Time) (Signed, error) {
	sig, err := Sign(statement, id)
	if err != nil {
		return Signed{}, err
	}
	return Signed{Sig: sig, Note: NewNote(id.Card.Fingerprint, workstation, at)}, nil
}

// WriteStatement writes a new statement file; an existing file is never overwritten.
func WriteStatement(path string, st *Statement) error {
	if err := refuseExisting(path); err != nil {
		return err
	}
	return atomicfile.Write(path, st.Marshal(), 0o644)
}

// WriteSigned writes each signature, and its note when there is one, beside the statement
// file, under the names ReadSigned and `ssh-keygen -Y verify` look for.
func WriteSigned(statementPath string, sigs map[string]Signed) error {
	for fp, sg := range sigs {
		if err := atomicfile.Write(SignaturePath(statementPath, fp), sg.Sig, 0o644); err != nil {
			return err
		}
		if sg.Note != nil {
			if err := atomicfile.Write(NotePath(statementPath, fp), sg.Note.Marshal(), 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}

// ReadSignature reads a signature file made apart (`handover cert sign` on another
// workstation) and its note beside it, and finds which signer of the statement made it.
func ReadSignature(statement []byte, st *Statement, path string) (string, Signed, error) {
	sig, err := os.ReadFile(path)
	if err != nil {
		return "", Signed{}, err
	}
	for _, sg := range st.Signers {
		card := identity.Card{SigningKey: sg.SigningKey}
		if card.Verify(Namespace, statement, sig) != nil {
			continue
		}
		s := Signed{Sig: sig}
		if nb, err := os.ReadFile(path + ".json"); err == nil {
			if n, err := NoteOf(nb); err == nil && n.Signer == sg.Fingerprint {
				s.Note = n
			}
		}
		return sg.Fingerprint, s, nil
	}
	return "", Signed{}, fmt.Errorf("%s: %w", filepath.Base(path), ErrNotOurs)
}

// CheckSigned verifies each signature against the signer the statement names for it.
func CheckSigned(statement []byte, st *Statement, sigs map[string]Signed) error {
	for fp, sg := range sigs {
		s := st.signer(fp)
		if s == nil {
			return fmt.Errorf("a signature by %s: %w", fp[:16], ErrNotOurs)
		}
		card := identity.Card{SigningKey: s.SigningKey}
		if err := card.Verify(Namespace, statement, sg.Sig); err != nil {
			return fmt.Errorf("the signature of %s does not verify: %w", fp[:16], err)
		}
	}
	return nil
}

// Save writes the whole certificate into dir, named by the statement's ID: the statement,
// the signatures and notes, and the PDF in lang. It returns the PDF's path and the
// characters the font could not draw.
func Save(dir string, statement []byte, sigs map[string]Signed, lang string) (string, []doc.MissingGlyph, error) {
	st, err := Parse(statement)
	if err != nil {
		return "", nil, err
	}
	pdf, missing, err := Render(statement, sigs, lang)
	if err != nil {
		return "", nil, err
	}
	base := filepath.Join(dir, st.ID)
	stPath := base + ".statement.json"
	if err := atomicfile.Write(stPath, statement, 0o644); err != nil {
		return "", nil, err
	}
	if err := WriteSigned(stPath, sigs); err != nil {
		return "", nil, err
	}
	path := base + ".pdf"
	return path, missing, atomicfile.Write(path, pdf, 0o644)
}

// IdentityPath is the file name the app gives a new identity in dir: the person's name
// (made safe for any file system) and the start of the fingerprint.
func IdentityPath(dir string, c identity.Card) string {
	safe := strings.Map(func(r rune) rune {
		if strings.ContainsRune(`/\:*?"<>| `, r) || r < 0x20 {
			return '_'
		}
		return r
	}, c.Name)
	return filepath.Join(dir, safe+"-"+c.Fingerprint[:8]+".identity")
}

// CreateIdentity makes a person's identity with the one rule for new identities
// (identity.Create: passphrase length, work factor) and writes the identity file (owner
// only) at pathFor(card), and its card beside it as that path plus ".card.json". Neither
// file may exist already. It returns the identity and the identity file's path.
func CreateIdentity(name, org, role, passphrase string, workFactor int, now time.Time, pathFor func(identity.Card) string) (*identity.Identity, string, error) {
	id, sealed, err := identity.Create(name, org, role, passphrase, workFactor, now)
	if err != nil {
		return nil, "", err
	}
	path := pathFor(id.Card)
	if err := refuseExisting(path, path+".card.json"); err != nil {
		return nil, "", err
	}
	if err := atomicfile.Write(path, sealed, 0o600); err != nil {
		return nil, "", err
	}
	if err := atomicfile.Write(path+".card.json", id.Card.Marshal(), 0o644); err != nil {
		return nil, "", err
	}
	return id, path, nil
}
