package importer

import (
	"bytes"
	"path/filepath"
	"testing"
	"time"

	"handover/store"
)

// NewTestStore opens a new vault's store in a temporary folder, closed when the test ends.
func NewTestStore(t testing.TB) *store.Store {
	t.Helper()
	d, err := store.CreateDir(filepath.Join(t.TempDir(), "vault"), store.Manifest{})
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(d, bytes.Repeat([]byte{7}, 32), true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close(); d.Close() })
	return st
}

// ConvertRow is the import's validate stage alone, for the stage benchmarks: a row of in
// turned into a record (or its findings), as Run does before the lookup.
func ConvertRow(in Input, now time.Time) func(Row) (failed bool) {
	cv := &converter{table: in.Table, header: in.Header, m: MappingFor(in.Table, in.Header, nil), now: now, source: in.Name()}
	return func(r Row) bool { return cv.convert(r).failed }
}
