// Package progress is how long work reports how far it got. Work updates counters; a
// viewer (a progress bar, a CLI line) samples them on its own ticker, so reporting costs the
// worker one atomic add and the UI is never flooded with one event per row.
package progress

import (
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// Reporter receives progress. Implementations must be safe for concurrent use and cheap.
type Reporter interface {
	// SetTotal announces how many units the work has in all (0 if unknown).
	SetTotal(n int64)
	// Add reports n more units done.
	Add(n int64)
}

// Discard is a Reporter that ignores everything.
var Discard Reporter = discard{}

type discard struct{}

func (discard) SetTotal(int64) {}
func (discard) Add(int64)      {}

// Counter is a Reporter that a viewer samples.
type Counter struct {
	total, done atomic.Int64
	start       time.Time
}

// NewCounter returns a Counter started now.
func NewCounter() *Counter { return &Counter{start: time.Now()} }

// SetTotal implements Reporter.
func (c *Counter) SetTotal(n int64) { c.total.Store(n) }

// Add implements Reporter.
func (c *Counter) Add(n int64) { c.done.Add(n) }

// Snapshot is a sample of a Counter.
type Snapshot struct {
	Done, Total int64
	Elapsed     time.Duration
	Rate        float64       // units per second so far
	ETA         time.Duration // 0 when unknown
}

// Fraction is Done/Total in [0,1], or 0 when the total is unknown.
func (s Snapshot) Fraction() float64 {
	if s.Total <= 0 {
		return 0
	}
	return min(1, float64(s.Done)/float64(s.Total))
}

// Snapshot samples the counter.
func (c *Counter) Snapshot() Snapshot {
	s := Snapshot{Done: c.done.Load(), Total: c.total.Load(), Elapsed: time.Since(c.start)}
	if secs := s.Elapsed.Seconds(); secs > 0 {
		s.Rate = float64(s.Done) / secs
	}
	if s.Rate > 0 && s.Total > s.Done {
		s.ETA = time.Duration(float64(s.Total-s.Done) / s.Rate * float64(time.Second))
	}
	return s
}

// Tally is a Reporter that only adds up, safe for one goroutine to add to while another
// reads: bytes read below a decoder, bytes checked in a bag.
type Tally struct{ n atomic.Int64 }

// SetTotal implements Reporter; a tally has no total.
func (*Tally) SetTotal(int64) {}

// Add implements Reporter.
func (t *Tally) Add(n int64) { t.n.Add(n) }

// Load is the sum so far.
func (t *Tally) Load() int64 { return t.n.Load() }

// Reader reports every byte read through it to p.
func Reader(r io.Reader, p Reporter) io.Reader { return &reader{r, p} }

// Writer reports every byte written through it to p.
func Writer(w io.Writer, p Reporter) io.Writer { return &writer{w, p} }

type reader struct {
	r io.Reader
	p Reporter
}

func (c *reader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.p.Add(int64(n))
	return n, err
}

type writer struct {
	w io.Writer
	p Reporter
}

func (c *writer) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.p.Add(int64(n))
	return n, err
}

// Every calls fn every d on its own goroutine until stop is called, and stop returns only
// once fn has finished: viewers sample progress on a ticker, never per item.
func Every(d time.Duration, fn func()) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(d)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				fn()
			}
		}
	}()
	var once sync.Once
	return func() { once.Do(func() { close(done); <-finished }) }
}
