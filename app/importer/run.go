package importer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"handover/app/progress"
	"handover/app/validate"
	"handover/store"
	"handover/store/model"
)

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// Options are the choices of one import run.
type Options struct {
	Table    Table    // "" detects each file's table from its headers
	Encoding string   // "" or auto detects
	Profile  *Profile // nil maps through the aliases only
	Operator string   // who imports, for the summaries
	Now      func() time.Time
	// HeaderRow is the line of the header row in every file and sheet (0 finds it in each).
	HeaderRow int
}

// Result is what one input's import did, as the command line prints it with --json. The
// keys are a contract with users' scripts.
type Result struct {
	File            string               `json:"file"`
	Sheet           string               `json:"sheet,omitempty"`
	SHA256          string               `json:"sha256"`
	Table           Table                `json:"table"`
	Encoding        string               `json:"encoding"`
	Rows            int64                `json:"rows"`
	Accepted        int64                `json:"accepted"`
	Quarantined     int64                `json:"quarantined"`
	Warnings        int64                `json:"warnings"`
	AlreadyImported bool                 `json:"already_imported"`
	Resumed         bool                 `json:"resumed"`
	RefusedColumns  []string             `json:"refused_columns,omitempty"`
	Totals          map[string]model.Fen `json:"totals"`
	HeaderRow       int                  `json:"header_row,omitempty"`
	// TotalsRow is the line of the file's own totals row (合计), not imported; FileTotals
	// are its amounts and TotalsCheck says whether they equal the totals of the rows read
	// ("equal" or "different"; empty without a totals row with amounts).
	TotalsRow   int                  `json:"totals_row,omitempty"`
	FileTotals  map[string]model.Fen `json:"file_totals,omitempty"`
	TotalsRead  map[string]model.Fen `json:"totals_read,omitempty"`
	TotalsCheck string               `json:"totals_check,omitempty"`
}

func resultOf(s *Summary) Result {
	return Result{File: s.File, Sheet: s.Sheet, SHA256: s.SHA256, Table: s.Table, Encoding: s.Encoding,
		Rows: s.Rows, Accepted: s.Accepted, Quarantined: s.Quarantined, Warnings: s.Warnings,
		RefusedColumns: s.Refused, Totals: s.Totals, HeaderRow: s.HeaderRow,
		TotalsRow: s.TotalsRow, FileTotals: s.FileTotals, TotalsRead: s.TotalsRead, TotalsCheck: s.TotalsCheck()}
}

// Stats are counters a viewer samples while an import runs.
type Stats struct {
	Rows atomic.Int64 // rows processed
}

// Plan inspects the given files and folders and orders them so that every row finds what
// it refers to: customers, then loans, then repayments, then documents.
func Plan(paths []string, opts Options) ([]Input, error) {
	enc := opts.Encoding
	if enc == "" && opts.Profile != nil {
		enc = opts.Profile.Encoding
	}
	// Each file is hashed whole before it is read (its SHA-256 is the import's identity, for
	// resuming): 2.3 s of the million-customer import on one core while the other waited.
	// The files are inspected side by side; errors are still reported in the order given.
	type inspected struct {
		ins []Input
		err error
	}
	files := make([]inspected, len(paths))
	var wg sync.WaitGroup
	sem := make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))
	for i, p := range paths {
		if fi, err := os.Stat(p); err == nil && fi.IsDir() || opts.Table == Documents {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			files[i].ins, files[i].err = InspectAt(p, enc, opts.HeaderRow)
		}()
	}
	wg.Wait()
	var out []Input
	for i, p := range paths {
		if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			in, err := inspectFolder(p)
			if err != nil {
				return nil, err
			}
			out = append(out, in)
			continue
		}
		if opts.Table == Documents {
			return nil, &FileError{File: p, Err: errors.New("documents are imported from a folder")}
		}
		ins, err := files[i].ins, files[i].err
		if err != nil {
			return nil, err
		}
		for _, in := range ins {
			if opts.Table != "" {
				in.Table = opts.Table
			}
			if in.Table == "" {
				return nil, &FileError{File: in.Name(), Err: ErrNoTable}
			}
			m := MappingFor(in.Table, in.Header, opts.Profile)
			if miss := m.Missing(in.Table); len(miss) > 0 {
				return nil, &FileError{File: in.Name(), Err: &MissingColumnsError{Table: in.Table, Fields: miss}}
			}
			out = append(out, in)
		}
	}
	Order(out)
	return out, nil
}

// Order sorts inputs so that every row finds what it refers to: customers, then loans, then
// repayments, then documents.
func Order(inputs []Input) {
	rank := map[Table]int{Customers: 0, Loans: 1, Repayments: 2, Documents: 3}
	sort.SliceStable(inputs, func(i, j int) bool { return rank[inputs[i].Table] < rank[inputs[j].Table] })
}

// MissingColumnsError says a file lacks columns its table needs.
type MissingColumnsError struct {
	Table  Table
	Fields []string
}

func (e *MissingColumnsError) Error() string {
	return fmt.Sprintf("the %s table needs columns for %v; map them or choose another table", e.Table, e.Fields)
}

// Run imports the planned inputs into st. It returns one Result per input, also when it
// stops early: on Cancel (ctx) the inputs done so far are complete and the current one
// resumes where it stopped on the next run.
func Run(ctx context.Context, st *store.Store, inputs []Input, opts Options, p progress.Reporter, stats *Stats) ([]Result, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if stats == nil {
		stats = &Stats{}
	}
	var total int64
	for _, in := range inputs {
		total += in.Size
	}
	p.SetTotal(total)
	// The lookup is filled from the whole book, which takes seconds on a large one: only
	// when some input still has rows to import.
	var lk *lookup
	defer func() {
		if lk != nil {
			lk.close()
		}
	}()
	lookups := func() (err error) {
		if lk == nil {
			lk, err = newLookup(ctx, st)
		}
		return err
	}
	var results []Result
	n, err := togetherSet(st, inputs)
	if err != nil {
		return nil, err
	}
	if n > 0 {
		if err := lookups(); err != nil {
			return nil, err
		}
		results, err = runTogether(ctx, st, lk, inputs[:n], opts, p, stats)
		if err != nil {
			return results, err
		}
	}
	for _, in := range inputs[n:] {
		_, done, err := previous(st, in, p)
		if err == nil && done == nil {
			if err = lookups(); err == nil {
				var r Result
				r, err = runInput(ctx, st, lk, in, opts, p, stats)
				done = &r
			}
		}
		results = append(results, derefResult(done))
		if err != nil {
			return results, err
		}
	}
	return results, st.Sync()
}

// run is the state of one input's import.
type run struct {
	st     *store.Store
	lk     refs
	w      *store.Writer
	sum    *Summary
	key    [8]byte
	cv     *converter
	refuse map[int]bool
	groups *repaymentGroups
	join   *joiner // the customer open in an import of the files together, or nil
	// The control totals of the rows since the last fold, by amountFields: adding them to
	// the summary's maps row by row was a tenth of the repayments' time on the goroutine
	// that sees rows in order.
	pending [2]pendingTotals // accepted (Totals), read (TotalsRead)
}

type pendingTotals struct {
	sum  [4]model.Fen
	seen [4]bool
}

func (t *pendingTotals) add(c *converted) {
	for i, ok := range c.parsed {
		if ok {
			t.sum[i] += c.amounts[i]
			t.seen[i] = true
		}
	}
}

// foldTotals adds the pending totals to the summary's.
func (r *run) foldTotals() {
	for i, into := range []*map[string]model.Fen{&r.sum.Totals, &r.sum.TotalsRead} {
		t := &r.pending[i]
		if *into == nil && slices.Contains(t.seen[:], true) {
			*into = map[string]model.Fen{}
		}
		t.foldInto(amountFields[r.sum.Table], *into)
		*t = pendingTotals{}
	}
}

// foldInto adds the totals seen to into, under the names of fields.
func (t *pendingTotals) foldInto(fields []string, into map[string]model.Fen) {
	for j, f := range fields {
		if t.seen[j] {
			into[f] += t.sum[j]
		}
	}
}

// result is the input's result so far.
func (r *run) result() Result {
	r.foldTotals()
	return resultOf(r.sum)
}

// previous reads what an earlier run recorded of the input: nothing, a checkpoint to resume
// from, or a finished import, which is reported as already imported and not read again.
func previous(st *store.Store, in Input, p progress.Reporter) (*Summary, *Result, error) {
	prev, err := loadSummary(st, in.ID())
	if err != nil || prev == nil || prev.State != StateDone {
		return prev, nil, err
	}
	p.Add(in.Size)
	r := resultOf(prev)
	r.AlreadyImported = true
	return prev, &r, nil
}

func derefResult(r *Result) Result {
	if r == nil {
		return Result{}
	}
	return *r
}

func loadSummary(st *store.Store, id string) (*Summary, error) {
	var s Summary
	err := st.GetMeta(summaryName(id), &s)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	return &s, err
}

func runInput(ctx context.Context, st *store.Store, lk *lookup, in Input, opts Options, p progress.Reporter, stats *Stats) (Result, error) {
	if in.Table == Documents {
		return runDocuments(ctx, st, lk, in, opts, p, stats)
	}
	w := st.NewImportWriter()
	committed := false
	defer func() {
		if !committed {
			w.Abort()
		}
	}()
	f, done, err := openFeed(st, lk, w, in, opts, p, stats)
	if err != nil || done != nil {
		return derefResult(done), err
	}
	defer f.close()
	r := f.r
	for j := f.peek(); j != nil; j = f.peek() {
		if err := f.handle(ctx, p, j); err != nil {
			return r.result(), err
		}
		if r.w.ImportFull() || len(r.groups.rows) >= maxGroupedRows {
			if err := r.checkpoint(); err != nil {
				return r.result(), err
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return r.result(), err
	}
	f.ended(p)
	committed = true
	return r.finish(opts.Now(), f.resumed)
}

// finish marks the input done in a last checkpoint and closes the writer.
func (r *run) finish(now time.Time, resumed bool) (Result, error) {
	r.sum.State = StateDone
	r.sum.Finished = now.UTC()
	if err := r.checkpoint(); err != nil {
		r.w.Abort()
		return r.result(), err
	}
	if err := r.w.Close(); err != nil {
		return r.result(), err
	}
	res := r.result()
	res.Resumed = resumed
	return res, nil
}

func (r *run) checkpoint() error {
	if err := r.stage(); err != nil {
		return err
	}
	if err := r.w.Checkpoint(); err != nil {
		return err
	}
	return r.lk.committed()
}

// stage adds what the next checkpoint must hold of this input: the repayments held back
// and the summary, which records the last row handled.
func (r *run) stage() error {
	if err := r.groups.flush(r.w); err != nil {
		return err
	}
	r.foldTotals()
	return r.w.PutMeta(summaryName(r.sum.ID), r.sum)
}

func (r *run) quarantine(row Row, fs []Finding) error {
	r.sum.Rows++
	r.sum.Quarantined++
	return r.w.PutQuarantine(r.key, uint32(row.Line), &Item{Input: r.sum.ID, File: r.sum.File, Table: r.sum.Table,
		Row: row.Line, State: ItemQuarantined, Findings: fs, Values: r.values(row)})
}

// values are the row's original values with refused columns blanked.
func (r *run) values(row Row) []string {
	out := make([]string, len(row.Fields))
	for i, v := range row.Fields {
		if !r.refuse[i] {
			out[i] = v
		}
	}
	return out
}

func (r *run) addTotals(c *converted, into *map[string]model.Fen) {
	if c == nil {
		return
	}
	if *into == nil {
		*into = map[string]model.Fen{}
	}
	var t pendingTotals
	t.add(c)
	t.foldInto(amountFields[r.sum.Table], *into)
}

// job is a row read and validated, waiting for its lookups.
type job struct {
	row   Row
	split bool       // the row was split into fields: convert it
	c     *converted // nil: the row could not be split; else conv
	err   error      // the file cannot be read further
	conv  converted
}

// chunkRows is how many rows travel together from the reader to the lookups.
const chunkRows = 256

// Chunks of jobs are used again once their rows are stored: a converted row is about 600
// bytes, and allocating one for each of ten million rows made the collector and the
// zeroing of fresh memory a tenth of an import.
var chunks = sync.Pool{New: func() any { return make([]job, 0, chunkRows) }}

func getChunk() []job { return chunks.Get().([]job)[:0] }

func putChunk(c []job) {
	chunks.Put(c) //lint:ignore SA6002 one small allocation for a chunk of 256 rows
}

// produce reads rows after lastRow and validates them, in chunks handed on in file order.
// Reading stays on one goroutine (a file is a stream); converting, where every field is
// checked, runs on every core: on the million-customer import the reader's goroutine was the
// busiest while the repayments were read (docs/BENCHMARKS-notes.md).
func produce(src Source, cv *converter, lastRow int, jobs chan<- []job, stop <-chan struct{}) {
	cv.mapped(0) // builds the converter's lazy state before it is shared
	type batch struct {
		jobs []job
		done chan struct{}
	}
	workers := max(1, runtime.GOMAXPROCS(0))
	todo := make(chan *batch, workers)
	ordered := make(chan *batch, 2*workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range todo {
				for i := range b.jobs {
					if j := &b.jobs[i]; j.split {
						cv.fill(j.row, &j.conv)
						j.c = &j.conv
					}
				}
				close(b.done)
			}
		}()
	}
	forwarded := make(chan struct{})
	go func() {
		defer close(forwarded)
		stopped := false
		for b := range ordered {
			<-b.done
			if stopped {
				continue // drain, so that the reader is never left waiting
			}
			select {
			case jobs <- b.jobs:
			case <-stop:
				stopped = true
			}
		}
	}()
	readRows(src, lastRow, func(chunk []job) bool {
		b := &batch{jobs: chunk, done: make(chan struct{})}
		select {
		case ordered <- b:
		case <-stop:
			return false
		}
		select {
		case todo <- b:
			return true
		case <-stop:
			close(b.done)
			return false
		}
	})
	close(todo)
	close(ordered)
	wg.Wait()
	<-forwarded
}

// readRows reads rows after lastRow into chunks and hands each to send, which says whether
// to go on. A file that cannot be read further ends with a job holding the error.
func readRows(src Source, lastRow int, send func([]job) bool) {
	chunk := getChunk()
	for {
		row, err := src.Next()
		if errors.Is(err, io.EOF) {
			if len(chunk) > 0 {
				send(chunk)
			}
			return
		}
		var rf *rowFormatError
		switch {
		case errors.As(err, &rf):
			row = Row{Line: rf.Line}
		case err != nil:
			send(append(chunk, job{err: err}))
			return
		}
		if row.Line <= lastRow {
			continue // committed by an earlier run
		}
		chunk = append(chunk, job{row: row, split: rf == nil})
		if len(chunk) == cap(chunk) {
			if !send(chunk) {
				return
			}
			chunk = getChunk()
		}
	}
}

// accept looks up and stores one validated row, or quarantines it.
func (r *run) accept(row Row, c *converted) error {
	if !c.failed {
		r.resolve(c)
	}
	r.pending[1].add(c)
	if c.failed {
		r.sum.Rows++
		r.sum.Quarantined++
		return r.w.PutQuarantine(r.key, uint32(row.Line), &Item{Input: r.sum.ID, File: r.sum.File, Table: r.sum.Table,
			Row: row.Line, State: ItemQuarantined, Findings: c.findings, Values: r.values(row)})
	}
	if err := r.store(c); err != nil {
		return err
	}
	r.sum.Rows++
	r.sum.Accepted++
	r.pending[0].add(c)
	if len(c.findings) > 0 {
		r.sum.Warnings++
		return r.w.PutQuarantine(r.key, uint32(row.Line), &Item{Input: r.sum.ID, File: r.sum.File, Table: r.sum.Table,
			Row: row.Line, State: ItemWarning, Findings: c.findings})
	}
	return nil
}

// resolve checks what a valid row refers to: duplicates, borrowers and contracts.
func (r *run) resolve(c *converted) {
	cv := r.cv
	col := func(f string) string {
		if i := cv.m[f]; i >= 0 && i < len(cv.header) {
			return cv.header[i]
		}
		return ""
	}
	switch cv.table {
	case Customers:
		if no, ok := r.lk.customer(c.customer.IDNumber); ok {
			ref := r.lk.describe(r.st, no)
			c.fail(col("id_number"), "id_number", ReasonDuplicateCustomer,
				"the same identity number as "+ref.String()+"; the later row is kept here")
			c.findings[len(c.findings)-1].Ref = &ref
		} else if n := c.customer.Number; n != "" {
			if no, ok := r.lk.customerByNumber(n); ok {
				ref := r.lk.describe(r.st, no)
				c.fail(col("customer_number"), "customer_number", ReasonDuplicateNumber,
					"the same customer number as "+ref.String()+"; the later row is kept here")
				c.findings[len(c.findings)-1].Ref = &ref
			}
		}
	case Loans:
		no, _ := r.borrower(c, col)
		if lref, dup := r.lk.contract(c.loan.Contract); dup {
			ref := r.lk.describe(r.st, lref.customer())
			c.fail(col("contract"), "contract", ReasonDuplicateContract,
				"the contract number is already used by "+ref.String())
			c.findings[len(c.findings)-1].Ref = &ref
		}
		c.loan.Customer = no
	case Repayments:
		ref, ok := r.lk.contract(c.rep.Contract)
		if !ok {
			c.fail(col("contract"), "contract", ReasonUnknownContract,
				"no loan with this contract number is in the vault; import the loans file first")
		}
		c.rep.Customer, c.rep.Loan = ref.customer(), ref.loan()
	}
}

// borrower finds a loan's customer by customer number, by identity number, or by both,
// which must then name the same customer. The identity number is looked up last, so that
// it is the lookup the loan's number is taken from when both are given.
func (r *run) borrower(c *converted, col func(string) string) (model.CustomerNo, bool) {
	var byNumber model.CustomerNo
	found := false
	if c.loanNo != "" {
		if byNumber, found = r.lk.customerByNumber(c.loanNo); !found {
			c.fail(col("customer_number"), "customer_number", ReasonUnknownCustomer,
				"no customer with this customer number is in the vault; import the customers file (with its customer number column) first")
			return 0, false
		}
	}
	if c.loanID == "" {
		return byNumber, found
	}
	no, ok := r.lk.customer(c.loanID)
	switch {
	case !ok:
		c.fail(col("id_number"), "id_number", ReasonUnknownCustomer,
			"no customer with this identity number is in the vault; import the customers file first")
		return 0, false
	case found && no != byNumber:
		c.fail(col("customer_number"), "customer_number", ReasonCustomerMismatch,
			"the customer number and the identity number of this loan name two different customers")
		return 0, false
	}
	return no, true
}

// store writes an accepted row and records it in the lookup tables. In an import of the
// three files together (together.go) a customer's loans and repayments that come while the
// customer is open go into their record instead.
func (r *run) store(c *converted) error {
	switch r.cv.table {
	case Customers:
		if r.join != nil {
			return r.join.open(c.customer)
		}
		no, err := r.w.AddAhead(&store.Book{Customer: c.customer})
		if err != nil {
			return err
		}
		r.lk.addCustomer(no, c.customer.IDNumber, c.customer.Number, c.customer.Source)
	case Loans:
		l := c.loan
		l.Seq = r.lk.nextLoan(l.Customer)
		if r.join != nil && r.join.takes(l.Customer) {
			if err := r.join.addLoan(l); err != nil {
				return err
			}
		} else if err := r.w.AddLoan(l); err != nil {
			return err
		}
		r.lk.addLoan(l.Customer, l.Seq, l.Contract)
	case Repayments:
		if r.join != nil && r.join.takes(c.rep.Customer) {
			return r.join.addRepayment(c.rep)
		}
		r.groups.add(c.rep)
	}
	return nil
}

// maxGroupedRows bounds the repayments held back to be stored together per loan.
const maxGroupedRows = 4096

// repaymentGroups gathers the repayments of each loan between checkpoints, so that a file
// sorted by contract (as exports are) stores one segment per loan instead of one per row.
// Rows are kept in one slice in file order, in runs of one loan; only when a loan's rows
// are not together does flush gather them.
type repaymentGroups struct {
	rows   []model.Repayment
	refs   []loanRef // the loan of each run
	starts []int     // where each run starts in rows
	seen   map[loanRef]bool
	mixed  bool // some loan has more than one run
}

func newRepaymentGroups() *repaymentGroups {
	return &repaymentGroups{seen: map[loanRef]bool{}}
}

func (g *repaymentGroups) add(rp model.Repayment) {
	ref := makeRef(rp.Customer, rp.Loan)
	if n := len(g.refs); n == 0 || g.refs[n-1] != ref {
		if g.seen[ref] {
			g.mixed = true
		}
		g.seen[ref] = true
		g.refs = append(g.refs, ref)
		g.starts = append(g.starts, len(g.rows))
	}
	g.rows = append(g.rows, rp)
}

func (g *repaymentGroups) flush(w *store.Writer) error {
	defer g.reset()
	if !g.mixed {
		for i, ref := range g.refs {
			end := len(g.rows)
			if i+1 < len(g.starts) {
				end = g.starts[i+1]
			}
			if err := w.AddRepayments(ref.customer(), ref.loan(), g.rows[g.starts[i]:end]); err != nil {
				return err
			}
		}
		return nil
	}
	var order []loanRef
	by := map[loanRef][]model.Repayment{}
	for i, ref := range g.refs {
		end := len(g.rows)
		if i+1 < len(g.starts) {
			end = g.starts[i+1]
		}
		if _, ok := by[ref]; !ok {
			order = append(order, ref)
		}
		by[ref] = append(by[ref], g.rows[g.starts[i]:end]...)
	}
	for _, ref := range order {
		if err := w.AddRepayments(ref.customer(), ref.loan(), by[ref]); err != nil {
			return err
		}
	}
	return nil
}

func (g *repaymentGroups) reset() {
	g.rows, g.refs, g.starts = g.rows[:0], g.refs[:0], g.starts[:0]
	clear(g.seen)
	g.mixed = false
}

// describe names a customer for a message without personal data: the file and row it was
// imported from, or its internal number.
func (lk *lookup) describe(st *store.Store, no model.CustomerNo) Ref {
	return describe(st, no, lk.source)
}

func describe(st *store.Store, no model.CustomerNo, pending func(model.CustomerNo) (string, bool)) Ref {
	var src string
	ok := false
	if pending != nil {
		src, ok = pending(no)
	}
	if !ok {
		if c, err := st.Customer(no); err == nil {
			src = c.Source
		}
	}
	if file, row, ok := cutLast(src, ':'); ok {
		n, _ := strconv.Atoi(row)
		return Ref{File: file, Row: n}
	}
	return Ref{Customer: uint64(no)}
}

// Ref is the earlier record a duplicate collides with: a file and row, or a customer
// already in the vault by internal number. It never holds the value itself.
type Ref struct {
	File     string `json:"file,omitempty"`
	Row      int    `json:"row,omitempty"`
	Customer uint64 `json:"customer,omitempty"`
}

func (r Ref) String() string {
	if r.File != "" {
		return "row " + strconv.Itoa(r.Row) + " of " + r.File
	}
	return "customer #" + strconv.FormatUint(r.Customer, 10) + " already in the vault"
}

func cutLast(s string, sep byte) (string, string, bool) {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == sep {
			return s[:i], s[i+1:], i > 0 && i < len(s)-1
		}
	}
	return s, "", false
}

// fileTotals records the amounts of the file's totals row. A subtotal row is passed over.
func (r *run) fileTotals(row Row) {
	cv := r.cv
	if totalsKind(row.Fields) != totalsRow {
		return
	}
	got := map[string]model.Fen{}
	for _, f := range amountFields[cv.table] {
		v, _, ok := cv.cell(row, f)
		if !ok || strings.TrimSpace(v) == "" {
			continue
		}
		if a, p := validate.Amount(v, false); p == nil {
			got[f] = a
		}
	}
	r.sum.TotalsRow = row.Line
	r.sum.FileTotals = got
	if len(got) == 0 {
		r.sum.FileTotals = nil
	}
}
