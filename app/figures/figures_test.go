package figures_test

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"
	"time"

	"handover/app/demo"
	"handover/app/figures"
	"handover/app/importer"
	"handover/app/progress"
	"handover/store"
	"handover/store/model"
)

var ctx = context.Background()

func newStore(t *testing.T) *store.Store {
	t.Helper()
	d, err := store.CreateDir(filepath.Join(t.TempDir(), "v"), store.Manifest{})
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(d, bytes.Repeat([]byte{3}, 32), true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close(); d.Close() })
	return st
}

func write(t *testing.T, st *store.Store, books []*store.Book) {
	t.Helper()
	w := st.NewWriter()
	for _, b := range books {
		if _, err := w.Add(b); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func book(n int) []*store.Book {
	g := &demo.Generator{Seed: 11}
	out := make([]*store.Book, n)
	for i := range n {
		out[i] = g.Book(i)
	}
	return out
}

// The digest depends on what is stored, not on customer numbers or order; the figures add
// up to what was written.
func TestDigestAndFigures(t *testing.T) {
	books := book(200)
	a, b := newStore(t), newStore(t)
	write(t, a, books)
	reversed := make([]*store.Book, len(books))
	for i, bk := range books {
		reversed[len(books)-1-i] = bk
	}
	write(t, b, reversed)
	fa, err := figures.Compute(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	fb, _ := figures.Compute(ctx, b)
	if fa.Digest != fb.Digest || len(fa.Digest) != 64 {
		t.Fatalf("digests %s / %s", fa.Digest, fb.Digest)
	}
	var loans, reps int64
	var outstanding, repaid model.Fen
	for _, bk := range books {
		loans += int64(len(bk.Loans))
		reps += int64(len(bk.Repayments))
		for _, l := range bk.Loans {
			outstanding += l.Outstanding
		}
		for _, r := range bk.Repayments {
			repaid += r.Total()
		}
	}
	c := a.Counts()
	if fa.Customers != 200 || fa.Loans != loans || fa.Repayments != reps || fa.Loans != c.Loans || fa.Outstanding != outstanding || fa.Repaid != repaid {
		t.Fatalf("figures %+v", fa)
	}
	var byClass, byState, byBucket model.Fen
	for _, v := range fa.OutstandingByClass {
		byClass += v
	}
	for _, v := range fa.OutstandingByState {
		byState += v
	}
	var bucketLoans int64
	for _, bk := range fa.Overdue {
		byBucket += bk.Outstanding
		bucketLoans += bk.Loans
	}
	if byClass != outstanding || byState != outstanding || byBucket != outstanding || bucketLoans != loans {
		t.Fatalf("breakdowns do not add up: %d %d %d of %d", byClass, byState, byBucket, outstanding)
	}
	// One fen changed anywhere changes the digest.
	books[77].Repayments[0].Interest++
	c2 := newStore(t)
	write(t, c2, books)
	if fc, _ := figures.Compute(ctx, c2); fc.Digest == fa.Digest {
		t.Fatal("a changed repayment kept the digest")
	}
}

// The demo book imported from its CSV export has the digest of the same book written
// directly: the import loses nothing that the export carries.
func TestImportedBookMatchesWritten(t *testing.T) {
	const n = 300
	g := &demo.Generator{Seed: 11}
	dir := t.TempDir()
	if err := demo.ExportCSV(ctx, dir, g, n, progress.Discard); err != nil {
		t.Fatal(err)
	}
	direct := newStore(t)
	books := book(n)
	for _, bk := range books {
		bk.Documents = nil
		for i := range bk.Repayments {
			bk.Repayments[i].Penalty = 0 // the export has no penalty column
		}
		for i := range bk.Loans {
			bk.Loans[i].GuarantorIDs = nil // nor guarantors
		}
	}
	write(t, direct, books)
	imported := newStore(t)
	var files []string
	for _, f := range demo.CSVFiles {
		files = append(files, filepath.Join(dir, f))
	}
	ins, err := importer.Plan(files, importer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := importer.Run(ctx, imported, ins, importer.Options{Now: func() time.Time { return time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC) }}, progress.Discard, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.Quarantined != 0 {
			t.Fatalf("%s: %d rows quarantined", r.File, r.Quarantined)
		}
	}
	fd, _ := figures.Compute(ctx, direct)
	fi, _ := figures.Compute(ctx, imported)
	if fd.Digest != fi.Digest {
		var db, ib *store.CustomerBook
		direct.EachCustomer(ctx, func(b *store.CustomerBook) error {
			if db == nil {
				db = b
			}
			return nil
		})
		imported.EachCustomer(ctx, func(b *store.CustomerBook) error {
			if ib == nil {
				ib = b
			}
			return nil
		})
		t.Fatalf("digests differ\ndirect   %+v\nimported %+v", db, ib)
	}
}
