package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"handover/crypto/seal"
	"handover/store/model"
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

// auditLog1M is a store holding a log of 1,000,000 events, built once per test binary for
// the benchmarks below (building it takes longer than any of them).
var auditLog1M = sync.OnceValues(func() (*Store, error) {
	dir, err := os.MkdirTemp("", "handover-audit-bench-")
	if err != nil {
		return nil, err
	}
	benchDirs = append(benchDirs, dir)
	d, err := CreateDir(filepath.Join(dir, "vault"), Manifest{})
	if err != nil {
		return nil, err
	}
	s, err := Open(d, bytes.Repeat([]byte{0x42}, 32), true)
	if err != nil {
		return nil, err
	}
	batch := make([][]byte, 0, 10000)
	for i := range 1_000_000 {
		batch = append(batch, fmt.Appendf(nil, `{"seq":0,"time":"2026-11-28T08:00:00Z","operator":"op-0123456789ab","action":"customer.view","target":"customer:%d","outcome":"ok"}`, i))
		if len(batch) == cap(batch) {
			if err := s.appendAuditBatch(batch); err != nil {
				return nil, err
			}
			batch = batch[:0]
		}
	}
	return s, nil
})

// benchDirs are removed when the test binary ends.
var benchDirs []string

func TestMain(m *testing.M) {
	code := m.Run()
	for _, d := range benchDirs {
		os.RemoveAll(d)
	}
	os.Exit(code)
}

// BenchmarkVerifyAudit1M verifies a log of 1,000,000 events.
func BenchmarkVerifyAudit1M(b *testing.B) {
	s, err := auditLog1M()
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		rep, err := s.VerifyAudit(ctx, nil)
		if err != nil || rep.Problem != nil || rep.Events != 1_000_000 {
			b.Fatalf("%+v %v", rep, err)
		}
	}
}

// BenchmarkAuditPage1M is the audit screen's page of 200 events, newest first, on that log.
func BenchmarkAuditPage1M(b *testing.B) {
	s, err := auditLog1M()
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		got := 0
		s.AuditEventsBackward(ctx, ^uint64(0), func(uint64, []byte) bool { got++; return got < 200 })
	}
}

// BenchmarkAuditScan1M is a filter that matches nothing: it reads the whole log.
func BenchmarkAuditScan1M(b *testing.B) {
	s, err := auditLog1M()
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		s.AuditEventsBackward(ctx, ^uint64(0), func(uint64, []byte) bool { return true })
	}
}

// BenchmarkVerifyTables is what every unlock adds to check every table block (the vault of
// 200,000 customers with two loans and three repayments each, no documents); compare it with
// BenchmarkEachCustomer200k, a walk of the same book.
func BenchmarkVerifyTables(b *testing.B) {
	s := book200k(b)
	for b.Loop() {
		if err := verifyTables(s.db, filepath.Join(s.dir.path, dbDir), seal.Derive(bytes.Repeat([]byte{0x42}, 32), "badger")); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEachCustomer200k(b *testing.B) {
	s := book200k(b)
	for b.Loop() {
		if err := s.EachCustomer(ctx, func(*CustomerBook) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
}

var book200kStore = sync.OnceValues(func() (*Store, error) {
	dir, err := os.MkdirTemp("", "handover-book-bench-")
	if err != nil {
		return nil, err
	}
	benchDirs = append(benchDirs, dir)
	d, err := CreateDir(filepath.Join(dir, "v"), Manifest{})
	if err != nil {
		return nil, err
	}
	master := bytes.Repeat([]byte{0x42}, 32)
	s, err := Open(d, master, true)
	if err != nil {
		return nil, err
	}
	w := s.NewWriter()
	for i := 1; i <= 200_000; i++ {
		bk := book(i)
		bk.Documents = nil
		if _, err := w.Add(bk); err != nil {
			return nil, err
		}
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	// Reopened, as an unlock finds it: flushed tables, nothing in the memtable.
	s.Close()
	return Open(d, master, false)
})

func book200k(b *testing.B) *Store {
	s, err := book200kStore()
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkDocumentReader reads every document of a 2,000-customer book (one of 64 KiB and
// 10 bytes each) through one DocumentReader, as an export does: the export's document stage.
func BenchmarkDocumentReader(b *testing.B) {
	s, _ := newStore(b)
	fill(b, s, 2000)
	var docs []model.Document
	for no := model.CustomerNo(1); no <= 2000; no++ {
		ds, err := s.Documents(ctx, no)
		if err != nil {
			b.Fatal(err)
		}
		docs = append(docs, ds...)
	}
	var size int64
	for _, d := range docs {
		size += d.Size
	}
	b.SetBytes(size)
	for b.Loop() {
		r := s.NewDocumentReader()
		for _, d := range docs {
			if err := r.WriteDocument(ctx, d, io.Discard); err != nil {
				b.Fatal(err)
			}
		}
		r.Close()
	}
}

// BenchmarkScratch1M is the import's lookup stage alone: 1,000,000 salted 16-byte keys put
// (borrowers as the customers file is read), then each looked up once (as the loans and
// repayments name them), through the on-disk scratch index.
func BenchmarkScratch1M(b *testing.B) {
	s, _ := newStore(b)
	const n = 1_000_000
	key := func(i int) []byte {
		h := sha256.Sum256(binary.BigEndian.AppendUint64(nil, uint64(i)))
		return h[:16]
	}
	for b.Loop() {
		m, err := s.OpenScratch(16)
		if err != nil {
			b.Fatal(err)
		}
		for i := range n {
			if err := m.Put(key(i), uint64(i)); err != nil {
				b.Fatal(err)
			}
		}
		for i := range n {
			if v, ok, err := m.Get(key(i)); err != nil || !ok || v != uint64(i) {
				b.Fatalf("key %d: %d %v %v", i, v, ok, err)
			}
		}
		if err := m.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkKeyTable1M is the import's key stage alone: a key made for each of 1,000,000
// customers (the customers file) and synced, then each customer's key read back once in
// number order with the cache emptied first (the loans and repayments files).
func BenchmarkKeyTable1M(b *testing.B) {
	s, _ := newStore(b)
	const n = 1_000_000
	for b.Loop() {
		for no := model.CustomerNo(1); no <= n; no++ {
			if _, err := s.keys.New(no); err != nil {
				b.Fatal(err)
			}
		}
		if err := s.keys.Sync(); err != nil {
			b.Fatal(err)
		}
		s.keys.Forget()
		for no := model.CustomerNo(1); no <= n; no++ {
			if _, err := s.keys.Get(no); err != nil {
				b.Fatal(err)
			}
		}
	}
}
