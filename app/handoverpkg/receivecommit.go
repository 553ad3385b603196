package handoverpkg

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"runtime"
	"sync"

	"handover/app/bag"
	"handover/app/progress"
	"handover/store"
	"handover/store/model"
)

// lines reads one staged table a JSON line at a time, with one line of look-ahead.
type lines[T any] struct {
	file string
	rc   io.ReadCloser
	sc   *bufio.Scanner
	line int
	next *T
	err  error
}

func openLines[T any](stg *staging, file string) (*lines[T], error) {
	rc, err := stg.open(file)
	if err != nil {
		return nil, err
	}
	sc := bufio.NewScanner(rc)
	sc.Buffer(make([]byte, 64<<10), maxLine+1)
	l := &lines[T]{file: file, rc: rc, sc: sc}
	l.advance()
	return l, nil
}

func (l *lines[T]) advance() {
	l.next = nil
	if l.err != nil || !l.sc.Scan() {
		if l.err == nil && l.sc.Err() != nil {
			l.err = &RecordError{File: l.file, Line: l.line + 1, Reason: l.sc.Err().Error()}
		}
		return
	}
	l.line++
	var v T
	dec := json.NewDecoder(bytesReader(l.sc.Bytes()))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		l.err = &RecordError{File: l.file, Line: l.line, Reason: "not a record of this table: " + err.Error()}
		return
	}
	l.next = &v
}

func (l *lines[T]) close() { l.rc.Close() }

// commit stores the staged book, customer by customer, in the order the sender numbered
// them, each under the sender's number plus docs.base (the documents stored during the
// stream are already there). Each table lists its records grouped by customer in that order.
//
// Three stages, as the import has: one goroutine reads the tables and joins each customer's
// records, workers seal them (store.Writer.Prepare, safe for concurrent use), and the caller
// commits them strictly in order with their documents. At most commitAhead customers wait
// between the stages, so memory stays bounded whatever the book's size.
func commit(ctx context.Context, w *store.Writer, stg *staging, docs *vaultDocs, p progress.Reporter) error {
	if err := docs.sorted(); err != nil {
		return err
	}
	t, err := openTables(stg)
	if err != nil {
		return err
	}
	defer t.close()
	quit := make(chan struct{})
	ordered, jobs := make(chan *joined, commitAhead), make(chan *joined, commitAhead)
	var workers sync.WaitGroup
	// However commit ends, nothing it started outlives it: the writer is aborted or closed
	// right after, and the vault perhaps emptied.
	defer func() {
		close(quit)
		for range ordered {
		}
		workers.Wait()
	}()
	var readErr error // set before ordered is closed
	go func() {
		defer close(ordered)
		defer close(jobs)
		readErr = t.join(ctx, docs, func(j *joined) bool {
			select {
			case jobs <- j:
			case <-quit:
				return false
			}
			select {
			case ordered <- j:
				return true
			case <-quit:
				return false
			}
		})
	}()
	for range max(1, runtime.GOMAXPROCS(0)) {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for j := range jobs {
				select {
				case <-quit:
					j.err = context.Canceled
				default:
					j.prepared, j.err = w.Prepare(j.no, j.book)
				}
				j.book = nil
				close(j.done)
			}
		}()
	}
	nextDoc := 0
	for j := range ordered {
		<-j.done
		if j.err != nil {
			return j.err
		}
		if err := w.SkipTo(j.no); err != nil {
			return err
		}
		if err := w.Commit(j.prepared); err != nil {
			return err
		}
		for _, d := range j.docs {
			if err := docs.record(&nextDoc, d.doc, j.no, d.line); err != nil {
				return err
			}
		}
		if w.ImportFull() {
			if err := w.Checkpoint(); err != nil {
				return err
			}
		}
		p.Add(1)
	}
	if readErr != nil {
		return readErr
	}
	if nextDoc < len(docs.stored) {
		return &bag.BadEntryError{Name: docs.stored[nextDoc].name(), Reason: "a document that documents.jsonl does not list"}
	}
	return w.Checkpoint()
}

// commitAhead bounds the customers read and sealed ahead of the commit.
const commitAhead = 256

// joined is one customer read from the tables, on its way to being sealed and committed.
type joined struct {
	no       model.CustomerNo // in this vault
	book     *store.Book
	docs     []listedDoc
	prepared *store.Prepared
	err      error
	done     chan struct{} // closed when prepared or err is set
}

type listedDoc struct {
	doc  model.Document
	line int
}

// stagedTables are the staged tables a customer's record is joined from.
type stagedTables struct {
	cs *lines[model.Customer]
	ls *lines[model.Loan]
	rs *lines[model.Repayment]
	ds *lines[model.Document]
}

func openTables(stg *staging) (*stagedTables, error) {
	t := &stagedTables{}
	var err error
	if t.cs, err = openLines[model.Customer](stg, "customers.jsonl"); err != nil {
		return nil, err
	}
	if t.ls, err = openLines[model.Loan](stg, "loans.jsonl"); err != nil {
		t.close()
		return nil, err
	}
	if t.rs, err = openLines[model.Repayment](stg, "repayments.jsonl"); err != nil {
		t.close()
		return nil, err
	}
	if t.ds, err = openLines[model.Document](stg, "documents.jsonl"); err != nil {
		t.close()
		return nil, err
	}
	return t, nil
}

func (t *stagedTables) close() {
	if t.cs != nil {
		t.cs.close()
	}
	if t.ls != nil {
		t.ls.close()
	}
	if t.rs != nil {
		t.rs.close()
	}
	if t.ds != nil {
		t.ds.close()
	}
}

// join reads the tables customer by customer and hands each on, in the sender's order,
// until emit says stop. It checks what holds the tables together: ascending customers,
// loans and documents numbered 1, 2, …, repayments of the customer's own loans, nothing left
// over.
func (t *stagedTables) join(ctx context.Context, docs *vaultDocs, emit func(*joined) bool) error {
	cs, ls, rs, ds := t.cs, t.ls, t.rs, t.ds
	var prev model.CustomerNo
	for ; cs.next != nil; cs.advance() {
		if err := ctx.Err(); err != nil {
			return err
		}
		c := *cs.next
		if c.No <= prev {
			return &RecordError{File: cs.file, Line: cs.line, Reason: "customers are not in ascending order of their numbers"}
		}
		prev = c.No
		no, err := docs.receiverNo(uint64(c.No))
		if err != nil {
			return &RecordError{File: cs.file, Line: cs.line, Reason: err.Error()}
		}
		j := &joined{no: no, book: &store.Book{Customer: c}, done: make(chan struct{})}
		b := j.book
		for ; ls.next != nil && ls.next.Customer == c.No; ls.advance() {
			if ls.next.Seq != uint32(len(b.Loans)+1) {
				return &RecordError{File: ls.file, Line: ls.line, Reason: "loans of a customer are not numbered 1, 2, …"}
			}
			b.Loans = append(b.Loans, *ls.next)
		}
		for ; rs.next != nil && rs.next.Customer == c.No; rs.advance() {
			if rs.next.Loan == 0 || int(rs.next.Loan) > len(b.Loans) {
				return &RecordError{File: rs.file, Line: rs.line, Reason: "the repayment names a loan the customer does not have"}
			}
			b.Repayments = append(b.Repayments, *rs.next)
		}
		b.Customer.No = 0
		for seq := uint32(1); ds.next != nil && ds.next.Customer == c.No; ds.advance() {
			if ds.next.Seq != seq {
				return &RecordError{File: ds.file, Line: ds.line, Reason: "documents of a customer are not numbered 1, 2, …"}
			}
			j.docs = append(j.docs, listedDoc{*ds.next, ds.line})
			seq++
		}
		if !emit(j) {
			return nil
		}
	}
	for _, l := range []struct {
		file string
		line int
		err  error
		left bool
	}{{cs.file, cs.line, cs.err, false}, {ls.file, ls.line, ls.err, ls.next != nil}, {rs.file, rs.line, rs.err, rs.next != nil}, {ds.file, ds.line, ds.err, ds.next != nil}} {
		if l.err != nil {
			return l.err
		}
		if l.left {
			return &RecordError{File: l.file, Line: l.line, Reason: "the record's customer is not in customers.jsonl, or the records are out of order"}
		}
	}
	return nil
}
