package store

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/binary"
	"fmt"
	"hash/maphash"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"

	"github.com/dgraph-io/ristretto/v2/z"
)

// scratchDir holds a Scratch map while an import runs. It is removed when the map is
// closed, and when the vault is next opened if a crash left it behind.
const scratchDir = "scratch"

// Scratch is a map from fixed-length byte keys to numbers, kept on disk so that what an
// import must look up (every identity and contract number in the book) costs memory that
// does not grow with the book.
//
// It is a small log-structured map: the newest entries in memory, older ones in sorted
// files of fixed-size records ("runs"), each with its first key of every page and a Bloom
// filter in memory (about 1.3 bytes a key: the only part that grows). Runs of similar size
// are merged, so a lookup asks a handful of filters and reads at most a page or two.
//
// Its keys must already be meaningless without a secret that is never stored, such as
// hashes under a per-run random salt: the files are not encrypted, and nothing in them can
// be used after the run, which is why a crash leaves nothing that needs protecting or
// resuming. The caller rebuilds the map from the vault at the start of each run.
type Scratch struct {
	dir     string
	keyLen  int
	window  map[string]uint64
	runs    []*scratchRun // oldest first
	seq     int
	page    []byte
	seed    maphash.Seed
	spilled []windowRecord // the window being written as a run, kept for the next
}

// windowRecord is an entry of the window, with its key's first eight bytes as a number.
type windowRecord struct {
	head uint64
	key  string
	v    uint64
}

type scratchRun struct {
	path   string
	f      *os.File
	n      int
	fences []byte // the first key of each page
	bits   []uint64
	// data maps the run's file read-only, so that a lookup reads its page without a system
	// call: the million-customer import made about four million of them (pread), a tenth
	// of the importer's time. Nil where mapping failed; pages are then read from the file.
	// The mapped pages are the kernel's file cache, not the process's own memory.
	data []byte
}

const (
	scratchWindow = 1 << 17 // entries held in memory before they are written as a run
	pageRecords   = 128
	bloomBits     = 10
	bloomProbes   = 7
)

// OpenScratch starts an empty Scratch for keys of keyLen bytes in the vault's folder. Only
// one may be open at a time; the store's write lock, held by every import, sees to that.
func (s *Store) OpenScratch(keyLen int) (*Scratch, error) {
	dir := filepath.Join(s.dir.path, scratchDir)
	if err := os.RemoveAll(dir); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	return &Scratch{dir: dir, keyLen: keyLen, window: map[string]uint64{}, seed: maphash.MakeSeed()}, nil
}

func (m *Scratch) recLen() int { return m.keyLen + 8 }

// Put sets key to v.
func (m *Scratch) Put(key []byte, v uint64) error {
	if len(key) != m.keyLen {
		return fmt.Errorf("scratch: key of %d bytes, want %d", len(key), m.keyLen)
	}
	m.window[string(key)] = v
	if len(m.window) >= scratchWindow {
		return m.spill()
	}
	return nil
}

// Get returns the number stored under key.
func (m *Scratch) Get(key []byte) (uint64, bool, error) {
	if v, ok := m.window[string(key)]; ok {
		return v, true, nil
	}
	h1, h2 := m.hashes(key)
	for i := len(m.runs) - 1; i >= 0; i-- {
		r := m.runs[i]
		if !r.mayContain(h1, h2) {
			continue
		}
		v, ok, err := m.find(r, key)
		if err != nil || ok {
			return v, ok, err
		}
	}
	return 0, false, nil
}

func (m *Scratch) find(r *scratchRun, key []byte) (uint64, bool, error) {
	kl, rl := m.keyLen, m.recLen()
	pages := len(r.fences) / kl
	// The last page whose first key is <= key.
	p := sort.Search(pages, func(i int) bool { return compareKeys(r.fences[i*kl:(i+1)*kl], key) > 0 }) - 1
	if p < 0 {
		return 0, false, nil
	}
	recs := min(pageRecords, r.n-p*pageRecords)
	off := p * pageRecords * rl
	var page []byte
	if r.data != nil {
		page = r.data[off : off+recs*rl]
	} else {
		m.page = slices.Grow(m.page[:0], recs*rl)[:recs*rl]
		page = m.page
		if _, err := r.f.ReadAt(page, int64(off)); err != nil {
			return 0, false, err
		}
	}
	i := searchPage(page, recs, rl, key)
	if i < recs && bytes.Equal(page[i*rl:i*rl+kl], key) {
		return binary.BigEndian.Uint64(page[i*rl+kl:]), true, nil
	}
	return 0, false, nil
}

// compareKeys is bytes.Compare, eight bytes at a time, for keys held as bytes (runs) or
// strings (the window): a lookup makes about twenty comparisons, and a million-customer
// import millions of lookups.
func compareKeys[K []byte | string](a, b K) int {
	for len(a) >= 8 && len(b) >= 8 {
		x, y := bigEndian64(a), bigEndian64(b)
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
		a, b = a[8:], b[8:]
	}
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			if a[i] < b[i] {
				return -1
			}
			return 1
		}
	}
	return cmp.Compare(len(a), len(b))
}

func bigEndian64[K []byte | string](s K) uint64 {
	_ = s[7]
	return uint64(s[7]) | uint64(s[6])<<8 | uint64(s[5])<<16 | uint64(s[4])<<24 |
		uint64(s[3])<<32 | uint64(s[2])<<40 | uint64(s[1])<<48 | uint64(s[0])<<56
}

// searchPage returns the first of a page's recs records (of rl bytes) whose key is not
// below key. The keys are salted hashes after a kind byte, spread evenly, so the place is
// guessed from the first eight bytes and found by stepping from the guess: a record or two of
// the mapped page, where a binary search touched seven cache lines, about a second of the
// million-customer import. The steps make it right for any keys, evenly spread or not.
func searchPage(page []byte, recs, rl int, key []byte) int {
	kl := len(key)
	at := func(i int) []byte { return page[i*rl : i*rl+kl] }
	if kl < 8 {
		return sort.Search(recs, func(i int) bool { return compareKeys(at(i), key) >= 0 })
	}
	first, last, x := bigEndian64(at(0)), bigEndian64(at(recs-1)), bigEndian64(key)
	var i int
	switch {
	case x <= first:
		i = 0
	case x >= last:
		i = recs - 1
	default:
		i = int(float64(x-first) / float64(last-first) * float64(recs-1))
	}
	for i > 0 && compareKeys(at(i-1), key) >= 0 {
		i--
	}
	for i < recs && compareKeys(at(i), key) < 0 {
		i++
	}
	return i
}

func (m *Scratch) hashes(key []byte) (uint64, uint64) {
	return spreadHash(maphash.Bytes(m.seed, key))
}

// spreadHash makes a Bloom filter's two probes from one hash (equal for a key held as a
// string or as bytes: maphash.String and maphash.Bytes agree).
func spreadHash(h uint64) (uint64, uint64) { return h, h>>32 | h<<32 | 1 }

func (r *scratchRun) mayContain(h1, h2 uint64) bool {
	n := uint64(len(r.bits) * 64)
	for i := range uint64(bloomProbes) {
		p := (h1 + i*h2) % n
		if r.bits[p/64]&(1<<(p%64)) == 0 {
			return false
		}
	}
	return true
}

// runWriter writes a run's records in key order, building its fences and filter.
type runWriter struct {
	m   *Scratch
	r   *scratchRun
	w   *bufio.Writer
	rec []byte
}

func (m *Scratch) newRun(expected int) (*runWriter, error) {
	m.seq++
	path := filepath.Join(m.dir, fmt.Sprintf("run-%06d", m.seq))
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, err
	}
	words := max(1, expected*bloomBits/64)
	return &runWriter{m: m, r: &scratchRun{path: path, f: f, bits: make([]uint64, words)}, w: bufio.NewWriterSize(f, 1<<20)}, nil
}

func (w *runWriter) add(key []byte, v uint64) error {
	h1, h2 := w.m.hashes(key)
	return addRecord(w, key, h1, h2, v)
}

// addRecord adds a record whose key's Bloom probes are h1 and h2.
func addRecord[K []byte | string](w *runWriter, key K, h1, h2, v uint64) error {
	r := w.r
	if r.n%pageRecords == 0 {
		r.fences = append(r.fences, key...)
	}
	n := uint64(len(r.bits) * 64)
	for i := range uint64(bloomProbes) {
		p := (h1 + i*h2) % n
		r.bits[p/64] |= 1 << (p % 64)
	}
	r.n++
	w.rec = binary.BigEndian.AppendUint64(append(w.rec[:0], key...), v)
	_, err := w.w.Write(w.rec)
	return err
}

func (w *runWriter) finish() (*scratchRun, error) {
	if err := w.w.Flush(); err != nil {
		w.r.f.Close()
		return nil, err
	}
	if size := int64(w.r.n * w.m.recLen()); size > 0 && !scratchNoMap {
		if b, err := z.Mmap(w.r.f, false, size); err == nil {
			w.r.data = b
		}
	}
	return w.r, nil
}

// scratchNoMap makes runs read through the file, as where mapping fails (tests).
var scratchNoMap = false

// close unmaps and closes the run's file; remove also deletes it.
func (r *scratchRun) close(remove bool) {
	if r.data != nil {
		z.Munmap(r.data)
		r.data = nil
	}
	r.f.Close()
	if remove {
		os.Remove(r.path)
	}
}

// spill writes the window as a new run, then merges runs of similar size.
func (m *Scratch) spill() error {
	recs := m.spilled[:0]
	for k, v := range m.window {
		var head uint64
		if len(k) >= 8 {
			head = bigEndian64(k)
		}
		recs = append(recs, windowRecord{head: head, key: k, v: v})
	}
	// Sorting on the keys' first eight bytes, held beside them, reads no string but for ties.
	slices.SortFunc(recs, func(a, b windowRecord) int {
		if a.head != b.head {
			return cmp.Compare(a.head, b.head)
		}
		return compareKeys(a.key, b.key)
	})
	w, err := m.newRun(len(recs))
	if err != nil {
		return err
	}
	for _, r := range recs {
		h1, h2 := spreadHash(maphash.String(m.seed, r.key))
		if err := addRecord(w, r.key, h1, h2, r.v); err != nil {
			return err
		}
	}
	clear(recs)
	m.spilled = recs[:0]
	r, err := w.finish()
	if err != nil {
		return err
	}
	m.runs = append(m.runs, r)
	clear(m.window)
	for len(m.runs) >= 2 && m.runs[len(m.runs)-2].n <= 2*m.runs[len(m.runs)-1].n {
		if err := m.mergeLast(); err != nil {
			return err
		}
	}
	return nil
}

// mergeLast merges the two newest runs into one; the newer value of a key wins.
func (m *Scratch) mergeLast() error {
	older, newer := m.runs[len(m.runs)-2], m.runs[len(m.runs)-1]
	w, err := m.newRun(older.n + newer.n)
	if err != nil {
		return err
	}
	rl, kl := m.recLen(), m.keyLen
	a := bufio.NewReaderSize(io.NewSectionReader(older.f, 0, int64(older.n*rl)), 1<<20)
	b := bufio.NewReaderSize(io.NewSectionReader(newer.f, 0, int64(newer.n*rl)), 1<<20)
	ra, rb := make([]byte, rl), make([]byte, rl)
	na, nb := older.n, newer.n
	next := func(r *bufio.Reader, rec []byte, left *int) (bool, error) {
		if *left == 0 {
			return false, nil
		}
		*left--
		_, err := io.ReadFull(r, rec)
		return err == nil, err
	}
	okA, err := next(a, ra, &na)
	if err != nil {
		return err
	}
	okB, err := next(b, rb, &nb)
	if err != nil {
		return err
	}
	for okA || okB {
		c := 0
		switch {
		case !okA:
			c = 1
		case !okB:
			c = -1
		default:
			c = compareKeys(ra[:kl], rb[:kl])
		}
		if c < 0 {
			err = w.add(ra[:kl], binary.BigEndian.Uint64(ra[kl:]))
		} else {
			err = w.add(rb[:kl], binary.BigEndian.Uint64(rb[kl:]))
		}
		if err != nil {
			return err
		}
		if c <= 0 {
			if okA, err = next(a, ra, &na); err != nil {
				return err
			}
		}
		if c >= 0 {
			if okB, err = next(b, rb, &nb); err != nil {
				return err
			}
		}
	}
	r, err := w.finish()
	if err != nil {
		return err
	}
	for _, old := range []*scratchRun{older, newer} {
		old.close(true)
	}
	m.runs = append(m.runs[:len(m.runs)-2], r)
	return nil
}

// Close discards the map and its files.
func (m *Scratch) Close() error {
	for _, r := range m.runs {
		r.close(false)
	}
	m.runs = nil
	clear(m.window)
	return os.RemoveAll(m.dir)
}

// stagingDir holds a package's payload, sealed under a key that lives only in memory,
// while a receive checks it (app/handoverpkg).
const stagingDir = "staging"

// StagingDir is the folder a receive stages into, inside the vault's folder.
func (s *Store) StagingDir() string { return filepath.Join(s.dir.path, stagingDir) }

// removeLeftovers deletes what a crash during an import or a receive left: both hold only
// data under keys that died with the process.
func (s *Store) removeLeftovers() {
	os.RemoveAll(filepath.Join(s.dir.path, scratchDir))
	os.RemoveAll(filepath.Join(s.dir.path, stagingDir))
	os.RemoveAll(filepath.Join(s.dir.path, spoolDir))
}

// spoolDir holds an export's tables while they are written, sealed under a key that lives
// only in memory (app/handoverpkg).
const spoolDir = "spool"

// SpoolDir is the folder an export spools into, inside the vault's folder.
func (s *Store) SpoolDir() string { return filepath.Join(s.dir.path, spoolDir) }
