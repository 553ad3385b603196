// Package headless keeps the command line away from the display server. sqweek/dialog
// calls gtk_init_check from a Go init, so every run of the binary, `handover version`
// included, would connect to the X or Wayland socket before main. A C constructor runs
// before any Go code: when the program is started with a command (anything but no
// argument or `gui`), it removes DISPLAY and WAYLAND_DISPLAY from the C environment, so
// GTK finds no display and gives up without opening a socket. The desktop application is
// started without a command, or with `gui`, and keeps its display.
//
// Import it in package main for its side effect.
package headless

/*
#include <stdlib.h>
#include <string.h>

__attribute__((constructor)) static void handover_headless(int argc, char **argv, char **envp) {
	if (argc > 1 && argv != NULL && argv[1] != NULL && strcmp(argv[1], "gui") != 0) {
		unsetenv("DISPLAY");
		unsetenv("WAYLAND_DISPLAY");
	}
}
*/
import "C"
