//go:build race

package pkg_test

const raceEnabled = true
