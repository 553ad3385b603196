package ui

import (
	"fmt"
	"strings"
	"testing"

	"handover/store"
)

// A damaged record is named by its customer only when it belongs to one: a damaged search
// index page or meta record must not read "customer #0".
func TestCorruptErrorsNameWhatIsDamaged(t *testing.T) {
	cases := []struct {
		err      error
		msg      string
		hintWord string
	}{
		{&store.CorruptError{Customer: 42, What: "customer"}, L("error.corrupt", map[string]any{"No": "42"}), ""},
		{fmt.Errorf("search: %w", &store.CorruptError{What: "index"}), L("error.corrupt_index"), L("hint.corrupt_index")},
		{&store.CorruptError{What: "finding"}, L("error.corrupt_record"), L("hint.corrupt")},
	}
	for _, c := range cases {
		msg, hint := describe(c.err)
		if msg != c.msg || strings.Contains(msg, "#0") || (c.hintWord != "" && hint != c.hintWord) {
			t.Errorf("%v: %q / %q", c.err, msg, hint)
		}
	}
}
