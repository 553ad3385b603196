package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"math/rand/v2"
	"os"
	"path/filepath"
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
		return append([]byte{'k'}, h[:16]...)
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
