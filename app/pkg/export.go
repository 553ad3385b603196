// Package pkg writes and checks handover packages (issue 5): a folder holding package.json,
// its SSHSIG signature, README.txt and one age stream cut into parts, which decrypts to a tar
// of a BagIt bag with the records as JSON Lines per table and the scanned documents. Anyone
// can open it with standard tools:
//
//	cat payload.age.* | age -d -i key.txt | tar -x
package pkg

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"filippo.io/age"

	"handover/app/bag"
	"handover/app/figures"
	"handover/app/importer"
	"handover/app/progress"
	"handover/crypto/identity"
	"handover/store"
)

// Namespace is the SSHSIG namespace of package signatures.
const Namespace = "handover-package@v1"

const format = "handover-package/v1"

// DefaultSplitSize keeps every part under FAT32's 4 GiB file limit.
const DefaultSplitSize = 4<<30 - 1<<20

// Manifest is package.json. Its keys are a contract with receivers' tools.
type Manifest struct {
	Format          string          `json:"format"`
	ID              string          `json:"id"`
	Deal            string          `json:"deal"`
	Sequence        int             `json:"sequence"`
	Sender          string          `json:"sender"` // card fingerprint
	SenderKey       string          `json:"sender_key"`
	Recipients      []string        `json:"recipients"` // card fingerprints
	Created         time.Time       `json:"created"`
	Figures         figures.Figures `json:"figures"`
	Parts           []Part          `json:"parts"`
	AuditCheckpoint string          `json:"audit_checkpoint"`
}

// Options of an export.
type Options struct {
	Out         string // the folder in which the package folder is made (the stick)
	Sender      *identity.Identity
	Recipients  []identity.Card
	IncludeSelf bool // also encrypt to the sender's own key
	Deal        string
	Sequence    int
	SplitSize   int64
	Now         time.Time
	// For bag-info.txt: the sender's phone, and how customers reach the recipient.
	ContactPhone     string
	RecipientContact string
}

// ErrNoRecipients says an export names nobody to read it.
var ErrNoRecipients = errors.New("a package needs at least one recipient's card")

// Export writes the whole book of st as a package and returns its folder and manifest. It
// streams: memory does not grow with the book. Every part is read back from the medium
// and compared with its SHA-256 before the export counts as done.
func Export(ctx context.Context, st *store.Store, o Options, p progress.Reporter) (string, *Manifest, error) {
	if len(o.Recipients) == 0 {
		return "", nil, ErrNoRecipients
	}
	if o.SplitSize <= 0 {
		o.SplitSize = DefaultSplitSize
	}
	var idb [6]byte
	rand.Read(idb[:])
	m := &Manifest{Format: format, ID: fmt.Sprintf("HANDOVER-%s-%03d-%s", safe(o.Deal), o.Sequence, strings.ToUpper(hex.EncodeToString(idb[:]))),
		Deal: o.Deal, Sequence: o.Sequence, Sender: o.Sender.Card.Fingerprint, SenderKey: o.Sender.Card.SigningKey,
		Created: o.Now.UTC().Truncate(time.Second)}
	var recips []age.Recipient
	for _, c := range o.Recipients {
		r, err := age.ParseX25519Recipient(c.AgeRecipient)
		if err != nil {
			return "", nil, fmt.Errorf("recipient %s: %w", c.Name, err)
		}
		recips = append(recips, r)
		m.Recipients = append(m.Recipients, c.Fingerprint)
	}
	if o.IncludeSelf {
		recips = append(recips, o.Sender.AgeIdentity().Recipient())
	}
	f, err := figures.Compute(ctx, st)
	if err != nil {
		return "", nil, err
	}
	m.Figures = *f
	p.SetTotal(f.DocumentBytes + 3*f.Customers*200) // a rough total; the bar moves by bytes written
	dir := filepath.Join(o.Out, m.ID)
	if err := os.Mkdir(dir, 0o755); err != nil {
		return "", nil, err
	}
	sp := &splitter{dir: dir, size: o.SplitSize}
	ok := false
	defer func() {
		if !ok {
			sp.abort()
			os.RemoveAll(dir)
		}
	}()
	aw, err := age.Encrypt(&countingWriter{w: sp, p: p}, recips...)
	if err != nil {
		return "", nil, err
	}
	if err := writeBag(ctx, st, aw, m, &o); err != nil {
		return "", nil, err
	}
	if err := aw.Close(); err != nil {
		return "", nil, err
	}
	if m.Parts, err = sp.finish(); err != nil {
		return "", nil, err
	}
	if m.AuditCheckpoint, err = st.SaveCheckpoint(); err != nil {
		return "", nil, err
	}
	// Sticks lie about writes: read every part back, from the stick and not from the page
	// cache, before saying it is done.
	for _, part := range m.Parts {
		dropCache(filepath.Join(dir, part.Name))
	}
	if _, err := io.Copy(io.Discard, &partsReader{dir: dir, parts: m.Parts}); err != nil {
		return "", nil, fmt.Errorf("read-back check: %w", err)
	}
	js, _ := json.MarshalIndent(m, "", "  ")
	js = append(js, '\n')
	sig, err := o.Sender.Sign(Namespace, js)
	if err != nil {
		return "", nil, err
	}
	for name, b := range map[string][]byte{"package.json": js, "package.json.sig": sig, "README.txt": []byte(readme(m))} {
		if err := store.WriteFileAtomic(filepath.Join(dir, name), b, 0o644); err != nil {
			return "", nil, err
		}
	}
	ok = true
	return dir, m, nil
}

func orNone(s string) string {
	if strings.TrimSpace(s) == "" {
		return "-"
	}
	return s
}

func safe(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return '_'
	}, s)
}

type countingWriter struct {
	w io.Writer
	p progress.Reporter
}

func (c *countingWriter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.p.Add(int64(n))
	return n, err
}

// tables are the JSON Lines files of the bag, each written by one walk over the book.
var tables = []struct {
	file  string
	lines func(b *store.CustomerBook, enc *json.Encoder) error
}{
	{"customers.jsonl", func(b *store.CustomerBook, enc *json.Encoder) error { return enc.Encode(b.Customer) }},
	{"loans.jsonl", func(b *store.CustomerBook, enc *json.Encoder) error {
		for _, l := range b.Loans {
			if err := enc.Encode(l); err != nil {
				return err
			}
		}
		return nil
	}},
	{"repayments.jsonl", func(b *store.CustomerBook, enc *json.Encoder) error {
		for _, rs := range b.Repayments {
			for _, r := range rs {
				if err := enc.Encode(r); err != nil {
					return err
				}
			}
		}
		return nil
	}},
	{"documents.jsonl", func(b *store.CustomerBook, enc *json.Encoder) error {
		for _, d := range b.Documents {
			if err := enc.Encode(d); err != nil {
				return err
			}
		}
		return nil
	}},
	// Each customer's leaf of the book digest (docs/FIGURES.md), so that a receiver whose
	// digest differs can name the records that differ.
	{RecordHashesFile, func(b *store.CustomerBook, enc *json.Encoder) error {
		leaf := figures.Leaf(b)
		return enc.Encode(RecordHash{Customer: uint64(b.Customer.No), Leaf: hex.EncodeToString(leaf[:])})
	}},
}

// RecordHashesFile lists each customer's leaf of the book digest, one RecordHash a line.
const RecordHashesFile = "record-hashes.jsonl"

// RecordHash is one line of RecordHashesFile.
type RecordHash struct {
	Customer uint64 `json:"customer"` // the sender's customer number
	Leaf     string `json:"leaf"`     // hex SHA-256
}

// writeBag streams the bag. tar needs each file's size before its content, so every table
// is walked twice: once to count its bytes, once to write them; nothing is buffered.
func writeBag(ctx context.Context, st *store.Store, w io.Writer, m *Manifest, o *Options) error {
	bw, err := bag.NewWriter(w, m.ID, m.Created)
	if err != nil {
		return err
	}
	for _, t := range tables {
		if err := addTwoPass(bw, t.file, func(w io.Writer) error {
			enc := json.NewEncoder(w)
			return st.EachCustomer(ctx, func(b *store.CustomerBook) error { return t.lines(b, enc) })
		}); err != nil {
			return err
		}
	}
	var docErr error
	err = st.EachCustomer(ctx, func(b *store.CustomerBook) error {
		for _, d := range b.Documents {
			pr, pw := io.Pipe()
			go func() { pw.CloseWithError(st.WriteDocument(ctx, b.Customer.No, d.Seq, pw)) }()
			name := fmt.Sprintf("documents/%d/%d-%s", b.Customer.No, d.Seq, strings.NewReplacer("/", "_", "\\", "_").Replace(d.Name))
			docErr = bw.Add(name, d.Size, pr)
			pr.Close()
			if docErr != nil {
				return docErr
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	sums, err := importer.LoadSummaries(st)
	if err != nil {
		return err
	}
	js, _ := json.MarshalIndent(sums, "", "  ")
	if err := bw.Add("imports.json", int64(len(js)), bytes.NewReader(js)); err != nil {
		return err
	}
	if err := addTwoPass(bw, "audit.jsonl", func(w io.Writer) error {
		var werr error
		err := st.AuditEvents(ctx, 1, func(seq uint64, ev []byte) bool {
			line := append(append([]byte(`{"seq":`+strconv.FormatUint(seq, 10)+`,"event":`), ev...), "}\n"...)
			_, werr = w.Write(line)
			return werr == nil
		})
		if err == nil {
			err = werr
		}
		return err
	}); err != nil {
		return err
	}
	bw.Info("External-Identifier", m.ID)
	bw.Info("Bagging-Date", m.Created.Format("2006-01-02"))
	bw.Info("Source-Organization", orNone(o.Sender.Card.Organisation))
	bw.Info("Contact-Name", orNone(o.Sender.Card.Name))
	bw.Info("Contact-Phone", orNone(o.ContactPhone))
	// PIPL Art. 22: customers must be told who now holds their data and how to reach them.
	for _, r := range o.Recipients {
		bw.Info("Recipient-Organization", orNone(r.Organisation))
		bw.Info("Recipient-Contact-Name", orNone(r.Name))
	}
	if o.RecipientContact != "" {
		bw.Info("Recipient-Contact", o.RecipientContact)
	}
	bw.Info("Handover-Deal", m.Deal)
	return bw.Close()
}

// addTwoPass adds a file whose content gen writes twice, identically: once to count its
// bytes, once into the bag.
func addTwoPass(bw *bag.Writer, name string, gen func(w io.Writer) error) error {
	var size countOnly
	if err := gen(&size); err != nil {
		return err
	}
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(gen(pw)) }()
	err := bw.Add(name, int64(size), pr)
	pr.CloseWithError(err)
	return err
}

type countOnly int64

func (c *countOnly) Write(p []byte) (int, error) { *c += countOnly(len(p)); return len(p), nil }

func readme(m *Manifest) string {
	return fmt.Sprintf(`客户资料移交包 %s
Handover package %s

这是小额贷款公司客户资料移交包，已用接收方的 age 密钥加密，并由发送方签名。
This is an encrypted, signed handover package of a small-loan company's customer files.

核验签名 / Check the signature (allowed_signers from the sender's card):
  ssh-keygen -Y verify -f allowed_signers -I <sender principal> -n handover-package@v1 -s package.json.sig < package.json
核验各部分 / Check the parts: each part's size and SHA-256 are listed in package.json.
解密并解包 / Decrypt and unpack:
  cat payload.age.* | age -d -i key.txt | tar -x
  cd %s && sha256sum -c manifest-sha256.txt
`, m.ID, m.ID, m.ID)
}
