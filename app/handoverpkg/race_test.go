//go:build race

package handoverpkg_test

const raceEnabled = true
