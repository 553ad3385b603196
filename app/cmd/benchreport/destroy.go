//go:build linux

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// destroyRuns measures destruction (issue 15) on a 1,000,000-customer vault: 10,000 customers
// spread over it crypto-erased, deleted and the database rewritten, and the whole vault
// destroyed (every customer, then the folder erased). They are the store's Go benchmarks, run
// one at a time as separate processes inside the 600 MiB memory cgroup, on a book built
// beforehand by the same test binary (so that the cgroup measures only the destruction). The
// comparison is `cp -a` of the same vault folder in the same run: the rewrite copies the live
// data once, so a copy is its floor.
func destroyRuns(env []string, tmp string) string {
	var b strings.Builder
	b.WriteString("## Destruction\n\n")
	dir := filepath.Join(tmp, "destroy")
	check(os.MkdirAll(dir, 0o755))
	defer os.RemoveAll(dir)
	test := filepath.Join(dir, "store.test")
	fmt.Fprintln(os.Stderr, "benchreport: destruction: building the store's test binary and a 1,000,000-customer vault")
	runQuiet(env, "go", "test", "-c", "-o", test, "./store")
	book := filepath.Join(dir, "book")
	runQuiet(append(append([]string{}, env...), "HANDOVER_TEST_BUILD_1M="+book), test, "-test.run=^$")
	copyTime := measure(env, nil, "cp", "-a", book, filepath.Join(dir, "copy")).elapsed
	os.RemoveAll(filepath.Join(dir, "copy"))
	benchEnv := append(append([]string{}, env...), "HANDOVER_BENCH_BOOK1M="+book)
	fmt.Fprintf(&b, "The store's benchmarks `BenchmarkDestroy10kOf1M` and `BenchmarkDestroyWhole1M`, each a separate process inside a "+
		"memory cgroup limited to 600 MiB (page cache included), on a vault of 1,000,000 customers (two loans and three repayments each, %s on disk) "+
		"built beforehand; each run destroys a fresh copy of it (the copy is not timed). The program's soft Go memory limit (448 MiB) applies, as in main.go. "+
		"The comparison: `cp -a` of the same vault folder took %.1f s in this run; the rewrite copies the live data once.\n\n", mib(diskUsage(book)), copyTime.Seconds())
	b.WriteString("| what | time | peak anonymous | cgroup peak (page cache included) |\n|---|---:|---:|---:|\n")
	for _, c := range []struct{ bench, what string }{
		{"BenchmarkDestroy10kOf1M", "10,000 of 1,000,000 customers: erase, delete, rewrite"},
		{"BenchmarkDestroyWhole1M", "the whole vault: every customer, then the folder erased"},
	} {
		fmt.Fprintf(os.Stderr, "benchreport: %s under a 600 MiB memory cgroup\n", c.bench)
		outFile := filepath.Join(dir, c.bench+".txt")
		args := []string{"-c", `out="$1"; shift; exec "$@" > "$out"`, "sh", outFile, test, "-test.run=^$", "-test.bench=^" + c.bench + "$", "-test.benchtime=1x"}
		_, pk, skipped := capped(benchEnv, "sh", args...)
		if skipped != "" {
			// No writable cgroup: run it uncapped, and the table says so.
			measure(benchEnv, nil, "sh", args...)
			pk = 0
		}
		out, _ := os.ReadFile(outFile)
		secs, anon := benchLine(string(out), c.bench)
		peak := "not capped"
		if pk > 0 {
			peak = mib(pk)
		}
		fmt.Fprintf(&b, "| %s | %.1f s | %.0f MiB | %s |\n", c.what, secs, anon, peak)
	}
	b.WriteString("\nMust (issue 15): each under 5 minutes on these 2 cores and under 600 MiB; goal: under 1 minute. ")
	b.WriteString("How destruction works, and what each phase costs, is in docs/DESTRUCTION.md.\n\n")
	return b.String()
}

// benchLine reads a Go benchmark's seconds per operation and its peak-anon-MiB metric.
func benchLine(out, name string) (secs, anon float64) {
	for _, l := range strings.Split(out, "\n") {
		f := strings.Fields(l)
		if len(f) < 4 || !strings.HasPrefix(f[0], name) {
			continue
		}
		for i := 1; i+1 < len(f); i++ {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			switch f[i+1] {
			case "ns/op":
				secs = v / 1e9
			case "peak-anon-MiB":
				anon = v
			}
		}
	}
	return secs, anon
}
