package keyslot

import "testing"

// BenchmarkUnwrap is the cost of one unlock's key derivation at the real work factor.
func BenchmarkUnwrap(b *testing.B) {
	slot, err := Wrap(master, "op", "benchmark passphrase", DefaultWorkFactor)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Unwrap(slot, "op", "benchmark passphrase"); err != nil {
			b.Fatal(err)
		}
	}
}
