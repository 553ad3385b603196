package bag

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

var when = time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC)

func sample(t testing.TB) []byte {
	var buf bytes.Buffer
	w, err := NewWriter(&buf, "HANDOVER-test-1", when)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{"customers.jsonl": `{"name":"张三"}` + "\n", "documents/1/身份证正面.jpg": "jpeg bytes", "empty.txt": ""}
	for _, p := range []string{"customers.jsonl", "documents/1/身份证正面.jpg", "empty.txt"} {
		if err := w.Add(p, int64(len(files[p])), strings.NewReader(files[p])); err != nil {
			t.Fatal(err)
		}
	}
	w.Info("Source-Organization", "甲小额贷款有限公司")
	w.Info("External-Identifier", "HANDOVER-test-1")
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestRoundTrip(t *testing.T) {
	b := sample(t)
	if again := sample(t); !bytes.Equal(b, again) {
		t.Fatal("the same content gave a different stream")
	}
	seen := map[string]string{}
	info, err := Read(bytes.NewReader(b), DefaultLimits, func(p string, size int64, r io.Reader) error {
		c, err := io.ReadAll(r)
		seen[p] = string(c)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != 3 || seen["documents/1/身份证正面.jpg"] != "jpeg bytes" || info["Source-Organization"] != "甲小额贷款有限公司" ||
		info["Payload-Oxum"] != "28.3" {
		t.Fatalf("seen %v, info %v", seen, info)
	}
}

// Standard tools read the bag: tar extracts it and sha256sum checks both manifests.
func TestStandardTools(t *testing.T) {
	for _, tool := range []string{"tar", "sha256sum"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skip(tool + " not installed")
		}
	}
	dir := t.TempDir()
	tarPath := filepath.Join(dir, "bag.tar")
	os.WriteFile(tarPath, sample(t), 0o600)
	if out, err := exec.Command("tar", "-x", "-f", tarPath, "-C", dir).CombinedOutput(); err != nil {
		t.Fatalf("tar: %v %s", err, out)
	}
	for _, m := range []string{"manifest-sha256.txt", "tagmanifest-sha256.txt"} {
		cmd := exec.Command("sha256sum", "-c", m)
		cmd.Dir = filepath.Join(dir, "HANDOVER-test-1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("sha256sum -c %s: %v\n%s", m, err, out)
		}
	}
}

// Damage and lies are refused.
func TestInvalidBags(t *testing.T) {
	good := sample(t)
	readAll := func(b []byte, lim Limits) error {
		_, err := Read(bytes.NewReader(b), lim, func(string, int64, io.Reader) error { return nil })
		return err
	}
	flip := append([]byte(nil), good...)
	i := bytes.Index(flip, []byte("jpeg bytes"))
	flip[i] ^= 1
	if err := readAll(flip, DefaultLimits); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "checksum") {
		t.Fatalf("changed payload: %v", err)
	}
	if err := readAll(good[:len(good)/2], DefaultLimits); err == nil {
		t.Fatal("a truncated bag was accepted")
	}
	lim := DefaultLimits
	lim.Entries = 3
	if err := readAll(good, lim); err == nil || !strings.Contains(err.Error(), "entries") {
		t.Fatalf("entry cap: %v", err)
	}
}

// Crafted tars: every hostile entry is refused before it reaches the handler.
func TestHostileEntries(t *testing.T) {
	cases := []struct {
		name string
		hdr  tar.Header
		body string
		lim  func(*Limits)
		want string
	}{
		{"traversal", tar.Header{Name: "bag/data/../../etc/passwd", Typeflag: tar.TypeReg}, "x", nil, ".."},
		{"absolute", tar.Header{Name: "/etc/passwd", Typeflag: tar.TypeReg}, "x", nil, "absolute"},
		{"windows drive", tar.Header{Name: `C:\x`, Typeflag: tar.TypeReg}, "x", nil, "backslash"},
		{"unc", tar.Header{Name: `\\?\C:\x`, Typeflag: tar.TypeReg}, "x", nil, "backslash"},
		{"device", tar.Header{Name: "bag/data/COM1", Typeflag: tar.TypeReg}, "x", nil, "device"},
		{"device with extension", tar.Header{Name: "bag/data/nul.txt", Typeflag: tar.TypeReg}, "x", nil, "device"},
		{"symlink", tar.Header{Name: "bag/data/link", Typeflag: tar.TypeSymlink, Linkname: "/etc/passwd"}, "", nil, "regular"},
		{"hardlink", tar.Header{Name: "bag/data/hard", Typeflag: tar.TypeLink, Linkname: "bag/bagit.txt"}, "", nil, "regular"},
		{"huge declared size", tar.Header{Name: "bag/data/big", Typeflag: tar.TypeReg, Size: 1 << 50}, "", nil, "declared size"},
		{"huge field", tar.Header{Name: "bag/bag-info.txt", Typeflag: tar.TypeReg}, strings.Repeat("A", 100<<20),
			func(l *Limits) { l.TagSize = 64 << 10 }, "tag file"},
		{"outside the bag", tar.Header{Name: "other/data/x", Typeflag: tar.TypeReg}, "x", nil, "outside"},
		// Tag files are held in memory: only the three a handover bag has, once each, each
		// within the default limit.
		{"an unknown tag file", tar.Header{Name: "bag/extra-tags.txt", Typeflag: tar.TypeReg}, "x", nil, "not part of a handover package"},
		{"a 400 MiB tag file declared", tar.Header{Name: "bag/bag-info.txt", Typeflag: tar.TypeReg, Size: 400 << 20}, "", nil, "tag file"},
		{"a tag file twice", tar.Header{Name: "bag/bagit.txt", Typeflag: tar.TypeReg}, "x", nil, "duplicate"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			tw := tar.NewWriter(&buf)
			tw.WriteHeader(&tar.Header{Name: "bag/bagit.txt", Typeflag: tar.TypeReg, Size: 1, Mode: 0o644})
			tw.Write([]byte("x"))
			h := c.hdr
			if h.Size == 0 {
				h.Size = int64(len(c.body))
			}
			h.Mode = 0o644
			if err := tw.WriteHeader(&h); err != nil && c.name != "huge declared size" {
				t.Fatal(err)
			}
			if h.Size == int64(len(c.body)) {
				tw.Write([]byte(c.body))
			}
			tw.Flush()
			lim := DefaultLimits
			if c.lim != nil {
				c.lim(&lim)
			}
			called := false
			_, err := Read(bytes.NewReader(buf.Bytes()), lim, func(string, int64, io.Reader) error { called = true; return nil })
			if err == nil || !strings.Contains(err.Error(), c.want) || called {
				t.Fatalf("err %v (want %q), handler called %v", err, c.want, called)
			}
		})
	}
}

// A million tiny entries stop at the entry cap, with bounded memory.
func TestManyEntries(t *testing.T) {
	pr, pw := io.Pipe()
	go func() {
		tw := tar.NewWriter(pw)
		for i := range 1_000_000 {
			if tw.WriteHeader(&tar.Header{Name: "bag/data/f/" + strconv.Itoa(i), Typeflag: tar.TypeReg, Mode: 0o644}) != nil {
				break
			}
		}
		tw.Close()
		pw.Close()
	}()
	lim := DefaultLimits
	lim.Entries = 10_000
	_, err := Read(pr, lim, func(string, int64, io.Reader) error { return nil })
	pr.Close()
	if err == nil || !strings.Contains(err.Error(), "entries") {
		t.Fatalf("%v", err)
	}
}

func FuzzRead(f *testing.F) {
	f.Add(sample(f))
	f.Fuzz(func(t *testing.T, b []byte) {
		lim := Limits{Entries: 100, FileSize: 1 << 20, TotalSize: 4 << 20, TagSize: 1 << 20, NameLen: 256}
		Read(bytes.NewReader(b), lim, func(p string, size int64, r io.Reader) error {
			if checkName(p) != nil {
				t.Fatalf("handler got the unsafe name %q", p)
			}
			_, err := io.Copy(io.Discard, r)
			return err
		})
	})
}

// A manifest line whose checksum is not 64 hex digits is refused (one too long once
// panicked hex.Decode).
func TestMalformedManifestLines(t *testing.T) {
	for name, sum := range map[string]string{
		"too long":  strings.Repeat("ab", 33),
		"too short": strings.Repeat("ab", 31),
		"not hex":   strings.Repeat("zz", 32),
		"empty":     "",
	} {
		t.Run(name, func(t *testing.T) {
			b := editEntry(t, sample(t), "HANDOVER-test-1/manifest-sha256.txt", func(m []byte) []byte {
				return append(m, []byte(sum+"  data/extra.txt\n")...)
			})
			_, err := Read(bytes.NewReader(b), DefaultLimits, func(string, int64, io.Reader) error { return nil })
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "malformed") {
				t.Fatalf("%v", err)
			}
		})
	}
}

// editEntry rewrites one entry of a tar stream.
func editEntry(t *testing.T, b []byte, name string, edit func([]byte) []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	tr, tw := tar.NewReader(bytes.NewReader(b)), tar.NewWriter(&out)
	edited := false
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(tr)
		if h.Name == name {
			body = edit(body)
			h.Size = int64(len(body))
		}
		tw.WriteHeader(h)
		tw.Write(body)
		edited = edited || h.Name == name
	}
	tw.Close()
	if !edited {
		t.Fatalf("no entry %s", name)
	}
	return out.Bytes()
}
