package headless

import (
	"os"
	"os/exec"
	"testing"
)

// A process started with a command (here the test binary's own flags) no longer sees a
// display; the child reports what it sees.
func TestCommandSeesNoDisplay(t *testing.T) {
	if os.Getenv("HEADLESS_CHILD") != "" {
		if d := os.Getenv("DISPLAY"); d != "" {
			t.Fatalf("DISPLAY=%q in a process started with a command", d)
		}
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestCommandSeesNoDisplay$")
	cmd.Env = append(os.Environ(), "HEADLESS_CHILD=1", "DISPLAY=:99", "WAYLAND_DISPLAY=wayland-9")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
}
