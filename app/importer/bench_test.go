package importer_test

import (
	"os"
	"strconv"
	"testing"

	. "handover/app/importer"
)

// BenchmarkImport imports the demo book of 20,000 customers (or HANDOVER_BENCH_CUSTOMERS)
// from CSV into a new vault; the 100,000 and 1,000,000 runs are in make bench
// (app/cmd/benchreport).
func BenchmarkImport(b *testing.B) {
	n, err := strconv.Atoi(os.Getenv("HANDOVER_BENCH_CUSTOMERS"))
	if err != nil {
		n = 20000
	}
	paths := exportDemo(b, b.TempDir(), n)
	for b.Loop() {
		b.StopTimer()
		st := newStore(b)
		b.StartTimer()
		importFiles(b, st, Options{}, paths...)
		b.StopTimer()
		st.Close()
		b.StartTimer()
	}
}
