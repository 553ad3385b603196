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

// staging holds a package's payload while it is checked. age hands out plaintext before
// it reaches later damage, and the bag's manifests come after its payload, so nothing may
// reach the vault before the whole stream has ended cleanly. The files are sealed in
// chunks under a key that exists only in this process's memory: after a crash they are
// noise, and the next receive removes them.
type staging struct {
	files int // payload files staged, and their bytes: what verify reports
	bytes int64
	dir   string
	sl    *seal.Sealer
	// Documents go one after another into one file, each behind a header with its name
	// and size: a file per document costs more in the file system than the rest together.
	docs *sealedWriter
	// A document file documents.jsonl does not account for is refused before it is
	// written: the list comes first in older packages; now the documents come first (the
	// sender writes them while it walks the book), and maxDocs, the count in the signed
	// package.json, bounds them until the list has been read, and the list then.
	listed, counted int
	seenList        bool
	maxDocs         int64
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

func (s *staging) remove() {
	if s.docs != nil {
		s.docs.abort()
	}
	os.RemoveAll(s.dir)
}

// docsFile is the staged file of all documents.
const docsFile = "documents.bin"

// stagedName maps a payload path to its staged file: the tables by name, documents by the
// sender's customer and document numbers. Anything else is not part of a package.
func stagedName(path string) (string, error) {
	switch path {
	case "customers.jsonl", "loans.jsonl", "repayments.jsonl", "documents.jsonl", RecordHashesFile, "imports.json", "audit.jsonl", ChecklistFile:
		return path, nil
	}
	rest, ok := strings.CutPrefix(path, "documents/")
	if ok {
		cust, file, _ := strings.Cut(rest, "/")
		seq, _, _ := strings.Cut(file, "-")
		c, err1 := strconv.ParseUint(cust, 10, 64)
		n, err2 := strconv.ParseUint(seq, 10, 32)
		if err1 == nil && err2 == nil && !strings.Contains(file, "/") {
			return docName(c, uint32(n)), nil
		}
	}
	return "", &bag.BadEntryError{Name: path, Reason: "not part of a handover package"}
}

func docName(customer uint64, seq uint32) string {
	return fmt.Sprintf("doc-%d-%d", customer, seq)
}

// put stores one payload file, sealed chunk by chunk. Lines of the tables are checked
// against maxLine as they pass.
func (s *staging) put(path string, size int64, r io.Reader) error {
	name, err := stagedName(path)
	if err != nil {
		return err
	}
	if strings.HasPrefix(name, "doc-") {
		return s.putDocument(path, name, size, r)
	}
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

// putDocument appends one document to docsFile: its staged name, its size, its content.
func (s *staging) putDocument(path, name string, size int64, r io.Reader) error {
	s.counted++
	if (s.seenList && s.counted > s.listed) || int64(s.counted) > s.maxDocs {
		return &bag.BadEntryError{Name: path, Reason: "a document that documents.jsonl does not list"}
	}
	if s.docs == nil {
		var err error
		if s.docs, err = s.create(docsFile); err != nil {
			return err
		}
	}
	hdr := binary.BigEndian.AppendUint16(nil, uint16(len(name)))
	hdr = binary.BigEndian.AppendUint64(append(hdr, name...), uint64(size))
	if _, err := s.docs.Write(hdr); err != nil {
		return err
	}
	_, err := io.CopyN(s.docs, r, size)
	return err
}

// finish closes the documents file once the bag has been read.
func (s *staging) finish() error {
	if s.counted > s.listed {
		return &bag.BadEntryError{Name: "data/documents", Reason: "a document that documents.jsonl does not list"}
	}
	if s.docs == nil {
		return nil
	}
	return s.docs.Close()
}

// nextDocument reads the header of the next staged document and checks it is the one
// documents.jsonl lists next.
func nextDocument(r io.Reader, want string, size int64) error {
	var n [2]byte
	if _, err := io.ReadFull(r, n[:]); err != nil {
		return fmt.Errorf("document %s is missing from the package", want)
	}
	hdr := make([]byte, int(binary.BigEndian.Uint16(n[:]))+8)
	if _, err := io.ReadFull(r, hdr); err != nil {
		return errStagingDamaged
	}
	name, got := string(hdr[:len(hdr)-8]), int64(binary.BigEndian.Uint64(hdr[len(hdr)-8:]))
	if name != want || got != size {
		return fmt.Errorf("the documents are not in the order and sizes documents.jsonl lists (%s where %s was expected)", name, want)
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
