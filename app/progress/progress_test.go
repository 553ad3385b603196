package progress

import (
	"bytes"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestReaderWriterCount(t *testing.T) {
	var read, written Tally
	n, err := io.Copy(Writer(io.Discard, &written), Reader(strings.NewReader("0123456789"), &read))
	if err != nil || n != 10 || read.Load() != 10 || written.Load() != 10 {
		t.Fatalf("copied %d (%v), read %d, written %d", n, err, read.Load(), written.Load())
	}
	c := NewCounter()
	c.SetTotal(4)
	Writer(&bytes.Buffer{}, c).Write([]byte("ab"))
	if s := c.Snapshot(); s.Done != 2 || s.Fraction() != 0.5 {
		t.Fatalf("%+v", s)
	}
}

// Every ticks until stopped, and stop waits for a tick in progress; stopping twice is safe.
func TestEvery(t *testing.T) {
	var ticks atomic.Int32
	stop := Every(time.Millisecond, func() { ticks.Add(1) })
	for ticks.Load() < 3 {
		time.Sleep(time.Millisecond)
	}
	stop()
	after := ticks.Load()
	time.Sleep(5 * time.Millisecond)
	if ticks.Load() != after {
		t.Fatal("ticked after stop")
	}
	stop()
}
