package importer

import (
	"errors"
	"handover/app/progress"
	"io"
	"path/filepath"
	"testing"

	"github.com/xuri/excelize/v2"
)

// The progress of a workbook follows its rows: about half way at half the rows, and it
// reaches the end only with the last row (it once showed 100% while rows kept coming).
func TestWorkbookProgressFollowsRows(t *testing.T) {
	for _, declared := range []bool{true, false} {
		progressOf(t, declared)
	}
}

// progressOf reads a workbook of n rows, written with its dimension declared (as Excel and
// excelize's stream writer do) or without one.
func progressOf(t *testing.T, declared bool) {
	f := excelize.NewFile()
	const n = 2000
	if declared {
		sw, _ := f.NewStreamWriter("Sheet1")
		for i := 1; i <= n; i++ {
			cell, _ := excelize.CoordinatesToCellName(1, i)
			sw.SetRow(cell, []any{"张三", "11010519491231002X", i})
		}
		sw.Flush()
	} else {
		for i := 1; i <= n; i++ {
			cell, _ := excelize.CoordinatesToCellName(1, i)
			f.SetSheetRow("Sheet1", cell, &[]any{"张三", "11010519491231002X", i})
		}
	}
	path := filepath.Join(t.TempDir(), "b.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	var read progress.Tally
	s, err := openSheet(path, "Sheet1", &read)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rows := 0 // the raw source gives the header row too
	for {
		_, err := s.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		rows++
		if read.Load() >= s.size {
			t.Fatalf("progress at the end after %d of %d rows", rows, n)
		}
		if rows == n/2 && declared {
			if frac := float64(read.Load()) / float64(s.size); frac < 0.4 || frac > 0.6 {
				t.Fatalf("progress %.2f at half the rows", frac)
			}
		}
	}
	if read.Load() != s.size || rows != n {
		t.Fatalf("at the end: %d of %d, %d rows", read.Load(), s.size, rows)
	}
}
