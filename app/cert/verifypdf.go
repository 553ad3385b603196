package cert

import (
	"bytes"
	"compress/zlib"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"handover/crypto/identity"
	"handover/crypto/sshsig"
)

// ErrPDFChanged says a PDF is not the rendering of the statement and signatures it carries.
var ErrPDFChanged = errors.New("the PDF differs from the rendering of the statement and signatures embedded in it: its pages or structure were changed after it was made")

// ErrNoStatement says a PDF carries no Handover statement.
var ErrNoStatement = errors.New("the PDF carries no Handover certificate statement (no embedded statement.json)")

// attachments returns the embedded files of a PDF that Render made, in order. Render's
// output is fixed (gofpdf writes each as "<< /Type /EmbeddedFile /Length N /Filter
// /FlateDecode …>>" followed by its stream), so this reads only that shape; any other PDF
// fails the byte comparison anyway.
func attachments(pdf []byte) ([][]byte, error) {
	const marker = "<< /Type /EmbeddedFile /Length "
	var out [][]byte
	rest := pdf
	for {
		i := bytes.Index(rest, []byte(marker))
		if i < 0 {
			return out, nil
		}
		rest = rest[i+len(marker):]
		j := bytes.IndexByte(rest, ' ')
		if j < 0 {
			return nil, ErrNoStatement
		}
		n, err := strconv.Atoi(string(rest[:j]))
		if err != nil || n < 0 || n > len(rest) {
			return nil, ErrNoStatement
		}
		k := bytes.Index(rest, []byte("\nstream\n"))
		if k < 0 || k+8+n > len(rest) {
			return nil, ErrNoStatement
		}
		zr, err := zlib.NewReader(bytes.NewReader(rest[k+8 : k+8+n]))
		if err != nil {
			return nil, ErrNoStatement
		}
		b, err := io.ReadAll(io.LimitReader(zr, 64<<20))
		if err != nil {
			return nil, ErrNoStatement
		}
		out = append(out, b)
		rest = rest[k+8+n:]
	}
}

// PDFReport is the verdict on a PDF certificate.
type PDFReport struct {
	Report
	Lang string
}

// VerifyPDF extracts the statement and signatures from a certificate PDF, checks every
// signature, and renders them again: the PDF must be byte for byte that rendering.
func VerifyPDF(pdf []byte, trust []identity.Card) (*PDFReport, error) {
	files, err := attachments(pdf)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, ErrNoStatement
	}
	statement := files[0]
	st, err := Parse(statement)
	if err != nil {
		return nil, fmt.Errorf("the embedded statement: %w", err)
	}
	sigs := map[string]Signed{}
	for _, f := range files[1:] {
		if k, err := sshsig.Signer(f); err == nil {
			for _, s := range st.Signers {
				card := identity.Card{SigningKey: s.SigningKey}
				if pk, err := card.PublicKey(); err == nil && bytes.Equal(pk.Marshal(), k.Marshal()) {
					sigs[s.Fingerprint] = Signed{Sig: f}
				}
			}
			continue
		}
		var n Note
		if json.Unmarshal(f, &n) == nil && n.Format == noteFormat {
			if sg, ok := sigs[n.Signer]; ok {
				sg.Note = &n
				sigs[n.Signer] = sg
			}
		}
	}
	r := &PDFReport{Report: Report{Statement: st}}
	for _, s := range st.Signers {
		c := Check{Signer: s, Trusted: len(trust) == 0}
		for _, t := range trust {
			c.Trusted = c.Trusted || t.Fingerprint == s.Fingerprint && t.SigningKey == s.SigningKey
		}
		if sg, ok := sigs[s.Fingerprint]; ok {
			c.Note = sg.Note
			card := identity.Card{SigningKey: s.SigningKey}
			if c.Err = card.Verify(Namespace, statement, sg.Sig); c.Err == nil {
				c.Signed = true
			}
		}
		r.Checks = append(r.Checks, c)
	}
	for _, lang := range []string{"zh-CN", "en"} {
		again, _, err := Render(statement, sigs, lang)
		if err != nil {
			return nil, err
		}
		if bytes.Equal(again, pdf) {
			r.Lang = lang
			return r, nil
		}
	}
	return r, ErrPDFChanged
}

// NoteOf parses a signature note.
func NoteOf(b []byte) (*Note, error) {
	var n Note
	if err := json.Unmarshal(b, &n); err != nil || n.Format != noteFormat {
		return nil, errors.New("not a Handover signature note")
	}
	return &n, nil
}

// NewNote records a signature's time and place.
func NewNote(fingerprint, workstation string, at time.Time) *Note {
	return &Note{Format: noteFormat, Signer: fingerprint, SignedAt: at.UTC().Truncate(time.Second), Workstation: workstation}
}

// ReadSigned reads the signatures (and their notes) found beside a statement file.
func ReadSigned(statementPath string, st *Statement) (map[string]Signed, error) {
	out := map[string]Signed{}
	for _, s := range st.Signers {
		sig, err := os.ReadFile(SignaturePath(statementPath, s.Fingerprint))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		sg := Signed{Sig: sig}
		if nb, err := os.ReadFile(NotePath(statementPath, s.Fingerprint)); err == nil {
			if n, err := NoteOf(nb); err == nil && n.Signer == s.Fingerprint {
				sg.Note = n
			}
		}
		out[s.Fingerprint] = sg
	}
	return out, nil
}
