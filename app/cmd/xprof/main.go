package main

import (
	"os"
	"runtime/debug"
	"runtime/pprof"

	"handover/app/cli"
)

func main() {
	debug.SetMemoryLimit(448 << 20)
	f, _ := os.Create(os.Getenv("PROF"))
	pprof.StartCPUProfile(f)
	code := cli.Run(os.Args[1:], cli.Env{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv})
	pprof.StopCPUProfile()
	f.Close()
	if hp := os.Getenv("HEAPPROF"); hp != "" {
		h, _ := os.Create(hp)
		pprof.WriteHeapProfile(h)
		h.Close()
	}
	os.Exit(code)
}
