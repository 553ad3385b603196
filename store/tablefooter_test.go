package store

import (
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A table whose footer is damaged (the lengths Badger reads without bounds checks when it
// opens the database) is reported as a damaged vault file, not a crash.
func TestDamagedTableFooterIsReported(t *testing.T) {
	for _, c := range []struct {
		name   string
		damage func(b []byte)
	}{
		{"checksum length", func(b []byte) { binary.BigEndian.PutUint32(b[len(b)-4:], 0xfffffff0) }},
		{"index length", func(b []byte) {
			chk := int(binary.BigEndian.Uint32(b[len(b)-4:]))
			binary.BigEndian.PutUint32(b[len(b)-8-chk:], 0x086c9ce0) // as CI once met it
		}},
		{"index", func(b []byte) {
			chk := int(binary.BigEndian.Uint32(b[len(b)-4:]))
			b[len(b)-9-chk] ^= 0xff
		}},
		{"cut to its last three bytes", func(b []byte) { copy(b, b[len(b)-3:]) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			d, master, tables := closedWithTables(t)
			b, err := os.ReadFile(tables[0])
			if err != nil {
				t.Fatal(err)
			}
			c.damage(b)
			if c.name == "cut to its last three bytes" {
				b = b[:3]
			}
			if err := os.WriteFile(tables[0], b, 0o600); err != nil {
				t.Fatal(err)
			}
			s2, err := Open(d, master, false)
			if err == nil {
				s2.Close()
				t.Fatal("a vault with a damaged table opened")
			}
			var de *DamageError
			if !errors.As(err, &de) || !strings.HasSuffix(de.File, filepath.Base(tables[0])) {
				t.Fatalf("got %v, want a DamageError naming %s", err, filepath.Base(tables[0]))
			}
		})
	}
}

// A table file the MANIFEST does not name, cut to nothing, is what a process leaves when it
// dies between a compaction's removal of a table's content and of its file (seen after an
// import): Badger removes it when it opens, and the vault must open, not be called damaged.
func TestEmptyTableOutsideTheManifestOpens(t *testing.T) {
	d, master, _ := closedWithTables(t)
	orphan := filepath.Join(d.Path(), dbDir, "000999.sst")
	if err := os.WriteFile(orphan, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(d, master, false)
	if err != nil {
		t.Fatalf("a vault with a replaced table's empty file: %v", err)
	}
	defer s2.Close()
	if c, err := s2.Customer(400); err != nil || c.No != 400 {
		t.Fatalf("customer 400: %v", err)
	}
	if _, err := os.Stat(orphan); !os.IsNotExist(err) {
		t.Fatalf("Badger left the empty table file: %v", err)
	}
}

// closedWithTables is a closed vault of 400 customers and its table files.
func closedWithTables(t *testing.T) (*Dir, []byte, []string) {
	t.Helper()
	s, master := newStore(t)
	fill(t, s, 400)
	d := s.Dir()
	s.Close()
	tables, _ := filepath.Glob(filepath.Join(d.Path(), dbDir, "*.sst"))
	if len(tables) == 0 {
		// Closing flushes the memtable into a table; without one these tests check nothing.
		t.Fatal("no table file was written: the test has nothing to damage")
	}
	return d, master, tables
}
