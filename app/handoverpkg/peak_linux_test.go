package handoverpkg_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"handover/app/bag"
	. "handover/app/handoverpkg"
	"handover/app/progress"
	"handover/crypto/identity"
)

// The child half of checkPeak: verify a package, as verify and receive read it, and exit.
func init() {
	dir := os.Getenv("HANDOVER_TEST_PEAK_PACKAGE")
	if dir == "" {
		return
	}
	sealed, _ := os.ReadFile(os.Getenv("HANDOVER_TEST_PEAK_ID"))
	card, _ := os.ReadFile(os.Getenv("HANDOVER_TEST_PEAK_CARD"))
	id, err := identity.Open(sealed, "peak-pass")
	if err != nil {
		os.Exit(3)
	}
	c, err := identity.ParseCard(card)
	if err != nil {
		os.Exit(3)
	}
	if _, err := Verify(dir, id, []identity.Card{c}, bag.DefaultLimits); err == nil {
		VerifyBook(ctx, dir, id, []identity.Card{c}, bag.DefaultLimits, progress.Discard)
	}
	printPeak()
	os.Exit(0)
}

// printPeak prints this process's peak resident memory as the kernel counts it for the
// program it runs (VmHWM). The rusage of a child is no good: Linux carries the parent's
// peak into a child across fork and exec.
func printPeak() {
	b, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			fmt.Println("peak-kib", strings.TrimSuffix(strings.TrimSpace(v), " kB"))
		}
	}
}

// peakOf reads what printPeak printed.
func peakOf(out []byte) int64 {
	for _, line := range strings.Split(string(out), "\n") {
		if v, ok := strings.CutPrefix(line, "peak-kib "); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			return n << 10
		}
	}
	return -1
}

// checkPeak verifies the package in dir in a process of its own and fails the test if that
// process's peak resident memory passed limit. The race detector's own memory is not the
// program's, so under it the check only runs the child.
func checkPeak(t *testing.T, dir string, recipient *identity.Identity, sender identity.Card, limit int64) {
	t.Helper()
	tmp := t.TempDir()
	sealed, err := recipient.Seal("peak-pass", 10)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(tmp, "id"), sealed, 0o600)
	os.WriteFile(filepath.Join(tmp, "card"), sender.Marshal(), 0o600)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "HANDOVER_TEST_PEAK_PACKAGE="+dir, "HANDOVER_TEST_PEAK_ID="+filepath.Join(tmp, "id"),
		"HANDOVER_TEST_PEAK_CARD="+filepath.Join(tmp, "card"))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("verifying in a child: %v %s", err, out)
	}
	peak := peakOf(out)
	if peak < 0 {
		t.Fatalf("the child did not say its peak: %s", out)
	}
	if peak > limit && !raceEnabled {
		t.Fatalf("peak memory %d MiB, over %d MiB", peak>>20, limit>>20)
	}
	t.Logf("peak memory %d MiB", peak>>20)
}
