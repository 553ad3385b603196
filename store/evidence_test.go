package store

import (
	"context"
	"errors"
	"io"
	"testing"

	"github.com/dgraph-io/badger/v4"
)

// A refused attachment leaves no chunk behind.
func TestPutEvidenceTooLargeLeavesNothing(t *testing.T) {
	s, _ := newStore(t)
	_, err := s.PutEvidence(context.Background(), "x-1", "big.pdf", io.LimitReader(zeros{}, MaxEvidenceSize+1))
	if !errors.Is(err, ErrEvidenceTooLarge) {
		t.Fatalf("oversized evidence: %v", err)
	}
	n := 0
	s.iterate(context.Background(), []byte{pEvidence}, false, func(*badger.Item) (bool, error) { n++; return true, nil })
	if n != 0 {
		t.Fatalf("%d chunks left", n)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }
