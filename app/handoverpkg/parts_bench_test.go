package handoverpkg

import (
	"context"
	"crypto/rand"
	"testing"

	"handover/app/progress"
)

// BenchmarkPartsWriteAndReadBack is the export's last stage alone: 128 MiB cut into parts of
// 64 MiB, hashed, written around the page cache where the file system allows, synced and
// read back segment by segment.
func BenchmarkPartsWriteAndReadBack(b *testing.B) {
	data := make([]byte, 1<<20)
	rand.Read(data)
	const total = 128 << 20
	b.SetBytes(total)
	for b.Loop() {
		b.StopTimer()
		sp := &splitter{dir: b.TempDir(), size: 64 << 20, ctx: context.Background(), p: progress.Discard}
		b.StartTimer()
		sp.startReadBack()
		for range total / len(data) {
			if _, err := sp.Write(data); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := sp.finish(); err != nil {
			b.Fatal(err)
		}
	}
}
