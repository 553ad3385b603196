// Package version tells which build this is. The values are set at link time by the
// Makefile (-X) from the commit, never from the clock, so builds are reproducible.
package version

import "runtime"

// Set by -ldflags "-X handover/app/version.Version=… -X …Commit=… -X …Date=…".
var (
	Version = "" // from FyneApp.toml when not set at link time (see Load)
	Commit  = "unknown"
	Date    = "unknown" // commit date, UTC
)

// String is the one-line version text of `handover --version` and the About screen.
func String() string {
	v := Version
	if v == "" {
		v = "dev"
	}
	return Name + " " + v + " (commit " + Commit + ", built " + Date + ", " + runtime.Version() + ")"
}
