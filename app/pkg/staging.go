package pkg

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
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
	dir string
	sl  *seal.Sealer
	// documents.jsonl comes before the documents in the bag: a document file it does not
	// account for is refused before it is written.
	listed, docs int
}

// maxLine caps one line of a table: a customer with all their loans is far smaller, and a
// crafted package must not make the receiver hold a huge field in memory.
const maxLine = 1 << 20

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

// stagedName maps a payload path to its staged file: the tables by name, documents by the
// sender's customer and document numbers. Anything else is not part of a package.
func stagedName(path string) (string, error) {
	switch path {
	case "customers.jsonl", "loans.jsonl", "repayments.jsonl", "documents.jsonl", RecordHashesFile, "imports.json", "audit.jsonl":
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
func (s *staging) put(path string, r io.Reader) error {
	name, err := stagedName(path)
	if err != nil {
		return err
	}
	if strings.HasPrefix(name, "doc-") {
		if s.docs++; s.docs > s.listed {
			return &bag.BadEntryError{Name: path, Reason: "a document that documents.jsonl does not list"}
		}
	}
	f, err := os.OpenFile(filepath.Join(s.dir, name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return &bag.BadEntryError{Name: path, Reason: "duplicate"}
		}
		return err
	}
	defer f.Close()
	bw := bufio.NewWriterSize(f, 256<<10)
	checkLines := strings.HasSuffix(name, ".jsonl")
	line := 0
	buf := make([]byte, stageChunk)
	var sealed []byte
	for i := uint64(0); ; i++ {
		n, rerr := io.ReadFull(r, buf)
		if n > 0 {
			if checkLines {
				for _, c := range buf[:n] {
					if line++; c == '\n' {
						line = 0
						if name == "documents.jsonl" {
							s.listed++
						}
					} else if line > maxLine {
						return &bag.BadEntryError{Name: path, Reason: fmt.Sprintf("a line longer than %d bytes", maxLine)}
					}
				}
			}
			sealed = s.sl.Seal(sealed[:0], chunkAD(name, i), buf[:n])
			var hdr [4]byte
			binary.BigEndian.PutUint32(hdr[:], uint32(len(sealed)))
			bw.Write(hdr[:])
			if _, err := bw.Write(sealed); err != nil {
				return err
			}
		}
		if errors.Is(rerr, io.EOF) || errors.Is(rerr, io.ErrUnexpectedEOF) {
			break
		}
		if rerr != nil {
			return rerr
		}
	}
	return bw.Flush()
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
