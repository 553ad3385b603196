package store

import (
	"encoding/binary"
	"encoding/json"
	"fmt"

	"github.com/dgraph-io/badger/v4"

	"handover/crypto/blind"
	"handover/crypto/seal"
	"handover/store/model"
)

// NewImportWriter starts a writer for an import. Unlike a bulk writer it never commits on
// its own: the caller adds rows and calls Checkpoint, and each checkpoint is one atomic
// transaction holding the rows together with the caller's record of how far it got. After a
// crash or Cancel the vault therefore holds whole checkpoints only, and the caller resumes
// after the last one.
func (s *Store) NewImportWriter() *Writer {
	w := s.NewWriter()
	w.manual = true
	w.nextSeg = max(s.counts.NextSegment, 1)
	w.commits = make(chan checkpointBatch, queuedCheckpoints)
	w.done = make(chan struct{})
	go w.committer()
	return w
}

// queuedCheckpoints is how many checkpoints wait for the committer.
const queuedCheckpoints = 8

// CheckpointsInFlight is how many checkpoints an import writer may hold after Checkpoint
// returned without the vault showing them yet: those queued, one being sealed, one sealed
// and waiting, one being committed.
const CheckpointsInFlight = queuedCheckpoints + 3

// committer commits checkpoints in order on its own goroutine. Badger makes a new
// transaction wait until every earlier commit is applied; building each transaction here
// lets the import validate the next checkpoint meanwhile, on the other core. It also seals
// the loans and repayment segments (looking up each customer's key is most of that cost),
// which the importer's goroutine, the import's busiest, used to do. Sealing runs one
// checkpoint ahead of the commit, on a goroutine of its own, so that Badger's write of a
// checkpoint and the sealing of the next overlap instead of taking turns.
func (w *Writer) committer() {
	defer close(w.done)
	sealed := make(chan checkpointBatch, 1)
	go func() {
		defer close(sealed)
		for cp := range w.commits {
			if w.asyncErr() != nil {
				clearPending(cp.entries)
				continue // drain: nothing after a failed checkpoint may be applied
			}
			// A failure travels in order: the checkpoints before it are still committed.
			cp.err = w.sealPending(cp.entries)
			sealed <- cp
		}
	}()
	for cp := range sealed {
		if w.asyncErr() != nil {
			continue
		}
		if cp.err != nil {
			w.fail(cp.err)
			continue
		}
		// Keys first: a committed record whose key was lost in a crash could never be read.
		// Every key the checkpoint's records are sealed under was made before it was queued.
		if cp.syncKeys {
			if err := w.s.keys.Sync(); err != nil {
				w.fail(err)
				continue
			}
		}
		batch := cp.entries
		err := w.s.db.Update(func(txn *badger.Txn) error {
			for _, e := range batch {
				err := txn.SetEntry(badger.NewEntry(e.k, e.v))
				if e.del {
					err = txn.Delete(e.k)
				}
				if err != nil {
					return fmt.Errorf("import transaction too large: %w", err)
				}
			}
			return nil
		})
		if err != nil {
			w.fail(err)
		}
	}
}

// checkpointBatch is one checkpoint on its way to the committer.
type checkpointBatch struct {
	entries  []entry
	syncKeys bool  // sync the key table before committing (not for a writer undone on a crash)
	err      error // sealing failed
}

// fail records the writer's first error.
func (w *Writer) fail(err error) {
	w.errMu.Lock()
	if w.err == nil {
		w.err = err
	}
	w.errMu.Unlock()
}

// sealPending seals the entries of a checkpoint that carry plaintext, each under its
// customer's key. Consecutive entries mostly belong to one customer (a file's rows come
// grouped), so the last key is kept.
func (w *Writer) sealPending(batch []entry) error {
	var last model.CustomerNo
	var sl *seal.Sealer
	for i := range batch {
		e := &batch[i]
		if e.plain == nil {
			continue
		}
		if sl == nil || e.no != last {
			var err error
			if sl, err = w.s.keys.Get(e.no); err != nil {
				clearPending(batch)
				return err
			}
			last = e.no
		}
		e.v = sl.Seal(nil, e.k, e.plain)
		clear(e.plain)
		e.plain = nil
	}
	return nil
}

func clearPending(batch []entry) {
	for _, e := range batch {
		clear(e.plain)
	}
}

func (w *Writer) stopCommitter() {
	if w.commits != nil {
		close(w.commits)
		<-w.done
		w.commits = nil
	}
}

// Pending reports the size of what waits for the next Checkpoint. An import checkpoints
// well before txnMaxBytes and txnMaxEntries, because Badger refuses larger transactions.
func (w *Writer) Pending() (bytes, entries int) { return w.bytes, w.entries }

// ImportFull says the pending transaction should be checkpointed before more is added.
// Customers still being sealed (AddAhead) count by their guessed size against the limits
// themselves: usually a few hundred kilobytes, which the half-way mark leaves room for
// (counting them there too made a third more checkpoints, each waiting for the sealing to
// catch up: 1.5 s on the million), but records of tens of kilobytes each must still
// checkpoint in time.
func (w *Writer) ImportFull() bool {
	return w.bytes > txnMaxBytes/2 || w.entries > txnMaxEntries/2 ||
		w.bytes+w.ahead.bytes > txnMaxBytes || w.entries+w.ahead.n > txnMaxEntries
}

func (w *Writer) set(k, v []byte) error {
	if err := w.asyncErr(); err != nil {
		return err
	}
	w.batch = append(w.batch, entry{k: k, v: v})
	w.bytes += len(k) + len(v) + 16
	w.entries++
	return nil
}

// setForCustomer adds plaintext to be sealed under customer no's key by the committer.
func (w *Writer) setForCustomer(no model.CustomerNo, k, pt []byte) error {
	if err := w.asyncErr(); err != nil {
		clear(pt)
		return err
	}
	w.batch = append(w.batch, entry{k: k, plain: pt, no: no})
	w.bytes += len(k) + len(pt) + 16 + seal.Overhead
	w.entries++
	return nil
}

func (w *Writer) setSealedCustomer(no model.CustomerNo, k []byte, v any) error {
	pt, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return w.setForCustomer(no, k, pt)
}

// AddLoan stores a loan of an existing customer under its own key, as loan number seq (the
// caller knows how many loans the customer has). It is indexed by contract number.
func (w *Writer) AddLoan(l model.Loan) error {
	if l.Seq == 0 {
		return fmt.Errorf("customer #%d: loan number 0", l.Customer)
	}
	if err := w.setForCustomer(l.Customer, kLoan(l.Customer, l.Seq), appendLoan(make([]byte, 0, 256), &l)); err != nil {
		return err
	}
	if l.Contract != "" {
		w.addIndex(indexItem{kind: blind.Contract, tag: w.s.tagger.Tag(blind.Contract, l.Contract), no: l.Customer, extra: l.Seq})
		w.bytes += pageItemSize
	}
	w.delta.Loans++
	return nil
}

// AddRepayments stores repayments of one loan as a new segment, read after those already
// stored for the loan.
func (w *Writer) AddRepayments(no model.CustomerNo, loan uint32, rs []model.Repayment) error {
	if len(rs) == 0 {
		return nil
	}
	w.seg = w.seg[:0]
	for _, r := range rs {
		w.seg = append(w.seg, compactRepayment(r))
	}
	k := kRepaymentSegment(no, loan, w.nextSeg)
	// The plaintext is the committer's until it is sealed: a new buffer each time, of
	// about the size a stored repayment takes.
	if err := w.setForCustomer(no, k, appendSegment(make([]byte, 0, 96*len(rs)), w.seg)); err != nil {
		return err
	}
	w.nextSeg++
	w.delta.Repayments += int64(len(rs))
	return nil
}

// AddDocumentChunk stores one chunk of a document's content. Chunks may span several
// checkpoints; the document counts only once AddDocument stores its metadata, so a crash
// leaves at most unreferenced chunks that the resumed import overwrites.
func (w *Writer) AddDocumentChunk(no model.CustomerNo, doc, chunk uint32, content []byte) error {
	sl, err := w.s.keys.Get(no)
	if err != nil {
		return err
	}
	k := kChunk(no, doc, chunk)
	return w.set(k, sl.Seal(nil, k, content))
}

// AddDocument stores a document's metadata after its chunks.
func (w *Writer) AddDocument(m model.Document) error {
	if err := w.setSealedCustomer(m.Customer, kDocument(m.Customer, m.Seq), m); err != nil {
		return err
	}
	w.delta.Documents++
	w.delta.DocumentBytes += m.Size
	return nil
}

// PutMeta adds a meta document to the pending transaction.
func (w *Writer) PutMeta(name string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	k := kMeta(name)
	return w.set(k, w.s.meta.Seal(nil, k, b))
}

// PutQuarantine adds a quarantine record (a refused row or a warning) to the pending
// transaction. file and row identify it; storing the same pair again replaces it.
func (w *Writer) PutQuarantine(file [8]byte, row uint32, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	k := kQuarantine(file, row)
	err = w.set(k, w.s.meta.Seal(nil, k, b))
	clear(b)
	return err
}

// Checkpoint commits everything pending as one transaction. Commits are applied in order,
// so after a crash the vault holds a prefix of the checkpoints.
func (w *Writer) Checkpoint() error {
	if err := w.commitAhead(); err != nil {
		return err
	}
	return w.flush()
}

func kQuarantine(file [8]byte, row uint32) []byte {
	return binary.BigEndian.AppendUint32(append([]byte{pQuarantine}, file[:]...), row)
}
