package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// logOf builds a log in Badger's entry format: the 20-byte header, entries of random
// (as encrypted) keys and values of the sizes given, and zeros up to size (preallocated),
// or nothing after the last entry when size is 0. It returns where each entry starts.
func logOf(sizes []int, size int) (data []byte, starts []int) {
	r := rand.New(rand.NewPCG(4, 4))
	data = make([]byte, logHeaderSize)
	for _, n := range sizes {
		starts = append(starts, len(data))
		k := make([]byte, 16)
		v := make([]byte, n)
		for i := range k {
			k[i] = byte(r.Uint32())
		}
		for i := range v {
			v[i] = byte(r.Uint32())
		}
		e := []byte{0x40, 0}
		e = binary.AppendUvarint(e, uint64(len(k)))
		e = binary.AppendUvarint(e, uint64(len(v)))
		e = binary.AppendUvarint(e, 0)
		e = append(append(e, k...), v...)
		e = binary.BigEndian.AppendUint32(e, crc32.Checksum(e, castagnoli))
		data = append(data, e...)
	}
	if size > len(data) {
		data = append(data, make([]byte, size-len(data))...)
	}
	return data, starts
}

func TestLogDamageTellsTornFromDamaged(t *testing.T) {
	big := 64 << 10
	cases := []struct {
		name  string
		make  func() []byte
		whole bool // ok: Badger may trim what it finds
	}{
		{"clean, preallocated", func() []byte { d, _ := logOf([]int{100, big, 50}, 1<<20); return d }, true},
		{"clean, closed", func() []byte { d, _ := logOf([]int{100, big, 50}, 0); return d }, true},
		{"last entry cut short", func() []byte {
			d, s := logOf([]int{100, big, big}, 1<<20)
			clear(d[s[2]+big/2:]) // the copy stopped half way
			return d
		}, true},
		{"last entry's first and last bytes never written", func() []byte {
			d, s := logOf([]int{100, big, big}, 1<<20)
			clear(d[s[2] : s[2]+128])
			clear(d[s[2]+big-100 : s[2]+big+30])
			return d
		}, true},
		{"a small last entry whose first bytes were never written", func() []byte {
			d, s := logOf([]int{100, big, 60}, 1<<20)
			clear(d[s[2] : s[2]+16])
			return d
		}, true},
		{"a bit flipped in the middle", func() []byte {
			d, s := logOf([]int{100, big, big}, 1<<20)
			d[s[1]+500] ^= 4
			return d
		}, false},
		{"a bit flipped in the last entry, preallocated", func() []byte {
			d, s := logOf([]int{100, big, big}, 1<<20)
			d[s[2]+500] ^= 4
			return d
		}, false},
		{"a bit flipped in the last entry, closed", func() []byte {
			d, s := logOf([]int{100, big, big}, 0)
			d[s[2]+500] ^= 4
			return d
		}, false},
		{"the last entry's length made larger", func() []byte {
			d, s := logOf([]int{100, big, 300}, 1<<20)
			d[s[2]+4] ^= 0x40 // the value length's second byte
			return d
		}, false},
		{"the first entry's header zeroed", func() []byte {
			d, s := logOf([]int{100, big, 300}, 1<<20)
			clear(d[s[0] : s[0]+6])
			return d
		}, false},
		{"a bit set in the preallocated zeros", func() []byte {
			d, _ := logOf([]int{100, big}, 1<<20)
			d[len(d)-1000] = 1
			return d
		}, true},
	}
	for _, c := range cases {
		if _, ok := logDamage(c.make()); ok != c.whole {
			t.Errorf("%s: ok %v, want %v", c.name, ok, c.whole)
		}
	}
}

// FuzzLogDamage: any bytes are judged without a panic, and a log of whole entries always
// passes.
func FuzzLogDamage(f *testing.F) {
	d, _ := logOf([]int{10, 300}, 4096)
	f.Add(d)
	f.Add(d[:100])
	f.Fuzz(func(t *testing.T, b []byte) {
		logDamage(b)
		good, _ := logOf([]int{len(b) % 500, 7}, 0)
		if _, ok := logDamage(good); !ok {
			t.Fatal("a log of whole entries was judged damaged")
		}
	})
}

// FuzzTakeAuthFailures: any file of failed unlocks is read without a panic, and every
// failure it takes in came from a line of the file.
func FuzzTakeAuthFailures(f *testing.F) {
	f.Add([]byte(`{"seq":0,"prev":"anchor","base":true,"salt":"00"}` + "\n" + `{"seq":1,"prev":"x","time":"2026-12-01T00:00:00Z","operator":"op-1","reason":"wrong_passphrase"}` + "\n"))
	f.Add([]byte("junk\n\n{}\n"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		if err := os.WriteFile(filepath.Join(dir, failuresName), b, 0o600); err != nil {
			t.Fatal(err)
		}
		d := &Dir{path: dir}
		in, err := d.TakeAuthFailures(AuthLogState{Seq: 0, Last: "anchor"}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if len(in.Failures) > bytes.Count(b, []byte("\n"))+1 {
			t.Fatalf("%d failures from %d lines", len(in.Failures), bytes.Count(b, []byte("\n"))+1)
		}
	})
}

// A log created just before a crash, its header not yet written, holds nothing: it opens.
func TestLogCreatedBeforeCrash(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "00001.mem"), make([]byte, 1<<20), 0o600)
	if err := checkLogFile(dir, "00001.mem", map[uint64]bool{7: true}); err != nil {
		t.Fatal(err)
	}
}

// After a power cut a log can hold a hole followed by pages that were written: Open refuses
// it as damage, OpenTrimming keeps the files as they were and opens as the database would;
// the book then reads as it was committed.
func TestOpenTrimmingAfterAHole(t *testing.T) {
	s, master := newStore(t)
	fill(t, s, 10)
	want, err := snapshotOf(s)
	if err != nil {
		t.Fatal(err)
	}
	d := s.Dir()
	s.Close()
	dbPath := filepath.Join(d.Path(), dbDir)
	vlogs, _ := filepath.Glob(filepath.Join(dbPath, "*.vlog"))
	newest := vlogs[len(vlogs)-1]
	orig, _ := os.ReadFile(newest)
	// A hole where an entry was being written, then a whole entry that was never committed.
	tail, _ := logOf([]int{200}, 0)
	hole := append(append(bytes.Repeat([]byte{0x5a}, 40), make([]byte, 64)...), tail[logHeaderSize:]...)
	os.WriteFile(newest, append(bytes.Clone(orig), hole...), 0o600)
	var de *DamageError
	if _, err := Open(d, master, false); !errors.As(err, &de) {
		t.Fatalf("open of a log with a hole: %v", err)
	}
	s2, kept, err := OpenTrimming(d, master, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if got, err := snapshotOf(s2); err != nil || !got.equal(want) {
		t.Fatalf("after trimming: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(kept, filepath.Base(newest))); !bytes.Equal(b, append(bytes.Clone(orig), hole...)) {
		t.Fatal("the log as it was is not kept")
	}
}

// A vault made before the chain has failures in the old format and no state: they are taken
// in without a problem, and the chain starts after them.
func TestLegacyAuthFailures(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, failuresName), []byte(`{"time":"2026-11-30T08:00:00Z","operator":"op-1","workstation":"w","reason":"wrong_passphrase"}`+"\n"+
		`{"time":"2026-11-30T08:01:00Z","operator":"op-1","workstation":"w","reason":"wrong_passphrase"}`+"\n"), 0o600)
	d := &Dir{path: dir}
	in, err := d.TakeAuthFailures(AuthLogState{}, time.Now())
	if err != nil || len(in.Failures) != 2 || len(in.Problems) != 0 {
		t.Fatalf("%+v, %v", in, err)
	}
}

// entryEndingInZeros is a log entry of random key and value whose checksum ends in zeros
// zero bytes, as about one entry in 256 has at least one.
func entryEndingInZeros(r *rand.Rand, size, zeros int) []byte {
	e := []byte{0x40, 0}
	e = binary.AppendUvarint(e, 16)
	e = binary.AppendUvarint(e, uint64(size))
	e = binary.AppendUvarint(e, 0)
	for range 16 + size - 4 {
		e = append(e, byte(r.Uint32()))
	}
	// Only the value's last four bytes change between tries: the checksum of the rest is
	// computed once.
	head := crc32.Checksum(e, castagnoli)
	for {
		last := binary.BigEndian.AppendUint32(nil, r.Uint32())
		sum := binary.BigEndian.AppendUint32(nil, crc32.Update(head, castagnoli, last))
		if len(bytes.TrimRight(sum, "\x00")) <= len(sum)-zeros { // zeros <= 4
			return append(append(e, last...), sum...)
		}
	}
}

// TestLogDamageInAnEntryEndingInZeros: a flipped bit in a whole last entry whose checksum ends
// in zero bytes is damage, although the entry's declared length then runs into the zeros as
// a copy cut short does (the fault suite's crash image once met this: Badger trimmed a
// committed audit event). A copy of the same entry cut short is still a torn tail.
func TestLogDamageInAnEntryEndingInZeros(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	for _, zeros := range []int{1, 2} {
		for _, size := range []int{70, 300, 64 << 10} {
			e := entryEndingInZeros(r, size, zeros)
			head, _ := logOf([]int{100, 200}, 0)
			whole := func(prealloc int) []byte {
				d := append(bytes.Clone(head), e...)
				return append(d, make([]byte, prealloc)...)
			}
			start := len(head)
			lastNonZero := start + len(bytes.TrimRight(e, "\x00")) - 1
			for _, prealloc := range []int{0, 1 << 20} {
				if _, ok := logDamage(whole(prealloc)); !ok {
					t.Fatalf("zeros %d, size %d: a whole log judged damaged", zeros, size)
				}
				for _, pos := range []int{lastNonZero, lastNonZero - 1, start + 30, start + len(e)/2} {
					for _, bit := range []int{0, 5} {
						d := whole(prealloc)
						d[pos] ^= 1 << bit
						if _, ok := logDamage(d); ok {
							t.Errorf("zeros %d, size %d, prealloc %d: bit %d of byte %d flipped taken for a torn tail", zeros, size, prealloc, bit, pos-start)
						}
					}
				}
				for _, cut := range []int{len(e) / 2, len(e) - 4, len(e) - 6} {
					d := whole(prealloc)
					clear(d[start+cut : start+len(e)])
					if _, ok := logDamage(d); !ok {
						t.Errorf("zeros %d, size %d, prealloc %d: a copy cut at byte %d judged damaged", zeros, size, prealloc, cut)
					}
				}
			}
		}
	}
}

// TestOneBitFromWhole checks the linear shortcut against trying every bit.
func TestOneBitFromWhole(t *testing.T) {
	e, _ := logOf([]int{90}, 0)
	e = e[logHeaderSize:]
	for i := range len(e) * 8 {
		c := bytes.Clone(e)
		c[i/8] ^= 1 << (i % 8)
		if !oneBitFromWhole(c) {
			t.Fatalf("bit %d flipped: not found", i)
		}
	}
	c := bytes.Clone(e)
	c[3] ^= 1
	c[40] ^= 2
	if oneBitFromWhole(c) {
		t.Error("two flipped bits taken for one")
	}
}
