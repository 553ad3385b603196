package seal

import "testing"

func BenchmarkSeal400B(b *testing.B) {
	s := NewSealer(NewKey())
	pt := make([]byte, 400)
	b.SetBytes(int64(len(pt)))
	dst := make([]byte, 0, 512)
	for b.Loop() {
		s.Seal(dst[:0], []byte("c/12345678"), pt)
	}
}
