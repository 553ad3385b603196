//go:build profile

package cli

import (
	"os"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
)

// A build with -tags profile writes a CPU profile of each command to $HANDOVER_CPUPROFILE (or an execution trace
// to $HANDOVER_TRACE, or the allocations to $HANDOVER_ALLOCPROFILE), to find where a
// command's time goes (docs/BENCHMARKS-notes.md). Profiles hold stacks and counts, no data
// from the vault.
func init() {
	profileStart = func() func() {
		if path := os.Getenv("HANDOVER_ALLOCPROFILE"); path != "" {
			runtime.MemProfileRate = 64 << 10
			return func() {
				if f, err := os.Create(path); err == nil {
					pprof.Lookup("allocs").WriteTo(f, 0)
					f.Close()
				}
			}
		}
		if path := os.Getenv("HANDOVER_TRACE"); path != "" {
			f, err := os.Create(path)
			if err != nil || trace.Start(f) != nil {
				return func() {}
			}
			return func() { trace.Stop(); f.Close() }
		}
		path := os.Getenv("HANDOVER_CPUPROFILE")
		if path == "" {
			return func() {}
		}
		f, err := os.Create(path)
		if err != nil {
			return func() {}
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return func() {}
		}
		return func() { pprof.StopCPUProfile(); f.Close() }
	}
}
