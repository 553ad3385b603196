package pkg_test

import (
	"syscall"
	"testing"
)

// checkPeak fails the test if this process's peak resident memory ever passed limit: run
// after hostile inputs, it bounds what each of them cost (and everything before it).
func checkPeak(t *testing.T, limit int64) {
	t.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	if peak := ru.Maxrss << 10; peak > limit { // KiB on Linux
		t.Fatalf("peak memory %d MiB, over %d MiB", peak>>20, limit>>20)
	} else {
		t.Logf("peak memory of the test process so far: %d MiB", peak>>20)
	}
}
