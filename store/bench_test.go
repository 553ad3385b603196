package store

import "testing"

// BenchmarkWriterAdd is the cost of sealing and committing one customer with two loans,
// three repayments and no documents.
func BenchmarkWriterAdd(b *testing.B) {
	s, _ := newStore(b)
	w := s.NewWriter()
	bk := book(1)
	bk.Documents = nil
	i := 0
	for b.Loop() {
		i++
		if _, err := w.Add(bk); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
}

func BenchmarkFindIDNumber(b *testing.B) {
	s, _ := newStore(b)
	fill(b, s, 20000)
	for b.Loop() {
		if hits, err := s.Find(ctx, 'i', "11010519491231002X777"); err != nil || len(hits) != 1 {
			b.Fatal(hits, err)
		}
	}
}
