package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/dgraph-io/badger/v4"

	"handover/crypto/blind"
	"handover/crypto/seal"
	"handover/store/model"
)

// Book is one customer with everything that belongs to them. Loans are numbered by their
// position (Seq 1, 2, …); a repayment names its loan by that Seq.
type Book struct {
	Customer   model.Customer
	Loans      []model.Loan
	Repayments []model.Repayment
	Documents  []DocumentData
}

// DocumentData is a document with its content.
type DocumentData struct {
	Meta    model.Document
	Content []byte
}

// ChunkSize is the size of a stored document chunk.
const ChunkSize = 64 << 10

// Limits of one write transaction, well below Badger's own (15% of a memtable).
const (
	txnMaxBytes   = 2 << 20
	txnMaxEntries = 20000
)

// Writer adds customers in bulk. Each customer lands whole or not at all: a transaction
// never holds part of a customer, and it carries the updated counts with it. Commits are
// pipelined, at most maxInFlight at a time so memory stays bounded.
//
// Sealing is the expensive part, so it is split from ordering: Prepare may run on many
// goroutines at once, while Commit takes prepared customers strictly in number order.
// A Writer holds the store's write lock until Close or Abort.
type Writer struct {
	s        *Store
	txn      *badger.Txn
	next     model.CustomerNo // the number the next Commit must carry
	bytes    int
	entries  int
	delta    Counts
	inflight chan struct{}
	wg       sync.WaitGroup
	errMu    sync.Mutex
	err      error
	closed   bool
	// manual writers (imports) commit only at Checkpoint, so that each transaction is a
	// unit the caller chose: its data together with the record of how far it got.
	manual  bool
	nextSeg uint32
	seg     []storedRepayment    // AddRepayments' own, used again
	batch   []entry              // manual: what the next checkpoint commits
	commits chan checkpointBatch // manual: checkpoints on their way to the committer
	done    chan struct{}        // manual: closed when the committer has stopped
	// index items of the pending transaction, stored as pages when it is committed; buckets
	// marks the pages they will make, each counted as one entry.
	index   []indexItem
	ahead   ahead // customers being sealed on their own goroutine (AddAhead)
	buckets map[[2]byte]bool
	paged   bool // pages were stored: Close merges the buckets that have too many
	written map[[2]byte]*writtenPages
	sorted  []indexItem // where sealPages sorts w.index, kept for the next checkpoint
	// A receive stores a customer's documents before the customer (they come first in the
	// package): keyed are the customers whose data key KeyAhead made, keyedNext one past the
	// highest of them, so the counts' NextCustomer covers their keys from the first checkpoint.
	keyMu     sync.Mutex
	keyed     map[model.CustomerNo]bool
	keyedNext model.CustomerNo
	// undoneOnCrash: what this writer commits is dropped whole if the process dies before
	// its caller's record (a receive, under its pending mark), so the key table is synced once,
	// at Close, rather than at every checkpoint (a receive of 2 GiB made 2,000 fsyncs).
	undoneOnCrash bool
}

// UndoneOnCrash tells the writer that its caller drops everything it wrote if the process
// dies before the caller's own record, as a receive does (store.DropBook under a pending
// mark): the data keys are then made durable once, at Close, instead of at every checkpoint.
func (w *Writer) UndoneOnCrash() { w.undoneOnCrash = true }

const maxInFlight = 4

// deferredIndexItems is how many index items a writer whose work is undone on a crash (a
// receive) gathers before it stores them as pages. Its checkpoints are small (a document's
// chunks fill one), and a search reads one page per checkpoint that wrote the bucket; what
// it has not stored yet is dropped with the rest if the process dies.
const deferredIndexItems = 1 << 15

// entry is one key and value of a transaction. An import's entry may instead carry its
// plaintext and customer: the committer seals it under that customer's key (sealPending),
// so that the importer's own goroutine does not.
type entry struct {
	k, v  []byte
	plain []byte
	no    model.CustomerNo
	del   bool // delete k (an index page merged into a new one)
}

// Prepared is a sealed customer ready to commit.
type Prepared struct {
	no      model.CustomerNo
	entries []entry
	index   []indexItem
	size    int
	delta   Counts
}

// NewWriter starts a bulk write.
func (s *Store) NewWriter() *Writer {
	s.mu.Lock()
	return &Writer{s: s, txn: s.db.NewTransaction(true), next: s.counts.NextCustomer,
		inflight: make(chan struct{}, maxInFlight)}
}

// Next is the number the next committed customer gets; a customer prepared for Next+i must
// be committed i-th.
func (w *Writer) Next() model.CustomerNo { return w.next }

// Add prepares and commits one customer and returns its number.
func (w *Writer) Add(b *Book) (model.CustomerNo, error) {
	p, err := w.Prepare(w.next, b)
	if err != nil {
		return 0, err
	}
	return p.no, w.Commit(p)
}

// SkipTo makes no the number of the next committed customer; the numbers passed over stay
// unused. A receive keeps the gaps of the sender's numbering, so that the documents it stored
// before their customers (KeyAhead) are under the number the customer then gets.
func (w *Writer) SkipTo(no model.CustomerNo) error {
	if no < w.next {
		return fmt.Errorf("writer: customer #%d is below the next number #%d", no, w.next)
	}
	w.next = no
	return nil
}

// KeyAhead makes the data key of customer no, a number not yet committed, so that its
// documents can be stored before its record; Prepare then uses that key. The counts written
// at each checkpoint cover it (NextCustomer), so that DropBook clears it.
func (w *Writer) KeyAhead(no model.CustomerNo) error {
	if no < w.next {
		return fmt.Errorf("writer: customer #%d is below the next number #%d", no, w.next)
	}
	w.keyMu.Lock()
	defer w.keyMu.Unlock()
	if w.keyed[no] {
		return nil
	}
	if _, err := w.s.keys.New(no); err != nil {
		return err
	}
	if w.keyed == nil {
		w.keyed = map[model.CustomerNo]bool{}
	}
	w.keyed[no] = true
	w.keyedNext = max(w.keyedNext, no+1)
	return nil
}

// customerKey is the data key for a customer being prepared: the one KeyAhead made, else a
// fresh one.
func (w *Writer) customerKey(no model.CustomerNo) (*seal.Sealer, error) {
	w.keyMu.Lock()
	made := w.keyed[no]
	delete(w.keyed, no)
	if !made && w.undoneOnCrash {
		// Prepared ahead of the commit, perhaps never committed: DropBook must clear it too.
		w.keyedNext = max(w.keyedNext, no+1)
	}
	w.keyMu.Unlock()
	if made {
		return w.s.keys.Get(no)
	}
	return w.s.keys.New(no)
}

// Prepare seals customer b under the number no. It is safe for concurrent use.
func (w *Writer) Prepare(no model.CustomerNo, b *Book) (*Prepared, error) {
	sl, err := w.customerKey(no)
	if err != nil {
		return nil, err
	}
	es, idx, d, err := w.s.bookEntries(no, sl, b)
	if err != nil {
		return nil, err
	}
	p := &Prepared{no: no, entries: es, index: idx, delta: d}
	for _, e := range es {
		p.size += len(e.k) + len(e.v) + 16
	}
	p.size += len(idx) * pageItemSize
	return p, nil
}

// Commit adds a prepared customer to the write.
func (w *Writer) Commit(p *Prepared) error {
	if err := w.asyncErr(); err != nil {
		return err
	}
	if p.no != w.next {
		return fmt.Errorf("writer: customer #%d committed out of order (want #%d)", p.no, w.next)
	}
	// len(p.index) bounds the pages its items can add.
	if !w.manual && w.entries > 0 && (w.bytes+p.size > txnMaxBytes || w.entries+len(p.entries)+len(p.index) > txnMaxEntries) {
		if err := w.flush(); err != nil {
			return err
		}
	}
	if w.manual {
		w.batch = append(w.batch, p.entries...)
	}
	for _, e := range p.entries {
		if w.manual {
			break
		}
		if err := w.txn.SetEntry(badger.NewEntry(e.k, e.v)); err != nil {
			return fmt.Errorf("customer #%d does not fit in one transaction: %w", p.no, err)
		}
	}
	w.addIndex(p.index...)
	w.next++
	w.bytes += p.size
	w.entries += len(p.entries)
	w.delta.Customers++
	w.delta.Loans += p.delta.Loans
	w.delta.Repayments += p.delta.Repayments
	w.delta.Documents += p.delta.Documents
	w.delta.DocumentBytes += p.delta.DocumentBytes
	return nil
}

// addIndex adds index items to the pending transaction. Each page they start counts as an
// entry (and its overhead as bytes), so that checkpoints and transactions stay in bounds.
func (w *Writer) addIndex(items ...indexItem) {
	if w.buckets == nil {
		w.buckets = map[[2]byte]bool{}
	}
	for _, it := range items {
		b := [2]byte{byte(it.kind), pageBucket(it.tag)}
		if !w.buckets[b] {
			w.buckets[b] = true
			w.entries++
			w.bytes += 64
		}
	}
	w.index = append(w.index, items...)
}

// bookEntries seals one customer's records and lists its index items.
func (s *Store) bookEntries(no model.CustomerNo, sl *seal.Sealer, b *Book) ([]entry, []indexItem, Counts, error) {
	var d Counts
	es := make([]entry, 0, 2+len(b.Documents)*2)
	idx := make([]indexItem, 0, 4+len(b.Loans))
	put := func(k []byte, v any) error {
		pt, err := json.Marshal(v)
		if err != nil {
			return err
		}
		es = append(es, entry{k: k, v: sl.Seal(nil, k, pt)})
		clear(pt)
		return nil
	}
	index := func(kind blind.Kind, value string, extra uint32) {
		if value != "" {
			idx = append(idx, indexItem{kind: kind, tag: s.tagger.Tag(kind, value), no: no, extra: extra})
		}
	}
	c := b.Customer
	c.No = no
	rec := storedCustomer{Customer: c, Loans: make([]model.Loan, len(b.Loans))}
	for i, l := range b.Loans {
		l.Customer, l.Seq = no, uint32(i+1)
		rec.Loans[i] = l
		d.Loans++
	}
	if len(b.Repayments) > 0 {
		// Each loan's list is cut from one array, sized by counting first: growing the
		// lists one repayment at a time was a second of the million-customer import's CPU.
		rec.Repayments = make([]repaymentList, len(b.Loans))
		counts := make([]int, len(b.Loans))
		for _, r := range b.Repayments {
			if r.Loan == 0 || int(r.Loan) > len(b.Loans) {
				return nil, nil, d, fmt.Errorf("customer #%d: repayment names loan %d of %d", no, r.Loan, len(b.Loans))
			}
			counts[r.Loan-1]++
		}
		all := make([]storedRepayment, len(b.Repayments))
		for i, n := range counts {
			if n > 0 {
				rec.Repayments[i], all = all[:0:n], all[n:]
			}
		}
		for _, r := range b.Repayments {
			rec.Repayments[r.Loan-1] = append(rec.Repayments[r.Loan-1], compactRepayment(r))
		}
		d.Repayments += int64(len(b.Repayments))
	}
	// One record per customer: Badger's single write goroutine is the bottleneck of a
	// bulk write, and its cost is per entry.
	k := kCustomer(no)
	pt := appendRecord(make([]byte, 0, 320+96*len(rec.Loans)+24*len(b.Repayments)), &rec)
	es = append(es, entry{k: k, v: sl.Seal(nil, k, pt)})
	clear(pt)
	index(blind.IDNumber, c.IDNumber, 0)
	index(blind.Phone, c.Phone, 0)
	index(blind.CustomerNumber, c.Number, 0)
	if ps := namePrefixes(c.Name); len(ps) > 0 {
		var sub blind.Tag
		if len(ps) == 2 {
			sub = s.tagger.Tag(blind.NamePrefix, ps[1])
		}
		idx = append(idx, indexItem{kind: blind.NamePrefix, tag: s.tagger.Tag(blind.NamePrefix, ps[0]), sub: sub, no: no})
	}
	for _, l := range rec.Loans {
		index(blind.Contract, l.Contract, l.Seq)
	}
	for i, doc := range b.Documents {
		m := doc.Meta
		m.Customer, m.Seq = no, uint32(i+1)
		m.Size = int64(len(doc.Content))
		m.Chunks = uint32((len(doc.Content) + ChunkSize - 1) / ChunkSize)
		if err := put(kDocument(no, m.Seq), m); err != nil {
			return nil, nil, d, err
		}
		for c := uint32(0); c < m.Chunks; c++ {
			part := doc.Content[int(c)*ChunkSize : min(len(doc.Content), int(c+1)*ChunkSize)]
			k := kChunk(no, m.Seq, c)
			es = append(es, entry{k: k, v: sl.Seal(nil, k, part)})
		}
		d.Documents++
		d.DocumentBytes += m.Size
	}
	return es, idx, d, nil
}

// namePrefixes are the indexed name prefixes: one and two characters. Longer prefixes are
// searched in the two-character bucket and confirmed by decryption.
func namePrefixes(name string) []string {
	r := []rune(blind.Normalize(name))
	switch {
	case len(r) == 0:
		return nil
	case len(r) == 1:
		return []string{string(r)}
	}
	return []string{string(r[:1]), string(r[:2])}
}

func (w *Writer) flush() error {
	s := w.s
	if w.entries == 0 && len(w.index) == 0 && !(w.closed && w.unmerged()) {
		return w.asyncErr()
	}
	// Keys first: a committed record whose key was lost in a crash could never be read. An
	// import's committer syncs them before it commits the checkpoint, so that the fsync
	// does not stop the goroutine that reads the rows.
	syncKeys := !w.undoneOnCrash || w.closed
	if syncKeys && !w.manual {
		if err := s.keys.Sync(); err != nil {
			return err
		}
	}
	s.counts.Customers += w.delta.Customers
	s.counts.Loans += w.delta.Loans
	s.counts.Repayments += w.delta.Repayments
	s.counts.Documents += w.delta.Documents
	s.counts.DocumentBytes += w.delta.DocumentBytes
	// Numbers may have gaps (SkipTo), and keys made ahead must be covered: DropBook and
	// destruction clear the key slots below NextCustomer.
	w.keyMu.Lock()
	s.counts.NextCustomer = max(s.counts.NextCustomer, w.next, w.keyedNext)
	w.keyMu.Unlock()
	if w.nextSeg > s.counts.NextSegment {
		s.counts.NextSegment = w.nextSeg
	}
	w.delta = Counts{}
	var pages []entry
	if !w.undoneOnCrash || w.closed || len(w.index) >= deferredIndexItems {
		if w.written == nil {
			w.written = map[[2]byte]*writtenPages{}
		}
		pages = s.sealPages(w.index, &w.sorted, w.written, w.closed, &s.counts.NextPage)
		w.index = w.index[:0]
		w.paged = w.paged || len(pages) > 0
	}
	w.buckets = nil
	cb, _ := json.Marshal(s.counts)
	if w.manual {
		w.batch = append(w.batch, pages...)
		w.batch = append(w.batch, entry{k: kMeta("counts"), v: s.meta.Seal(nil, kMeta("counts"), cb)})
		w.commits <- checkpointBatch{entries: w.batch, syncKeys: syncKeys}
		w.batch = nil
		w.bytes, w.entries = 0, 0
		return w.asyncErr()
	}
	for _, e := range pages {
		set := func() error { return w.txn.Set(e.k, e.v) }
		if e.del {
			set = func() error { return w.txn.Delete(e.k) }
		}
		if err := set(); err != nil {
			return err
		}
	}
	if err := w.txn.Set(kMeta("counts"), s.meta.Seal(nil, kMeta("counts"), cb)); err != nil {
		return err
	}
	w.inflight <- struct{}{}
	w.wg.Add(1)
	w.txn.CommitWith(func(err error) {
		defer w.wg.Done()
		defer func() { <-w.inflight }()
		if err != nil {
			w.errMu.Lock()
			if w.err == nil {
				w.err = err
			}
			w.errMu.Unlock()
		}
	})
	w.txn = s.db.NewTransaction(true)
	w.bytes, w.entries = 0, 0
	return w.asyncErr()
}

// unmerged says whether a bucket holds more than one page this writer wrote since it last
// merged them: its last transaction merges those even when it has nothing else to commit.
func (w *Writer) unmerged() bool {
	for _, p := range w.written {
		if len(p.keys) > 1 {
			return true
		}
	}
	return false
}

func (w *Writer) asyncErr() error {
	w.errMu.Lock()
	defer w.errMu.Unlock()
	return w.err
}

// Close commits what is pending, waits for every commit and releases the write lock.
func (w *Writer) Close() error {
	if w.closed {
		return errors.New("writer already closed")
	}
	w.closed = true
	defer w.s.mu.Unlock()
	err := w.commitAhead()
	w.stopAhead()
	if err == nil {
		err = w.flush()
	}
	w.txn.Discard()
	w.stopCommitter()
	w.wg.Wait()
	if aerr := w.asyncErr(); err == nil {
		err = aerr
	}
	if w.undoneOnCrash && err == nil {
		err = w.s.keys.Sync() // before the caller's record makes the data its own
	}
	if err == nil && w.paged {
		err = w.s.compactPages(context.Background())
	}
	return err
}

// Abort drops what is pending (committed batches stay) and releases the write lock.
func (w *Writer) Abort() {
	if w.closed {
		return
	}
	w.closed = true
	w.txn.Discard()
	for _, e := range w.batch {
		clear(e.plain)
	}
	w.batch, w.index, w.sorted = nil, nil, nil
	w.stopAhead()
	w.stopCommitter()
	w.wg.Wait()
	// counts of committed batches are already in s.counts; the pending delta is dropped.
	// Keys made ahead stay covered, so that a DropBook that follows clears them too.
	w.keyMu.Lock()
	w.s.counts.NextCustomer = max(w.s.counts.NextCustomer, w.keyedNext)
	w.keyMu.Unlock()
	w.s.mu.Unlock()
}
