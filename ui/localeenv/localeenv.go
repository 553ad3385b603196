// Package localeenv repairs a "C.UTF-8" locale before Fyne reads it. Fyne's lang package
// reads the locale in its own init and logs "Error parsing user locale C" for C.UTF-8, which
// is the default on servers and in CI, so even headless commands would print it.
//
// Import it first in package main, for its side effect: it has no dependencies besides os
// and strings, so Go initialises it long before Fyne's packages.
package localeenv

import (
	"os"
	"strings"
)

func init() { Repair() }

// Repair turns a C or POSIX locale with a charset suffix into the plain "C" for messages
// only, leaving the character type (UTF-8) as it was.
func Repair() {
	isC := func(v string) bool { return strings.HasPrefix(v, "C.") || strings.HasPrefix(v, "POSIX.") }
	if v := os.Getenv("LC_ALL"); isC(v) {
		os.Unsetenv("LC_ALL")
		if os.Getenv("LC_CTYPE") == "" {
			os.Setenv("LC_CTYPE", v)
		}
		os.Setenv("LC_MESSAGES", "C")
		return
	}
	if os.Getenv("LC_ALL") != "" {
		return
	}
	if v := os.Getenv("LC_MESSAGES"); isC(v) || (v == "" && isC(os.Getenv("LANG"))) {
		os.Setenv("LC_MESSAGES", "C")
	}
}
