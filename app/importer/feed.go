package importer

import (
	"context"
	"maps"
	"sync"

	"handover/app/progress"
	"handover/store"
	"handover/store/model"
)

// feed is one input on its way in: its run (summary, converter, totals) and its rows, read
// and converted ahead on goroutines of their own and handed out one at a time in file
// order. An import of one file reads one feed to its end; an import of a customers file
// with its loans and repayments reads three side by side (together.go).
type feed struct {
	r        *run
	in       Input
	stats    *Stats
	resumed  bool
	src      Source
	read     progress.Tally // bytes below the decoder, for a progress bar in bytes
	reported int64
	jobs     chan []job
	stop     chan struct{}
	producer sync.WaitGroup
	chunk    []job
	i        int
	n        int
}

// openFeed starts reading in after what an earlier run committed of it, for writer w. done
// is the result of an input already imported, which is not read again.
func openFeed(st *store.Store, lk refs, w *store.Writer, in Input, opts Options, p progress.Reporter, stats *Stats) (f *feed, done *Result, err error) {
	prev, done, err := previous(st, in, p)
	if err != nil || done != nil {
		return nil, done, err
	}
	r := &run{st: st, lk: lk, w: w, key: fileKey(in.ID()), refuse: map[int]bool{}}
	if prev != nil {
		r.sum = prev // resume with the mapping and header row it started with
		if prev.HeaderRow > 0 {
			in.HeaderRow = prev.HeaderRow
		}
	} else {
		r.sum = &Summary{ID: in.ID(), File: in.Name(), SHA256: in.SHA256, Sheet: in.Sheet, Table: in.Table,
			Encoding: in.Encoding, Header: in.Header, HeaderRow: in.HeaderRow, Mapping: maps.Clone(in.Mapping),
			State: StateRunning, Operator: opts.Operator, Started: opts.Now().UTC(),
			Totals: map[string]model.Fen{}, TotalsRead: map[string]model.Fen{}}
	}
	sum := r.sum
	if sum.Mapping == nil {
		sum.Mapping = MappingFor(in.Table, in.Header, opts.Profile)
	}
	if miss := sum.Mapping.Missing(sum.Table); len(miss) > 0 {
		return nil, nil, &FileError{File: in.Name(), Err: &MissingColumnsError{Table: sum.Table, Fields: miss}}
	}
	for _, i := range ForbiddenColumns(sum.Header) {
		r.refuse[i] = true
		for f, j := range sum.Mapping {
			if j == i {
				sum.Mapping[f] = -1
			}
		}
	}
	f = &feed{r: r, in: in, stats: stats, resumed: prev != nil}
	if f.src, err = in.Open(&f.read); err != nil {
		return nil, nil, err
	}
	r.cv = &converter{table: sum.Table, header: sum.Header, m: sum.Mapping, now: opts.Now(), source: sum.File}
	r.groups = newRepaymentGroups()
	if prev == nil {
		for i := range sum.Header {
			if r.refuse[i] {
				sum.Refused = append(sum.Refused, sum.Header[i])
				if err := r.w.PutQuarantine(r.key, 1, &Item{Input: sum.ID, File: sum.File, Table: sum.Table, Row: 1, State: ItemRefused,
					Findings: []Finding{{Column: sum.Header[i], Reason: ReasonC3Forbidden,
						Message: "the column holds authentication data (passwords, PINs, CVV, track data), which must never be kept (JR/T 0171-2020); it was not read"}}}); err != nil {
					f.src.Close()
					return nil, nil, err
				}
			}
		}
	}
	// Reading and validating run on their own goroutine, ahead of the lookups and writes
	// that must see rows in order: on two cores that nearly halves an import.
	f.jobs = make(chan []job, 4)
	f.stop = make(chan struct{})
	f.producer.Add(1)
	go func() {
		defer f.producer.Done()
		defer close(f.jobs)
		produce(f.src, r.cv, sum.LastRow, f.jobs, f.stop)
	}()
	return f, nil, nil
}

// close stops the reading and closes the input.
func (f *feed) close() {
	close(f.stop)
	f.producer.Wait()
	f.src.Close()
}

// peek is the next row not yet handled, or nil at the end of the input. It stays the next
// row until handle is called.
func (f *feed) peek() *job {
	for f.chunk == nil || f.i == len(f.chunk) {
		if f.chunk != nil {
			putChunk(f.chunk)
			f.chunk = nil
		}
		c, ok := <-f.jobs
		if !ok {
			return nil
		}
		f.chunk, f.i = c, 0
	}
	return &f.chunk[f.i]
}

// handle stores or quarantines row j, the one peek returned, and moves past it. Every
// 1,024 rows it reports progress and stops if ctx is done.
func (f *feed) handle(ctx context.Context, p progress.Reporter, j *job) error {
	r := f.r
	if f.n++; f.n%1024 == 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
		cur := f.read.Load()
		p.Add(cur - f.reported)
		f.reported = cur
	}
	if j.err != nil {
		return &FileError{File: r.sum.File, Err: j.err}
	}
	f.stats.Rows.Add(1)
	var err error
	switch {
	case j.c != nil && j.c.totals:
		r.fileTotals(j.row)
	case j.c == nil:
		err = r.quarantine(j.row, []Finding{{Reason: ReasonRowFormat, Message: "the row could not be split into columns (an unbalanced quotation mark?)"}})
	default:
		err = r.accept(j.row, j.c)
	}
	if err != nil {
		return err
	}
	r.sum.LastRow = j.row.Line
	f.i++
	return nil
}

// ended reports the rest of the input's bytes once its last row is handled.
func (f *feed) ended(p progress.Reporter) {
	p.Add(max(0, f.in.Size-f.reported))
}
