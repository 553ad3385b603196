// Package bag writes and reads BagIt bags (RFC 8493) as tar streams: the container of a
// handover package's payload (issue 5). A receiver without Handover extracts the tar and
// checks it with `sha256sum -c manifest-sha256.txt`, or any BagIt validator.
//
// Reading is built for hostile input: a package may have been crafted to attack the
// receiver. Entry names are checked before anything is done with them, only regular files
// and folders are accepted, and every count and size is capped, so a bag cannot write
// outside the caller's handler, fill the disk or exhaust memory. Payload files are streamed
// to the caller, never kept; nothing should be committed until Read has returned nil.
package bag

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"strings"
	"time"
)

// Writer writes a bag into a tar stream under one root folder.
type Writer struct {
	tw      *tar.Writer
	root    string
	modTime time.Time
	// The manifest's lines, in the order the files were added (deterministic, as the
	// caller's order is): in memory, or in a caller's spool when a bag holds millions of
	// files and memory must not grow with them.
	lines  Spool
	linesN int64
	linesH hash.Hash
	seen   map[string]bool // duplicate check, in memory mode only
	files  int
	octets int64
	info   [][2]string
	err    error
}

// Spool holds the manifest's lines until Close writes them into the bag.
type Spool interface {
	io.Writer
	// Reopen reads back everything written, from the start.
	Reopen() (io.ReadCloser, error)
}

type memSpool struct{ bytes.Buffer }

func (m *memSpool) Reopen() (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(m.Bytes())), nil
}

// SpoolManifest keeps the manifest's lines in s instead of memory; call it before the first
// Add. The caller then guarantees that no path is added twice (the reader refuses
// duplicates anyway).
func (b *Writer) SpoolManifest(s Spool) {
	b.lines, b.seen = s, nil
}

// NewWriter starts a bag named root (the folder tar -x creates). modTime is written on
// every entry, so the same content gives the same stream.
func NewWriter(w io.Writer, root string, modTime time.Time) (*Writer, error) {
	if err := checkName(root); err != nil || strings.Contains(root, "/") {
		return nil, fmt.Errorf("bag: bad root name %q", root)
	}
	b := &Writer{tw: tar.NewWriter(w), root: root, modTime: modTime.UTC().Truncate(time.Second),
		lines: &memSpool{}, linesH: sha256.New(), seen: map[string]bool{}}
	b.writeTag("bagit.txt", []byte("BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"))
	return b, b.err
}

// Info adds a bag-info.txt field (label and one-line value).
func (b *Writer) Info(label, value string) {
	b.info = append(b.info, [2]string{label, strings.NewReplacer("\r", " ", "\n", " ").Replace(value)})
}

func (b *Writer) header(name string, size int64) *tar.Header {
	return &tar.Header{Name: b.root + "/" + name, Mode: 0o644, Size: size, ModTime: b.modTime, Typeflag: tar.TypeReg, Format: tar.FormatPAX}
}

func (b *Writer) writeTag(name string, content []byte) {
	if b.err != nil {
		return
	}
	if b.err = b.tw.WriteHeader(b.header(name, int64(len(content)))); b.err == nil {
		_, b.err = b.tw.Write(content)
	}
}

// Add writes a payload file at data/path with exactly size bytes from r, and records its
// SHA-256 in the manifest. The caller knows the size: tar writes it before the content.
func (b *Writer) Add(path string, size int64, r io.Reader) error {
	return b.add(path, size, r, nil)
}

// AddKnown is Add for a file whose SHA-256 the caller already holds (a document hashed when
// it was imported, whose stored chunks are authenticated): the bag does not hash its bytes
// again. A wrong sum makes the bag fail validation at the receiver, never pass.
func (b *Writer) AddKnown(path string, size int64, sum [32]byte, r io.Reader) error {
	return b.add(path, size, r, &sum)
}

func (b *Writer) add(path string, size int64, r io.Reader, known *[32]byte) error {
	if b.err != nil {
		return b.err
	}
	if err := checkName(path); err != nil {
		return err
	}
	if b.seen != nil {
		if b.seen[path] {
			return fmt.Errorf("bag: %s added twice", path)
		}
		b.seen[path] = true
	}
	if b.err = b.tw.WriteHeader(b.header("data/"+path, size)); b.err != nil {
		return b.err
	}
	var h hash.Hash
	dst := io.Writer(b.tw)
	if known == nil {
		h = sha256.New()
		dst = io.MultiWriter(b.tw, h)
	}
	n, err := io.Copy(dst, io.LimitReader(r, size))
	if err == nil && n != size {
		err = fmt.Errorf("bag: %s: %d bytes given, %d declared", path, n, size)
	}
	if err != nil {
		b.err = err
		return err
	}
	var line []byte
	if known != nil {
		line = hex.AppendEncode(line, known[:])
	} else {
		line = hex.AppendEncode(line, h.Sum(nil))
	}
	line = append(append(append(line, "  data/"...), encodePath(path)...), '\n')
	if _, err := b.lines.Write(line); err != nil {
		b.err = err
		return err
	}
	b.linesH.Write(line)
	b.linesN += int64(len(line))
	b.files++
	b.octets += size
	return nil
}

// Close writes bag-info.txt, the manifests and the tar trailer.
func (b *Writer) Close() error {
	if b.err != nil {
		return b.err
	}
	info := fmt.Sprintf("Payload-Oxum: %d.%d\n", b.octets, b.files)
	for _, f := range b.info {
		info += f[0] + ": " + f[1] + "\n"
	}
	var tagman strings.Builder
	bagit := "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
	fmt.Fprintf(&tagman, "%s  bagit.txt\n", sum(bagit))
	b.writeTag("bag-info.txt", []byte(info))
	fmt.Fprintf(&tagman, "%s  %s\n", sum(info), "bag-info.txt")
	b.writeManifest()
	fmt.Fprintf(&tagman, "%s  %s\n", hex.EncodeToString(b.linesH.Sum(nil)), "manifest-sha256.txt")
	b.writeTag("tagmanifest-sha256.txt", []byte(tagman.String()))
	if b.err != nil {
		return b.err
	}
	return b.tw.Close()
}

// writeManifest copies the manifest's lines from their spool into the bag.
func (b *Writer) writeManifest() {
	if b.err != nil {
		return
	}
	r, err := b.lines.Reopen()
	if err != nil {
		b.err = err
		return
	}
	defer r.Close()
	if b.err = b.tw.WriteHeader(b.header("manifest-sha256.txt", b.linesN)); b.err != nil {
		return
	}
	n, err := io.Copy(b.tw, io.LimitReader(r, b.linesN))
	if err == nil && n != b.linesN {
		err = fmt.Errorf("bag: the manifest's spool gave %d of %d bytes", n, b.linesN)
	}
	b.err = err
}

func sum(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// encodePath percent-encodes what RFC 8493 §2.1.3 requires in manifest paths.
func encodePath(p string) string {
	if !strings.ContainsAny(p, "%\r\n") {
		return p
	}
	return pathEncoder.Replace(p)
}

var pathEncoder = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
