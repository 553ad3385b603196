package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"handover/store/model"
)

// The fault-injection suite: a small vault is copied, one bit of one file is flipped, and
// the copy is opened and read whole. Every outcome must be the exact original book or an
// error that names damage; never a different book, never a panic, and never a refused open
// that changed the files. A stride walks every file; -short takes fewer positions.

// bookSnapshot is everything a whole-book reader can see.
type bookSnapshot struct {
	counts Counts
	book   []byte // every CustomerBook, as JSON, in walk order
	audit  []byte // every audit event, in order
}

func snapshotOf(s *Store) (*bookSnapshot, error) {
	snap := &bookSnapshot{counts: s.Counts()}
	var buf bytes.Buffer
	err := s.EachCustomer(ctx, func(b *CustomerBook) error {
		j, err := json.Marshal(b)
		buf.Write(j)
		buf.WriteByte('\n')
		return err
	})
	if err != nil {
		return nil, err
	}
	snap.book = buf.Bytes()
	var ab bytes.Buffer
	err = s.AuditEvents(ctx, 1, func(seq uint64, ev []byte) bool {
		fmt.Fprintf(&ab, "%d %s\n", seq, ev)
		return true
	})
	if err != nil {
		return nil, err
	}
	rep, err := s.VerifyAudit(ctx, nil)
	if err != nil {
		return nil, err
	}
	if rep.Problem != nil {
		return nil, rep.Problem
	}
	snap.audit = ab.Bytes()
	return snap, nil
}

func (a *bookSnapshot) equal(b *bookSnapshot) bool {
	return a.counts == b.counts && bytes.Equal(a.book, b.book) && bytes.Equal(a.audit, b.audit)
}

// faultFixture is a closed vault of a few customers with loans, later repayment segments,
// documents and audit events, and how it reads.
func faultFixture(t *testing.T, crashImage bool) (dir string, master []byte, want *bookSnapshot) {
	t.Helper()
	mem, vlog := memTableSize, valueLogFileSize
	memTableSize, valueLogFileSize = 1<<20, 1<<20
	t.Cleanup(func() { memTableSize, valueLogFileSize = mem, vlog })
	s, master := newStore(t)
	fillSmall(t, s, 24)
	for i := range 12 {
		if _, err := s.AppendAudit([]byte(`{"action":"test","n":` + strconv.Itoa(i) + `}`)); err != nil {
			t.Fatal(err)
		}
	}
	want, err := snapshotOf(s)
	if err != nil {
		t.Fatal(err)
	}
	src := s.Dir().Path()
	dir = filepath.Join(t.TempDir(), "fixture")
	if crashImage {
		// The files as a crash would leave them: the memtable log unflushed.
		if err := s.Sync(); err != nil {
			t.Fatal(err)
		}
		copyTree(t, src, dir)
		s.Close()
	} else {
		s.Close()
		copyTree(t, src, dir)
	}
	os.Remove(filepath.Join(dir, lockName))
	return dir, master, want
}

// fillSmall writes n customers like fill, with documents of a few hundred bytes, so that a
// damaged copy of the vault is cheap to make.
func fillSmall(t *testing.T, s *Store, n int) {
	t.Helper()
	w := s.NewWriter()
	for i := 1; i <= n; i++ {
		b := book(i)
		b.Documents[0].Content = bytes.Repeat([]byte{byte(i)}, 300+i)
		if _, err := w.Add(b); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func copyTree(t testing.TB, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o700)
		}
		if d.Name() == lockName {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func treeFiles(t testing.TB, root string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && d.Name() != lockName {
			rel, _ := filepath.Rel(root, p)
			out[rel], _ = os.ReadFile(p)
		}
		return nil
	})
	return out
}

// isDamageReport says err tells the user that stored data is damaged.
func isDamageReport(err error) bool {
	var ce *CorruptError
	var de *DamageError
	return errors.As(err, &ce) || errors.As(err, &de)
}

// flipOutcome opens a copy of fixture with one bit flipped and reads it whole.
func flipOutcome(t *testing.T, fixture string, master []byte, want *bookSnapshot, rel string, off int64, bit uint) (outcome string) {
	dir := filepath.Join(t.TempDir(), "v")
	copyTree(t, fixture, dir)
	path := filepath.Join(dir, rel)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b[off] ^= 1 << bit
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	before := treeFiles(t, dir)
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("%s @%d bit %d: panic: %v", rel, off, bit, r)
			outcome = "panic"
		}
		os.RemoveAll(dir)
	}()
	d, err := OpenDir(dir)
	if err != nil {
		if errors.Is(err, ErrNotVault) {
			return "refused"
		}
		t.Errorf("%s @%d bit %d: opening the folder: %v", rel, off, bit, err)
		return "error"
	}
	defer d.Close()
	s, err := Open(d, master, false)
	if err != nil {
		if !isDamageReport(err) {
			t.Errorf("%s @%d bit %d: open refused without naming damage: %v", rel, off, bit, err)
		}
		// Damage is named by its file, so the user knows what was hit.
		var de *DamageError
		if errors.As(err, &de) && de.File != filepath.ToSlash(rel) {
			t.Errorf("%s @%d bit %d: refused naming %s: %v", rel, off, bit, de.File, err)
		}
		after := treeFiles(t, dir)
		for name, content := range before {
			if !keepsData(content, after[name]) {
				t.Errorf("%s @%d bit %d: the refused open cut data from %s", rel, off, bit, name)
			}
		}
		return "refused"
	}
	defer s.Close()
	got, err := snapshotOf(s)
	if err != nil {
		if !isDamageReport(err) && !isAuditProblem(err) {
			t.Errorf("%s @%d bit %d: reading failed without naming damage: %v", rel, off, bit, err)
		}
		return "detected"
	}
	if !got.equal(want) {
		t.Errorf("%s @%d bit %d: a different book was read without error (counts %v, book %v, audit %v)", rel, off, bit,
			got.counts == want.counts, bytes.Equal(got.book, want.book), bytes.Equal(got.audit, want.audit))
		return "different"
	}
	return "same"
}

// keepsData says whether now still holds every byte of was that was not zero, at the same
// offset: Badger may trim a log's preallocated zeros or append to its MANIFEST, but a
// refused open must not cut anything that was written.
func keepsData(was, now []byte) bool {
	was = bytes.TrimRight(was, "\x00")
	return len(now) >= len(was) && bytes.Equal(now[:len(was)], was)
}

func isAuditProblem(err error) bool {
	var p *AuditProblem
	return errors.As(err, &p)
}

// flipPositions chooses where to flip in a file: both ends, a stride of about per positions
// over its data and two in the zeros a preallocated log keeps after it.
func flipPositions(b []byte, per int) []int64 {
	size := int64(len(b))
	if size == 0 {
		return nil
	}
	n := int64(len(bytes.TrimRight(b, "\x00")))
	pos := map[int64]bool{0: true, size - 1: true, max(0, n-1): true, min(size-1, (n+size)/2): true}
	stride := max(1, n/int64(per))
	// An odd offset into the stride, so runs do not always hit the same field of a record.
	for p := stride / 3; p < n; p += stride {
		pos[p] = true
	}
	out := make([]int64, 0, len(pos))
	for p := range pos {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

func runFaultSuite(t *testing.T, crashImage bool) {
	fixture, master, want := faultFixture(t, crashImage)
	per := 40
	if testing.Short() {
		per = 12
	}
	if os.Getenv("HANDOVER_FAULTS_LONG") != "" {
		per = 400
	}
	files := treeFiles(t, fixture)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	tally := map[string]int{}
	for _, rel := range names {
		if rel == manifestName {
			continue // vault.json is checked by OpenDir; app/vault's suite flips it
		}
		for i, off := range flipPositions(files[rel], per) {
			tally[flipOutcome(t, fixture, master, want, rel, off, uint(i%8))]++
		}
	}
	t.Logf("outcomes: %v over %d files", tally, len(names))
	for _, n := range names {
		t.Logf("  %s %d bytes", n, len(files[n]))
	}
	if tally["same"]+tally["refused"]+tally["detected"] == 0 {
		t.Fatal("no case ran")
	}
}

func TestFaultsClosedVault(t *testing.T) { runFaultSuite(t, false) }

func TestFaultsCrashImage(t *testing.T) { runFaultSuite(t, true) }

// TestWalkChecksWhatItSaw stands in for an iterator that ends quietly at a damaged block:
// records disappear from under the counts, and every whole-book reader must say so.
func TestWalkChecksWhatItSaw(t *testing.T) {
	cases := []struct {
		name string
		key  []byte
		what string
	}{
		{"customer record", kCustomer(7), "customers"},
		{"loose loan", nil, "loans"},
		{"repayment segment", nil, "repayments"},
		{"document", kDocument(3, 1), "documents"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, _ := newStore(t)
			fill(t, s, 10)
			key := c.key
			if key == nil {
				// A loan or segment stored under its own key, counted like the others.
				key = s.addLooseRecord(t, c.what)
			}
			if err := s.EachCustomer(ctx, func(*CustomerBook) error { return nil }); err != nil {
				t.Fatalf("before the damage: %v", err)
			}
			if err := s.rawDelete(key); err != nil {
				t.Fatal(err)
			}
			err := s.EachCustomer(ctx, func(*CustomerBook) error { return nil })
			var de *DamageError
			if !errors.As(err, &de) || !strings.Contains(de.Detail, c.what) {
				t.Fatalf("walk after losing a %s: %v", c.name, err)
			}
			// The import's lookup and the customer list read the customers and loans too.
			if c.what == "customers" || c.what == "loans" {
				err := s.ScanBook(ctx, func(model.Customer, []model.Loan) error { return nil })
				if !errors.As(err, &de) {
					t.Fatalf("the import's scan after losing a %s: %v", c.name, err)
				}
			}
			if c.what == "customers" {
				if _, err := s.CustomerNos(ctx); !errors.As(err, &de) {
					t.Fatalf("the customer list after losing a %s: %v", c.name, err)
				}
			}
		})
	}
}

func TestAuditReadersRefuseGaps(t *testing.T) {
	cases := []struct {
		name    string
		deleted []uint64
		from    uint64
		reverse bool
	}{
		{"gap, forward", []uint64{14}, 1, false},
		{"tail, forward", []uint64{26, 27}, 1, false},
		{"gap, backward", []uint64{5}, 27, true},
		{"tail, backward", []uint64{27}, 27, true},
		{"head, backward", []uint64{1, 2}, 27, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, _ := newStore(t)
			logEvents(t, s, 27)
			for _, seq := range c.deleted {
				s.rawDelete(kAudit(seq))
			}
			n := 0
			err := s.eachAuditEvent(ctx, c.from, c.reverse, func(uint64, []byte) bool { n++; return true })
			var de *DamageError
			if !errors.As(err, &de) {
				t.Fatalf("read %d events of 27 without an error: %v", n, err)
			}
		})
	}
	// A reader that stops early by choice is not refused.
	s, _ := newStore(t)
	logEvents(t, s, 5)
	s.rawDelete(kAudit(1))
	if err := s.AuditEventsBackward(ctx, 5, func(seq uint64, _ []byte) bool { return seq > 3 }); err != nil {
		t.Fatalf("a page of the newest events: %v", err)
	}
}

// addLooseRecord stores, through the import writer, a loan ("loans") or a repayment segment
// ("repayments") of customer 4 under its own key, and returns that key.
func (s *Store) addLooseRecord(t *testing.T, what string) []byte {
	t.Helper()
	w := s.NewImportWriter()
	var key []byte
	switch what {
	case "loans":
		if err := w.AddLoan(model.Loan{Customer: 4, Seq: 3, Contract: "HT-4-C", Principal: 5}); err != nil {
			t.Fatal(err)
		}
		key = kLoan(4, 3)
	default:
		key = kRepaymentSegment(4, 1, w.nextSeg)
		if err := w.AddRepayments(4, 1, []model.Repayment{{Principal: 9}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return key
}

// TestFaultsBackup flips one bit at a stride across a backup file: verification refuses it,
// or the restored vault reads exactly as the original; a refused restore leaves no folder.
func TestFaultsBackup(t *testing.T) {
	s, master := newStore(t)
	fillSmall(t, s, 12)
	logEvents(t, s, 5)
	// A backup holds at least one operator's slot; its content does not matter here.
	if err := s.Dir().WriteSlot(SlotHeader{Operator: "op-test", Name: "测试", Role: "admin"}, []byte("age-encryption.org/v1\n")); err != nil {
		t.Fatal(err)
	}
	want, err := snapshotOf(s)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Backup(ctx, t.TempDir(), time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	orig, err := os.ReadFile(info.Path)
	if err != nil {
		t.Fatal(err)
	}
	per := 60
	if testing.Short() {
		per = 20
	}
	if os.Getenv("HANDOVER_FAULTS_LONG") != "" {
		per = 600
	}
	tally := map[string]int{}
	for i, off := range flipPositions(orig, per) {
		outcome := func() (outcome string) {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("backup @%d: panic: %v", off, r)
					outcome = "panic"
				}
			}()
			dir := t.TempDir()
			bad := filepath.Join(dir, "b.tar")
			b := bytes.Clone(orig)
			b[off] ^= 1 << (i % 8)
			os.WriteFile(bad, b, 0o600)
			if _, err := VerifyBackup(ctx, bad); err != nil {
				return "refused"
			}
			target := filepath.Join(dir, "restored")
			err := Restore(ctx, bad, target, func(*Dir) ([]byte, error) { return bytes.Clone(master), nil })
			if err != nil {
				if _, serr := os.Stat(target); serr == nil {
					t.Errorf("backup @%d: a refused restore left %s", off, target)
				}
				return "refused"
			}
			d, err := OpenDir(target)
			if err != nil {
				t.Errorf("backup @%d: restored folder does not open: %v", off, err)
				return "error"
			}
			defer d.Close()
			rs, err := Open(d, master, false)
			if err != nil {
				if !isDamageReport(err) {
					t.Errorf("backup @%d: restored vault refused without naming damage: %v", off, err)
				}
				return "detected"
			}
			defer rs.Close()
			got, err := snapshotOf(rs)
			if err != nil {
				return "detected"
			}
			if !got.equal(want) {
				t.Errorf("backup @%d: the restored vault reads differently", off)
				return "different"
			}
			return "same"
		}()
		tally[outcome]++
	}
	t.Logf("outcomes over %d bytes: %v", len(orig), tally)
}

// The child half of TestRestoreCrash: restore, and end the process once the database is
// loaded, before the folder is renamed into place.
func init() {
	backup := os.Getenv("HANDOVER_TEST_RESTORE_CRASH")
	if backup == "" {
		return
	}
	crashAt = func(step string) {
		if step == "restore.loaded" {
			os.Exit(77)
		}
	}
	master := bytes.Repeat([]byte{0x42}, 32) // newStore's
	Restore(context.Background(), backup, os.Getenv("HANDOVER_TEST_RESTORE_TO"), func(*Dir) ([]byte, error) { return master, nil })
	os.Exit(0)
}

// TestRestoreCrash: a restore cut off before its end leaves nothing at the target, and the
// next restore to it succeeds and removes what the first one left.
func TestRestoreCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a process")
	}
	s, master := newStore(t)
	fill(t, s, 5)
	if err := s.Dir().WriteSlot(SlotHeader{Operator: "op-test", Name: "测试", Role: "admin"}, []byte("age-encryption.org/v1\n")); err != nil {
		t.Fatal(err)
	}
	want, err := snapshotOf(s)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Backup(ctx, t.TempDir(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(t.TempDir(), "restored")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "HANDOVER_TEST_RESTORE_CRASH="+info.Path, "HANDOVER_TEST_RESTORE_TO="+target)
	if out, err := cmd.CombinedOutput(); cmd.ProcessState.ExitCode() != 77 {
		t.Fatalf("the restore did not stop where it should: %v %s", err, out)
	}
	if _, err := os.Stat(target); !os.IsNotExist(err) {
		t.Fatalf("a cut-off restore left the target: %v", err)
	}
	left, _ := filepath.Glob(target + ".restoring-*")
	if len(left) != 1 {
		t.Fatalf("leftovers %v", left)
	}
	if err := Restore(ctx, info.Path, target, func(*Dir) ([]byte, error) { return bytes.Clone(master), nil }); err != nil {
		t.Fatal(err)
	}
	if left, _ := filepath.Glob(target + ".restoring-*"); len(left) != 0 {
		t.Fatalf("leftovers after the second restore: %v", left)
	}
	d, err := OpenDir(target)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	rs, err := Open(d, master, false)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	if got, err := snapshotOf(rs); err != nil || !got.equal(want) {
		t.Fatalf("the restored vault: %v", err)
	}
}
