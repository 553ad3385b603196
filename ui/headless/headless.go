//go:build !linux

// Package headless keeps the command line away from the display server on Linux (see
// headless_linux.go); elsewhere the native dialogs do not touch it at start.
package headless
