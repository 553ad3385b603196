package store

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"handover/store/model"
)

// book1MDir is a closed vault of 1,000,000 customers (two loans, three repayments each),
// built once per test binary in a child process (so that the benchmark's process holds only
// what the destruction needs); each benchmark run destroys a copy of it.
var book1MDir = sync.OnceValues(func() (string, error) {
	// A book built before, outside the process (HANDOVER_BENCH_BOOK1M=DIR, made by a run with
	// HANDOVER_TEST_BUILD_1M=DIR): so that a run under a memory cgroup measures only the
	// destruction.
	if dir := os.Getenv("HANDOVER_BENCH_BOOK1M"); dir != "" {
		return dir, nil
	}
	dir, err := os.MkdirTemp("", "handover-destroy-bench-")
	if err != nil {
		return "", err
	}
	benchDirs = append(benchDirs, dir)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "HANDOVER_TEST_BUILD_1M="+filepath.Join(dir, "v"))
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building the book: %v %s", err, out)
	}
	return filepath.Join(dir, "v"), nil
})

func init() {
	path := os.Getenv("HANDOVER_TEST_BUILD_1M")
	if path == "" {
		return
	}
	if err := buildBook(path, 1_000_000); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(0)
}

func buildBook(path string, n int) error {
	d, err := CreateDir(path, Manifest{})
	if err != nil {
		return err
	}
	defer d.Close()
	s, err := Open(d, bytes.Repeat([]byte{0x42}, 32), true)
	if err != nil {
		return err
	}
	defer s.Close()
	w := s.NewWriter()
	for i := 1; i <= n; i++ {
		bk := book(i)
		bk.Documents = nil
		if _, err := w.Add(bk); err != nil {
			return err
		}
	}
	return w.Close()
}

// resetPeakRSS starts a new peak of this process's resident memory (Linux: clear_refs 5);
// peakRSS reads it in MiB. Elsewhere both do nothing and the peak reads 0.
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

func peakRSS() float64 { return procStatus("VmHWM:") }

// procStatus reads one line of /proc/self/status in MiB (0 elsewhere).
func procStatus(field string) float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 64)
			return kb / 1024
		}
	}
	return 0
}

// peakAnon samples the program's own memory (RssAnon: not the page cache of Badger's mapped
// files, which the kernel reclaims) every 100 ms until stop, and returns the highest sample.
func peakAnon() (stop func() float64) {
	var peak float64
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			peak = max(peak, procStatus("RssAnon:"))
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() float64 { close(done); <-finished; return peak }
}

// BenchmarkDestroy10kOf1M destroys 10,000 customers spread over a 1,000,000-customer vault:
// count, erase, delete, and the rewrite of the whole database. Must: under 5 minutes and
// 600 MiB; goal: under a minute (issue 15).
func BenchmarkDestroy10kOf1M(b *testing.B) {
	src, err := book1MDir()
	if err != nil {
		b.Fatal(err)
	}
	var nos []model.CustomerNo
	for i := 100; i <= 1_000_000; i += 100 {
		nos = append(nos, model.CustomerNo(i))
	}
	// As the program runs (main.go): a soft Go memory limit of 448 MiB.
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(448 << 20))
	var peak, anon float64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		_, d, s := openCopy(b, src)
		resetPeakRSS()
		stopAnon := peakAnon()
		b.StartTimer()
		res, err := s.DestroyCustomers(ctx, "DP-bench", nos, nil)
		b.StopTimer()
		peak, anon = max(peak, peakRSS()), max(anon, stopAnon())
		if err != nil || res.Removed.Customers != 10_000 {
			b.Fatal(res, err)
		}
		s.Close()
		d.Close()
	}
	b.ReportMetric(peak, "peak-RSS-MiB")
	b.ReportMetric(anon, "peak-anon-MiB")
}

// BenchmarkDestroyWhole1M destroys a 1,000,000-customer vault whole, as the transferor's copy
// goes at the end: every customer (the whole-book path), then the folder erased (key slots and
// key table overwritten, every file removed). The compliance archive is the audit log's
// export, measured by BenchmarkVerifyAudit1M's neighbours; it is not part of this timing.
func BenchmarkDestroyWhole1M(b *testing.B) {
	src, err := book1MDir()
	if err != nil {
		b.Fatal(err)
	}
	// As the program runs (main.go): a soft Go memory limit of 448 MiB.
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(448 << 20))
	var peak, anon float64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		dst, d, s := openCopy(b, src)
		resetPeakRSS()
		stopAnon := peakAnon()
		b.StartTimer()
		nos, err := s.CustomerNos(ctx)
		if err != nil {
			b.Fatal(err)
		}
		res, err := s.DestroyCustomers(ctx, "DP-bench-all", nos, nil)
		if err != nil || res.Removed.Customers != 1_000_000 {
			b.Fatal(res, err)
		}
		s.Close()
		if err := d.Erase(); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		peak, anon = max(peak, peakRSS()), max(anon, stopAnon())
		if _, err := os.Stat(dst); !os.IsNotExist(err) {
			b.Fatalf("the vault folder remains: %v", err)
		}
	}
	b.ReportMetric(peak, "peak-RSS-MiB")
	b.ReportMetric(anon, "peak-anon-MiB")
}

// openCopy copies the vault at src and opens the copy.
func openCopy(b *testing.B, src string) (string, *Dir, *Store) {
	dst := filepath.Join(b.TempDir(), "v")
	copyTree(b, src, dst)
	d, err := OpenDir(dst)
	if err != nil {
		b.Fatal(err)
	}
	s, err := Open(d, bytes.Repeat([]byte{0x42}, 32), false)
	if err != nil {
		b.Fatal(err)
	}
	return dst, d, s
}
