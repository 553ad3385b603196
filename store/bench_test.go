package store

import (
	"fmt"
	"testing"
)

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

// BenchmarkAppendAudit is the cost of one audit event: sealing, the tree's new root and
// state, one Badger transaction.
func BenchmarkAppendAudit(b *testing.B) {
	s, _ := newStore(b)
	ev := []byte(`{"seq":0,"time":"2026-11-28T08:00:00Z","operator":"op-0123456789ab","workstation":"ws/0123456789ab","action":"customer.reveal","target":"customer:123456","outcome":"ok","detail":{"field":"id_number"}}`)
	for b.Loop() {
		if _, err := s.AppendAudit(ev); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyAudit1M verifies a log of 1,000,000 events (built once, outside the timer),
// then measures the audit screen's first page (200 events, newest first) on that log.
func BenchmarkVerifyAudit1M(b *testing.B) {
	s, _ := newStore(b)
	const n = 1_000_000
	batch := make([][]byte, 0, 10000)
	for i := range n {
		batch = append(batch, fmt.Appendf(nil, `{"seq":0,"time":"2026-11-28T08:00:00Z","operator":"op-0123456789ab","action":"customer.view","target":"customer:%d","outcome":"ok"}`, i))
		if len(batch) == cap(batch) {
			if err := s.appendAuditBatch(batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	for b.Loop() {
		rep, err := s.VerifyAudit(ctx, nil)
		if err != nil || rep.Problem != nil || rep.Events != n {
			b.Fatalf("%+v %v", rep, err)
		}
	}
	b.Run("page", func(b *testing.B) {
		for b.Loop() {
			got := 0
			s.AuditEventsBackward(ctx, ^uint64(0), func(uint64, []byte) bool { got++; return got < 200 })
		}
	})
	b.Run("scan-all", func(b *testing.B) { // a filter that matches nothing reads the whole log
		for b.Loop() {
			s.AuditEventsBackward(ctx, ^uint64(0), func(uint64, []byte) bool { return true })
		}
	})
}
