package handoverpkg

import (
	"errors"
	"io"
	"os"
	"syscall"
	"unsafe"
)

// Parts are written and read in whole blocks around the page cache where the system allows
// it (O_DIRECT on Linux). Through the page cache, writing and syncing a 470 MB package cost
// this machine 1.1 s of kernel time; directly, in 4 MiB blocks, 0.1 s: the kernel no longer
// copies every byte into its cache and out again. It also makes the read-back check stronger:
// the bytes compared come from the device, not from pages the kernel still holds.
const (
	directBlock = 4 << 20
	directAlign = 4096 // what every device's logical block and page size divides
)

// tryDirect turns O_DIRECT on for f and says whether it took. Tests switch useDirect off
// to run the page-cache path on any file system.
func tryDirect(f *os.File) bool { return useDirect && setDirect(f, true) == nil }

var useDirect = true

// alignedBlock returns a buffer of directBlock bytes whose address is aligned as O_DIRECT
// requires.
func alignedBlock() []byte {
	b := make([]byte, directBlock+directAlign)
	off := (directAlign - int(uintptr(unsafe.Pointer(&b[0]))%directAlign)) % directAlign
	return b[off : off+directBlock : off+directBlock]
}

// partWriter writes one part file: in whole blocks without the page cache when the file
// system takes O_DIRECT, else as an ordinary file. finish writes what is left; the caller
// then syncs and closes f.
type partWriter struct {
	f      *os.File
	direct bool
	buf    []byte // the block being filled, when direct
	n      int
	onDisk int64 // bytes handed to the file (not waiting in buf)
}

// newPartWriter creates path (which must not exist). buf, when not nil, is an
// alignedBlock to reuse.
func newPartWriter(path string, buf []byte) (*partWriter, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, err
	}
	w := &partWriter{f: f}
	if tryDirect(f) {
		if buf == nil {
			buf = alignedBlock()
		}
		w.direct, w.buf = true, buf
	}
	return w, nil
}

func (w *partWriter) Write(p []byte) (int, error) {
	if !w.direct {
		n, err := w.f.Write(p)
		w.onDisk += int64(n)
		return n, err
	}
	written := 0
	for len(p) > 0 {
		k := copy(w.buf[w.n:], p)
		w.n += k
		p = p[k:]
		if w.n == len(w.buf) {
			if err := w.flush(w.buf); err != nil {
				return written, err
			}
			w.n = 0
		}
		written += k
	}
	return written, nil
}

// flush writes whole blocks directly; a file system that took the flag but refuses the
// write (EINVAL) gets it through the page cache instead, and every write after.
func (w *partWriter) flush(b []byte) error {
	n, err := w.f.Write(b)
	if errors.Is(err, syscall.EINVAL) && w.direct {
		if err = w.buffered(); err == nil {
			var k int
			k, err = w.f.Write(b[n:])
			n += k
		}
	}
	w.onDisk += int64(n)
	return err
}

func (w *partWriter) buffered() error {
	w.direct = false
	return setDirect(w.f, false)
}

// finish writes what is left in the block: its whole pages directly, the last partial
// page through the page cache (O_DIRECT takes whole pages only). It returns the block
// buffer for the next part.
func (w *partWriter) finish() ([]byte, error) {
	if !w.direct {
		return w.buf, nil
	}
	whole := w.n &^ (directAlign - 1)
	if whole > 0 {
		if err := w.flush(w.buf[:whole]); err != nil {
			return nil, err
		}
	}
	if whole < w.n {
		if w.direct {
			if err := w.buffered(); err != nil {
				return nil, err
			}
		}
		n, err := w.f.Write(w.buf[whole:w.n])
		w.onDisk += int64(n)
		if err != nil {
			return nil, err
		}
	}
	w.n = 0
	return w.buf, nil
}

// blockReader reads a file in whole blocks without the page cache when the file system
// allows it, and hands them out in whatever sizes its caller reads.
type blockReader struct {
	f         *os.File
	direct    bool
	buf       []byte
	off, end  int
	exhausted bool
}

// newBlockReader reads f; buf, when not nil, is an alignedBlock to reuse.
func newBlockReader(f *os.File, buf []byte) *blockReader {
	r := &blockReader{f: f}
	if tryDirect(f) {
		if buf == nil {
			buf = alignedBlock()
		}
		r.direct, r.buf = true, buf
	}
	return r
}

func (r *blockReader) Read(p []byte) (int, error) {
	if !r.direct {
		return r.f.Read(p)
	}
	if r.off == r.end {
		if r.exhausted {
			return 0, io.EOF
		}
		if err := r.fill(); err != nil {
			return 0, err
		}
		if !r.direct {
			return r.f.Read(p)
		}
		if r.end == 0 {
			return 0, io.EOF
		}
	}
	k := copy(p, r.buf[r.off:r.end])
	r.off += k
	return k, nil
}

// fill reads the next block. A read that ends off a page boundary has met the file's end:
// reading on from an unaligned offset is what O_DIRECT refuses, so it is not tried.
func (r *blockReader) fill() error {
	n := 0
	for n < len(r.buf) {
		k, err := r.f.Read(r.buf[n:])
		n += k
		if err == io.EOF || err == nil && k == 0 {
			r.exhausted = true
			break
		}
		if errors.Is(err, syscall.EINVAL) && n == 0 {
			// Taken when set, refused at the read: through the page cache from here on.
			r.direct = false
			return setDirect(r.f, false)
		}
		if err != nil {
			return err
		}
		if k%directAlign != 0 {
			r.exhausted = true
			break
		}
	}
	r.off, r.end = 0, n
	return nil
}
