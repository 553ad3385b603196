package report

import (
	"handover/app/doc/doctest"
	"testing"
)

// Every label the reports use exists in both languages.
func TestLabelsComplete(t *testing.T) { doctest.Labels(t, "audit.go", "checklist.go", "retention.go") }
