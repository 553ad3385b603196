package importer

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"

	"github.com/xuri/excelize/v2"
)

// Workbooks are read with excelize's streaming row reader. Two settings keep plain text off
// the disk: excelize unzips a large sheet or string table to a temporary file, so the limits
// are raised until that never happens below maxSheetXML, and its temporary folder points
// nowhere, so that a temporary file cannot be created even by mistake. A sheet beyond
// maxSheetXML is refused with advice to export it as CSV, which streams at any size.
const maxSheetXML = 1 << 30

func workbookOptions() excelize.Options {
	return excelize.Options{
		UnzipSizeLimit:    4 * maxSheetXML,
		UnzipXMLSizeLimit: maxSheetXML,
		TmpDir:            filepath.Join(os.TempDir(), "handover-no-temp-files", "none"),
	}
}

// ErrSheetTooLarge says a worksheet is too large to read without a temporary file.
var ErrSheetTooLarge = errors.New("the worksheet is larger than 1 GiB unpacked; save it as CSV (UTF-8) and import that")

func openWorkbook(path string) (f *excelize.File, err error) {
	defer func() {
		if r := recover(); r != nil {
			f, err = nil, fmt.Errorf("the workbook is damaged: %v", r)
		}
	}()
	f, err = excelize.OpenFile(path, workbookOptions())
	if err != nil {
		if strings.Contains(err.Error(), "unzip size") {
			return nil, ErrSheetTooLarge
		}
		return nil, fmt.Errorf("not a readable .xlsx workbook: %w", err)
	}
	return f, nil
}

func workbookSheets(path string) ([]string, error) {
	f, err := openWorkbook(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.GetSheetList(), nil
}

// sheetSource is one worksheet. Cells are read raw: numbers as stored (an Excel date is its
// serial number, which the date parser understands; an identity number typed as a number
// shows up as 3.70102E+17 or with its last digits zeroed, which the identity validator
// recognises), so no display format can change a value.
type sheetSource struct {
	f      *excelize.File
	rows   *excelize.Rows
	header []string
	line   int
	read   *atomic.Int64
	size   int64
	total  int64
}

func openSheet(path, sheet string, read *atomic.Int64) (_ *sheetSource, err error) {
	f, err := openWorkbook(path)
	if err != nil {
		return nil, err
	}
	defer func() {
		if r := recover(); r != nil {
			f.Close()
			err = fmt.Errorf("the workbook is damaged: %v", r)
		}
	}()
	rows, err := f.Rows(sheet)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("sheet %s: %w", sheet, err)
	}
	s := &sheetSource{f: f, rows: rows, read: read}
	if st, err := os.Stat(path); err == nil {
		s.size = st.Size()
	}
	r, err := s.next()
	if errors.Is(err, io.EOF) {
		return s, nil // an empty sheet: no header
	}
	if err != nil {
		s.Close()
		return nil, err
	}
	s.header = make([]string, len(r.Fields))
	for i, h := range r.Fields {
		s.header[i] = strings.TrimSpace(h)
	}
	return s, nil
}

func (s *sheetSource) Header() []string { return s.header }

func (s *sheetSource) Next() (Row, error) { return s.next() }

func (s *sheetSource) next() (row Row, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the workbook is damaged near row %d", s.line+1)
		}
	}()
	for s.rows.Next() {
		s.line++
		cells, err := s.rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return Row{}, fmt.Errorf("row %d: %w", s.line, err)
		}
		// Workbooks have no byte stream to count: progress moves by rows, with the file
		// size spread over an estimate of 100 bytes a row.
		if s.read != nil && s.total+100 <= s.size {
			s.total += 100
			s.read.Add(100)
		}
		if blank(cells) {
			continue
		}
		return Row{Line: s.line, Fields: cells}, nil
	}
	if err := s.rows.Error(); err != nil {
		return Row{}, err
	}
	if s.read != nil && s.size > s.total {
		s.read.Add(s.size - s.total)
		s.total = s.size
	}
	return Row{}, io.EOF
}

func (s *sheetSource) Close() error {
	s.rows.Close()
	return s.f.Close()
}
