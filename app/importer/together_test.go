package importer_test

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	. "handover/app/importer"
	"handover/app/progress"
	"handover/store"
)

// TestTogetherAsOneAtATime imports the same files twice: in one run, where a customers file
// is read side by side with its loans and repayments, and one file per run. The vaults must
// be the same: every customer, loan, repayment, count, summary and quarantine record, with
// files in one order, in others, and with rows that refer to nothing, to rows further on, or
// to rows refused.
func TestTogetherAsOneAtATime(t *testing.T) {
	dir := t.TempDir()
	demoFiles := exportDemo(t, filepath.Join(dir, "demo"), 400)
	cs, ls, rs := readLines(t, demoFiles[0]), readLines(t, demoFiles[1]), readLines(t, demoFiles[2])

	rng := rand.New(rand.NewPCG(3, 4))
	shuffle := func(lines []string) []string {
		body := slices.Clone(lines[1:])
		rng.Shuffle(len(body), func(i, j int) { body[i], body[j] = body[j], body[i] })
		return append([]string{lines[0]}, body...)
	}
	field := func(line string, i int, v string) string {
		f := strings.Split(line, ",")
		f[i] = v
		return strings.Join(f, ",")
	}
	// Faults: a customer twice, a refused customer and a loan naming it, a contract used
	// twice, refused rows, totals rows; and the rows that wait: a loan (with a repayment) of
	// a customer further on, and rows naming nobody. Placed first, they keep their files
	// waiting; placed among the rows, the rows before them are read side by side.
	faultyCustomers := slices.Clone(cs)
	faultyCustomers = slices.Insert(faultyCustomers, 200, cs[20])                   // the same identity number again
	faultyCustomers = slices.Insert(faultyCustomers, 100, field(cs[5], 1, "12345")) // refused: bad identity number
	late := ls[300]                                                                 // a loan of a customer further on
	faulty := func(at int) ([]string, []string) {
		loans := slices.Clone(ls)
		loans = slices.Insert(loans, at, late, field(ls[2], 1, id("11010519491231000"))) // naming nobody
		loans = slices.Insert(loans, 1,
			field(ls[3], 0, strings.Split(ls[1], ",")[0]), // a contract already used
			field(ls[4], 2, "abc"),                        // refused: bad amount
			field(ls[4], 1, "12345"))                      // naming the refused customer
		loans = append(loans, "合计,,1.00,,,,,,,,,")
		reps := slices.Clone(rs)
		reps = slices.Insert(reps, 50, field(rs[50], 1, "2025-13-45")) // refused: bad date
		var early []string
		for _, r := range rs {
			if strings.HasPrefix(r, strings.Split(late, ",")[0]+",") {
				early = append(early, r) // a repayment of the loan further on
				break
			}
		}
		reps = slices.Insert(reps, at*7, append(early, field(rs[1], 0, "NOSUCH-1"))...) // naming no loan
		return loans, reps
	}
	loansFirst, repaymentsFirst := faulty(1)
	loansAmong, repaymentsAmong := faulty(250)
	// A loan with more repayments than a record gathers (maxJoinedRows): the rest apart.
	contract := strings.Split(ls[10], ",")[0]
	manyRepayments := slices.Clone(rs)
	for i, r := range manyRepayments {
		if strings.HasPrefix(r, contract+",") {
			manyRepayments = slices.Insert(manyRepayments, i, slices.Repeat([]string{r}, 600)...)
			break
		}
	}

	cases := map[string][3][]string{
		"in one order":           {cs, ls, rs},
		"many repayments":        {cs, ls, manyRepayments},
		"loans shuffled":         {cs, shuffle(ls), rs},
		"all shuffled":           {shuffle(cs), shuffle(ls), shuffle(rs)},
		"faults first":           {faultyCustomers, loansFirst, repaymentsFirst},
		"faults among rows":      {faultyCustomers, loansAmong, repaymentsAmong},
		"faults, files shuffled": {faultyCustomers, shuffle(loansAmong), shuffle(repaymentsAmong)},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			d := filepath.Join(dir, strings.ReplaceAll(name, " ", "-"))
			files := []string{
				writeLines(t, d, "customers.csv", c[0]),
				writeLines(t, d, "loans.csv", c[1]),
				writeLines(t, d, "repayments.csv", c[2]),
			}
			together := newStore(t)
			importFiles(t, together, Options{}, files...)
			apart := newStore(t)
			for _, f := range files {
				importFiles(t, apart, Options{}, f)
			}
			if together.Counts().Customers == 0 || together.Counts().Repayments == 0 {
				t.Fatalf("nothing imported: %+v", together.Counts())
			}
			if a, b := digest(t, together), digest(t, apart); a != b {
				var x, y []string
				together.EachCustomer(ctx, func(b *store.CustomerBook) error { j, _ := json.Marshal(b); x = append(x, string(j)); return nil })
				apart.EachCustomer(ctx, func(b *store.CustomerBook) error { j, _ := json.Marshal(b); y = append(y, string(j)); return nil })
				for i := range x {
					if i < len(y) && x[i] != y[i] {
						t.Logf("customer %d:\ntogether: %.1500s\napart:    %.1500s", i, x[i], y[i])
						break
					}
				}
				sa, _ := LoadSummaries(ctx, together)
				sb, _ := LoadSummaries(ctx, apart)
				ja, _ := json.Marshal(sa)
				jb, _ := json.Marshal(sb)
				t.Logf("%d %d summaries\n%s\n%s", len(x), len(y), ja, jb)
				t.Fatal("the files imported together differ from the files imported one at a time")
			}
			sameSearches(t, apart, together)
			_, recTogether, err := together.BookTraces(ctx)
			if err != nil {
				t.Fatal(err)
			}
			_, recApart, err := apart.BookTraces(ctx)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("records: %d together, %d one at a time (%+v, %+v)", recTogether, recApart, together.Counts(), apart.Counts())
			// In one order, every loan and repayment goes into its customer's record.
			ac := apart.Counts()
			apartOnly := int(ac.Loans) + int(ac.NextSegment) - 1
			if name == "in one order" && recTogether != recApart-apartOnly {
				t.Errorf("files in one order made %d records, want %d (%d less than one at a time)", recTogether, recApart-apartOnly, apartOnly)
			}
			// Read side by side until the rows that wait, or beyond a record's share: some
			// rows in records, some apart.
			if name == "many repayments" || name == "faults among rows" {
				if recTogether <= recApart-apartOnly || recTogether > recApart-apartOnly/2 {
					t.Errorf("%d records, want most rows in records (%d with every row in one, %d one at a time)", recTogether, recApart-apartOnly, recApart)
				}
			}
			if recTogether > recApart {
				t.Errorf("together made more records (%d) than one at a time (%d)", recTogether, recApart)
			}
		})
	}
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

func writeLines(t *testing.T, dir, name string, lines []string) string {
	t.Helper()
	return write(t, dir, name, []byte(strings.Join(lines, "\n")+"\n"))
}

// TestTogetherResumesWhileRowsWait cancels a side-by-side import while a loan and its
// repayment wait for a customer further on (and so their files wait behind them), at three
// points: before the rows that wait, while the customers file is read alone, and while the
// waiting files are read after it. Rows that wait are not covered by a checkpoint's last row,
// so each resume reads them again; the vault at the end is the one an uninterrupted import
// of the same files makes.
func TestTogetherResumesWhileRowsWait(t *testing.T) {
	if testing.Short() {
		t.Skip("imports 15,000 customers five times")
	}
	dir := t.TempDir()
	// Enough customers that checkpoints fall while the customers file is read alone: a
	// checkpoint holds a few thousand customers without their rows.
	demoFiles := exportDemo(t, filepath.Join(dir, "demo"), 15000)
	cs, ls, rs := readLines(t, demoFiles[0]), readLines(t, demoFiles[1]), readLines(t, demoFiles[2])
	late := ls[len(ls)-10] // a loan of one of the last customers
	var lateRepayment string
	for _, r := range rs {
		if strings.HasPrefix(r, strings.Split(late, ",")[0]+",") {
			lateRepayment = r
			break
		}
	}
	if lateRepayment == "" {
		t.Fatal("the late loan has no repayment in the demo book")
	}
	loans := slices.Insert(slices.Clone(ls), len(ls)/5, late)
	reps := slices.Insert(slices.Clone(rs), len(rs)/5, lateRepayment)
	files := []string{
		writeLines(t, dir, "customers.csv", cs),
		writeLines(t, dir, "loans.csv", loans),
		writeLines(t, dir, "repayments.csv", reps),
	}
	clean := newStore(t)
	importFiles(t, clean, Options{}, files...)
	want := digest(t, clean)

	st := newStore(t)
	ins, total := plan(t, files)
	// The customers file is a sixth of the bytes, the repayments two thirds: the loans and
	// repayments wait from about a fifth of the bytes read to over a third.
	waiting := 0 // cancels that left the loans file behind the customers file
	for _, after := range []int64{total / 10, total * 3 / 10, total * 6 / 10} {
		runCancelled(t, st, ins, after)
		sums, _ := LoadSummaries(context.Background(), st)
		var customersRow, loansRow int
		for _, s := range sums {
			switch s.Table {
			case Customers:
				customersRow = s.LastRow
			case Loans:
				loansRow = s.LastRow
			}
		}
		t.Logf("cancelled after %d of %d bytes: customers to row %d of %d, loans to row %d of %d", after, total, customersRow, len(cs)-1, loansRow, len(loans)-1)
		if customersRow > 0 && loansRow > 0 && loansRow <= len(ls)/5 && customersRow > len(cs)/3 {
			waiting++
		}
	}
	if waiting == 0 {
		t.Fatal("no cancel came while the loans file waited")
	}
	if _, err := Run(ctx, st, ins, Options{Now: func() time.Time { return testNow }}, progress.Discard, nil); err != nil {
		t.Fatal(err)
	}
	if got := digest(t, st); got != want {
		t.Fatal("the import resumed while rows waited differs from one run to its end")
	}
}
