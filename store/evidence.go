package store

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"

	"github.com/dgraph-io/badger/v4"
)

// Evidence is a file attached to a checklist item (a signed agreement, an NDA, a notice):
// kept in the vault like everything else, sealed with the vault's meta key in chunks, and
// named on certificates by its SHA-256.
type Evidence struct {
	ID     string `json:"id"`
	Name   string `json:"name"` // the file's base name as attached
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
	Chunks uint32 `json:"chunks"`
	// Destroyed is the destruction run that erased the content (the description stays, so
	// the checklist still names the file by its hash).
	Destroyed string `json:"destroyed,omitempty"`
}

// evidenceChunk is the plaintext size of one sealed chunk.
const evidenceChunk = 1 << 20

// MaxEvidenceSize caps one attachment: evidence is a scan or a PDF, not a data set.
const MaxEvidenceSize = 256 << 20

// ErrEvidenceDestroyed is returned for an attachment whose content a destruction erased.
var ErrEvidenceDestroyed = errors.New("this evidence file was destroyed with the customers it named; its name and SHA-256 remain on record")

// ErrEvidenceTooLarge is returned for an attachment over MaxEvidenceSize.
var ErrEvidenceTooLarge = errors.New("the file is larger than 256 MB")

func kEvidence(id string, chunk uint32) []byte {
	k := append([]byte{pEvidence}, id...)
	return binary.BigEndian.AppendUint32(append(k, 0), chunk)
}

// PutEvidence stores r under id (which the caller makes unique) and returns what it stored.
// The chunks are written first and the description last, so an interrupted attachment is
// never listed; a write batch commits as it fills, so on failure the chunks already written
// are dropped again.
func (s *Store) PutEvidence(ctx context.Context, id, name string, r io.Reader) (_ *Evidence, err error) {
	e := &Evidence{ID: id, Name: name}
	defer func() {
		if err != nil {
			_ = s.db.DropPrefix(kEvidence(id, 0)[:1+len(id)+1])
		}
	}()
	h := sha256.New()
	buf := make([]byte, evidenceChunk)
	wb := s.db.NewWriteBatch()
	defer wb.Cancel()
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		n, err := io.ReadFull(r, buf)
		if n > 0 {
			e.Size += int64(n)
			if e.Size > MaxEvidenceSize {
				return nil, ErrEvidenceTooLarge
			}
			h.Write(buf[:n])
			k := kEvidence(id, e.Chunks)
			if err := wb.Set(k, s.meta.Seal(nil, k, buf[:n])); err != nil {
				return nil, err
			}
			e.Chunks++
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	if err := wb.Flush(); err != nil {
		return nil, err
	}
	e.SHA256 = hex.EncodeToString(h.Sum(nil))
	if err := s.PutMeta("evidence/"+id, e); err != nil {
		return nil, err
	}
	return e, nil
}

// WriteEvidence writes an attachment to w and checks it against its recorded SHA-256.
func (s *Store) WriteEvidence(ctx context.Context, id string, w io.Writer) (*Evidence, error) {
	var e Evidence
	if err := s.GetMeta("evidence/"+id, &e); err != nil {
		return nil, err
	}
	if e.Destroyed != "" {
		return nil, ErrEvidenceDestroyed
	}
	h := sha256.New()
	for c := uint32(0); c < e.Chunks; c++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var pt []byte
		err := s.db.View(func(txn *badger.Txn) error {
			k := kEvidence(id, c)
			it, err := txn.Get(k)
			if err != nil {
				return err
			}
			raw, err := it.ValueCopy(nil)
			if err != nil {
				return err
			}
			pt, err = s.meta.Open(k, raw)
			return err
		})
		if err != nil {
			return nil, &CorruptError{What: "evidence"}
		}
		h.Write(pt)
		if _, err := w.Write(pt); err != nil {
			return nil, err
		}
	}
	if hex.EncodeToString(h.Sum(nil)) != e.SHA256 {
		return nil, &CorruptError{What: "evidence"}
	}
	return &e, nil
}

// Evidences lists every attachment's description.
func (s *Store) Evidences(ctx context.Context) ([]Evidence, error) {
	var out []Evidence
	err := s.MetaPrefix(ctx, "evidence/", func(_ string, b []byte) (bool, error) {
		var e Evidence
		if err := json.Unmarshal(b, &e); err != nil {
			return false, &CorruptError{What: "evidence"}
		}
		out = append(out, e)
		return true, nil
	})
	return out, err
}

// destroyEvidence deletes the content of the attachments ids and marks their descriptions
// destroyed by run. Idempotent: a resumed run finds them marked already.
func (s *Store) destroyEvidence(run string, ids []string) error {
	for _, id := range ids {
		var e Evidence
		if err := s.GetMeta("evidence/"+id, &e); err != nil {
			return err
		}
		if err := s.db.DropPrefix(kEvidence(id, 0)[:1+len(id)+1]); err != nil {
			return err
		}
		if e.Destroyed == "" {
			e.Destroyed = run
			if err := s.PutMeta("evidence/"+id, e); err != nil {
				return err
			}
		}
	}
	return nil
}
