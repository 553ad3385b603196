package bag

import (
	"archive/tar"
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"handover/app/progress"
	"hash"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Limits cap what a bag may hold. A crafted package is refused when it exceeds one, before
// the excess is read.
type Limits struct {
	Entries   int   // entries in the tar (files and folders)
	FileSize  int64 // one payload file
	TotalSize int64 // all payload files
	TagSize   int64 // one tag file held in memory (bagit.txt, bag-info.txt, tagmanifest-sha256.txt); the payload manifest is streamed
	NameLen   int   // one entry name, in bytes
}

// DefaultLimits suit a handover of a few million customers with their scans.
var DefaultLimits = Limits{Entries: 5_000_000, FileSize: 64 << 30, TotalSize: 1 << 40, TagSize: 1 << 20, NameLen: 1024}

// BadEntryError names a refused tar entry and why.
type BadEntryError struct {
	Name   string
	Reason string
}

func (e *BadEntryError) Error() string {
	return fmt.Sprintf("bag: entry %q refused: %s", e.Name, e.Reason)
}

// PayloadReader is what a payload handler reads a file from. Once the handler has read the
// file to its end, Sum is the file's SHA-256, the one the manifest is checked against, so a
// handler that needs the hash need not compute it a second time.
type PayloadReader struct {
	io.Reader
	h hash.Hash
}

// Sum is the SHA-256 of what has been read so far.
func (r *PayloadReader) Sum() (sum [sha256.Size]byte) {
	r.h.Sum(sum[:0])
	return sum
}

// ErrInvalid wraps every way a bag fails validation.
var ErrInvalid = errors.New("bag: not a valid bag")

var windowsDevice = regexp.MustCompile(`(?i)^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$`)

// checkName refuses a path a receiver must never act on: empty, absolute, with .. or .,
// backslashes, drive letters, UNC or device names, control characters.
func checkName(p string) error {
	bad := func(why string) error { return &BadEntryError{Name: p, Reason: why} }
	switch {
	case p == "":
		return bad("empty name")
	case strings.HasPrefix(p, "/"):
		return bad("absolute path")
	case strings.ContainsAny(p, "\\"):
		return bad("backslash (a Windows path)")
	case len(p) >= 2 && p[1] == ':':
		return bad("drive letter")
	}
	for _, c := range p {
		if c < 0x20 || c == 0x7f {
			return bad("control character")
		}
	}
	for _, part := range strings.Split(p, "/") {
		switch {
		case part == "", part == ".", part == "..":
			return bad("empty, . or .. component")
		case windowsDevice.MatchString(strings.TrimRight(part, " .")):
			return bad("Windows device name")
		}
	}
	return nil
}

// Read reads a bag from a tar stream, passes each payload file to payload (its path under
// data/, size and content, which payload must read to the end or not at all), checks the
// manifests, Payload-Oxum and the tag manifest, and reports the first problem. It returns
// bag-info.txt's fields. Nothing the bag says is trusted before Read returns nil.
func Read(r io.Reader, lim Limits, payload func(path string, size int64, r io.Reader) error) (map[string]string, error) {
	tr := tar.NewReader(r)
	root := ""
	c := newChecklist()
	tags := map[string][]byte{}
	var total int64
	entries := 0
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: the tar stream is damaged: %w", ErrInvalid, err)
		}
		if entries++; entries > lim.Entries {
			return nil, fmt.Errorf("%w: more than %d entries", ErrInvalid, lim.Entries)
		}
		name := strings.TrimSuffix(h.Name, "/")
		if len(name) > lim.NameLen {
			return nil, &BadEntryError{Name: name[:64] + "…", Reason: "name too long"}
		}
		if err := checkName(name); err != nil {
			return nil, err
		}
		first, rest, _ := strings.Cut(name, "/")
		if root == "" {
			root = first
		} else if first != root {
			return nil, &BadEntryError{Name: name, Reason: "outside the bag's folder"}
		}
		switch h.Typeflag {
		case tar.TypeDir:
			continue
		case tar.TypeReg:
		default:
			return nil, &BadEntryError{Name: name, Reason: "not a regular file (link, device or other)"}
		}
		if h.Size < 0 {
			return nil, &BadEntryError{Name: name, Reason: "negative size"}
		}
		if data, ok := strings.CutPrefix(rest, "data/"); ok {
			if h.Size > lim.FileSize {
				return nil, &BadEntryError{Name: name, Reason: fmt.Sprintf("declared size %d over the limit %d", h.Size, lim.FileSize)}
			}
			if total += h.Size; total > lim.TotalSize {
				return nil, fmt.Errorf("%w: payload over %d bytes", ErrInvalid, lim.TotalSize)
			}
			if c.seen(data) {
				return nil, &BadEntryError{Name: name, Reason: "duplicate"}
			}
			hs := sha256.New()
			var got progress.Tally
			cr := &PayloadReader{progress.Reader(io.TeeReader(tr, hs), &got), hs}
			if err := payload(data, h.Size, cr); err != nil {
				return nil, err
			}
			if _, err := io.Copy(io.Discard, cr); err != nil { // what the handler left unread
				return nil, fmt.Errorf("%w: %s: %w", ErrInvalid, name, err)
			}
			if got.Load() != h.Size {
				return nil, fmt.Errorf("%w: %s is cut short", ErrInvalid, name)
			}
			var sum [32]byte
			hs.Sum(sum[:0])
			if err := c.file(data, sum); err != nil {
				return nil, err
			}
			continue
		}
		if strings.Contains(rest, "/") {
			return nil, &BadEntryError{Name: name, Reason: "unexpected file outside data/"}
		}
		if rest == "manifest-sha256.txt" {
			// Checked line by line as it is read, never held whole: a bag of millions of
			// files has a manifest of hundreds of megabytes.
			hs := sha256.New()
			var got progress.Tally
			cr := progress.Reader(io.TeeReader(io.LimitReader(tr, h.Size), hs), &got)
			if err := c.manifest(cr); err != nil {
				return nil, err
			}
			if got.Load() != h.Size {
				return nil, fmt.Errorf("%w: %s is cut short", ErrInvalid, name)
			}
			c.manifestSum = hex.EncodeToString(hs.Sum(nil))
			continue
		}
		// The other tag files are held in memory: only the ones a bag of ours has, once each,
		// each within its limit.
		if !slices.Contains(heldTags, rest) {
			return nil, &BadEntryError{Name: name, Reason: "a tag file that is not part of a handover package"}
		}
		if _, dup := tags[rest]; dup {
			return nil, &BadEntryError{Name: name, Reason: "duplicate"}
		}
		if h.Size > lim.TagSize {
			return nil, &BadEntryError{Name: name, Reason: fmt.Sprintf("tag file of %d bytes over the limit %d", h.Size, lim.TagSize)}
		}
		b, err := io.ReadAll(io.LimitReader(tr, h.Size))
		if err != nil || int64(len(b)) != h.Size {
			return nil, fmt.Errorf("%w: %s is cut short", ErrInvalid, name)
		}
		tags[rest] = b
	}
	return validate(tags, c, total)
}

// pathKey stands for a payload path in the reader's tables: 16 bytes of its SHA-256, so a
// bag of millions of files costs tens of bytes a file, not its names twice over.
type pathKey [16]byte

func keyOf(path string) pathKey {
	s := sha256.Sum256([]byte(path))
	return pathKey(s[:16])
}

// sumChecklist matches the payload's files with the manifest's lines, in either order.
type sumChecklist struct {
	files       map[pathKey]fileSum // every payload file read
	waiting     map[pathKey]wanted  // manifest lines whose file has not come yet
	count       int                 // payload files
	unlisted    int                 // files read that no manifest line has named yet
	haveList    bool
	manifestSum string
}

type fileSum struct {
	sum    [32]byte
	listed bool
}

type wanted struct {
	sum  [32]byte
	path string
}

func newChecklist() *sumChecklist {
	return &sumChecklist{files: map[pathKey]fileSum{}, waiting: map[pathKey]wanted{}}
}

func (c *sumChecklist) seen(path string) bool {
	_, ok := c.files[keyOf(path)]
	return ok
}

// file records a payload file's checksum, checking it at once if the manifest came first.
func (c *sumChecklist) file(path string, sum [32]byte) error {
	k := keyOf(path)
	c.count++
	if w, ok := c.waiting[k]; ok {
		delete(c.waiting, k)
		if w.sum != sum {
			return fmt.Errorf("%w: data/%s does not match its checksum", ErrInvalid, path)
		}
		c.files[k] = fileSum{sum: sum, listed: true}
		return nil
	}
	c.files[k] = fileSum{sum: sum}
	c.unlisted++
	return nil
}

// manifest reads manifest-sha256.txt line by line.
func (c *sumChecklist) manifest(r io.Reader) error {
	if c.haveList {
		return fmt.Errorf("%w: two manifests", ErrInvalid)
	}
	c.haveList = true
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 64<<10)
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			continue
		}
		s, path, ok := strings.Cut(line, " ")
		path = strings.TrimLeft(path, " *")
		var sum [32]byte
		// hex.Decode panics when the text is longer than the array holds.
		if len(s) != hex.EncodedLen(len(sum)) || path == "" || !ok {
			return fmt.Errorf("%w: a manifest line is malformed", ErrInvalid)
		}
		if _, err := hex.Decode(sum[:], []byte(s)); err != nil {
			return fmt.Errorf("%w: a manifest line is malformed", ErrInvalid)
		}
		data, ok := strings.CutPrefix(decodePath(path), "data/")
		if !ok {
			return fmt.Errorf("%w: the manifest names %q outside data/", ErrInvalid, path)
		}
		k := keyOf(data)
		f, ok := c.files[k]
		switch {
		case ok && f.listed:
			return fmt.Errorf("%w: the manifest names data/%s twice", ErrInvalid, data)
		case ok && f.sum != sum:
			return fmt.Errorf("%w: data/%s does not match its checksum", ErrInvalid, data)
		case ok:
			f.listed = true
			c.files[k] = f
			c.unlisted--
		default:
			if _, dup := c.waiting[k]; dup {
				return fmt.Errorf("%w: the manifest names data/%s twice", ErrInvalid, data)
			}
			c.waiting[k] = wanted{sum: sum, path: data}
		}
	}
	if sc.Err() != nil {
		return fmt.Errorf("%w: a manifest line is malformed or over 64 KiB", ErrInvalid)
	}
	return nil
}

// heldTags are the tag files read into memory; manifest-sha256.txt is streamed.
var heldTags = []string{"bagit.txt", "bag-info.txt", "tagmanifest-sha256.txt"}

// validate checks the tag files against what was read.
func validate(tags map[string][]byte, c *sumChecklist, total int64) (map[string]string, error) {
	invalid := func(format string, a ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, a...)...)
	}
	if !bytes.HasPrefix(tags["bagit.txt"], []byte("BagIt-Version: ")) {
		return nil, invalid("bagit.txt is missing or wrong")
	}
	if !c.haveList {
		return nil, invalid("manifest-sha256.txt is missing")
	}
	for _, w := range c.waiting {
		return nil, invalid("data/%s is in the manifest but missing", w.path)
	}
	if c.unlisted > 0 {
		return nil, invalid("%d files of data/ are not in the manifest", c.unlisted)
	}
	info := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(tags["bag-info.txt"]))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok {
			info[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	if sc.Err() != nil {
		return nil, invalid("bag-info.txt has a line over 1 MiB")
	}
	if ox, ok := info["Payload-Oxum"]; ok {
		if ox != strconv.FormatInt(total, 10)+"."+strconv.Itoa(c.count) {
			return nil, invalid("Payload-Oxum %s does not match %d bytes in %d files", ox, total, c.count)
		}
	}
	if tm, ok := tags["tagmanifest-sha256.txt"]; ok {
		if err := parseManifest(tm, func(s, path string) error {
			p := decodePath(path)
			if p == "manifest-sha256.txt" {
				if s != c.manifestSum {
					return invalid("%s does not match the tag manifest", path)
				}
				return nil
			}
			b, ok := tags[p]
			if !ok {
				return invalid("the tag manifest names the missing %s", path)
			}
			if sum(string(b)) != s {
				return invalid("%s does not match the tag manifest", path)
			}
			return nil
		}); err != nil {
			return nil, err
		}
	}
	return info, nil
}

func parseManifest(b []byte, fn func(sum, path string) error) error {
	for _, line := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
		if line == "" {
			continue
		}
		s, path, ok := strings.Cut(line, " ")
		path = strings.TrimLeft(path, " *")
		if !ok || len(s) != 64 || path == "" {
			return fmt.Errorf("%w: a manifest line is malformed", ErrInvalid)
		}
		if err := fn(strings.ToLower(s), path); err != nil {
			return err
		}
	}
	return nil
}

func decodePath(p string) string {
	return strings.NewReplacer("%0D", "\r", "%0A", "\n", "%25", "%").Replace(p)
}
