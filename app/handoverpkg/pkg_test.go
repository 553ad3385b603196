package handoverpkg_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"handover/app/bag"
	"handover/app/demo"
	. "handover/app/handoverpkg"
	"handover/app/progress"
	"handover/crypto/identity"
	"handover/store"
)

var ctx = context.Background()

func book(t *testing.T, n int) *store.Store { return bookOf(t, n, 5) }

// bookOf writes n demo customers with documents (at most docLimit each; 0: the generator's
// default) into a new store.
func bookOf(t testing.TB, n, docLimit int) *store.Store {
	t.Helper()
	d, err := store.CreateDir(filepath.Join(t.TempDir(), "v"), store.Manifest{})
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(d, bytes.Repeat([]byte{5}, 32), true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close(); d.Close() })
	g := &demo.Generator{Seed: 4, Documents: true, DocumentLimit: docLimit}
	w := st.NewWriter()
	for i := range n {
		if _, err := w.Add(g.Book(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return st
}

func people(t testing.TB) (sender, recipient, stranger *identity.Identity) {
	now := time.Now()
	sender, _ = identity.New("出让方", "甲公司", "负责人", now)
	recipient, _ = identity.New("受让方", "乙公司", "负责人", now)
	stranger, _ = identity.New("路人", "丙公司", "无", now)
	return
}

func export(t *testing.T, st *store.Store, sender *identity.Identity, to identity.Card, split int64) (string, *Manifest) {
	t.Helper()
	dir, m, err := Export(ctx, st, Options{Out: t.TempDir(), Sender: sender, Recipients: []identity.Card{to}, Deal: "v-test",
		Sequence: 1, SplitSize: split, Now: time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)}, progress.Discard)
	if err != nil {
		t.Fatal(err)
	}
	return dir, m
}

func TestExportVerifyAndTamper(t *testing.T) {
	st := book(t, 40)
	sender, recipient, stranger := people(t)
	dir, m := export(t, st, sender, recipient.Card, 32<<10)
	if len(m.Parts) < 3 || m.Figures.Customers != 40 {
		t.Fatalf("parts %d, figures %+v", len(m.Parts), m.Figures)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "*.partial")); len(left) != 0 {
		t.Fatalf("partial files left: %v", left)
	}
	var size int64
	for _, p := range m.Parts {
		size += p.Size
	}
	if est := EstimateSize(&m.Figures); size > est {
		t.Fatalf("package of %d bytes, estimated %d", size, est)
	}
	rep, err := Verify(dir, recipient, []identity.Card{sender.Card}, bag.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Files < 6 {
		t.Fatalf("only %d files in the bag", rep.Files)
	}
	trusted := []identity.Card{sender.Card}
	cases := tamperCases(sender, recipient, stranger)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := copyPackage(t, dir)
			c.tamper(d)
			_, err := Verify(d, c.who, c.trust, bag.DefaultLimits)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err %v, want %q", err, c.want)
			}
		})
	}
	var pe *PartError
	d := copyPackage(t, dir)
	os.Remove(filepath.Join(d, "payload.age.000"))
	if _, err := Verify(d, recipient, trusted, bag.DefaultLimits); !errors.As(err, &pe) || pe.Part != "payload.age.000" {
		t.Fatalf("missing first part: %v", err)
	}
}

// With standard tools only: age decrypts the parts, tar unpacks, sha256sum checks the
// manifest, and ssh-keygen checks the signature.
func TestStandardTools(t *testing.T) {
	for _, tool := range []string{"age", "tar", "sha256sum", "sh"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skip(tool + " not installed")
		}
	}
	st := book(t, 10)
	sender, recipient, _ := people(t)
	dir, m := export(t, st, sender, recipient.Card, 16<<10)
	key := filepath.Join(t.TempDir(), "key.txt")
	os.WriteFile(key, []byte(recipient.AgeSecret()+"\n"), 0o600)
	out := t.TempDir()
	cmd := exec.Command("sh", "-c", `cat "$1"/payload.age.* | age -d -i "$2" | tar -x -C "$3"`, "sh", dir, key, out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("age | tar: %v\n%s", err, b)
	}
	sum := exec.Command("sha256sum", "-c", "manifest-sha256.txt")
	sum.Dir = filepath.Join(out, m.ID)
	if b, err := sum.CombinedOutput(); err != nil {
		t.Fatalf("sha256sum -c: %v\n%s", err, b)
	}
	if _, err := exec.LookPath("ssh-keygen"); err == nil {
		allowed := filepath.Join(t.TempDir(), "allowed")
		os.WriteFile(allowed, []byte(sender.Card.AllowedSigners()), 0o600)
		js, _ := os.ReadFile(filepath.Join(dir, "package.json"))
		v := exec.Command("ssh-keygen", "-Y", "verify", "-f", allowed, "-I", sender.Card.Principal(), "-n", Namespace,
			"-s", filepath.Join(dir, "package.json.sig"))
		v.Stdin = bytes.NewReader(js)
		if b, err := v.CombinedOutput(); err != nil {
			t.Fatalf("ssh-keygen: %v\n%s", err, b)
		}
	}
}

func TestExportRefusedWithoutSpace(t *testing.T) {
	st := book(t, 5)
	sender, recipient, _ := people(t)
	defer SetFreeSpace(1 << 10)()
	out := t.TempDir()
	_, _, err := Export(ctx, st, Options{Out: out, Sender: sender, Recipients: []identity.Card{recipient.Card}, Deal: "d", Sequence: 1}, progress.Discard)
	var se *SpaceError
	if !errors.As(err, &se) || se.Free != 1<<10 || se.Need <= se.Free {
		t.Fatalf("err %v", err)
	}
	if es, _ := os.ReadDir(out); len(es) != 0 {
		t.Fatalf("left behind: %v", es)
	}
}

// A destination that does not exist is refused by name, not with the system's "mkdir"
// message, and nothing is created.
func TestExportToMissingFolder(t *testing.T) {
	st := book(t, 3)
	sender, recipient, _ := people(t)
	out := filepath.Join(t.TempDir(), "not-inserted")
	_, _, err := Export(ctx, st, Options{Out: out, Sender: sender, Recipients: []identity.Card{recipient.Card}, Deal: "d", Sequence: 1}, progress.Discard)
	var de *DestinationError
	if !errors.As(err, &de) || de.Dir != out || de.Writable || strings.Contains(err.Error(), "mkdir") {
		t.Fatalf("err %v", err)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Fatal("the folder was created")
	}
}

// BenchmarkExport exports a book of 5,000 customers with documents; make bench measures a
// 100,000-customer package against the standard tools. Its stages apart, so that a
// regression names its stage: the walk that builds the tables is
// store.BenchmarkEachCustomer200k, reading the documents store.BenchmarkDocumentReader, the
// parts' writing and read-back BenchmarkPartsWriteAndReadBack.
func BenchmarkExport(b *testing.B) {
	st := bookOf(b, 5000, 0)
	sender, recipient, _ := people(b)
	for b.Loop() {
		if _, _, err := Export(ctx, st, Options{Out: b.TempDir(), Sender: sender, Recipients: []identity.Card{recipient.Card},
			Deal: "bench", Sequence: 1}, progress.Discard); err != nil {
			b.Fatal(err)
		}
	}
}

// tamperCase damages a copy of a package, or receives it as the wrong person or trusting
// the wrong card; want is in the error.
type tamperCase struct {
	name   string
	tamper func(d string)
	who    *identity.Identity
	trust  []identity.Card
	want   string
}

// tamperCases are the tamper tests, for a package of 40 customers in several parts;
// verify and receive must both refuse each.
func tamperCases(sender, recipient, stranger *identity.Identity) []tamperCase {
	part := func(d string, i int) string { return filepath.Join(d, fmt.Sprintf("payload.age.%03d", i)) }
	trusted := []identity.Card{sender.Card}
	return []tamperCase{
		{"flipped byte", func(d string) {
			b, _ := os.ReadFile(part(d, 1))
			b[100] ^= 1
			os.WriteFile(part(d, 1), b, 0o644)
		}, recipient, trusted, "payload.age.001"},
		{"truncated part", func(d string) {
			b, _ := os.ReadFile(part(d, 2))
			os.WriteFile(part(d, 2), b[:len(b)/2], 0o644)
		}, recipient, trusted, "payload.age.002: cut short"},
		{"missing part", func(d string) { os.Remove(part(d, 1)) }, recipient, trusted, "payload.age.001: missing"},
		{"swapped parts", func(d string) {
			a, _ := os.ReadFile(part(d, 0))
			b, _ := os.ReadFile(part(d, 1))
			os.WriteFile(part(d, 0), b, 0o644)
			os.WriteFile(part(d, 1), a, 0o644)
		}, recipient, trusted, "payload.age.000"},
		{"edited package.json", func(d string) {
			b, _ := os.ReadFile(filepath.Join(d, "package.json"))
			os.WriteFile(filepath.Join(d, "package.json"), bytes.Replace(b, []byte(`"customers": 40`), []byte(`"customers": 41`), 1), 0o644)
		}, recipient, trusted, "changed after signing"},
		{"untrusted sender", func(string) {}, recipient, []identity.Card{stranger.Card}, "not among the trusted"},
		{"another recipient", func(string) {}, stranger, trusted, "not addressed"},
	}
}

// The bar moves through the writing and the read-back, and ends full.
func TestExportProgressEndsFull(t *testing.T) {
	st := book(t, 8)
	sender, recipient, _ := people(t)
	c := progress.NewCounter()
	_, m, err := Export(ctx, st, Options{Out: t.TempDir(), Sender: sender, Recipients: []identity.Card{recipient.Card}, Deal: "d", Sequence: 1}, c)
	if err != nil {
		t.Fatal(err)
	}
	var size int64
	for _, p := range m.Parts {
		size += p.Size
	}
	if s := c.Snapshot(); s.Done != 2*size || s.Total != 2*size {
		t.Fatalf("progress %d of %d, package %d bytes", s.Done, s.Total, size)
	}
}

// cancelAfter cancels its context once n bytes have been reported.
type cancelAfter struct {
	n      int64
	done   int64
	cancel context.CancelFunc
}

func (c *cancelAfter) SetTotal(int64) {}
func (c *cancelAfter) Add(n int64) {
	if c.done += n; c.done >= c.n {
		c.cancel()
	}
}

// Cancel, at any point of the export, leaves nothing under a final name and no spool.
func TestExportCancelLeavesNothing(t *testing.T) {
	st := bookOf(t, 200, 0)
	sender, recipient, _ := people(t)
	for _, after := range []int64{1, 200 << 10, 2 << 20} {
		c, cancel := context.WithCancel(ctx)
		out := t.TempDir()
		_, _, err := Export(c, st, Options{Out: out, Sender: sender, Recipients: []identity.Card{recipient.Card}, Deal: "d", Sequence: 1},
			&cancelAfter{n: after, cancel: cancel})
		cancel()
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled after %d bytes: %v", after, err)
		}
		if es, _ := os.ReadDir(out); len(es) != 0 {
			t.Fatalf("cancelled after %d bytes, left %v", after, es)
		}
		if _, err := os.Stat(st.SpoolDir()); !os.IsNotExist(err) {
			t.Fatalf("spool left: %v", err)
		}
	}
}
