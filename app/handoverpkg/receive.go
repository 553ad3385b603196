package handoverpkg

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"

	"filippo.io/age"

	"handover/app/bag"
	"handover/app/figures"
	"handover/app/progress"
	"handover/crypto/identity"
	"handover/store"
	"handover/store/model"
)

// Errors of receiving, besides those of Verify.
var (
	ErrBookNotEmpty = errors.New("this vault already holds customers: receive a package into a new vault")
)

// ReplayError refuses a package older than one already received for the same deal.
type ReplayError struct {
	Deal           string
	Sequence, Last int
}

func (e *ReplayError) Error() string {
	return fmt.Sprintf("package %d of deal %s is not newer than package %d, already received: a replay is refused", e.Sequence, e.Deal, e.Last)
}

// RecordError names a record of the package that cannot be stored, by table and line.
type RecordError struct {
	File   string
	Line   int
	Reason string
}

func (e *RecordError) Error() string {
	return fmt.Sprintf("%s line %d: %s", e.File, e.Line, e.Reason)
}

// ReceiveOptions say who receives and what they trust.
type ReceiveOptions struct {
	Identity *identity.Identity
	Trusted  []identity.Card
	Limits   bag.Limits
	// LastSequence is the highest sequence number received so far for a deal (0 if none).
	LastSequence func(deal string) (int, error)
	// Staging is the folder for the tables while they are checked, inside the vault.
	Staging string
	// BeforeCommit, if set, runs once the package's signature, recipients and sequence are
	// checked, before anything is written to the vault.
	BeforeCommit func() error
	// KeepPending leaves the PendingReceive mark of an equal book in place: the caller removes
	// it in the transaction that records the receive, so a crash before that record undoes
	// the book at the next unlock.
	KeepPending bool
	// stageDone, when set (by benchmarks), is told as each stage of the receive ends.
	stageDone func(stage string)
}

// Received is the outcome of a receive.
type Received struct {
	Manifest *Manifest       `json:"package"`
	Sender   identity.Card   `json:"sender"`
	Figures  figures.Figures `json:"figures"` // computed by the receiver
	Equal    bool            `json:"equal"`   // figures and digest equal package.json's
	Diff     *Diff           `json:"differences,omitempty"`
	Imports  json.RawMessage `json:"imports,omitempty"` // the sender's import summaries
	// Checklist is the sender's data/checklist.json (checklist.Snapshot), when the package
	// has one: what was done before the data left, and the deal as the sender recorded it.
	Checklist json.RawMessage `json:"-"`
	// Files and Bytes count the payload files of the bag, as Verify reports them.
	Files int   `json:"-"`
	Bytes int64 `json:"-"`
}

// Diff locates where the received book differs from what package.json states.
type Diff struct {
	Figures []string `json:"figures"` // keys of the figures that differ
	// Missing are the sender's customer numbers whose record, as the sender hashed it,
	// is not in the vault; Unexpected the vault's customers whose record the sender did not
	// list. Each list stops at maxDiff.
	Missing    []uint64 `json:"missing"`
	Unexpected []uint64 `json:"unexpected"`
}

const maxDiff = 1000

// PendingReceive marks a receive whose commit has begun and whose record is not yet
// written: after a crash, RecoverReceive finds it and empties the book again.
const PendingReceive = "receive-pending"

// RecoverReceive undoes a receive that stopped during its commit. It reports whether there
// was one.
func RecoverReceive(st *store.Store) (bool, error) {
	var id string
	if err := st.GetMeta(PendingReceive, &id); errors.Is(err, store.ErrNotFound) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	if err := st.DropBook(); err != nil {
		return true, err
	}
	return true, st.DeleteMeta(PendingReceive)
}

// Receive checks a package as Verify does and takes its book into st, which must hold no
// customers: all of it, or, on any error, nothing. Before the first byte is written the
// vault is marked as holding a pending receive (PendingReceive); documents go into the vault
// as the stream hands them out, the tables are staged encrypted and committed once the whole
// stream has ended cleanly and the bag is valid. A damaged stream, a refused package, a book
// other than the one package.json describes, or a crash, empties the book again
// (RecoverReceive). It then recomputes the figures and the digest and compares them with
// package.json's.
func Receive(ctx context.Context, st *store.Store, dir string, o ReceiveOptions, p progress.Reporter) (*Received, error) {
	m, sender, err := readManifest(dir, o.Trusted)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(m.Recipients, o.Identity.Card.Fingerprint) {
		return nil, ErrNotRecipient
	}
	if o.LastSequence != nil {
		last, err := o.LastSequence(m.Deal)
		if err != nil {
			return nil, err
		}
		if m.Sequence <= last {
			return nil, &ReplayError{Deal: m.Deal, Sequence: m.Sequence, Last: last}
		}
	}
	if _, err := RecoverReceive(st); err != nil {
		return nil, err
	}
	if st.Counts().Customers > 0 {
		return nil, ErrBookNotEmpty
	}
	var total int64
	for _, part := range m.Parts {
		total += part.Size
	}
	p.SetTotal(total + m.Figures.Customers)
	stg, err := newStaging(o.Staging)
	if err != nil {
		return nil, err
	}
	defer stg.remove()
	stg.maxDocs = m.Figures.Documents
	if o.BeforeCommit != nil {
		if err := o.BeforeCommit(); err != nil {
			return nil, err
		}
	}
	if err := st.PutMeta(PendingReceive, m.ID); err != nil {
		return nil, err
	}
	undo := func(err error) error {
		if _, rerr := RecoverReceive(st); rerr != nil {
			return fmt.Errorf("%w (and undoing it failed: %v)", err, rerr)
		}
		return err
	}
	w := st.NewImportWriter()
	docs := newVaultDocs(w, m)
	stg.docs = docs
	// One pass over the parts: each part's bytes are read once, its size and hash checked as
	// it ends. When the stream fails, the parts are checked whole so that the error names the
	// bad part rather than age's complaint about it.
	if err := stage(ctx, dir, m, o, stg, p); err != nil {
		w.Abort()
		if errors.Is(err, context.Canceled) {
			return nil, undo(err)
		}
		check := &partsReader{dir: dir, parts: m.Parts}
		_, cerr := io.Copy(io.Discard, ctxReader{ctx, check})
		check.Close()
		var pe *PartError
		if errors.As(cerr, &pe) {
			return nil, undo(pe)
		}
		return nil, undo(err)
	}
	o.stageEnds("stream")
	if err := commit(ctx, w, stg, docs, p); err != nil {
		w.Abort()
		return nil, undo(err)
	}
	if err := w.Close(); err != nil {
		return nil, undo(err)
	}
	o.stageEnds("commit")
	rec, err := compare(ctx, st, stg, m, sender)
	if err != nil {
		return nil, undo(err)
	}
	o.stageEnds("compare")
	rec.Files, rec.Bytes = stg.files, stg.bytes
	if !rec.Equal {
		// A book that is not the one the sender described is not kept: the vault stays
		// empty, so the corrected package can be received (the differences are reported).
		if err := undo(nil); err != nil {
			return nil, err
		}
		return rec, nil
	}
	if !o.KeepPending {
		if err := st.DeleteMeta(PendingReceive); err != nil {
			return nil, err
		}
	}
	return rec, nil
}

func (o ReceiveOptions) stageEnds(stage string) {
	if o.stageDone != nil {
		o.stageDone(stage)
	}
}

// stage decrypts the payload and hands each file of the bag to the staging area.
func stage(ctx context.Context, dir string, m *Manifest, o ReceiveOptions, stg *staging, p progress.Reporter) error {
	parts := &partsReader{dir: dir, parts: m.Parts}
	defer parts.Close()
	plain, err := age.Decrypt(ctxReader{ctx, progress.Reader(parts, p)}, o.Identity.AgeIdentity())
	if err != nil {
		return decryptError(err)
	}
	info, err := bag.Read(plain, receiveLimits(o.Limits, m), func(path string, size int64, r io.Reader) error {
		stg.files++
		stg.bytes += size
		return stg.put(path, size, r)
	})
	if err != nil {
		return decryptError(err)
	}
	if err := stg.finish(); err != nil {
		return err
	}
	if info["External-Identifier"] != m.ID {
		return fmt.Errorf("%w: the bag inside belongs to package %q", bag.ErrInvalid, info["External-Identifier"])
	}
	if _, err := io.Copy(io.Discard, plain); err != nil {
		return fmt.Errorf("the payload ends badly: %w", decryptError(err))
	}
	return nil
}

// receiveLimits tightens the limits with what the signed package.json says: the plaintext
// cannot be larger than the parts, and the bag holds the documents listed, one folder per
// customer and a few files besides. A crafted bag is refused at its first excess entry.
func receiveLimits(lim bag.Limits, m *Manifest) bag.Limits {
	var total int64
	for _, p := range m.Parts {
		total += p.Size
	}
	lim.TotalSize = min(lim.TotalSize, total)
	lim.FileSize = min(lim.FileSize, total)
	lim.Entries = min(lim.Entries, int(m.Figures.Documents+m.Figures.Customers)+64)
	return lim
}

func decryptError(err error) error {
	var pe *PartError
	if errors.As(err, &pe) {
		return pe
	}
	if errors.Is(err, context.Canceled) {
		return err
	}
	var ne *age.NoIdentityMatchError
	if errors.As(err, &ne) {
		return ErrNotRecipient
	}
	return err
}

// compare recomputes the figures and the digest of the received book and, when they differ
// from package.json's, locates the records that differ by their leaves.
func compare(ctx context.Context, st *store.Store, stg *staging, m *Manifest, sender identity.Card) (*Received, error) {
	f, err := figures.Compute(ctx, st)
	if err != nil {
		return nil, err
	}
	out := &Received{Manifest: m, Sender: sender, Figures: *f}
	if rc, err := stg.open("imports.json"); err == nil {
		js, _ := io.ReadAll(io.LimitReader(rc, 64<<20))
		rc.Close()
		if json.Valid(js) {
			out.Imports = js
		}
	}
	if rc, err := stg.open(ChecklistFile); err == nil {
		js, _ := io.ReadAll(io.LimitReader(rc, 64<<20))
		rc.Close()
		if json.Valid(js) {
			out.Checklist = js
		}
	}
	fieldsDiffer := figures.DifferingKeys(&m.Figures, f)
	if len(fieldsDiffer) == 0 {
		out.Equal = true
		return out, nil
	}
	d := &Diff{Figures: fieldsDiffer}
	mine := map[[32]byte]model.CustomerNo{}
	if err := st.EachCustomer(ctx, func(b *store.CustomerBook) error {
		mine[figures.Leaf(b)] = b.Customer.No
		return nil
	}); err != nil {
		return nil, err
	}
	theirs, err := openLines[RecordHash](stg, RecordHashesFile)
	if err != nil {
		return nil, err
	}
	defer theirs.close()
	for ; theirs.next != nil; theirs.advance() {
		var leaf [32]byte
		if b, err := hex.DecodeString(theirs.next.Leaf); err == nil && len(b) == 32 {
			copy(leaf[:], b)
		}
		if _, ok := mine[leaf]; ok {
			delete(mine, leaf)
		} else if len(d.Missing) < maxDiff {
			d.Missing = append(d.Missing, theirs.next.Customer)
		}
	}
	for _, no := range mine {
		if len(d.Unexpected) < maxDiff {
			d.Unexpected = append(d.Unexpected, uint64(no))
		}
	}
	slices.Sort(d.Unexpected)
	out.Diff = d
	return out, nil
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }

// ctxReader stops a long read when the context is cancelled.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
