package cert

import (
	"bytes"
	"encoding/json"

	"handover/app/checklist"
)

// checklistOf decodes a statement's checklist; nil when it has none.
func checklistOf(st *Statement) *checklist.Snapshot {
	if len(st.Checklist) == 0 || bytes.Equal(st.Checklist, []byte("null")) {
		return nil
	}
	var c checklist.Snapshot
	if json.Unmarshal(st.Checklist, &c) != nil {
		return nil
	}
	return &c
}
