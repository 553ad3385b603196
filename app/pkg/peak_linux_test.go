package pkg_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"handover/app/bag"
	. "handover/app/pkg"
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
	os.Exit(0)
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
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("verifying in a child: %v %s", err, out)
	}
	peak := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss << 10 // KiB on Linux
	if peak > limit && !raceEnabled {
		t.Fatalf("peak memory %d MiB, over %d MiB", peak>>20, limit>>20)
	}
	t.Logf("peak memory %d MiB", peak>>20)
}
