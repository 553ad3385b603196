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
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// Writer writes a bag into a tar stream under one root folder.
type Writer struct {
	tw       *tar.Writer
	root     string
	modTime  time.Time
	manifest map[string]string // data path → hex SHA-256
	octets   int64
	info     [][2]string
	err      error
}

// NewWriter starts a bag named root (the folder tar -x creates). modTime is written on
// every entry, so the same content gives the same stream.
func NewWriter(w io.Writer, root string, modTime time.Time) (*Writer, error) {
	if err := checkName(root); err != nil || strings.Contains(root, "/") {
		return nil, fmt.Errorf("bag: bad root name %q", root)
	}
	b := &Writer{tw: tar.NewWriter(w), root: root, modTime: modTime.UTC().Truncate(time.Second), manifest: map[string]string{}}
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
	if b.err != nil {
		return b.err
	}
	if err := checkName(path); err != nil {
		return err
	}
	if _, dup := b.manifest[path]; dup {
		return fmt.Errorf("bag: %s added twice", path)
	}
	if b.err = b.tw.WriteHeader(b.header("data/"+path, size)); b.err != nil {
		return b.err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(b.tw, h), io.LimitReader(r, size))
	if err == nil && n != size {
		err = fmt.Errorf("bag: %s: %d bytes given, %d declared", path, n, size)
	}
	if err != nil {
		b.err = err
		return err
	}
	b.manifest[path] = hex.EncodeToString(h.Sum(nil))
	b.octets += size
	return nil
}

// Close writes bag-info.txt, the manifests and the tar trailer.
func (b *Writer) Close() error {
	if b.err != nil {
		return b.err
	}
	paths := make([]string, 0, len(b.manifest))
	for p := range b.manifest {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	var man strings.Builder
	for _, p := range paths {
		fmt.Fprintf(&man, "%s  data/%s\n", b.manifest[p], encodePath(p))
	}
	info := fmt.Sprintf("Payload-Oxum: %d.%d\n", b.octets, len(paths))
	for _, f := range b.info {
		info += f[0] + ": " + f[1] + "\n"
	}
	tags := [][2]string{{"bag-info.txt", info}, {"manifest-sha256.txt", man.String()}}
	var tagman strings.Builder
	bagit := "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
	fmt.Fprintf(&tagman, "%s  bagit.txt\n", sum(bagit))
	for _, t := range tags {
		b.writeTag(t[0], []byte(t[1]))
		fmt.Fprintf(&tagman, "%s  %s\n", sum(t[1]), t[0])
	}
	b.writeTag("tagmanifest-sha256.txt", []byte(tagman.String()))
	if b.err != nil {
		return b.err
	}
	return b.tw.Close()
}

func sum(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// encodePath percent-encodes what RFC 8493 §2.1.3 requires in manifest paths.
func encodePath(p string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(p)
}
