package handoverpkg

// SetFreeSpace makes exports see n bytes free, for tests; it returns the undo.
func SetFreeSpace(n int64) func() {
	old := freeSpaceOf
	freeSpaceOf = func(string) (int64, error) { return n, nil }
	return func() { freeSpaceOf = old }
}

// WithStageDone lets the external tests' benchmarks time a receive stage by stage.
func WithStageDone(o ReceiveOptions, f func(stage string)) ReceiveOptions {
	o.stageDone = f
	return o
}
