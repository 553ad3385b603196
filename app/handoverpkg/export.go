// Package pkg writes and checks handover packages (issue 5): a folder holding package.json,
// its SSHSIG signature, README.txt and one age stream cut into parts, which decrypts to a tar
// of a BagIt bag with the records as JSON Lines per table and the scanned documents. Anyone
// can open it with standard tools:
//
//	cat payload.age.* | age -d -i key.txt | tar -x
package handoverpkg

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
	"sync"
	"time"

	"filippo.io/age"

	"handover/app/bag"
	"handover/app/figures"
	"handover/app/importer"
	"handover/app/progress"
	"handover/crypto/identity"
	"handover/store"
	"handover/store/atomicfile"
	"handover/store/model"
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
	// Scope is "whole" (the whole book) or "selection" (the customers chosen at export).
	Scope string `json:"scope"`
}

// Options of an export.
type Options struct {
	Out         string // the folder in which the package folder is made (the stick)
	ID          string // the package's ID and folder name (NewID); made here when empty
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
	// Customers limits the package to these customers; nil exports the whole book.
	Customers []model.CustomerNo
	// Checklist is the deal's checklist state (JSON, checklist.Snapshot) written as
	// data/checklist.json, so the receiver sees what was done before the data left.
	Checklist []byte
}

// ChecklistFile is the bag's copy of the sender's checklist.
const ChecklistFile = "checklist.json"

// ScopeWhole and ScopeSelection are the values of Manifest.Scope.
const (
	ScopeWhole     = "whole"
	ScopeSelection = "selection"
)

// keep returns the filter of the export's scope; nil means everyone.
func (o *Options) keep() func(model.CustomerNo) bool {
	if o.Customers == nil {
		return nil
	}
	set := make(map[model.CustomerNo]bool, len(o.Customers))
	for _, no := range o.Customers {
		set[no] = true
	}
	return func(no model.CustomerNo) bool { return set[no] }
}

// ErrEmptyScope says the chosen customers are not in the vault.
var ErrEmptyScope = errors.New("the package would hold no customer: none of those chosen is in the vault")

// ErrNoRecipients says an export names nobody to read it.
var ErrNoRecipients = errors.New("a package needs at least one recipient's card")

// NewID names a package, and its folder: HANDOVER-<deal>-<sequence>-<random>.
func NewID(deal string, sequence int) string {
	var idb [6]byte
	rand.Read(idb[:])
	return fmt.Sprintf("HANDOVER-%s-%03d-%s", safe(deal), sequence, strings.ToUpper(hex.EncodeToString(idb[:])))
}

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
	if o.ID == "" {
		o.ID = NewID(o.Deal, o.Sequence)
	}
	m := &Manifest{Format: format, ID: o.ID,
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
	m.Scope = ScopeWhole
	if o.Customers != nil {
		m.Scope = ScopeSelection
	}
	if fi, err := os.Stat(o.Out); err != nil || !fi.IsDir() {
		return "", nil, &DestinationError{Dir: o.Out}
	}
	need := EstimateSize(estimateFigures(st.Counts(), o.Customers))
	if free, err := freeSpaceOf(o.Out); err == nil && free < need {
		return "", nil, &SpaceError{Dir: o.Out, Need: need, Free: free}
	}
	// The bar moves by bytes written, then by bytes read back: half and half once the
	// package's real size is known.
	p.SetTotal(2 * need)
	dir := filepath.Join(o.Out, m.ID)
	if err := os.Mkdir(dir, 0o755); err != nil {
		return "", nil, &DestinationError{Dir: o.Out, Writable: true}
	}
	sp := &splitter{dir: dir, size: o.SplitSize, ctx: ctx, p: p}
	sp.startReadBack()
	ok := false
	defer func() {
		if !ok {
			sp.abort()
			os.RemoveAll(dir)
		}
	}()
	out := newAsyncWriter(progress.Writer(sp, p))
	defer out.Close()
	aw, err := age.Encrypt(out, recips...)
	if err != nil {
		return "", nil, err
	}
	f, err := writeBag(ctx, st, aw, m, &o)
	if err != nil {
		return "", nil, err
	}
	m.Figures = *f
	if err := aw.Close(); err != nil {
		return "", nil, err
	}
	if err := out.Close(); err != nil {
		return "", nil, err
	}
	if m.Parts, err = sp.finish(); err != nil {
		return "", nil, err
	}
	if m.AuditCheckpoint, err = st.SaveCheckpoint(); err != nil {
		return "", nil, err
	}
	var written int64
	for _, part := range m.Parts {
		written += part.Size
	}
	p.SetTotal(2 * written) // written, and read back by the splitter
	js, _ := json.MarshalIndent(m, "", "  ")
	js = append(js, '\n')
	sig, err := o.Sender.Sign(Namespace, js)
	if err != nil {
		return "", nil, err
	}
	// package.json comes last: a folder that holds it is a finished package (an export cut
	// off before it is removed at the next unlock).
	for _, f := range []struct {
		name string
		b    []byte
	}{{"README.txt", []byte(readme(m))}, {"package.json.sig", sig}, {"package.json", js}} {
		if err := atomicfile.Write(filepath.Join(dir, f.name), f.b, 0o644); err != nil {
			return "", nil, err
		}
	}
	ok = true
	return dir, m, nil
}

// RecordTooLongError refuses an export with a record no receiver would take (a line of a
// table over model.MaxRecordLine). The import keeps fields far below that, so only a vault
// filled before that limit existed can hold one. It names the customer by number only.
type RecordTooLongError struct {
	Table    string
	Customer uint64
}

func (e *RecordTooLongError) Error() string {
	return fmt.Sprintf("customer #%d: a record of %s is longer than a package may carry (%d bytes); correct it before exporting", e.Customer, e.Table, model.MaxRecordLine)
}

var errLineTooLong = errors.New("line too long")

// lineLimit refuses a write of a line longer than a receiver accepts: json.Encoder writes
// each record, with its newline, in one call.
type lineLimit struct{ w io.Writer }

func (l lineLimit) Write(p []byte) (int, error) {
	if len(p) > model.MaxRecordLine {
		return 0, errLineTooLong
	}
	return l.w.Write(p)
}

// SpaceError refuses an export to a medium without room for the package.
// DestinationError says the folder chosen for a package does not exist, is not a folder,
// or cannot be written (a stick mounted read-only). Nothing was written.
type DestinationError struct {
	Dir      string
	Writable bool // the folder exists, but a folder cannot be made in it
}

func (e *DestinationError) Error() string {
	if e.Writable {
		return fmt.Sprintf("cannot write into %s (read-only or full?); choose another folder or stick", e.Dir)
	}
	return fmt.Sprintf("the folder %s does not exist; create it, or choose the USB stick's folder, and export again", e.Dir)
}

// SpaceError says the destination lacks room for the package.
type SpaceError struct {
	Dir        string
	Need, Free int64
}

func (e *SpaceError) Error() string {
	return fmt.Sprintf("%s has %d MB free; the package needs about %d MB", e.Dir, e.Free>>20, e.Need>>20)
}

// EstimateSize is a generous estimate of a package's size: the documents, what the records
// take as JSON Lines (measured on the demo book: about 700 bytes a customer, 400 a loan and
// 200 a repayment, with their hashes and the audit log), and room for the tar headers.
func EstimateSize(f *figures.Figures) int64 {
	return f.DocumentBytes + f.Documents*1536 + f.Customers*1000 + f.Loans*500 + f.Repayments*250 + 4<<20
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

// tables are the JSON Lines files of the bag, each written by one walk over the book.
var tables = []struct {
	file  string
	lines func(b *store.CustomerBook, leaf [32]byte, enc *json.Encoder) error
}{
	{"customers.jsonl", func(b *store.CustomerBook, _ [32]byte, enc *json.Encoder) error { return enc.Encode(b.Customer) }},
	{"loans.jsonl", func(b *store.CustomerBook, _ [32]byte, enc *json.Encoder) error {
		for _, l := range b.Loans {
			if err := enc.Encode(l); err != nil {
				return err
			}
		}
		return nil
	}},
	{"repayments.jsonl", func(b *store.CustomerBook, _ [32]byte, enc *json.Encoder) error {
		for _, rs := range b.Repayments {
			for _, r := range rs {
				if err := enc.Encode(r); err != nil {
					return err
				}
			}
		}
		return nil
	}},
	{"documents.jsonl", func(b *store.CustomerBook, _ [32]byte, enc *json.Encoder) error {
		for _, d := range b.Documents {
			if err := enc.Encode(d); err != nil {
				return err
			}
		}
		return nil
	}},
	// Each customer's leaf of the book digest (docs/FIGURES.md), so that a receiver whose
	// digest differs can name the records that differ.
	{RecordHashesFile, func(b *store.CustomerBook, leaf [32]byte, enc *json.Encoder) error {
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

// estimateFigures scales the vault's counts to the export's scope, for the free-space check
// and the progress bar, before the walk that computes the real figures.
func estimateFigures(c store.Counts, selection []model.CustomerNo) *figures.Figures {
	f := &figures.Figures{Customers: c.Customers, Loans: c.Loans, Repayments: c.Repayments, Documents: c.Documents, DocumentBytes: c.DocumentBytes}
	if selection != nil && c.Customers > 0 {
		share := func(n int64) int64 { return n * int64(len(selection)) / c.Customers * 2 } // customers differ: twice the average
		f.Customers, f.Loans, f.Repayments = int64(len(selection)), share(f.Loans), share(f.Repayments)
		f.Documents, f.DocumentBytes = share(f.Documents), share(f.DocumentBytes)
	}
	return f
}

// writeBag streams the bag and returns the figures of what it holds. tar needs each file's
// size before its content, so the tables go last: one walk over the book, on its own
// goroutine, writes every table to a spool in the vault's folder (sealed under a key that
// lives only in memory), computes the figures and hands each customer's documents on; the
// documents go into the bag as they come, read and decrypted ahead on a third goroutine.
// Walking, reading and encrypting thus share the cores instead of taking turns.
func writeBag(ctx context.Context, st *store.Store, w io.Writer, m *Manifest, o *Options) (*figures.Figures, error) {
	spool, err := newStaging(st.SpoolDir())
	if err != nil {
		return nil, err
	}
	defer spool.remove()
	files := make([]*sealedWriter, len(tables))
	encs := make([]*json.Encoder, len(tables))
	for i, t := range tables {
		if files[i], err = spool.create(t.file); err != nil {
			return nil, err
		}
		defer files[i].abort()
		encs[i] = json.NewEncoder(lineLimit{files[i]})
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	docs := make(chan model.Document, 1024)
	walked := make(chan error, 1)
	acc := figures.NewAccumulator()
	keep := o.keep()
	go func() {
		defer close(docs)
		walked <- st.EachCustomer(ctx, func(b *store.CustomerBook) error {
			if keep != nil && !keep(b.Customer.No) {
				return nil
			}
			leaf := acc.Add(b)
			for i, t := range tables {
				if err := t.lines(b, leaf, encs[i]); err != nil {
					if errors.Is(err, errLineTooLong) {
						return &RecordTooLongError{Table: t.file, Customer: uint64(b.Customer.No)}
					}
					return err
				}
			}
			for _, d := range b.Documents {
				select {
				case docs <- d:
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			return nil
		})
	}()
	// On an early return, stop the walk and wait for it before the spool goes.
	defer func() {
		cancel()
		for range docs {
		}
	}()
	bw, err := bag.NewWriter(w, m.ID, m.Created)
	if err != nil {
		return nil, err
	}
	// Names are unique by construction (tables, documents by customer and number).
	manifest, err := spool.spoolFile("manifest-lines")
	if err != nil {
		return nil, err
	}
	defer manifest.abort()
	bw.SpoolManifest(manifest)
	if err := addDocuments(ctx, st, bw, docs); err != nil {
		cancel()
		for range docs {
		}
		if werr := <-walked; werr != nil && !errors.Is(werr, context.Canceled) {
			return nil, werr
		}
		return nil, err
	}
	if err := <-walked; err != nil {
		return nil, err
	}
	for _, f := range files {
		if err := f.Close(); err != nil {
			return nil, err
		}
	}
	f := acc.Figures()
	if f.Customers == 0 {
		return nil, ErrEmptyScope
	}
	for i, t := range tables {
		rc, err := spool.open(t.file)
		if err != nil {
			return nil, err
		}
		err = bw.Add(t.file, files[i].size, rc)
		rc.Close()
		if err != nil {
			return nil, err
		}
	}
	sums, err := importer.LoadSummaries(ctx, st)
	if err != nil {
		return nil, err
	}
	js, _ := json.MarshalIndent(sums, "", "  ")
	if err := bw.Add("imports.json", int64(len(js)), bytes.NewReader(js)); err != nil {
		return nil, err
	}
	if o.Checklist != nil {
		if err := bw.Add(ChecklistFile, int64(len(o.Checklist)), bytes.NewReader(o.Checklist)); err != nil {
			return nil, err
		}
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
		return nil, err
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
	return f, bw.Close()
}

// addDocuments adds every document that comes on docs, in order. A goroutine reads and
// decrypts them ahead while this one writes them into the bag; at most prefetchBytes of
// small documents wait in memory, in reused buffers, and a large one is streamed when its
// turn comes.
func addDocuments(ctx context.Context, st *store.Store, bw *bag.Writer, docs <-chan model.Document) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type fetched struct {
		d       model.Document
		content *bytes.Buffer // nil: stream it
		err     error
	}
	ahead := make(chan fetched, 64)
	budget := make(chan struct{}, prefetchBytes/prefetchUnit)
	buffers := sync.Pool{New: func() any { return new(bytes.Buffer) }}
	go func() {
		defer close(ahead)
		dr := st.NewDocumentReader()
		defer dr.Close()
		for d := range docs {
			f := fetched{d: d}
			if f.d.Size <= prefetchUnit*4 {
				units := int(f.d.Size/prefetchUnit) + 1
				for range units {
					select {
					case budget <- struct{}{}:
					case <-ctx.Done():
						return
					}
				}
				f.content = buffers.Get().(*bytes.Buffer)
				f.content.Grow(int(f.d.Size))
				f.err = dr.WriteDocument(ctx, f.d, f.content)
			}
			select {
			case ahead <- f:
			case <-ctx.Done():
				return
			}
			if f.err != nil {
				return
			}
		}
	}()
	// On an early return, stop the reader and wait for it.
	defer func() {
		cancel()
		for range ahead {
		}
	}()
	names := strings.NewReplacer("/", "_", "\\", "_")
	for f := range ahead {
		if f.err != nil {
			return f.err
		}
		d := f.d
		name := fmt.Sprintf("documents/%d/%d-%s", d.Customer, d.Seq, names.Replace(d.Name))
		var err error
		var sum [32]byte
		known := len(d.SHA256) == 64
		if known {
			_, herr := hex.Decode(sum[:], []byte(d.SHA256))
			known = herr == nil
		}
		add := func(r io.Reader) error {
			if known {
				return bw.AddKnown(name, d.Size, sum, r)
			}
			return bw.Add(name, d.Size, r)
		}
		if f.content != nil {
			err = add(bytes.NewReader(f.content.Bytes()))
			clear(f.content.Bytes())
			f.content.Reset()
			buffers.Put(f.content)
			for range int(d.Size/prefetchUnit) + 1 {
				<-budget
			}
		} else {
			pr, pw := io.Pipe()
			go func() { pw.CloseWithError(st.WriteDocumentOf(ctx, d, pw)) }()
			err = add(pr)
			pr.Close()
		}
		if err != nil {
			return err
		}
	}
	return ctx.Err()
}

// Documents up to four units are read ahead, within a budget of prefetchBytes.
const (
	prefetchUnit  = 64 << 10
	prefetchBytes = 16 << 20
)

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

// freeSpaceOf is freeSpace, replaced by tests.
var freeSpaceOf = freeSpace
