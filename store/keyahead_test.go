package store

import (
	"bytes"
	"errors"
	"testing"

	"handover/store/model"
)

// A receive stores documents before their customer: under a key made ahead, which the
// customer's record then shares; with gaps in the numbering. Dropped, every key made ahead
// is cleared, including those past the last committed customer.
func TestKeyAheadAndDropBook(t *testing.T) {
	s, _ := newStore(t)
	w := s.NewImportWriter()
	content := bytes.Repeat([]byte("scan"), 1000)
	for _, no := range []model.CustomerNo{3, 7} {
		if err := w.KeyAhead(no); err != nil {
			t.Fatal(err)
		}
		if err := w.AddDocumentChunk(no, 1, 0, content); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.KeyAhead(2); err != nil {
		t.Fatal(err)
	}
	if err := w.Checkpoint(); err != nil {
		t.Fatal(err)
	}
	if err := w.SkipTo(3); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Add(&Book{Customer: model.Customer{Name: "张三"}}); err != nil {
		t.Fatal(err)
	}
	if err := w.AddDocument(model.Document{Customer: 3, Seq: 1, Name: "a.jpg", Size: int64(len(content)), Chunks: 1}); err != nil {
		t.Fatal(err)
	}
	if err := w.SkipTo(2); err == nil {
		t.Fatal("SkipTo went back")
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if c := s.Counts(); c.Customers != 1 || c.NextCustomer != 8 || c.Documents != 1 {
		t.Fatalf("counts %+v", c)
	}
	var got bytes.Buffer
	if err := s.WriteDocument(ctx, 3, 1, &got); err != nil || !bytes.Equal(got.Bytes(), content) {
		t.Fatalf("the document stored ahead of its customer: %v", err)
	}
	if err := s.DropBook(); err != nil {
		t.Fatal(err)
	}
	for _, no := range []model.CustomerNo{2, 3, 7} {
		if _, err := s.keys.Get(no); !errors.Is(err, ErrNotFound) {
			t.Errorf("key of #%d after DropBook: %v", no, err)
		}
	}

	// Aborted before any checkpoint: the keys made ahead are cleared all the same.
	w = s.NewImportWriter()
	if err := w.KeyAhead(5); err != nil {
		t.Fatal(err)
	}
	w.Abort()
	if err := s.DropBook(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.keys.Get(5); !errors.Is(err, ErrNotFound) {
		t.Errorf("key of #5 after an abort and DropBook: %v", err)
	}

	// A receive's writer (UndoneOnCrash) covers customers prepared but never committed too.
	w = s.NewImportWriter()
	w.UndoneOnCrash()
	if _, err := w.Prepare(9, &Book{Customer: model.Customer{Name: "李四"}}); err != nil {
		t.Fatal(err)
	}
	w.Abort()
	if err := s.DropBook(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.keys.Get(9); !errors.Is(err, ErrNotFound) {
		t.Errorf("key of #9, prepared and never committed, after an abort and DropBook: %v", err)
	}
}
