// Package doctest holds what every document's tests share: golden files with an -update
// flag, and the check that each label a document uses exists in both languages. Imported
// by tests only.
package doctest

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"handover/app/doc"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// Golden compares got with testdata/name, or writes it there with -update. Look at a PDF
// before committing a new golden file.
func Golden(t testing.TB, name string, got []byte) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(p, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from its golden file (run with -update if the change is intended, and look at the PDF)", name)
	}
}

// Labels fails the test for every label the given source files use that is not registered
// in both languages.
func Labels(t testing.TB, files ...string) {
	t.Helper()
	var srcs [][]byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		srcs = append(srcs, b)
	}
	for _, p := range doc.LabelProblems(srcs...) {
		t.Error(p)
	}
}
