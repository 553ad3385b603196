package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"testing"
)

// TestScratchAgreesWithAMap puts enough keys for several runs and merges, updating some,
// and checks every key against a plain map; absent keys stay absent. Runs are read mapped
// and, as where mapping fails, through their files.
func TestScratchAgreesWithAMap(t *testing.T) {
	for _, noMap := range []bool{false, true} {
		t.Run(map[bool]string{false: "mapped", true: "read"}[noMap], func(t *testing.T) {
			old := scratchNoMap
			scratchNoMap = noMap
			t.Cleanup(func() { scratchNoMap = old })
			testScratchAgreesWithAMap(t)
		})
	}
}

func testScratchAgreesWithAMap(t *testing.T) {
	st, _ := newStore(t)
	dir := st.dir.path
	m, err := st.OpenScratch(17)
	if err != nil {
		t.Fatal(err)
	}
	key := func(i int) []byte {
		var b [8]byte
		binary.BigEndian.PutUint64(b[:], uint64(i))
		h := sha256.Sum256(b[:])
		return append([]byte{"icnl"[i%4]}, h[:16]...) // kinds mixed, as an import's are
	}
	want := map[int]uint64{}
	rng := rand.New(rand.NewPCG(1, 2))
	const n = 3*scratchWindow + 1234
	for i := range n {
		want[i] = uint64(i)
		if err := m.Put(key(i), uint64(i)); err != nil {
			t.Fatal(err)
		}
		if i%7 == 0 { // an update of an older key, as a customer's loan count is
			j := rng.IntN(i + 1)
			want[j] += 1 << 40
			if err := m.Put(key(j), want[j]); err != nil {
				t.Fatal(err)
			}
		}
	}
	if len(m.runs) == 0 || len(m.runs) > 4 {
		t.Fatalf("%d runs", len(m.runs))
	}
	for _, r := range m.runs {
		if (r.data != nil) == scratchNoMap {
			t.Fatalf("run mapped: %v, want %v", r.data != nil, !scratchNoMap)
		}
	}
	for i := range n + 1000 {
		v, ok, err := m.Get(key(i))
		if err != nil || ok != (i < n) || v != want[i] {
			t.Fatalf("key %d: %d %v %v, want %d", i, v, ok, err, want[i])
		}
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, scratchDir)); !os.IsNotExist(err) {
		t.Fatal("scratch files left after Close")
	}
}

// TestCompareKeysIsBytesCompare: the word-at-a-time comparisons order keys as bytes.Compare,
// for keys that differ anywhere, share prefixes, or differ in length.
func TestCompareKeysIsBytesCompare(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		a := make([]byte, r.IntN(20))
		for i := range a {
			a[i] = byte(r.IntN(3)) * 127
		}
		b := bytes.Clone(a)
		switch r.IntN(3) {
		case 0:
			if len(b) > 0 {
				b[r.IntN(len(b))] ^= byte(1 << r.IntN(8))
			}
		case 1:
			b = b[:r.IntN(len(b)+1)]
		}
		want := bytes.Compare(a, b)
		if got := compareKeys(a, b); got != want {
			t.Fatalf("compareKeys(%x, %x) = %d, want %d", a, b, got, want)
		}
		if got := compareKeys(string(a), string(b)); got != want {
			t.Fatalf("compareKeys[string](%x, %x) = %d, want %d", a, b, got, want)
		}
	}
}

// TestSearchPageAgreesWithBinarySearch: the guessed-then-stepped search of a page finds what
// a binary search finds, for keys spread evenly, keys bunched at one end, kinds changing
// inside the page, keys shorter than a word, and keys absent, below and above the page.
func TestSearchPageAgreesWithBinarySearch(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, kl := range []int{17, 9, 8, 5} {
		for trial := range 300 {
			recs := 1 + rng.IntN(pageRecords)
			keys := make([][]byte, recs)
			for i := range keys {
				k := make([]byte, kl)
				for j := range k {
					k[j] = byte(rng.IntN(256))
				}
				switch trial % 3 {
				case 1: // bunched: most keys share a long prefix
					copy(k, []byte{0x10, 0x20, 0x30, 0x40, 0x50, 0x60}[:min(kl-1, 6)])
				case 2: // two kinds in one page
					k[0] = "ic"[rng.IntN(2)]
				}
				keys[i] = k
			}
			slices.SortFunc(keys, bytes.Compare)
			keys = slices.CompactFunc(keys, func(a, b []byte) bool { return bytes.Equal(a, b) })
			recs = len(keys)
			rl := kl + 8
			page := make([]byte, 0, recs*rl)
			for _, k := range keys {
				page = append(append(page, k...), make([]byte, 8)...)
			}
			probes := append([][]byte{make([]byte, kl), bytes.Repeat([]byte{0xFF}, kl)}, keys...)
			for range 20 {
				k := slices.Clone(keys[rng.IntN(recs)])
				k[kl-1] ^= byte(1 + rng.IntN(255)) // most likely absent, near a present key
				probes = append(probes, k)
			}
			for _, key := range probes {
				want := sort.Search(recs, func(i int) bool { return bytes.Compare(page[i*rl:i*rl+kl], key) >= 0 })
				if got := searchPage(page, recs, rl, key); got != want {
					t.Fatalf("key length %d, trial %d, %d records: found %d, want %d", kl, trial, recs, got, want)
				}
			}
		}
	}
}
