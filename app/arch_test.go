package app

import (
	"os/exec"
	"strings"
	"testing"
)

// TestCoreHasNoGUI proves that app/, store/ and crypto/ (with their tests) depend on no GUI
// package, so the core builds without cgo and runs headless.
func TestCoreHasNoGUI(t *testing.T) {
	out, err := exec.Command("go", "list", "-test", "-deps", "handover/app/...", "handover/store/...", "handover/crypto/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.HasPrefix(dep, "fyne.io/") || strings.HasPrefix(dep, "github.com/sqweek/dialog") ||
			strings.HasPrefix(dep, "handover/ui") {
			t.Errorf("the core depends on %s", dep)
		}
	}
}
