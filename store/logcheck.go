package store

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"handover/store/atomicfile"
	"hash/crc32"
	"io"
	"math/bits"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/dgraph-io/badger/v4/pb"
	"google.golang.org/protobuf/proto"
)

// Opening Badger replays its logs and cuts each one at the first entry that fails its
// checksum, wherever that entry is: meant for a write torn by a crash, it also turns one
// flipped bit in the middle of the newest value log into the loss of every later value, and
// a read-only look at the vault would do it. So before Badger opens the database, checkLogs
// reads every file Badger would cut (the memtable logs, the newest value log, the MANIFEST)
// as Badger will, and tells a torn tail, which Badger may trim, from damage anywhere else,
// which leaves the files untouched and refuses the open with a DamageError naming the file.
//
// A torn tail is what an interrupted append leaves: one entry partly written, nothing after
// it (tornTail). Anything else after a bad entry is damage: Badger's cut would drop data that
// was once committed.

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// logHeaderSize is Badger's header of a value log or memtable log (key ID, base IV).
const logHeaderSize = 20

// checkLogs checks the database folder's logs; nil when Badger's replay loses nothing that
// was ever complete.
func checkLogs(dbPath string) error {
	entries, err := os.ReadDir(dbPath)
	if err != nil {
		if os.IsNotExist(err) {
			return nil
		}
		return err
	}
	ids, err := registryKeyIDs(dbPath)
	if err != nil {
		return err
	}
	var vlogs []int
	for _, e := range entries {
		name := e.Name()
		switch {
		case strings.HasSuffix(name, ".mem"):
			if err := checkLogFile(dbPath, name, ids); err != nil {
				return err
			}
		case strings.HasSuffix(name, ".vlog"):
			if n, err := strconv.Atoi(strings.TrimSuffix(name, ".vlog")); err == nil {
				vlogs = append(vlogs, n)
			}
		case name == "MANIFEST":
			if err := checkManifest(dbPath); err != nil {
				return err
			}
		}
	}
	if len(vlogs) > 0 {
		sort.Ints(vlogs)
		return checkLogFile(dbPath, fmt.Sprintf("%06d.vlog", vlogs[len(vlogs)-1]), ids)
	}
	return nil
}

func damaged(name, format string, args ...any) *DamageError {
	return &DamageError{File: filepath.ToSlash(filepath.Join(dbDir, name)), Detail: fmt.Sprintf(format, args...)}
}

func checkLogFile(dbPath, name string, keyIDs map[uint64]bool) error {
	f, err := os.Open(filepath.Join(dbPath, name))
	if err != nil {
		return err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	size := info.Size()
	if size < logHeaderSize {
		return nil // Badger starts such a file anew; it holds nothing
	}
	if last, err := lastNonZero(f, logHeaderSize, size); err != nil {
		return err
	} else if last == 0 {
		return nil // no entry: a file made just before a crash holds nothing to lose
	}
	// Badger replays the memtable logs before it reads the value log's header, so a damaged
	// key ID there would be found only after the logs were cut.
	var hdr [8]byte
	if _, err := f.ReadAt(hdr[:], 0); err != nil {
		return err
	}
	if !keyIDs[binary.BigEndian.Uint64(hdr[:])] {
		return damaged(name, "its header names no known data key")
	}
	off, ok, err := logDamageAt(f, size)
	if err != nil {
		return err
	}
	if !ok {
		return damaged(name, "entry at byte %d fails its checksum and data follows it", off)
	}
	return nil
}

// logDamage is logDamageAt for a log in memory.
func logDamage(data []byte) (off int, ok bool) {
	o, ok, _ := logDamageAt(bytes.NewReader(data), int64(len(data)))
	return int(o), ok
}

// maxEntry is the largest entry read whole; a larger one is not of this program's making.
const maxEntry = 16 << 20

// logDamageAt walks a Badger log (value log or memtable log) of size bytes entry by entry,
// streaming: a log is mapped at twice its size, and holding it would add that to every
// unlock's memory. ok is false when an entry fails its checksum and what follows is not a
// torn tail; off is that entry.
func logDamageAt(r io.ReaderAt, size int64) (off int64, ok bool, err error) {
	off = logHeaderSize
	br := bufio.NewReaderSize(io.NewSectionReader(r, off, size-off), 2<<20)
	var big []byte
	for off < size {
		head, _ := br.Peek(24)
		klen, vlen, hlen, hok := logEntryHeader(head)
		n := int64(hlen + klen + vlen + 4)
		if !hok || klen == 0 || n > maxEntry || off+n > size {
			break
		}
		var entry []byte
		if n <= int64(br.Size()) {
			entry, _ = br.Peek(int(n))
		} else {
			big = append(big[:0], make([]byte, n)...)
			_, err := io.ReadFull(br, big)
			if err != nil {
				return off, false, err
			}
			entry = big
		}
		if _, valid := logEntry(entry); !valid {
			break
		}
		if n <= int64(br.Size()) {
			br.Discard(int(n))
		}
		off += n
	}
	if off >= size {
		return off, true, nil
	}
	last, err := lastNonZero(r, off, size)
	if err != nil || last == 0 {
		return off, err == nil, err
	}
	if last > maxTornSpan {
		return off, false, nil
	}
	rest := make([]byte, last)
	if _, err := r.ReadAt(rest, off); err != nil && !errors.Is(err, io.EOF) {
		return off, false, err
	}
	return off, tornTail(rest), nil
}

// lastNonZero returns how many bytes from off reach the last byte before size that is not
// zero (0 when all are zero), reading a megabyte at a time.
func lastNonZero(r io.ReaderAt, off, size int64) (int64, error) {
	buf := make([]byte, 1<<20)
	var last int64
	for pos := off; pos < size; {
		n := min(int64(len(buf)), size-pos)
		if _, err := r.ReadAt(buf[:n], pos); err != nil && !errors.Is(err, io.EOF) {
			return 0, err
		}
		if t := len(bytes.TrimRight(buf[:n], "\x00")); t > 0 {
			last = pos + int64(t) - off
		}
		pos += n
	}
	return last, nil
}

// maxTornSpan bounds what one interrupted append can leave: Badger copies one entry at a
// time into the mapped file, and no entry of ours is near this size.
const maxTornSpan = 2 << 20

// tornTail says whether the bytes from off, where an entry fails its checksum, are what a
// process killed while copying one entry into the mapped file leaves. Badger copies one entry
// at a time, so nothing whole follows a torn one, and some of its bytes were never written:
// either a gap inside it (a large copy fills the middle before its first and last bytes) or
// its end (a copy cut short, the declared length running into zeros). A complete entry that
// fails its checksum has neither: the data is encrypted, and 32 zero bytes in a row do not
// occur in it by chance; and a length field damaged to claim more than was written is told
// apart by trying the header's single-bit changes for a whole entry.
func tornTail(rest []byte) bool {
	last := len(bytes.TrimRight(rest, "\x00")) // bytes up to the last one not zero
	if last == 0 {
		return true
	}
	if last > maxTornSpan {
		return false
	}
	for y := 1; y < last; y++ {
		if n, valid := logEntry(rest[y:last]); valid && n > 0 {
			return false // a whole entry behind the bad one: damage, not an interrupted append
		}
	}
	// A gap of 32 zero bytes, or an entry whose first bytes (flags, key length) were never
	// written: no entry has a key of length 0, and one flipped bit cannot clear three bytes.
	if bytes.Contains(rest[:last], make([]byte, 32)) || bytes.HasPrefix(rest, []byte{0, 0, 0}) {
		return true
	}
	klen, vlen, hlen, ok := logEntryHeader(rest)
	n := hlen + klen + vlen + 4
	if !ok || n <= last || headerFlipped(rest[:last]) {
		return false
	}
	// The declared length runs into zeros. A whole entry ends in zero bytes when its checksum
	// does (one in 256): one flipped bit in it then looks like a copy cut short, and trimming
	// it would drop a committed entry. Restored to its length, such an entry holds once that
	// one bit changes; a copy cut short is missing more than one bit.
	if n-last < 32 {
		return !oneBitFromWhole(append(bytes.Clone(rest[:last]), make([]byte, n-last)...))
	}
	return true
}

// oneBitFromWhole says whether entry e, which fails its checksum, holds once one of its bits
// changes. CRC-32C is linear: a changed bit of the data changes the checksum by the checksum
// (without its initial and final inversions) of that bit followed by the data's remaining
// zero bytes, so one pass from the end tries every bit without recomputing anything.
func oneBitFromWhole(e []byte) bool {
	end := len(e) - 4
	if end < 0 {
		return false
	}
	diff := crc32.Checksum(e[:end], castagnoli) ^ binary.BigEndian.Uint32(e[end:])
	if bits.OnesCount32(diff) == 1 {
		return true // a bit of the stored checksum
	}
	var syndrome [8]uint32 // for each bit of the byte at the current distance from the end
	for b := range syndrome {
		syndrome[b] = castagnoli[1<<b]
	}
	for range end {
		for b, s := range syndrome {
			if s == diff {
				return true
			}
			syndrome[b] = castagnoli[byte(s)] ^ s>>8 // one more zero byte after the bit
		}
	}
	return false
}

// headerFlipped says whether b becomes one whole entry when one bit of its header changes.
func headerFlipped(b []byte) bool {
	c := bytes.Clone(b)
	for i := 0; i < min(len(c), 24); i++ {
		for bit := range 8 {
			c[i] ^= 1 << bit
			n, valid := logEntry(c)
			c[i] ^= 1 << bit
			if valid && n == len(c) {
				return true
			}
		}
	}
	return false
}

// logEntry decodes one entry in Badger's log format (meta, user meta, uvarint key length,
// value length and expiry, key, value, CRC-32C of everything before it, big-endian) and says
// whether it is whole and its checksum holds.
func logEntry(b []byte) (n int, valid bool) {
	klen, vlen, hlen, ok := logEntryHeader(b)
	if !ok || klen == 0 {
		return 0, false
	}
	end := hlen + klen + vlen
	if end+4 > len(b) {
		return 0, false
	}
	return end + 4, crc32.Checksum(b[:end], castagnoli) == binary.BigEndian.Uint32(b[end:])
}

func logEntryHeader(b []byte) (klen, vlen, hlen int, ok bool) {
	if len(b) < 2 {
		return 0, 0, 0, false
	}
	i := 2
	var vals [3]uint64
	for j := range vals {
		v, n := binary.Uvarint(b[i:])
		if n <= 0 {
			return 0, 0, 0, false
		}
		vals[j], i = v, i+n
	}
	if vals[0] > 1<<16 || vals[1] > 1<<31 {
		return 0, 0, 0, false
	}
	return int(vals[0]), int(vals[1]), i, true
}

// registryKeyIDs lists the data keys in Badger's KEYREGISTRY (16 bytes of IV, 12 of sanity
// text, then records of a 4-byte length, a CRC-32C and a DataKey message whose key ID is in
// the clear). A record that fails its checksum is damage; Badger would refuse it too.
func registryKeyIDs(dbPath string) (map[uint64]bool, error) {
	data, err := os.ReadFile(filepath.Join(dbPath, "KEYREGISTRY"))
	if err != nil {
		if os.IsNotExist(err) {
			return nil, damaged("KEYREGISTRY", "missing")
		}
		return nil, err
	}
	ids := map[uint64]bool{}
	off := 16 + len("Hello Badger")
	for off < len(data) {
		if len(data)-off < 8 {
			return nil, damaged("KEYREGISTRY", "record at byte %d is cut short", off)
		}
		length := int(binary.BigEndian.Uint32(data[off:]))
		if length > len(data)-off-8 {
			return nil, damaged("KEYREGISTRY", "record at byte %d runs past the end", off)
		}
		body := data[off+8 : off+8+length]
		var dk pb.DataKey
		if crc32.Checksum(body, castagnoli) != binary.BigEndian.Uint32(data[off+4:]) || proto.Unmarshal(body, &dk) != nil {
			return nil, damaged("KEYREGISTRY", "record at byte %d fails its checksum", off)
		}
		ids[dk.KeyId] = true
		off += 8 + length
	}
	return ids, nil
}

// checkManifest reads Badger's MANIFEST as its replay does (8 bytes of magic, then records of
// a 4-byte length, a CRC-32C and the change set). Badger cuts the file at a record that runs
// past its end; that is a torn append only if the bytes present do not already form a whole
// record (a damaged length field of a complete record would drop it and everything after).
func checkManifest(dbPath string) error {
	data, err := os.ReadFile(filepath.Join(dbPath, "MANIFEST"))
	if err != nil {
		return err
	}
	if len(data) < 8 {
		return damaged("MANIFEST", "shorter than its header")
	}
	off := 8
	for off < len(data) {
		rest := data[off:]
		if len(rest) < 8 {
			return nil // a torn record header
		}
		length := int(binary.BigEndian.Uint32(rest[:4]))
		sum := binary.BigEndian.Uint32(rest[4:8])
		body := rest[8:]
		if length > len(body) {
			if crc32.Checksum(body, castagnoli) == sum {
				return damaged("MANIFEST", "record at byte %d has a damaged length", off)
			}
			if wholeRecordsFollow(body) {
				return damaged("MANIFEST", "record at byte %d runs past the end", off)
			}
			return nil // a torn append
		}
		// A checksum that fails in the middle is refused by Badger itself without cutting.
		off += 8 + length
	}
	return nil
}

// wholeRecordsFollow says whether some suffix of b parses as a checked MANIFEST record: a
// length field damaged to a larger value would otherwise hide complete records behind it.
func wholeRecordsFollow(b []byte) bool {
	for i := 0; i+8 <= len(b); i++ {
		length := int(binary.BigEndian.Uint32(b[i : i+4]))
		if length <= len(b)-i-8 && length > 0 &&
			crc32.Checksum(b[i+8:i+8+length], castagnoli) == binary.BigEndian.Uint32(b[i+4:i+8]) {
			return true
		}
	}
	return false
}

// keepLogs copies the files a trimming open may shorten (the memtable logs, the newest
// value log, the MANIFEST) into dir, as they are, and returns dir.
func keepLogs(dbPath, dir string) (string, error) {
	entries, err := os.ReadDir(dbPath)
	if err != nil {
		return "", err
	}
	var names []string
	newest := ""
	for _, e := range entries {
		switch name := e.Name(); {
		case strings.HasSuffix(name, ".mem"), name == "MANIFEST":
			names = append(names, name)
		case strings.HasSuffix(name, ".vlog") && name > newest:
			newest = name
		}
	}
	if newest != "" {
		names = append(names, newest)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	for _, name := range names {
		b, err := os.ReadFile(filepath.Join(dbPath, name))
		if err != nil {
			return "", err
		}
		if err := atomicfile.Write(filepath.Join(dir, name), b, 0o600); err != nil {
			return "", err
		}
	}
	return dir, nil
}
