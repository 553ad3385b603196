package importer_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	. "handover/app/importer"
	"handover/app/progress"
	"handover/crypto/blind"
	"handover/store"
)

var killMaster = bytes.Repeat([]byte{9}, 32)

// TestKillDuringImport kills an import of about a million rows (a 100,000-customer book:
// 100,000 customers, 120,000 loans, 840,000 repayments) at a random row with SIGKILL, runs
// it again, and requires exactly the vault of one clean import: every customer, loan,
// repayment, count, summary and quarantine record equal.
func TestKillDuringImport(t *testing.T) {
	if testing.Short() {
		t.Skip("imports a million rows three times")
	}
	dir := t.TempDir()
	files := exportDemo(t, filepath.Join(dir, "csv"), 100_000)

	t0 := time.Now()
	clean := newStore(t)
	importFiles(t, clean, Options{}, files...)
	t.Logf("clean import %v", time.Since(t0))
	t0 = time.Now()
	want := digest(t, clean)
	t.Logf("digest %v", time.Since(t0))
	wantCounts := clean.Counts()

	vaultDir := filepath.Join(dir, "killed")
	d, err := store.CreateDir(vaultDir, store.Manifest{})
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(d, killMaster, true)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	d.Close()

	rows := wantCounts.Customers + wantCounts.Loans + wantCounts.Repayments
	killAt := rows/10 + rand.Int64N(rows*8/10)
	if v, err := strconv.ParseInt(os.Getenv("HANDOVER_KILL_AT"), 10, 64); err == nil {
		killAt = v
	}
	t.Logf("killing the import after %d of about %d rows", killAt, rows)
	cmd := exec.Command(os.Args[0], "-test.run=^TestKillChild$", "-test.v")
	cmd.Env = append(os.Environ(), "HANDOVER_KILL_VAULT="+vaultDir, "HANDOVER_KILL_FILES="+strings.Join(files, string(os.PathListSeparator)))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	killed := false
	for sc.Scan() {
		n, ok := strings.CutPrefix(sc.Text(), "rows ")
		if v, err := strconv.ParseInt(n, 10, 64); ok && err == nil && v >= killAt {
			cmd.Process.Kill() // SIGKILL: no deferred function, no flush
			killed = true
			break
		}
	}
	cmd.Wait()
	if !killed {
		t.Fatal("the child finished before it could be killed")
	}

	d, err = store.OpenDir(vaultDir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if keep := os.Getenv("HANDOVER_KILL_KEEP"); keep != "" {
		exec.Command("cp", "-a", vaultDir, keep).Run()
	}
	st, err = store.Open(d, killMaster, false)
	if err != nil {
		t.Fatalf("open after kill: %v", err)
	}
	defer st.Close()
	if c := st.Counts(); c.Customers+c.Loans+c.Repayments >= rows {
		t.Fatalf("the killed import had already finished: %+v", c)
	}
	t0 = time.Now()
	importFiles(t, st, Options{}, files...)
	t.Logf("resumed import %v", time.Since(t0))
	// NextPage numbers the index's pages, one per kind, bucket and checkpoint; the killed
	// run's last checkpoints fall elsewhere, so only the book's counts must agree.
	// A resume may import the rest of the files one at a time, storing more segments.
	got := st.Counts()
	got.NextPage, got.NextSegment = wantCounts.NextPage, wantCounts.NextSegment
	if got != wantCounts {
		t.Fatalf("counts after resume %+v, want %+v", st.Counts(), wantCounts)
	}
	sameSearches(t, clean, st)
	if got := digest(t, st); got != want {
		var a, b []string
		clean.EachCustomer(ctx, func(x *store.CustomerBook) error { j, _ := json.Marshal(x); a = append(a, string(j)); return nil })
		st.EachCustomer(ctx, func(x *store.CustomerBook) error { j, _ := json.Marshal(x); b = append(b, string(j)); return nil })
		n := 0
		for i := range a {
			if i < len(b) && a[i] != b[i] {
				t.Logf("customer %d differs:\nclean:   %s\nresumed: %s", i, a[i][:min(len(a[i]), 3000)], b[i][:min(len(b[i]), 3000)])
				if n++; n > 2 {
					break
				}
			}
		}
		sa, _ := LoadSummaries(context.Background(), clean)
		sb, _ := LoadSummaries(context.Background(), st)
		ja, _ := json.Marshal(sa)
		jb, _ := json.Marshal(sb)
		t.Logf("summaries equal: %v\n%s\n%s", string(ja) == string(jb), ja, jb)
		ea, _ := List(ctx, clean, Filter{}, 0)
		eb, _ := List(ctx, st, Filter{}, 0)
		t.Logf("quarantine %d vs %d", len(ea), len(eb))
		t.Fatal("the resumed vault differs from a clean import")
	}
}

// sameSearches checks that a sample of customers is found by identity number and contract
// in got exactly as in want: once each, no entry lost or doubled by the resume.
func sameSearches(t *testing.T, want, got *store.Store) {
	t.Helper()
	nos, err := want.CustomerNos(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(nos); i += 997 {
		c, err := want.Customer(nos[i])
		if err != nil {
			t.Fatal(err)
		}
		loans, err := want.Loans(ctx, nos[i])
		if err != nil {
			t.Fatal(err)
		}
		queries := map[blind.Kind]string{blind.IDNumber: c.IDNumber}
		if len(loans) > 0 {
			queries[blind.Contract] = loans[len(loans)-1].Contract
		}
		for kind, q := range queries {
			a, errA := want.Find(ctx, kind, q)
			b, errB := got.Find(ctx, kind, q)
			if errA != nil || errB != nil || len(a) == 0 || fmt.Sprint(a) != fmt.Sprint(b) {
				t.Fatalf("search %c for customer #%d: clean %v (%v), resumed %v (%v)", kind, nos[i], a, errA, b, errB)
			}
		}
	}
}

// TestKillChild is the process TestKillDuringImport kills; it prints rows done.
func TestKillChild(t *testing.T) {
	vaultDir := os.Getenv("HANDOVER_KILL_VAULT")
	if vaultDir == "" {
		t.Skip("run by TestKillDuringImport")
	}
	d, err := store.OpenDir(vaultDir)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(d, killMaster, false)
	if err != nil {
		t.Fatal(err)
	}
	files := filepath.SplitList(os.Getenv("HANDOVER_KILL_FILES"))
	ins, err := Plan(files, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var stats Stats
	go func() {
		for range time.Tick(20 * time.Millisecond) {
			fmt.Printf("rows %d\n", stats.Rows.Load())
		}
	}()
	if _, err := Run(ctx, st, ins, Options{Now: func() time.Time { return testNow }}, progress.Discard, &stats); err != nil {
		t.Fatal(err)
	}
	fmt.Println("finished")
}
