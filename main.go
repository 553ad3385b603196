// Command handover is Handover's single binary: without arguments (or with `gui`) it opens
// the desktop application; with a command it runs that command headless (`handover help`).
package main

import (
	_ "handover/ui/headless"  // a command does not connect to the display server
	_ "handover/ui/localeenv" // before Fyne's init reads the locale

	_ "embed"
	"os"
	"runtime/debug"

	"handover/app/cli"
	"handover/app/version"
	"handover/ui/desktop"
)

// fyneApp is the single source of the application's ID, name and version.
//
//go:embed FyneApp.toml
var fyneApp []byte

func main() {
	version.Load(fyneApp)
	// A soft memory ceiling: the garbage collector works harder before the heap outgrows an
	// office PC, whatever the size of the book being written. GOMEMLIMIT overrides it.
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(448 << 20)
	}
	if len(os.Args) > 1 && os.Args[1] != "gui" {
		os.Exit(cli.Run(os.Args[1:], cli.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}))
	}
	var args []string
	if len(os.Args) > 2 {
		args = os.Args[2:]
	}
	os.Exit(desktop.Main(args))
}
