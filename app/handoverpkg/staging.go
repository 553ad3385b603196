package handoverpkg

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"handover/store/model"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"handover/app/bag"
	"handover/crypto/seal"
)

// staging holds a package's tables while it is checked: customers, loans and repayments
// arrive as separate files, and a customer's record holds all three, so they are joined
// only once the whole stream has been read. The files are sealed in chunks under a key that
// exists only in this process's memory: after a crash they are noise, and the next receive
// removes them. Documents, most of a package's bytes, are not staged: they go to docs as
// they arrive (into the vault, under the pending-receive mark; see Receive).
type staging struct {
	files int // payload files staged, and their bytes: what verify reports
	bytes int64
	dir   string
	sl    *seal.Sealer
	docs  documentSink
	// A document file documents.jsonl does not account for is refused before it is
	// written: the list comes first in older packages; now the documents come first (the
	// sender writes them while it walks the book), and maxDocs, the count in the signed
	// package.json, bounds them until the list has been read, and the list then.
	listed, counted int
	seenList        bool
	maxDocs         int64
}

// documentSink takes the package's documents as the bag hands them out, each named by the
// sender's customer number and the document's number.
type documentSink interface {
	put(path string, customer uint64, seq uint32, size int64, r io.Reader) error
}

// maxLine caps one line of a table: a customer with all their loans is far smaller, and a
// crafted package must not make the receiver hold a huge field in memory.
const maxLine = model.MaxRecordLine

const stageChunk = 64 << 10

func newStaging(dir string) (*staging, error) {
	if err := os.RemoveAll(dir); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	k := seal.NewKey()
	s := &staging{dir: dir, sl: seal.NewSealer(k)}
	k.Wipe()
	return s, nil
}

func (s *staging) remove() { os.RemoveAll(s.dir) }

// stagedTable says whether a payload path is one of the tables a package has.
func stagedTable(path string) bool {
	switch path {
	case "customers.jsonl", "loans.jsonl", "repayments.jsonl", "documents.jsonl", RecordHashesFile, "imports.json", "audit.jsonl", ChecklistFile:
		return true
	}
	return false
}

// documentPath reads the sender's customer and document numbers from a document's path,
// documents/<customer>/<seq>-<name>.
func documentPath(path string) (customer uint64, seq uint32, ok bool) {
	rest, ok := strings.CutPrefix(path, "documents/")
	if !ok {
		return 0, 0, false
	}
	cust, file, _ := strings.Cut(rest, "/")
	num, _, _ := strings.Cut(file, "-")
	c, err1 := strconv.ParseUint(cust, 10, 64)
	n, err2 := strconv.ParseUint(num, 10, 32)
	if err1 != nil || err2 != nil || strings.Contains(file, "/") {
		return 0, 0, false
	}
	return c, uint32(n), true
}

// put stores one payload file: a table sealed chunk by chunk, its lines checked against
// maxLine as they pass; a document through docs.
func (s *staging) put(path string, size int64, r io.Reader) error {
	if c, n, ok := documentPath(path); ok {
		s.counted++
		if (s.seenList && s.counted > s.listed) || int64(s.counted) > s.maxDocs {
			return &bag.BadEntryError{Name: path, Reason: "a document that documents.jsonl does not list"}
		}
		return s.docs.put(path, c, n, size, r)
	}
	if !stagedTable(path) {
		return &bag.BadEntryError{Name: path, Reason: "not part of a handover package"}
	}
	name := path
	w, err := s.create(name)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return &bag.BadEntryError{Name: path, Reason: "duplicate"}
		}
		return err
	}
	defer w.abort()
	checkLines := strings.HasSuffix(name, ".jsonl")
	line := 0
	buf := make([]byte, stageChunk)
	for {
		n, rerr := r.Read(buf)
		if checkLines {
			for _, c := range buf[:n] {
				if line++; c == '\n' {
					line = 0
					if name == "documents.jsonl" {
						s.listed++
						s.seenList = true
					}
				} else if line > maxLine {
					return &bag.BadEntryError{Name: path, Reason: fmt.Sprintf("a line longer than %d bytes", maxLine)}
				}
			}
		}
		if _, err := w.Write(buf[:n]); err != nil {
			return err
		}
		if errors.Is(rerr, io.EOF) {
			break
		}
		if rerr != nil {
			return rerr
		}
	}
	return w.Close()
}

// finish checks, once the bag has been read, that documents.jsonl lists every document.
func (s *staging) finish() error {
	if s.counted > s.listed {
		return &bag.BadEntryError{Name: "data/documents", Reason: "a document that documents.jsonl does not list"}
	}
	return nil
}

// create starts a new sealed file; it fails if the file exists.
func (s *staging) create(name string) (*sealedWriter, error) {
	f, err := os.OpenFile(filepath.Join(s.dir, name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, err
	}
	return &sealedWriter{f: f, w: bufio.NewWriterSize(f, 256<<10), sl: s.sl, name: name, buf: make([]byte, 0, stageChunk)}, nil
}

// sealedWriter seals what is written to it in chunks of stageChunk bytes, each under the
// file's name and its index, so chunks cannot be reordered or moved between files.
type sealedWriter struct {
	f      *os.File
	w      *bufio.Writer
	sl     *seal.Sealer
	name   string
	i      uint64
	buf    []byte
	sealed []byte
	size   int64
	closed bool
}

func (w *sealedWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		k := copy(w.buf[len(w.buf):cap(w.buf)], p)
		w.buf = w.buf[:len(w.buf)+k]
		p = p[k:]
		if len(w.buf) == cap(w.buf) {
			if err := w.flushChunk(); err != nil {
				return 0, err
			}
		}
	}
	w.size += int64(n)
	return n, nil
}

func (w *sealedWriter) flushChunk() error {
	if len(w.buf) == 0 {
		return nil
	}
	w.sealed = w.sl.Seal(w.sealed[:0], chunkAD(w.name, w.i), w.buf)
	w.i++
	var hdr [4]byte
	binary.BigEndian.PutUint32(hdr[:], uint32(len(w.sealed)))
	w.w.Write(hdr[:])
	_, err := w.w.Write(w.sealed)
	clear(w.buf)
	w.buf = w.buf[:0]
	return err
}

// Close writes the last chunk and closes the file.
func (w *sealedWriter) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	err := w.flushChunk()
	if ferr := w.w.Flush(); err == nil {
		err = ferr
	}
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// abort closes the file if Close was not reached.
func (w *sealedWriter) abort() {
	if !w.closed {
		w.closed = true
		w.f.Close()
	}
}

func chunkAD(name string, i uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte(name), i)
}

// open reads a staged file back; a file the package did not hold reads as empty.
func (s *staging) open(name string) (io.ReadCloser, error) {
	f, err := os.Open(filepath.Join(s.dir, name))
	if errors.Is(err, os.ErrNotExist) {
		return io.NopCloser(strings.NewReader("")), nil
	}
	if err != nil {
		return nil, err
	}
	return &stagedReader{f: f, r: bufio.NewReaderSize(f, 256<<10), sl: s.sl, name: name}, nil
}

type stagedReader struct {
	f    *os.File
	r    *bufio.Reader
	sl   *seal.Sealer
	name string
	i    uint64
	buf  []byte // what is left of the current chunk
	raw  []byte
}

func (r *stagedReader) Read(p []byte) (int, error) {
	for len(r.buf) == 0 {
		var hdr [4]byte
		if _, err := io.ReadFull(r.r, hdr[:]); err != nil {
			if errors.Is(err, io.EOF) {
				return 0, io.EOF
			}
			return 0, errStagingDamaged
		}
		n := binary.BigEndian.Uint32(hdr[:])
		if n > stageChunk+64 {
			return 0, errStagingDamaged
		}
		r.raw = append(r.raw[:0], make([]byte, n)...)
		if _, err := io.ReadFull(r.r, r.raw); err != nil {
			return 0, errStagingDamaged
		}
		pt, err := r.sl.Open(chunkAD(r.name, r.i), r.raw)
		if err != nil {
			return 0, errStagingDamaged
		}
		r.i++
		r.buf = pt
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

func (r *stagedReader) Close() error { return r.f.Close() }

var errStagingDamaged = errors.New("the staging area was changed or damaged during the receive")

// spoolFile is a sealed staging file that a bag.Writer keeps its manifest in, so that a
// package of millions of documents does not hold their lines in memory.
type spoolFile struct {
	s    *staging
	name string
	*sealedWriter
}

func (s *staging) spoolFile(name string) (*spoolFile, error) {
	w, err := s.create(name)
	if err != nil {
		return nil, err
	}
	return &spoolFile{s: s, name: name, sealedWriter: w}, nil
}

// Reopen ends the writing and reads the file from the start.
func (f *spoolFile) Reopen() (io.ReadCloser, error) {
	if err := f.Close(); err != nil {
		return nil, err
	}
	return f.s.open(f.name)
}
