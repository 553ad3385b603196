package report

import (
	"os"
	"testing"

	"handover/app/doc"
)

// Every label the reports use exists in both languages.
func TestLabelsComplete(t *testing.T) {
	var srcs [][]byte
	for _, f := range []string{"audit.go", "checklist.go"} {
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
