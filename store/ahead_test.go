package store

import (
	"strings"
	"testing"

	"handover/crypto/blind"
	"handover/store/model"
)

// TestAddAheadCommitsInOrder adds customers through the preparing goroutine with
// checkpoints that fall inside its batches, then aborts a writer with customers in flight:
// every customer of a checkpoint is stored under the number AddAhead returned and found by
// its identity number, and nothing after the last checkpoint of the aborted writer is.
func TestAddAheadCommitsInOrder(t *testing.T) {
	s, _ := newStore(t)
	const n, every = 1000, 37
	w := s.NewImportWriter()
	for i := 1; i <= n; i++ {
		b := book(i)
		b.Documents = nil
		no, err := w.AddAhead(b)
		if err != nil {
			t.Fatal(err)
		}
		if no != model.CustomerNo(i) {
			t.Fatalf("customer %d numbered #%d", i, no)
		}
		if i%every == 0 {
			if err := w.Checkpoint(); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if c := s.Counts(); c.Customers != n || c.Loans != 2*n || c.Repayments != 3*n {
		t.Fatalf("counts %+v", c)
	}
	for _, i := range []int{1, every, every + 1, 500, n} {
		want := book(i).Customer
		c, err := s.Customer(model.CustomerNo(i))
		if err != nil || c.Name != want.Name || c.IDNumber != want.IDNumber {
			t.Fatalf("customer #%d: %+v, %v", i, c, err)
		}
		hits, err := s.Find(ctx, blind.IDNumber, want.IDNumber)
		if err != nil || len(hits) != 1 || hits[0].Customer != model.CustomerNo(i) {
			t.Fatalf("customer #%d by identity number: %+v, %v", i, hits, err)
		}
	}

	w = s.NewImportWriter()
	for i := n + 1; i <= n+300; i++ {
		if _, err := w.AddAhead(book(i)); err != nil {
			t.Fatal(err)
		}
		if i == n+100 {
			if err := w.Checkpoint(); err != nil {
				t.Fatal(err)
			}
		}
	}
	w.Abort()
	if c := s.Counts(); c.Customers != n+100 {
		t.Fatalf("after an abort with customers in flight: %d customers, want %d", c.Customers, n+100)
	}
	if _, err := s.Customer(n + 101); err == nil {
		t.Fatal("a customer after the last checkpoint was stored")
	}
}

// TestAddAheadReportsSealingErrors: a customer that cannot be sealed fails the checkpoint
// that would commit it, and the customers before it in the batch are not committed alone.
func TestAddAheadReportsSealingErrors(t *testing.T) {
	s, _ := newStore(t)
	w := s.NewImportWriter()
	for i := 1; i <= 10; i++ {
		b := book(i)
		b.Documents = nil
		if i == 7 {
			b.Repayments = append(b.Repayments, model.Repayment{Loan: 9}) // no such loan
		}
		if _, err := w.AddAhead(b); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Checkpoint(); err == nil {
		t.Fatal("a checkpoint with a customer that could not be sealed succeeded")
	}
	w.Abort()
	if c := s.Counts(); c.Customers != 0 {
		t.Fatalf("%d customers stored", c.Customers)
	}
}

// TestAddAheadKeepsCheckpointsInBounds: customers in flight count toward ImportFull, so an
// import of large records (a long address each, 20 MB in all) still checkpoints about every
// txnMaxBytes instead of holding hundreds of them in one checkpoint (once: one checkpoint).
func TestAddAheadKeepsCheckpointsInBounds(t *testing.T) {
	s, _ := newStore(t)
	w := s.NewImportWriter()
	long := strings.Repeat("北京市朝阳区建国路88号院", 1000) // about 33 KB
	checkpoints := 0
	for i := 1; i <= 600; i++ {
		b := book(i)
		b.Documents, b.Loans, b.Repayments = nil, nil, nil
		b.Customer.Address = long
		if _, err := w.AddAhead(b); err != nil {
			t.Fatal(err)
		}
		if w.ImportFull() {
			checkpoints++
			if err := w.Checkpoint(); err != nil {
				t.Fatalf("checkpoint %d, after customer %d: %v", checkpoints, i, err)
			}
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if c := s.Counts(); c.Customers != 600 || checkpoints < 8 {
		t.Fatalf("%d customers in %d checkpoints", c.Customers, checkpoints)
	}
}
