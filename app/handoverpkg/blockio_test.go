package handoverpkg

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"handover/app/progress"
)

// Parts written in whole blocks around the page cache, and read back the same way, hold
// exactly what was written, whatever the length and however the writes were cut.
func TestBlockIORoundTrip(t *testing.T) {
	bothWays(t, testBlockIORoundTrip)
}

// bothWays runs a test around the page cache (where this file system allows it) and
// through it, as on a file system that refuses O_DIRECT.
func bothWays(t *testing.T, test func(t *testing.T)) {
	t.Run("direct", test)
	t.Run("page cache", func(t *testing.T) {
		useDirect = false
		defer func() { useDirect = true }()
		test(t)
	})
}

func testBlockIORoundTrip(t *testing.T) {
	dir := t.TempDir()
	var buf []byte
	for _, size := range []int{0, 1, directAlign - 1, directAlign, directBlock - 1, directBlock, directBlock + 5000, 3*directBlock + 123} {
		data := make([]byte, size)
		rand.Read(data)
		path := filepath.Join(dir, "part")
		w, err := newPartWriter(path, buf)
		if err != nil {
			t.Fatal(err)
		}
		for rest := data; len(rest) > 0; {
			n := min(len(rest), 1+len(rest)/3) // writes of uneven sizes
			if _, err := w.Write(rest[:n]); err != nil {
				t.Fatal(err)
			}
			rest = rest[n:]
		}
		if buf, err = w.finish(); err != nil {
			t.Fatal(err)
		}
		if w.onDisk != int64(size) {
			t.Errorf("%d bytes: the writer says %d are on disk", size, w.onDisk)
		}
		if err := w.f.Sync(); err != nil {
			t.Fatal(err)
		}
		w.f.Close()
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		if _, err := io.CopyBuffer(&got, struct{ io.Reader }{newBlockReader(f, nil)}, make([]byte, 7777)); err != nil {
			t.Fatal(err)
		}
		f.Close()
		if !bytes.Equal(got.Bytes(), data) {
			t.Errorf("%d bytes: read back %d bytes, not the same", size, got.Len())
		}
		os.Remove(path)
	}
}

// The read-back checks a part segment by segment and names it when the disk does not hold
// what was written: changed, cut short or longer.
func TestReadBackFindsWhatTheDiskChanged(t *testing.T) {
	bothWays(t, testReadBackFindsWhatTheDiskChanged)
}

func testReadBackFindsWhatTheDiskChanged(t *testing.T) {
	data := make([]byte, 2*directBlock+999)
	rand.Read(data)
	sum := sha256.Sum256(data)
	part := Part{Name: "payload.age.000", Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:])}
	for _, c := range []struct {
		name   string
		damage func(path string)
		want   string // "" for no error
	}{
		{"as written", func(string) {}, ""},
		{"a byte changed", func(p string) {
			f, _ := os.OpenFile(p, os.O_WRONLY, 0)
			f.WriteAt([]byte{data[directBlock+7] ^ 1}, directBlock+7)
			f.Close()
		}, "differs from what was written"},
		{"cut short", func(p string) { os.Truncate(p, int64(len(data)-10)) }, "cut short"},
		{"longer", func(p string) {
			f, _ := os.OpenFile(p, os.O_WRONLY|os.O_APPEND, 0)
			f.Write([]byte("x"))
			f.Close()
		}, "longer on the disk"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, part.Name+".partial")
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
			c.damage(path)
			rb := &readBacker{dir: dir, ctx: context.Background(), p: progress.Discard}
			var err error
			for _, upTo := range []int64{directBlock, 2 * directBlock, part.Size} {
				f, ferr := os.OpenFile(path, os.O_RDWR, 0)
				if ferr != nil {
					t.Fatal(ferr)
				}
				seg := writtenSegment{name: part.Name + ".partial", f: f, upTo: upTo}
				if upTo == part.Size {
					seg.last = &part
				} else {
					defer f.Close()
				}
				if err = rb.segment(seg); err != nil {
					break
				}
			}
			rb.close()
			var pe *PartError
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case c.want != "" && (!errors.As(err, &pe) || pe.Part != part.Name || !bytes.Contains([]byte(pe.Reason), []byte(c.want))):
				t.Fatalf("got %v, want a PartError naming %s: %q", err, part.Name, c.want)
			}
		})
	}
}
