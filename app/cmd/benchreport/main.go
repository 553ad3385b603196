//go:build linux

// Command benchreport measures Handover on this machine and writes docs/BENCHMARKS.md:
// unlock time, and the generation and write of demo books of 100,000 and 1,000,000
// customers by the real binary (rows per second, bytes on disk, peak memory). `make bench`
// runs it after the Go micro-benchmarks, whose output it includes.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

type run struct {
	customers                  int
	elapsed                    time.Duration
	peakRSS, peakAnon          int64 // bytes
	disk                       int64
	loans, repayments, rowsAll int64
}

func main() {
	bin := flag.String("bin", "bin/handover", "the handover binary to measure")
	out := flag.String("out", "docs/BENCHMARKS.md", "report to write")
	gobench := flag.String("gobench", "", "file holding `go test -bench` output to include")
	sizes := flag.String("sizes", "100000,1000000", "demo book sizes")
	pkgSizes := flag.String("package-customers", "100000,20000", "customers (with two documents each) of the package benchmarks, comma-separated (about 2.3 GiB and 500 MB); 0 or empty skips them")
	destroy := flag.Bool("destroy", true, "measure destruction of a 1,000,000-customer vault")
	notices := flag.Bool("notices", true, "measure notices: letters for the 100,000-customer book, SMS for the 1,000,000 one")
	flag.IntVar(&reruns, "reruns", reruns, "runs of each comparison (import and floor, export, receive and the standard pipelines); the report gives the median and the spread")
	flag.Parse()

	tmp, err := os.MkdirTemp("", "handover-bench-")
	check(err)
	defer os.RemoveAll(tmp)
	pass := "benchmark passphrase"
	env := append(os.Environ(), "HANDOVER_PASSPHRASE="+pass)

	var runs []run
	var unlocks []time.Duration
	var sizeList, noticeRows []string
	if *sizes != "" {
		sizeList = strings.Split(*sizes, ",")
	}
	for _, s := range sizeList {
		n, err := strconv.Atoi(s)
		check(err)
		dir := filepath.Join(tmp, "demo-"+s)
		fmt.Fprintf(os.Stderr, "benchreport: demo of %d customers\n", n)
		r := run{customers: n}
		r.elapsed, r.peakRSS, r.peakAnon = timed(env, nil, *bin, "demo", "--customers", s, "--out", dir, "--seed", "1", "--deal", "loan-book")
		r.disk = diskUsage(dir)
		var info struct{ Customers, Loans, Repayments int64 }
		var buf bytes.Buffer
		cmd := exec.Command(*bin, "vault", "info", "--vault", dir, "--json")
		cmd.Env, cmd.Stdout, cmd.Stderr = env, &buf, os.Stderr
		start := time.Now()
		check(cmd.Run())
		unlocks = append(unlocks, time.Since(start))
		check(json.Unmarshal(buf.Bytes(), &info))
		r.loans, r.repayments = info.Loans, info.Repayments
		r.rowsAll = info.Customers + info.Loans + info.Repayments
		runs = append(runs, r)
		if *notices {
			noticeRows = append(noticeRows, noticeRun(env, *bin, dir, n))
		}
		os.RemoveAll(dir)
	}
	var cappedDemo, imports string
	if len(runs) > 0 {
		cappedDemo = cappedRun(env, *bin, tmp, runs[len(runs)-1].customers)
		imports = importRuns(env, *bin, tmp, sizeList)
	}
	packages := ""
	var pkgList []int
	for _, f := range strings.Split(*pkgSizes, ",") {
		if n, err := strconv.Atoi(strings.TrimSpace(f)); err == nil && n > 0 {
			pkgList = append(pkgList, n)
		}
	}
	if len(pkgList) > 0 {
		packages = "## Handover packages\n\n"
		for _, n := range pkgList {
			packages += packageRuns(env, *bin, tmp, n)
		}
	}
	destruction := ""
	if *destroy {
		destruction = destroyRuns(env, tmp)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# Benchmarks\n\nWritten by `make bench` on %s. Do not edit by hand.\n\n", time.Now().UTC().Format("2006-01-02 15:04 UTC"))
	fmt.Fprintf(&b, "## Machine\n\n- %s\n- %d cores, %s memory\n- %s, %s/%s\n\n", cpuModel(), runtime.NumCPU(), memTotal(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	b.WriteString("## Writing a demo book\n\n`handover demo --customers N` as a separate process: generate the book, seal every record, write it to a new vault. ")
	b.WriteString("The time includes creating the vault and its three operators (four scrypt key derivations at 2^18). Rows are customers + loans + repayments. Peak memory is the process's maximum resident set size.\n\n")
	b.WriteString("Peak RSS counts the pages of Badger's memory-mapped files that the process touched (Badger writes through mmap); they are page cache the kernel reclaims under pressure. Peak anonymous memory (RssAnon, sampled every 100 ms) is the program's own memory.\n\n")
	b.WriteString("| customers | loans | repayments | time | rows/s | customers/s | on disk | peak RSS | peak anonymous |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range runs {
		secs := r.elapsed.Seconds()
		fmt.Fprintf(&b, "| %d | %d | %d | %.1f s | %.0f | %.0f | %s | %s | %s |\n", r.customers, r.loans, r.repayments, secs,
			float64(r.rowsAll)/secs, float64(r.customers)/secs, mib(r.disk), mib(r.peakRSS), mib(r.peakAnon))
	}
	b.WriteString("\n" + cappedDemo + "\n")
	b.WriteString("\nGoal (issue 2): 1,000,000 customers (about 1.2 M loans, 9 M repayments) written in under 90 s on 2 cores, with peak memory under 600 MiB that does not grow with the book.\n\n")
	b.WriteString(imports)
	b.WriteString(packages)
	b.WriteString(destruction)
	b.WriteString(noticeSection(noticeRows))
	b.WriteString("## Unlocking\n\n`handover vault info` as a separate process: scrypt key derivation (work factor 2^18), opening the key table and Badger, reading the counts.\n\n")
	for i, u := range unlocks {
		fmt.Fprintf(&b, "- vault of %d customers: %.2f s\n", runs[i].customers, u.Seconds())
	}
	if *gobench != "" {
		if gb, err := os.ReadFile(*gobench); err == nil {
			b.WriteString("\n## Micro-benchmarks\n\n`go test -bench . -skip 'Destroy.*1M' -benchmem ./crypto/... ./store/... ./app/cert/...` and the import's stages (`-bench Stage ./app/importer/`: decoding alone, validating alone; sealing and Badger's write are `BenchmarkWriterAdd`, the lookup `BenchmarkScratch1M`, the per-customer keys `BenchmarkKeyTable1M`) the receive's and the export's (`-bench 'Receive|Export|PartsWrite' ./app/handoverpkg/`: a 1,000-customer package received whole, and its stream, commit and figures apart; a 5,000-customer book exported; the parts' writing and read-back alone; the export's walk is `BenchmarkEachCustomer200k` and its document reading `BenchmarkDocumentReader`) in the same run (the destruction benchmarks run above, capped):\n\n```\n")
			for _, l := range strings.Split(string(gb), "\n") {
				if strings.HasPrefix(l, "Benchmark") || strings.HasPrefix(l, "pkg:") {
					b.WriteString(l + "\n")
				}
			}
			b.WriteString("```\n")
		}
	}
	if notes, err := os.ReadFile(filepath.Join(filepath.Dir(*out), "BENCHMARKS-notes.md")); err == nil {
		b.WriteString("\n")
		b.Write(notes)
	}
	check(os.WriteFile(*out, []byte(b.String()), 0o644))
	fmt.Fprintf(os.Stderr, "benchreport: wrote %s\n", *out)
}

// timed runs the command (through wrap, if given, e.g. to enter a cgroup) and returns its
// wall time, peak resident memory and peak anonymous memory.
func timed(env, wrap []string, name string, args ...string) (time.Duration, int64, int64) {
	m := measure(env, wrap, name, args...)
	return m.elapsed, m.rss, m.anon
}

// measured is one process run: wall time, peak RSS, peak anonymous memory, and the peak
// anonymous memory after the first lateAfter (once unlocking's scrypt has come and gone).
type measured struct {
	elapsed        time.Duration
	rss, anon      int64
	anonLate       int64
	anonLateSample int
}

const lateAfter = 4 * time.Second

func measure(env, wrap []string, name string, args ...string) measured {
	return measureTo(nil, env, wrap, name, args...)
}

// measureTo is measure that also keeps the command's standard error in errOut.
func measureTo(errOut *bytes.Buffer, env, wrap []string, name string, args ...string) measured {
	argv := append(append(append([]string{}, wrap...), name), args...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env, cmd.Stdout, cmd.Stderr = env, os.Stderr, os.Stderr
	if errOut != nil {
		cmd.Stderr = io.MultiWriter(os.Stderr, errOut)
	}
	start := time.Now()
	check(cmd.Start())
	done := make(chan struct{})
	sampled := make(chan struct{})
	var m measured
	go func() {
		defer close(sampled)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				a := statusKB(cmd.Process.Pid, "RssAnon:") * 1024
				m.anon = max(m.anon, a)
				if time.Since(start) > lateAfter {
					m.anonLate = max(m.anonLate, a)
					m.anonLateSample++
				}
			}
		}
	}()
	err := cmd.Wait()
	close(done)
	<-sampled
	check(err)
	m.elapsed = time.Since(start)
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		m.rss = ru.Maxrss * 1024 // kilobytes on Linux
	}
	return m
}

func statusKB(pid int, field string) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == field {
			n, _ := strconv.ParseInt(f[1], 10, 64)
			return n
		}
	}
	return 0
}

// cappedRun writes the largest book again inside a memory cgroup limited to 600 MiB, page
// cache included: the honest test of "peak memory under 600 MiB". It needs root and a
// writable cgroup hierarchy (v1 or v2) and says so when they are missing.
func cappedRun(env []string, bin, tmp string, n int) string {
	out := filepath.Join(tmp, "capped")
	defer os.RemoveAll(out)
	fmt.Fprintf(os.Stderr, "benchreport: demo of %d customers under a 600 MiB memory cgroup\n", n)
	m, pk, skipped := capped(env, bin, "demo", "--customers", strconv.Itoa(n), "--out", out, "--seed", "1")
	if skipped != "" {
		return skipped
	}
	return fmt.Sprintf("Under a hard limit of 600 MiB (memory cgroup, page cache included), the book of %d customers was written in %.1f s; "+
		"the cgroup's peak usage was %s (the kernel reclaimed mapped pages to stay below the limit), peak anonymous memory %s.",
		n, m.elapsed.Seconds(), mib(pk), mib(m.anon))
}

// capped runs a command inside a fresh memory cgroup limited to 600 MiB and returns its
// measures and the cgroup's peak usage, or why it could not.
func capped(env []string, bin string, args ...string) (measured, int64, string) {
	const limit = 600 << 20
	name := fmt.Sprintf("handover-bench-%d", os.Getpid())
	var dir, limitFile, peakFile string
	switch {
	case writable("/sys/fs/cgroup/memory"):
		dir = "/sys/fs/cgroup/memory/" + name
		limitFile, peakFile = "memory.limit_in_bytes", "memory.max_usage_in_bytes"
	case writable("/sys/fs/cgroup") && fileHas("/sys/fs/cgroup/cgroup.subtree_control", "memory"):
		dir = "/sys/fs/cgroup/" + name
		limitFile, peakFile = "memory.max", "memory.peak"
	default:
		return measured{}, 0, "The capped run was skipped: this machine has no writable memory cgroup (it needs root)."
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		return measured{}, 0, "The capped run was skipped: " + err.Error()
	}
	defer os.Remove(dir)
	check(os.WriteFile(filepath.Join(dir, limitFile), []byte(strconv.Itoa(limit)), 0o644))
	wrap := []string{"sh", "-c", `echo $$ > "$0/cgroup.procs" && exec "$@"`, dir}
	m := measure(env, wrap, bin, args...)
	peak, _ := os.ReadFile(filepath.Join(dir, peakFile))
	pk, _ := strconv.ParseInt(strings.TrimSpace(string(peak)), 10, 64)
	return m, pk, ""
}

func writable(dir string) bool {
	f, err := os.CreateTemp(dir, ".probe-")
	if err != nil {
		// cgroup folders refuse plain files; a folder is what we need to make.
		d, derr := os.MkdirTemp(dir, "probe-")
		if derr != nil {
			return false
		}
		os.Remove(d)
		return true
	}
	f.Close()
	os.Remove(f.Name())
	return true
}

func fileHas(path, word string) bool {
	b, err := os.ReadFile(path)
	return err == nil && strings.Contains(string(b), word)
}

func diskUsage(dir string) int64 {
	var n int64
	filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			if st, ok := fi.Sys().(*syscall.Stat_t); ok {
				n += st.Blocks * 512 // allocated, not apparent: Badger preallocates sparse files
			} else {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

func mib(n int64) string { return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20)) }

func cpuModel() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "model name") {
			return strings.TrimSpace(strings.SplitN(l, ":", 2)[1])
		}
	}
	return runtime.GOARCH
}

func memTotal() string {
	b, _ := os.ReadFile("/proc/meminfo")
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "MemTotal:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return fmt.Sprintf("%.0f GiB", float64(kb)/(1<<20))
		}
	}
	return "unknown"
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchreport:", err)
		os.Exit(1)
	}
}
