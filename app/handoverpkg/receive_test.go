package handoverpkg_test

import (
	"archive/tar"
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"handover/app/bag"
	. "handover/app/handoverpkg"
	"handover/app/progress"
	"handover/crypto/identity"
	"handover/store"
	"handover/store/model"
)

// receiver is an empty vault, and a record of the sequences it has received.
type receiver struct {
	st   *store.Store
	dir  string
	seqs map[string]int
}

func newReceiver(t testing.TB) *receiver {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "r")
	d, err := store.CreateDir(dir, store.Manifest{})
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(d, bytes.Repeat([]byte{6}, 32), true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close(); d.Close() })
	return &receiver{st: st, dir: dir, seqs: map[string]int{}}
}

func (r *receiver) receive(pkgDir string, id *identity.Identity, trusted ...identity.Card) (*Received, error) {
	rec, err := Receive(ctx, r.st, pkgDir, ReceiveOptions{Identity: id, Trusted: trusted, Limits: bag.DefaultLimits,
		Staging: r.st.StagingDir(), LastSequence: func(deal string) (int, error) { return r.seqs[deal], nil }}, progress.Discard)
	if err == nil && rec.Equal { // as app/vault records it
		r.seqs[rec.Manifest.Deal] = rec.Manifest.Sequence
	}
	return rec, err
}

// unchanged fails the test if the receiver's vault holds anything, or staging is left.
func (r *receiver) unchanged(t *testing.T) {
	t.Helper()
	if c := r.st.Counts(); c.Customers != 0 || c.Loans != 0 || c.Documents != 0 {
		t.Fatalf("the vault changed: %+v", c)
	}
	n := 0
	if err := r.st.EachCustomer(ctx, func(*store.CustomerBook) error { n++; return nil }); err != nil || n != 0 {
		t.Fatalf("%d customers readable (%v)", n, err)
	}
	if _, err := os.Stat(r.st.StagingDir()); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("staging left behind: %v", err)
	}
}

func TestReceiveRoundTrip(t *testing.T) {
	st := book(t, 60)
	sender, recipient, _ := people(t)
	dir, m := export(t, st, sender, recipient.Card, 48<<10)
	r := newReceiver(t)
	rec, err := r.receive(dir, recipient, sender.Card)
	if err != nil {
		t.Fatal(err)
	}
	if !rec.Equal || rec.Diff != nil || rec.Figures.Digest != m.Figures.Digest || rec.Figures.Customers != 60 ||
		rec.Figures.Documents != m.Figures.Documents || rec.Figures.Documents == 0 {
		t.Fatalf("received %+v, sent %+v", rec.Figures, m.Figures)
	}
	if len(rec.Imports) == 0 {
		t.Fatal("the sender's import summaries were not kept")
	}
	if _, err := os.Stat(r.st.StagingDir()); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("staging left behind")
	}
	// The same package again is a replay; so is any package once the vault holds a book.
	if _, err := r.receive(dir, recipient, sender.Card); err == nil || !strings.Contains(err.Error(), "replay") {
		t.Fatalf("replay: %v", err)
	}
}

func TestReceiveRefusesAndLeavesTheVaultUnchanged(t *testing.T) {
	st := book(t, 40)
	sender, recipient, stranger := people(t)
	dir, _ := export(t, st, sender, recipient.Card, 32<<10)
	cases := tamperCases(sender, recipient, stranger)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := copyPackage(t, dir)
			c.tamper(d)
			r := newReceiver(t)
			_, err := r.receive(d, c.who, c.trust...)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err %v, want %q", err, c.want)
			}
			r.unchanged(t)
		})
	}
	t.Run("older package", func(t *testing.T) {
		r := newReceiver(t)
		r.seqs["v-test"] = 2
		_, err := r.receive(dir, recipient, sender.Card)
		var re *ReplayError
		if !errors.As(err, &re) || re.Sequence != 1 || re.Last != 2 {
			t.Fatalf("replay: %v", err)
		}
		r.unchanged(t)
	})
}

func copyPackage(t *testing.T, dir string) string {
	d := filepath.Join(t.TempDir(), filepath.Base(dir))
	os.MkdirAll(d, 0o755)
	es, _ := os.ReadDir(dir)
	for _, e := range es {
		b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		os.WriteFile(filepath.Join(d, e.Name()), b, 0o644)
	}
	return d
}

// repack writes a package whose payload is whatever gen writes, validly encrypted to the
// recipient and signed by the sender: what an attacker holding the sender's key could make.
func repack(t *testing.T, m Manifest, sender *identity.Identity, to identity.Card, gen func(w io.Writer) error) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), m.ID)
	os.MkdirAll(dir, 0o755)
	f, err := os.Create(filepath.Join(dir, "payload.age.000"))
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	bw := bufio.NewWriterSize(io.MultiWriter(f, h), 1<<20)
	rcp, _ := age.ParseX25519Recipient(to.AgeRecipient)
	aw, err := age.Encrypt(bw, rcp)
	if err != nil {
		t.Fatal(err)
	}
	if err := gen(aw); err != nil {
		t.Fatal(err)
	}
	aw.Close()
	bw.Flush()
	size, _ := f.Seek(0, io.SeekCurrent)
	f.Close()
	m.Parts = []Part{{Name: "payload.age.000", Size: size, SHA256: hex.EncodeToString(h.Sum(nil))}}
	js, _ := json.MarshalIndent(m, "", "  ")
	sig, err := sender.Sign(Namespace, js)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "package.json"), js, 0o644)
	os.WriteFile(filepath.Join(dir, "package.json.sig"), sig, 0o644)
	return dir
}

// bagFiles reads a package's bag into memory (small test packages only).
func bagFiles(t *testing.T, dir string, id *identity.Identity, trusted identity.Card) (names []string, files map[string][]byte) {
	t.Helper()
	files = map[string][]byte{}
	if _, err := VerifyWith(dir, id, []identity.Card{trusted}, bag.DefaultLimits, func(path string, r io.Reader) error {
		b, err := io.ReadAll(r)
		names = append(names, path)
		files[path] = b
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return names, files
}

func writeBagOf(m Manifest, names []string, files map[string][]byte) func(w io.Writer) error {
	return func(w io.Writer) error {
		bw, err := bag.NewWriter(w, m.ID, m.Created)
		if err != nil {
			return err
		}
		for _, n := range names {
			if err := bw.Add(n, int64(len(files[n])), bytes.NewReader(files[n])); err != nil {
				return err
			}
		}
		bw.Info("External-Identifier", m.ID)
		return bw.Close()
	}
}

func TestReceiveLocatesDifferingRecords(t *testing.T) {
	st := book(t, 20)
	sender, recipient, _ := people(t)
	dir, m := export(t, st, sender, recipient.Card, 1<<20)
	names, files := bagFiles(t, dir, recipient, sender.Card)
	// One customer's name changed after the sender hashed the records: the bag is valid,
	// its manifests match, but the book is not the one package.json describes.
	lines := bytes.SplitAfter(files["customers.jsonl"], []byte("\n"))
	var c map[string]any
	json.Unmarshal(lines[6], &c)
	c["name"] = "改过的名字"
	b, _ := json.Marshal(c)
	lines[6] = append(b, '\n')
	files["customers.jsonl"] = bytes.Join(lines, nil)
	d := repack(t, *m, sender, recipient.Card, writeBagOf(*m, names, files))
	r := newReceiver(t)
	rec, err := r.receive(d, recipient, sender.Card)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Equal || rec.Diff == nil || fmt.Sprint(rec.Diff.Figures) != "[digest]" ||
		fmt.Sprint(rec.Diff.Missing) != fmt.Sprint([]uint64{uint64(c["no"].(float64))}) || len(rec.Diff.Unexpected) != 1 {
		t.Fatalf("diff %+v", rec.Diff)
	}
	// The book that differs is not kept, so the corrected package is received.
	r.unchanged(t)
	rec, err = r.receive(dir, recipient, sender.Card)
	if err != nil || !rec.Equal || rec.Figures.Customers != 20 {
		t.Fatalf("the corrected package after a mismatch: %+v, %v", rec, err)
	}
}

// Bags built to attack the receiver, each validly encrypted to it and signed by a trusted
// sender: all refused, nothing left outside staging, the vault unchanged, memory bounded.
func TestReceiveMaliciousBags(t *testing.T) {
	st := book(t, 5)
	sender, recipient, _ := people(t)
	dir, m := export(t, st, sender, recipient.Card, 1<<20)
	names, files := bagFiles(t, dir, recipient, sender.Card)
	root := m.ID + "/"
	rawTar := func(entries ...*tar.Header) func(w io.Writer) error {
		return func(w io.Writer) error {
			tw := tar.NewWriter(w)
			tw.WriteHeader(&tar.Header{Name: root, Typeflag: tar.TypeDir, Mode: 0o755})
			for _, h := range entries {
				if err := tw.WriteHeader(h); err != nil {
					return err
				}
				if h.Typeflag == tar.TypeReg && h.Size > 0 && h.Size < 1<<20 {
					tw.Write(bytes.Repeat([]byte("x"), int(h.Size)))
				}
			}
			tw.Flush() // no Close, and no error: a declared size larger than what follows stays a lie
			return nil
		}
	}
	reg := func(name string, size int64) *tar.Header {
		return &tar.Header{Name: name, Typeflag: tar.TypeReg, Size: size, Mode: 0o644}
	}
	cases := []struct {
		name string
		gen  func(w io.Writer) error
		want string
	}{
		{"parent traversal", rawTar(reg(root+"data/../../etc/passwd", 4)), "component"},
		{"absolute path", rawTar(reg("/etc/passwd", 4)), "absolute"},
		{"windows drive", rawTar(reg(root+`data\C:\x`, 4)), "backslash"},
		{"unc path", rawTar(reg(`\\?\C:\x`, 4)), "backslash"},
		{"device name", rawTar(reg(root+"data/COM1", 4)), "device"},
		{"symlink", rawTar(&tar.Header{Name: root + "data/customers.jsonl", Typeflag: tar.TypeSymlink, Linkname: "/etc/passwd"}), "not a regular file"},
		{"hardlink", rawTar(&tar.Header{Name: root + "data/customers.jsonl", Typeflag: tar.TypeLink, Linkname: root + "bagit.txt"}), "not a regular file"},
		{"huge declared size", rawTar(reg(root+"data/customers.jsonl", 1<<40)), "over the limit"},
		{"unexpected file", rawTar(reg(root+"data/evil.sh", 4)), "not part of a handover package"},
		{"undeclared document", func(w io.Writer) error {
			// A whole, valid bag with one document more than documents.jsonl lists.
			f := map[string][]byte{"documents/1/999-x.jpg": []byte("xxxx")}
			for k, v := range files {
				f[k] = v
			}
			return writeBagOf(*m, append([]string{"documents/1/999-x.jpg"}, names...), f)(w)
		}, "does not list"},
		{"a million tiny entries", func(w io.Writer) error {
			tw := tar.NewWriter(w)
			tw.WriteHeader(&tar.Header{Name: root, Typeflag: tar.TypeDir, Mode: 0o755})
			for i := range 1_000_000 {
				if err := tw.WriteHeader(&tar.Header{Name: fmt.Sprintf("%sdata/d%d/", root, i), Typeflag: tar.TypeDir, Mode: 0o755}); err != nil {
					return err
				}
			}
			return tw.Close()
		}, "more than"},
		{"a 100 MB field", func(w io.Writer) error {
			field := strings.Repeat("名", 100<<20/3)
			line := []byte(`{"no":1,"name":"` + field + "\"}\n")
			f := map[string][]byte{}
			for k, v := range files {
				f[k] = v
			}
			f["customers.jsonl"] = line
			return writeBagOf(*m, names, f)(w)
		}, "a line longer than"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := repack(t, *m, sender, recipient.Card, c.gen)
			r := newReceiver(t)
			before := entriesUnder(t, filepath.Dir(r.dir))
			var ms runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&ms)
			heap := ms.HeapInuse
			_, err := r.receive(d, recipient, sender.Card)
			runtime.ReadMemStats(&ms)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err %v, want %q", err, c.want)
			}
			if grew := int64(ms.HeapInuse) - int64(heap); grew > 64<<20 {
				t.Errorf("heap grew by %d MiB", grew>>20)
			}
			r.unchanged(t)
			if after := entriesUnder(t, filepath.Dir(r.dir)); after != before {
				t.Fatalf("files appeared outside staging:\n%s\nbefore:\n%s", after, before)
			}
		})
	}
}

// entriesUnder lists the files under dir except Badger's own, which a receive may touch.
func entriesUnder(t *testing.T, dir string) string {
	var out []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		rel, _ := filepath.Rel(dir, p)
		if strings.Contains(rel, string(filepath.Separator)+"db") || strings.HasSuffix(rel, "db") || strings.Contains(rel, "audit") {
			return nil
		}
		out = append(out, rel)
		return nil
	})
	return strings.Join(out, "\n")
}

func TestRecoverReceiveEmptiesAHalfCommittedBook(t *testing.T) {
	r := newReceiver(t)
	if err := r.st.PutMeta("receive-pending", "HANDOVER-x"); err != nil {
		t.Fatal(err)
	}
	src := book(t, 3)
	var books []*store.Book
	src.EachCustomer(ctx, func(b *store.CustomerBook) error {
		books = append(books, &store.Book{Customer: b.Customer, Loans: b.Loans})
		return nil
	})
	w := r.st.NewWriter()
	for _, b := range books {
		b.Customer.No = 0
		w.Add(b)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	undone, err := RecoverReceive(r.st)
	if err != nil || !undone {
		t.Fatalf("undone %v, %v", undone, err)
	}
	r.unchanged(t)
	if undone, _ := RecoverReceive(r.st); undone {
		t.Fatal("undone twice")
	}
	_ = time.Now
}

// A package of a selection states the selection's figures, and the receiver finds them.
func TestSelectionRoundTrip(t *testing.T) {
	st := book(t, 30)
	sender, recipient, _ := people(t)
	pick := []model.CustomerNo{2, 7, 19}
	dir, m, err := Export(ctx, st, Options{Out: t.TempDir(), Sender: sender, Recipients: []identity.Card{recipient.Card}, Deal: "v-test",
		Sequence: 1, Customers: pick}, progress.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if m.Scope != ScopeSelection || m.Figures.Customers != 3 {
		t.Fatalf("scope %q, %d customers", m.Scope, m.Figures.Customers)
	}
	r := newReceiver(t)
	rec, err := r.receive(dir, recipient, sender.Card)
	if err != nil || !rec.Equal || rec.Figures.Customers != 3 {
		t.Fatalf("receive: %v %+v", err, rec)
	}
	if _, _, err := Export(ctx, st, Options{Out: t.TempDir(), Sender: sender, Recipients: []identity.Card{recipient.Card},
		Customers: []model.CustomerNo{999}}, progress.Discard); !errors.Is(err, ErrEmptyScope) {
		t.Fatalf("empty selection: %v", err)
	}
}

// BenchmarkReceive receives a package of 1,000 customers with documents into a new vault.
func BenchmarkReceive(b *testing.B) {
	dir, sender, recipient := benchPackage(b)
	for b.Loop() {
		b.StopTimer()
		r := newReceiver(b)
		b.StartTimer()
		if _, err := r.receive(dir, recipient, sender.Card); err != nil {
			b.Fatal(err)
		}
	}
}

// Documents go into the vault as the stream hands them out, before documents.jsonl says
// what they should be: one that then does not match the list, is missing, is there twice or
// names a customer number far out is refused, and the vault is empty again.
func TestReceiveChecksDocumentsStoredDuringTheStream(t *testing.T) {
	st := book(t, 6)
	sender, recipient, _ := people(t)
	dir, m := export(t, st, sender, recipient.Card, 1<<20)
	names, files := bagFiles(t, dir, recipient, sender.Card)
	var docs []string
	for _, n := range names {
		if strings.HasPrefix(n, "documents/") {
			docs = append(docs, n)
		}
	}
	if len(docs) < 3 {
		t.Fatalf("the test book has %d documents", len(docs))
	}
	edit := func(f func(names []string, files map[string][]byte) []string) func(w io.Writer) error {
		fs := maps.Clone(files)
		return writeBagOf(*m, f(slices.Clone(names), fs), fs)
	}
	rename := func(names []string, from, to string) []string {
		i := slices.Index(names, from)
		names[i] = to
		return names
	}
	cases := []struct {
		name string
		gen  func(w io.Writer) error
		want string
	}{
		{"content changed", edit(func(ns []string, fs map[string][]byte) []string {
			fs[docs[1]] = append([]byte("x"), fs[docs[1]][1:]...)
			return ns
		}), "does not match its size or SHA-256"},
		{"listed but absent", edit(func(ns []string, fs map[string][]byte) []string {
			return slices.DeleteFunc(ns, func(n string) bool { return n == docs[2] })
		}), "missing from the package"},
		{"the same document twice", edit(func(ns []string, fs map[string][]byte) []string {
			twin := docs[0] + "-twin"
			fs[twin] = fs[docs[0]]
			return rename(ns, docs[1], twin)
		}), "twice"},
		{"a customer number far out", edit(func(ns []string, fs map[string][]byte) []string {
			far := "documents/99999999999/1-x.jpg"
			fs[far] = fs[docs[0]]
			return rename(ns, docs[0], far)
		}), "out of range"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := repack(t, *m, sender, recipient.Card, c.gen)
			r := newReceiver(t)
			_, err := r.receive(d, recipient, sender.Card)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err %v, want %q", err, c.want)
			}
			r.unchanged(t)
			if _, err := r.receive(dir, recipient, sender.Card); err != nil {
				t.Fatalf("the whole package after the refused one: %v", err)
			}
		})
	}
}

// BenchmarkReceiveStages times each stage of a receive on its own, so that a regression names
// its stage: the stream (age, bag, hashes, documents into the vault), the commit of the
// tables, the figures recomputed from the vault.
func BenchmarkReceiveStages(b *testing.B) {
	dir, sender, recipient := benchPackage(b)
	spent := map[string]time.Duration{}
	n := 0
	for b.Loop() {
		b.StopTimer()
		r := newReceiver(b)
		start := time.Now()
		o := WithStageDone(ReceiveOptions{Identity: recipient, Trusted: []identity.Card{sender.Card}, Limits: bag.DefaultLimits,
			Staging: r.st.StagingDir()}, func(stage string) {
			spent[stage] += time.Since(start)
			start = time.Now()
		})
		b.StartTimer()
		if _, err := Receive(ctx, r.st, dir, o, progress.Discard); err != nil {
			b.Fatal(err)
		}
		n++
	}
	for _, stage := range []string{"stream", "commit", "compare"} {
		b.ReportMetric(float64(spent[stage].Nanoseconds())/float64(n), stage+"-ns/op")
	}
}

// benchPackage exports a 1,000-customer book for the receive benchmarks.
func benchPackage(b *testing.B) (dir string, sender, recipient *identity.Identity) {
	st := bookOf(b, 1000, 0)
	sender, recipient, _ = people(b)
	dir, _, err := Export(ctx, st, Options{Out: b.TempDir(), Sender: sender, Recipients: []identity.Card{recipient.Card},
		Deal: "bench", Sequence: 1}, progress.Discard)
	if err != nil {
		b.Fatal(err)
	}
	return dir, sender, recipient
}
