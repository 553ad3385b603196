package handoverpkg

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"sync/atomic"

	"handover/app/progress"
)

// Part is one file of a package's payload.
type Part struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// splitter cuts a stream into payload.age.000, .001, … of at most size bytes each, written
// as *.partial and renamed only by finish, after fsync: a cancelled or failed export leaves
// nothing under a final name.
//
// Sticks lie about writes, so every part is read back from the medium (not from the page
// cache) and its SHA-256 compared. That happens on a goroutine of its own, a segment of
// readBackEvery bytes at a time as soon as it is written, and finish waits for it: what is
// left to check when the last byte is written is one segment, not a whole part.
type splitter struct {
	dir       string
	size      int64
	cur       *partWriter
	buf       []byte // the part writer's block, reused from part to part
	n         int64
	announced int64 // bytes of the current part handed to the read-back
	h         hash.Hash
	parts     []Part

	ctx      context.Context
	p        progress.Reporter // read-back bytes
	readBack chan writtenSegment
	checked  chan error // the read-back's verdict, once readBack is closed
}

// readBackEvery is how much of a part is written before the read-back checks it.
const readBackEvery = 8 * directBlock

// startReadBack starts the goroutine that syncs and reads written segments back.
func (s *splitter) startReadBack() {
	segs, checked := make(chan writtenSegment, 1024), make(chan error, 1)
	s.readBack, s.checked = segs, checked
	rb := &readBacker{dir: s.dir, ctx: s.ctx, p: s.p} // touches no field the writer changes
	go func() {
		var first error
		for seg := range segs {
			if first != nil || s.ctx.Err() != nil {
				if seg.last != nil {
					seg.f.Close()
				}
				continue // drain
			}
			if err := rb.segment(seg); err != nil {
				first = fmt.Errorf("read-back check: %w", err)
			}
		}
		rb.close()
		if first == nil {
			first = s.ctx.Err()
		}
		checked <- first
	}()
}

// stopReadBack ends the read-back and returns its verdict.
func (s *splitter) stopReadBack() error {
	if s.readBack == nil {
		return nil
	}
	close(s.readBack)
	s.readBack = nil
	return <-s.checked
}

func partName(i int) string { return fmt.Sprintf("payload.age.%03d", i) }

func (s *splitter) Write(p []byte) (int, error) {
	written := 0
	for len(p) > 0 {
		if s.cur == nil || s.n == s.size {
			if err := s.next(); err != nil {
				return written, err
			}
		}
		chunk := p[:min(int64(len(p)), s.size-s.n)]
		n, err := s.cur.Write(chunk)
		s.h.Write(chunk[:n])
		s.n += int64(n)
		written += n
		if err != nil {
			return written, err
		}
		p = p[n:]
		if on := s.cur.onDisk; s.readBack != nil && on-s.announced >= readBackEvery {
			s.readBack <- writtenSegment{name: partName(len(s.parts)-1) + ".partial", f: s.cur.f, upTo: on}
			s.announced = on
		}
	}
	return written, nil
}

func (s *splitter) next() error {
	if err := s.closePart(); err != nil {
		return err
	}
	w, err := newPartWriter(filepath.Join(s.dir, partName(len(s.parts))+".partial"), s.buf)
	if err != nil {
		return err
	}
	s.cur, s.n, s.announced, s.h = w, 0, 0, sha256.New()
	s.parts = append(s.parts, Part{Name: partName(len(s.parts))})
	return nil
}

func (s *splitter) closePart() error {
	if s.cur == nil {
		return nil
	}
	p := &s.parts[len(s.parts)-1]
	p.Size, p.SHA256 = s.n, hex.EncodeToString(s.h.Sum(nil))
	f := s.cur.f
	buf, err := s.cur.finish()
	s.cur = nil
	if err != nil {
		f.Close()
		return err
	}
	s.buf = buf
	if s.readBack != nil {
		last := *p
		s.readBack <- writtenSegment{name: p.Name + ".partial", f: f, upTo: p.Size, last: &last}
		return nil
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// finish closes the last part, waits for every part to have been read back, and gives
// every part its final name.
func (s *splitter) finish() ([]Part, error) {
	if err := s.closePart(); err != nil {
		return nil, err
	}
	if err := s.stopReadBack(); err != nil {
		return nil, err
	}
	for _, p := range s.parts {
		if err := os.Rename(filepath.Join(s.dir, p.Name+".partial"), filepath.Join(s.dir, p.Name)); err != nil {
			return nil, err
		}
	}
	return s.parts, nil
}

// abort removes every part written so far.
func (s *splitter) abort() {
	_ = s.stopReadBack() // the files are read no more once it returns
	if s.cur != nil {
		s.cur.f.Close()
		s.cur = nil
	}
	for _, p := range s.parts {
		os.Remove(filepath.Join(s.dir, p.Name+".partial"))
	}
}

// partsReader reads the parts of a package in order as one stream, checking each part's
// size and SHA-256 as it ends, so that a damaged part is named, not just detected.
type partsReader struct {
	dir   string
	parts []Part
	i     int
	f     *os.File
	rd    *blockReader // reads f
	buf   []byte       // rd's block, reused from part to part
	h     hash.Hash
	n     int64
}

func (r *partsReader) Read(p []byte) (int, error) {
	for {
		if r.f == nil {
			if r.i == len(r.parts) {
				return 0, io.EOF
			}
			f, err := os.Open(filepath.Join(r.dir, r.parts[r.i].Name))
			if err != nil {
				return 0, &PartError{Part: r.parts[r.i].Name, Reason: "missing"}
			}
			r.f, r.h, r.n = f, sha256.New(), 0
			r.rd = newBlockReader(f, r.buf)
			r.buf = r.rd.buf
		}
		n, err := r.rd.Read(p)
		r.h.Write(p[:n])
		r.n += int64(n)
		if r.n > r.parts[r.i].Size {
			return 0, &PartError{Part: r.parts[r.i].Name, Reason: "longer than package.json says"}
		}
		if err == io.EOF {
			part := r.parts[r.i]
			r.f.Close()
			r.f = nil
			r.i++
			switch {
			case r.n != part.Size:
				return 0, &PartError{Part: part.Name, Reason: fmt.Sprintf("cut short: %d of %d bytes", r.n, part.Size)}
			case hex.EncodeToString(r.h.Sum(nil)) != part.SHA256:
				return 0, &PartError{Part: part.Name, Reason: "its SHA-256 does not match package.json (damaged, or parts swapped)"}
			}
			if n > 0 {
				return n, nil
			}
			continue
		}
		if err != nil {
			return n, &PartError{Part: r.parts[r.i].Name, Reason: err.Error()}
		}
		return n, nil
	}
}

func (r *partsReader) Close() error {
	if r.f != nil {
		return r.f.Close()
	}
	return nil
}

// PartError names a damaged, missing or cut part.
type PartError struct {
	Part   string
	Reason string
}

func (e *PartError) Error() string { return "package part " + e.Part + ": " + e.Reason }

// asyncWriter hands what is written to w on a goroutine of its own, in blocks of
// asyncBlock bytes with a few in flight, so that hashing and writing the parts overlaps with
// encrypting the next block. Close flushes and returns the first error.
type asyncWriter struct {
	w      io.Writer
	cur    []byte
	full   chan []byte
	free   chan []byte
	done   chan error
	failed atomic.Pointer[error] // the writer's error, seen by Write without waiting
	err    error
	ended  bool
}

const (
	asyncBlock    = 1 << 20
	asyncInFlight = 4
)

func newAsyncWriter(w io.Writer) *asyncWriter {
	a := &asyncWriter{w: w, full: make(chan []byte, asyncInFlight), free: make(chan []byte, asyncInFlight+1), done: make(chan error, 1)}
	for range asyncInFlight + 1 {
		a.free <- make([]byte, 0, asyncBlock)
	}
	a.cur = <-a.free
	go func() {
		var err error
		for b := range a.full {
			if err == nil {
				if _, err = w.Write(b); err != nil {
					a.failed.Store(&err)
				}
			}
			a.free <- b[:0]
		}
		a.done <- err
	}()
	return a
}

func (a *asyncWriter) Write(p []byte) (int, error) {
	if a.err != nil {
		return 0, a.err
	}
	if e := a.failed.Load(); e != nil {
		a.err = *e
		return 0, a.err
	}
	n := len(p)
	for len(p) > 0 {
		k := copy(a.cur[len(a.cur):cap(a.cur)], p)
		a.cur, p = a.cur[:len(a.cur)+k], p[k:]
		if len(a.cur) == cap(a.cur) {
			a.full <- a.cur
			a.cur = <-a.free
		}
	}
	return n, nil
}

// Close writes what is left and waits for the writing goroutine.
func (a *asyncWriter) Close() error {
	if a.ended {
		return a.err
	}
	a.ended = true
	if len(a.cur) > 0 {
		a.full <- a.cur
	}
	close(a.full)
	if err := <-a.done; err != nil {
		a.err = err
	}
	return a.err
}
