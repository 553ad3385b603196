package progress

import (
	"sync"
	"testing"
)

func TestCounterConcurrent(t *testing.T) {
	c := NewCounter()
	c.SetTotal(1000)
	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				c.Add(1)
			}
		}()
	}
	wg.Wait()
	s := c.Snapshot()
	if s.Done != 500 || s.Total != 1000 || s.Fraction() != 0.5 {
		t.Fatalf("snapshot %+v, fraction %v", s, s.Fraction())
	}
	if s.Rate <= 0 || s.ETA <= 0 {
		t.Fatalf("rate %v, ETA %v", s.Rate, s.ETA)
	}
	if (Snapshot{Done: 5}).Fraction() != 0 {
		t.Fatal("unknown total must give fraction 0")
	}
	Discard.SetTotal(1)
	Discard.Add(1)
}
