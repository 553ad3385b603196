package seal

import (
	"bytes"
	"errors"
	"testing"
)

func TestSealOpen(t *testing.T) {
	s := NewSealer(NewKey())
	ad := []byte("c/1")
	sealed := s.Seal(nil, ad, []byte("张三"))
	if len(sealed) != len("张三")+Overhead {
		t.Fatalf("overhead %d, want %d", len(sealed)-len("张三"), Overhead)
	}
	pt, err := s.Open(ad, sealed)
	if err != nil || string(pt) != "张三" {
		t.Fatalf("Open = %q, %v", pt, err)
	}
	for i := range sealed {
		bad := bytes.Clone(sealed)
		bad[i] ^= 0x01
		if _, err := s.Open(ad, bad); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("flip at byte %d not detected: %v", i, err)
		}
	}
	if _, err := s.Open([]byte("c/2"), sealed); !errors.Is(err, ErrCorrupt) {
		t.Fatal("record moved to another key was accepted")
	}
	if _, err := NewSealer(NewKey()).Open(ad, sealed); !errors.Is(err, ErrCorrupt) {
		t.Fatal("opened under another key")
	}
}

func TestDeriveSeparatesLabels(t *testing.T) {
	m := bytes.Repeat([]byte{1}, 32)
	if Derive(m, "a") == Derive(m, "b") {
		t.Fatal("labels give equal keys")
	}
	if a1, a2 := Derive(m, "a"), Derive(m, "a"); a1 != a2 {
		t.Fatal("derive is not deterministic")
	}
}

func FuzzOpen(f *testing.F) {
	s := NewSealer(Key{})
	f.Add(s.Seal(nil, nil, []byte("x")))
	f.Fuzz(func(t *testing.T, b []byte) {
		if pt, err := s.Open(nil, b); err == nil {
			if !bytes.Equal(s.Seal(nil, nil, pt)[:1], b[:1]) {
				t.Fatal("version mismatch")
			}
		}
	})
}
