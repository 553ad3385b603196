package store

import "handover/store/model"

// An import seals its customers on a goroutine of its own (AddAhead): each customer's key
// made, its blind-index tags computed, its record encoded and sealed. That was about four
// seconds of CPU on the importer's goroutine for the million-customer book, the goroutine
// that must see the rows in order and that bounded the customers file
// (docs/BENCHMARKS-notes.md). One goroutine, not one per core: the key table gathers the
// slots New makes into one write only while they come in number order.

const (
	aheadBatch   = 64 // customers handed over together: a channel operation each is too dear
	aheadBatches = 8  // batches handed over and not yet committed, at most
)

// aheadWork is a batch of customers to seal, numbered in order; done is closed when prepared
// (or err) is filled in.
type aheadWork struct {
	books    []aheadBook
	prepared []*Prepared
	err      error
	done     chan struct{}
}

type aheadBook struct {
	no   model.CustomerNo
	book Book
	size int // guessed, until the prepared size is known
}

// ahead is a writer's customers on their way to the preparing goroutine and back.
type ahead struct {
	todo    chan *aheadWork // to the preparer; nil until the first AddAhead
	queue   []*aheadWork    // handed over, in order, not yet committed
	filling *aheadWork      // not yet handed over
	n       int             // customers in queue and filling
	bytes   int             // their guessed size, which ImportFull counts
}

// sizeGuess is about what a customer's sealed record and index items add to a checkpoint,
// guessed before it is sealed so that ImportFull can count customers in flight: checkpoints
// stay about a megabyte whatever the records' size.
func sizeGuess(b *Book) int {
	c := &b.Customer
	n := 256 + len(c.Name) + len(c.IDNumber) + len(c.Phone) + len(c.BankCard) + len(c.BankName) +
		len(c.Address) + len(c.Occupied) + len(c.Number) + len(c.Source) + 256*len(b.Loans) + 64*len(b.Repayments)
	for _, d := range b.Documents {
		n += len(d.Content)
	}
	return n
}

// NextAhead is the number the next AddAhead will give: an import that gathers a customer's
// loans and repayments before adding them must name the customer to its lookups at once.
func (w *Writer) NextAhead() model.CustomerNo { return w.next + model.CustomerNo(w.ahead.n) }

// AddAhead adds customer b like Add and returns the number it gets, but seals it on the
// writer's preparing goroutine; the customer is committed into the pending transaction by a
// later AddAhead, or by Checkpoint or Close at the latest. An error of its sealing is
// returned by one of those calls.
func (w *Writer) AddAhead(b *Book) (model.CustomerNo, error) {
	if err := w.asyncErr(); err != nil {
		return 0, err
	}
	a := &w.ahead
	if a.todo == nil {
		a.todo = make(chan *aheadWork, aheadBatches)
		w.wg.Add(1)
		go w.prepareAhead(a.todo)
	}
	no := w.next + model.CustomerNo(a.n)
	if a.filling == nil {
		a.filling = &aheadWork{books: make([]aheadBook, 0, aheadBatch), done: make(chan struct{})}
	}
	size := sizeGuess(b)
	a.filling.books = append(a.filling.books, aheadBook{no: no, book: *b, size: size})
	a.n++
	a.bytes += size
	if len(a.filling.books) == aheadBatch {
		if err := w.handOver(); err != nil {
			return 0, err
		}
	}
	return no, nil
}

// handOver sends the batch being filled to the preparer, first committing the oldest batch
// if as many as aheadBatches wait.
func (w *Writer) handOver() error {
	a := &w.ahead
	if len(a.queue) == aheadBatches {
		if err := w.commitOldest(); err != nil {
			return err
		}
	}
	a.todo <- a.filling
	a.queue = append(a.queue, a.filling)
	a.filling = nil
	return nil
}

// commitOldest waits for the oldest batch handed over and commits its customers in order.
func (w *Writer) commitOldest() error {
	a := &w.ahead
	work := a.queue[0]
	<-work.done
	if work.err != nil {
		return work.err
	}
	a.queue[0] = nil
	a.queue = a.queue[1:]
	for i, p := range work.prepared {
		if err := w.Commit(p); err != nil {
			return err
		}
		a.n--
		a.bytes -= work.books[i].size
	}
	return nil
}

// commitAhead commits every customer added by AddAhead, waiting for their sealing.
func (w *Writer) commitAhead() error {
	a := &w.ahead
	if a.filling != nil {
		if err := w.handOver(); err != nil {
			return err
		}
	}
	for len(a.queue) > 0 {
		if err := w.commitOldest(); err != nil {
			return err
		}
	}
	return nil
}

// stopAhead stops the preparer; customers not committed are dropped.
func (w *Writer) stopAhead() {
	a := &w.ahead
	if a.todo != nil {
		close(a.todo)
		a.todo = nil
	}
	a.queue, a.filling, a.n, a.bytes = nil, nil, 0, 0
}

// prepareAhead seals the batches it is handed, in order, until todo is closed.
func (w *Writer) prepareAhead(todo <-chan *aheadWork) {
	defer w.wg.Done()
	for work := range todo {
		for i := range work.books {
			ab := &work.books[i]
			p, err := w.Prepare(ab.no, &ab.book)
			if err != nil {
				work.err = err
				break
			}
			work.prepared = append(work.prepared, p)
			ab.book = Book{}
		}
		close(work.done)
	}
}
