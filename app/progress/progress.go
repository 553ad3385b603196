// Package progress is how long work reports how far it got. Work updates counters; a
// viewer (a progress bar, a CLI line) samples them on its own ticker, so reporting costs the
// worker one atomic add and the UI is never flooded with one event per row.
package progress

import (
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
