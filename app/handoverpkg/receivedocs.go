package handoverpkg

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"

	"handover/app/bag"
	"handover/store"
	"handover/store/model"
)

// maxNumberGap bounds how far the sender's customer numbers may run past the number of
// customers the package states. The receiver keeps the sender's numbering (gaps where the
// sender destroyed customers or left them out of a selection), and a customer's data key
// sits in a slot at its number: a crafted number far out would make the key table, and
// undoing the receive, as large as the number. 16 M numbers of gap cost at most 1 GiB of key
// table, and a real vault's book is far from that. maxCustomerNo bounds the number whatever
// the customer count package.json states (4 GiB of key table to clear at most).
const (
	maxNumberGap  = 1 << 24
	maxCustomerNo = 1 << 26
)

// vaultDocs stores documents into the vault as the bag hands them out, before the tables
// that say whose they are have arrived: the sender writes documents first, while it walks
// its book. Each goes under the number its customer will have (base plus the sender's
// number), sealed under that customer's data key, made ahead (store.Writer.KeyAhead). What
// was stored is remembered (about 60 bytes a document) so that commit can check it against
// documents.jsonl and record the document only then.
//
// Writing as the stream is read, rather than staging and committing afterwards, spares the
// documents' bytes a second pass; it is safe because Receive marks the vault as holding a
// pending receive before the first byte: a damaged stream, a refused package or a crash
// empties the book again (store.DropBook), exactly as a failed commit did before.
type vaultDocs struct {
	w         *store.Writer
	base      model.CustomerNo
	maxSender uint64 // the highest sender's number accepted
	stored    []storedDoc
	buf       []byte
}

type storedDoc struct {
	customer uint64 // the sender's number
	seq      uint32
	chunks   uint32
	size     int64
	sum      [sha256.Size]byte
}

// name is the document's path in the bag, short of the file name, which is not kept.
func (d storedDoc) name() string { return fmt.Sprintf("data/documents/%d/%d-…", d.customer, d.seq) }

func newVaultDocs(w *store.Writer, m *Manifest) *vaultDocs {
	w.UndoneOnCrash()
	return &vaultDocs{w: w, base: w.Next() - 1, maxSender: min(uint64(max(m.Figures.Customers, 0))+maxNumberGap, maxCustomerNo),
		buf: make([]byte, store.ChunkSize)}
}

// receiverNo is the number a sender's customer gets in this vault.
func (v *vaultDocs) receiverNo(sender uint64) (model.CustomerNo, error) {
	if sender == 0 || sender > v.maxSender {
		return 0, fmt.Errorf("customer number %d is out of range for a package of this size", sender)
	}
	return v.base + model.CustomerNo(sender), nil
}

func (v *vaultDocs) put(path string, customer uint64, seq uint32, size int64, r io.Reader) error {
	no, err := v.receiverNo(customer)
	if err != nil {
		return &bag.BadEntryError{Name: path, Reason: err.Error()}
	}
	if err := v.w.KeyAhead(no); err != nil {
		return err
	}
	// The bag's reader hashes every file for its manifest; a document's hash is that one.
	pr, ok := r.(*bag.PayloadReader)
	if !ok {
		return fmt.Errorf("document %s: not read from a bag", path)
	}
	d := storedDoc{customer: customer, seq: seq}
	for {
		n, rerr := io.ReadFull(r, v.buf)
		if n > 0 {
			if err := v.w.AddDocumentChunk(no, seq, d.chunks, v.buf[:n]); err != nil {
				return err
			}
			d.size += int64(n)
			d.chunks++
			if v.w.ImportFull() {
				if err := v.w.Checkpoint(); err != nil {
					return err
				}
			}
		}
		if errors.Is(rerr, io.EOF) || errors.Is(rerr, io.ErrUnexpectedEOF) {
			break
		}
		if rerr != nil {
			return rerr
		}
	}
	if d.size != size {
		return &bag.BadEntryError{Name: path, Reason: "shorter than its declared size"}
	}
	d.sum = pr.Sum()
	v.stored = append(v.stored, d)
	return nil
}

// sorted orders what was stored as documents.jsonl lists it (by customer, then number) and
// refuses a document stored twice.
func (v *vaultDocs) sorted() error {
	order := func(a, b storedDoc) int {
		return cmp.Or(cmp.Compare(a.customer, b.customer), cmp.Compare(a.seq, b.seq))
	}
	if !slices.IsSortedFunc(v.stored, order) {
		slices.SortFunc(v.stored, order)
	}
	for i := 1; i < len(v.stored); i++ {
		if order(v.stored[i-1], v.stored[i]) == 0 {
			return &bag.BadEntryError{Name: v.stored[i].name(), Reason: "the same document is in the package twice"}
		}
	}
	return nil
}

// record checks the next listed document against the one stored and records its metadata
// under the receiver's number. Both lists are in the same order, so next walks them together.
func (v *vaultDocs) record(next *int, d model.Document, no model.CustomerNo, line int) error {
	if *next >= len(v.stored) || v.stored[*next].customer != uint64(d.Customer) || v.stored[*next].seq != d.Seq {
		return &RecordError{File: "documents.jsonl", Line: line, Reason: fmt.Sprintf("document %d of customer %d is missing from the package", d.Seq, d.Customer)}
	}
	s := v.stored[*next]
	*next++
	if s.size != d.Size || hex.EncodeToString(s.sum[:]) != d.SHA256 {
		return &RecordError{File: "documents.jsonl", Line: line, Reason: fmt.Sprintf("document %d of customer %d does not match its size or SHA-256", d.Seq, d.Customer)}
	}
	d.Customer, d.Chunks = no, s.chunks
	return v.w.AddDocument(d)
}
