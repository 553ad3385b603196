package importer

import (
	"context"
	"errors"

	"handover/app/progress"
	"handover/store"
	"handover/store/model"
)

// Importing a customers file together with its loans and repayments.
//
// Badger's cost is per entry, which is why a customer is one record. Imported one file at a
// time, a customer's loans and each loan's repayments can only become entries of their own
// once the customer is stored: 3.4 million entries for the million-customer book where a
// million would hold it. When the files come in one run they are read side by side: after
// each customer's row, the loans file is read as far as its rows name customers already
// read, and the repayments file as far as its rows name loans already read. The loans and
// repayments of the customer just read go into the customer's record, sealed and written
// once. Files that list customers in one order (the exports of one system usually do) make
// nearly every customer one entry.
//
// Rows in another order are neither lost nor reordered: a row that names a customer or a
// contract not read yet waits, and its file with it, until the customers file (or the loans
// file) ends; rows of a customer already stored become entries of their own, as they would
// one file at a time. Every row is handled in its file's order, and only once everything it
// refers to has been read, so the vault is the same, row for row, as that of the files
// imported one at a time (TestTogetherAsOneAtATime); only the records' layout differs, which
// every reader already knows (a record's loans and repayments, then those stored apart).
// Each checkpoint records every file's last row handled, so an import resumes either way.

// togetherSet is how many of inputs, from the first, are imported together: a customers
// file, its loans file and maybe its repayments file, when no other file of those tables
// comes and none of them is imported already. 0 imports every input on its own.
func togetherSet(st *store.Store, inputs []Input) (int, error) {
	var tables []Table
	for _, in := range inputs {
		if in.Table != Documents {
			tables = append(tables, in.Table)
		}
	}
	n := len(tables)
	switch {
	case n == 3 && tables[2] != Repayments, n < 2, n > 3, tables[0] != Customers, tables[1] != Loans:
		return 0, nil
	}
	for i, in := range inputs[:n] {
		if in.Table != tables[i] {
			return 0, nil // documents between them
		}
		sum, err := loadSummary(st, in.ID())
		if err != nil {
			return 0, err
		}
		if sum != nil && sum.State == StateDone {
			return 0, nil
		}
	}
	return n, nil
}

// together is an import of a customers file with its loans and repayments files.
type together struct {
	w     *store.Writer
	lk    *lookup
	join  *joiner
	feeds []*feed // customers, loans, repayments (the last may be missing)
}

// runTogether imports inputs (customers, loans and maybe repayments, in that order) side
// by side, into one import writer.
func runTogether(ctx context.Context, st *store.Store, lk *lookup, inputs []Input, opts Options, p progress.Reporter, stats *Stats) ([]Result, error) {
	w := st.NewImportWriter()
	committed := false
	defer func() {
		if !committed {
			w.Abort()
		}
	}()
	t := &together{w: w, lk: lk, join: &joiner{w: w, lk: lk}}
	defer func() {
		for _, f := range t.feeds {
			f.close()
		}
	}()
	results := func() []Result {
		rs := make([]Result, len(inputs))
		for i, f := range t.feeds {
			rs[i] = f.r.result()
			rs[i].Resumed = f.resumed
		}
		return rs
	}
	for _, in := range inputs {
		f, done, err := openFeed(st, lk, w, in, opts, p, stats)
		if err == nil && done != nil {
			err = errors.New("import: a file imported already was read with others") // togetherSet excludes it
		}
		if err != nil {
			return results(), err
		}
		f.r.join = t.join
		t.feeds = append(t.feeds, f)
	}
	if err := t.run(ctx, p); err != nil {
		return results(), err
	}
	now := opts.Now().UTC()
	for _, f := range t.feeds {
		f.r.sum.State = StateDone
		f.r.sum.Finished = now
		f.ended(p)
	}
	if err := t.checkpoint(); err != nil {
		return results(), err
	}
	committed = true
	if err := w.Close(); err != nil {
		return results(), err
	}
	return results(), nil
}

// run handles every row of the files, each customer's row followed by the loans and
// repayments that can be handled after it.
func (t *together) run(ctx context.Context, p progress.Reporter) error {
	customers, loans := t.feeds[0], t.feeds[1]
	var repayments *feed
	if len(t.feeds) > 2 {
		repayments = t.feeds[2]
	}
	for j := customers.peek(); j != nil; j = customers.peek() {
		if err := t.step(ctx, p, customers, j); err != nil {
			return err
		}
		if err := t.drain(ctx, p, loans, t.loanWaits); err != nil {
			return err
		}
		if err := t.drain(ctx, p, repayments, t.repaymentWaits); err != nil {
			return err
		}
	}
	if err := t.join.close(); err != nil {
		return err
	}
	// Every customer is read: nothing is left to wait for.
	if err := t.drain(ctx, p, loans, nil); err != nil {
		return err
	}
	if err := t.drain(ctx, p, repayments, nil); err != nil {
		return err
	}
	return ctx.Err()
}

// drain handles f's rows until one must wait (waits) or the file ends.
func (t *together) drain(ctx context.Context, p progress.Reporter, f *feed, waits func(*job) bool) error {
	if f == nil {
		return nil
	}
	for j := f.peek(); j != nil; j = f.peek() {
		if waits != nil && waits(j) {
			return nil
		}
		if err := t.step(ctx, p, f, j); err != nil {
			return err
		}
	}
	return nil
}

// step handles row j of f and checkpoints when the pending transaction is full.
func (t *together) step(ctx context.Context, p progress.Reporter, f *feed, j *job) error {
	if err := f.handle(ctx, p, j); err != nil {
		return err
	}
	full := t.w.ImportFull()
	if len(t.feeds) > 2 && len(t.feeds[2].r.groups.rows) >= maxGroupedRows {
		full = true
	}
	if full {
		return t.checkpoint()
	}
	return nil
}

// checkpoint commits everything handled so far, with every file's summary. The open
// customer is closed first: its row is recorded as handled, so its record must be in.
func (t *together) checkpoint() error {
	if err := t.join.close(); err != nil {
		return err
	}
	for _, f := range t.feeds {
		if err := f.r.stage(); err != nil {
			return err
		}
	}
	if err := t.w.Checkpoint(); err != nil {
		return err
	}
	return t.lk.committed()
}

// loanWaits says whether loan row j names a borrower whose row is not read yet. A row that
// failed its checks, or is a totals row, never waits: it refers to nobody.
func (t *together) loanWaits(j *job) bool {
	c := j.c
	if j.err != nil || c == nil || c.totals || c.failed {
		return false
	}
	// Most rows name the customer just read, as that customer's row spelled it.
	if o := &t.join.book.Customer; t.join.isOpen && (c.loanID == "" || c.loanID == o.IDNumber) && (c.loanNo == "" || c.loanNo == o.Number) {
		return false
	}
	if c.loanNo != "" {
		if _, ok := t.lk.customerByNumber(c.loanNo); !ok {
			return true
		}
	}
	if c.loanID != "" {
		if _, ok := t.lk.customer(c.loanID); !ok {
			return true
		}
	}
	return false
}

// repaymentWaits says whether repayment row j names a contract not read yet.
func (t *together) repaymentWaits(j *job) bool {
	c := j.c
	if j.err != nil || c == nil || c.totals || c.failed {
		return false
	}
	_, ok := t.lk.contract(c.rep.Contract)
	return !ok
}

// joiner is the customer open in an import of the files together: numbered and known to
// the lookups at once, added to the writer with the loans and repayments that came after
// it when the next customer comes (or a checkpoint, or maxJoinedRows).
type joiner struct {
	w      *store.Writer
	lk     *lookup
	isOpen bool
	no     model.CustomerNo
	book   store.Book
	rows   int
	// Records' loans and repayments are cut from shared arrays, one record after another:
	// growing each record's slices one row at a time was a second of the million's CPU.
	loans      slab[model.Loan]
	repayments slab[model.Repayment]
}

// slab hands out slices of one array, one at a time: start gives room from the end of what
// was used, done hands the used part out for good. A slice that outgrew the room was moved
// by append and leaves the room to the next.
type slab[T any] struct{ free []T }

const slabSize = 4096

func (s *slab[T]) start() []T {
	if len(s.free) < slabSize/16 {
		s.free = make([]T, slabSize)
	}
	return s.free[:0]
}

func (s *slab[T]) done(used []T) []T {
	if n := len(used); n > 0 {
		if len(s.free) > 0 && &used[0] == &s.free[0] {
			s.free = s.free[n:]
		}
		return used[:n:n] // what the record's holder appends must not reach the next record
	}
	return used
}

// maxJoinedRows bounds the loans and repayments gathered into one record; a customer with
// more has the rest stored apart, as when the files come one at a time.
const maxJoinedRows = 512

func (j *joiner) open(c model.Customer) error {
	if err := j.close(); err != nil {
		return err
	}
	j.no = j.w.NextAhead()
	j.book = store.Book{Customer: c}
	j.isOpen, j.rows = true, 0
	j.lk.addCustomer(j.no, c.IDNumber, c.Number, c.Source)
	return nil
}

// takes says whether a row of customer no goes into the open record.
func (j *joiner) takes(no model.CustomerNo) bool { return j.isOpen && no == j.no }

func (j *joiner) addLoan(l model.Loan) error {
	if j.book.Loans == nil {
		j.book.Loans = j.loans.start()
	}
	j.book.Loans = append(j.book.Loans, l)
	return j.grew()
}

func (j *joiner) addRepayment(rp model.Repayment) error {
	if j.book.Repayments == nil {
		j.book.Repayments = j.repayments.start()
	}
	j.book.Repayments = append(j.book.Repayments, rp)
	return j.grew()
}

func (j *joiner) grew() error {
	if j.rows++; j.rows >= maxJoinedRows {
		return j.close()
	}
	return nil
}

// close adds the open customer to the writer.
func (j *joiner) close() error {
	if !j.isOpen {
		return nil
	}
	j.isOpen = false
	j.book.Loans, j.book.Repayments = j.loans.done(j.book.Loans), j.repayments.done(j.book.Repayments)
	no, err := j.w.AddAhead(&j.book)
	j.book = store.Book{} // the writer has the slices now
	if err != nil {
		return err
	}
	if no != j.no {
		return errJoinedNumber
	}
	return nil
}

// errJoinedNumber would be a bug: the writer numbered a customer other than announced.
var errJoinedNumber = errors.New("import: a customer was stored under another number than its lookups know")
