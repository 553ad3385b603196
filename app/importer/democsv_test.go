package importer_test

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"handover/app/demo"
	"handover/app/figures"
	. "handover/app/importer"
	"handover/app/progress"
	"handover/app/validate"
)

// TestDemoCSVRoundTrip reads the demo generator's CSV export as an import would: the
// encoding and table are detected, every required field is mapped, and every value passes
// its validator.
func TestDemoCSVRoundTrip(t *testing.T) {
	dir := t.TempDir()
	const n = 300
	if err := demo.ExportCSV(context.Background(), dir, &demo.Generator{Seed: 9}, n, progress.Discard); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)
	want := map[string]Table{"customers.csv": Customers, "loans.csv": Loans, "repayments.csv": Repayments}
	counts := map[Table]int{}
	for name, table := range want {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		rd, err := NewReader(f, EncAuto)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := DetectTable(rd.Header)
		if !ok || got != table || rd.Encoding != EncUTF8 {
			t.Fatalf("%s: table %s (%v), encoding %s", name, got, ok, rd.Encoding)
		}
		m := Match(table, rd.Header)
		for {
			row, err := rd.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			counts[table]++
			check := func(field string, fn func(string) *validate.Problem) {
				if p := fn(row.Fields[m[field]]); p != nil && !p.Warning {
					t.Fatalf("%s line %d %s: %v", name, row.Line, field, p)
				}
			}
			switch table {
			case Customers:
				check("name", func(s string) *validate.Problem { _, p := validate.Name(s); return p })
				check("id_number", func(s string) *validate.Problem { _, p := validate.IDNumber(s, now); return p })
				check("phone", func(s string) *validate.Problem { _, p := validate.Phone(s); return p })
				check("bank_card", func(s string) *validate.Problem { _, p := validate.BankCard(s); return p })
			case Loans:
				check("principal", func(s string) *validate.Problem { _, p := validate.Amount(s, false); return p })
				check("outstanding", func(s string) *validate.Problem { _, p := validate.Amount(s, false); return p })
				check("disbursed", func(s string) *validate.Problem { _, p := validate.Date(s); return p })
			case Repayments:
				check("paid", func(s string) *validate.Problem { _, p := validate.Date(s); return p })
				check("principal", func(s string) *validate.Problem { _, p := validate.Amount(s, false); return p })
			}
		}
		f.Close()
	}
	g := &demo.Generator{Seed: 9}
	var loans, reps int
	for i := range n {
		b := g.Book(i)
		loans += len(b.Loans)
		reps += len(b.Repayments)
	}
	if counts[Customers] != n || counts[Loans] != loans || counts[Repayments] != reps {
		t.Fatalf("rows %v, want %d customers, %d loans, %d repayments", counts, n, loans, reps)
	}
	if _, err := os.Stat(filepath.Join(dir, "customers.csv.partial")); err == nil {
		t.Fatal("a .partial file was left behind")
	}
}

// The demo book exported as CSV imports whole: every row accepted (no two customers share
// an identity number) and the vault's digest equal to the book's. 100,000 customers in the
// full pass, 10,000 under -short; the 1,000,000 case is in make bench.
func TestDemoRoundTripAcceptsEveryRow(t *testing.T) {
	n := 100_000
	if testing.Short() {
		n = 10_000
	}
	g := &demo.Generator{Seed: 1}
	dir := t.TempDir()
	if err := demo.ExportCSV(context.Background(), dir, g, n, progress.Discard); err != nil {
		t.Fatal(err)
	}
	st := newStore(t)
	var paths []string
	for _, f := range demo.CSVFiles {
		paths = append(paths, filepath.Join(dir, f))
	}
	for _, r := range importFiles(t, st, Options{}, paths...) {
		if r.Quarantined != 0 || r.Accepted != r.Rows {
			t.Fatalf("%s: %d rows, %d accepted, %d in quarantine", r.File, r.Rows, r.Accepted, r.Quarantined)
		}
	}
	got, err := figures.Compute(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	want, err := demo.BookFigures(context.Background(), g, n)
	if err != nil {
		t.Fatal(err)
	}
	if got.Customers != int64(n) || got.Digest != want.Digest {
		t.Fatalf("%d customers, digest %s; the demo book's is %s (differing: %v)", got.Customers, got.Digest, want.Digest, figures.DifferingKeys(got, want))
	}
}
