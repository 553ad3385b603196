package importer

import (
	"archive/zip"
	"errors"
	"fmt"
	"handover/app/progress"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Workbooks are read with excelize's streaming row reader. Two settings keep plain text off
// the disk: excelize unzips a large sheet or string table to a temporary file, so its limits
// are raised until that never happens, and its temporary folder points nowhere, so that a
// temporary file cannot be created even by mistake. excelize then holds every part of the
// workbook in memory from the moment it opens it, all sheets together, and when a temporary
// file cannot be made it falls back to memory as well. So memory is bounded before excelize
// sees the file: checkWorkbookSizes reads the zip's directory and refuses a workbook whose
// parts declare more than maxWorkbookXML unpacked in all, or a large part packed more
// densely than maxPackRatio (a zip bomb). The zip reader enforces the declared sizes, so a
// part cannot unpack to more than it declares. A larger book is refused with advice to
// export it as CSV, which streams at any size.
const (
	maxWorkbookXML   = 192 << 20
	maxWorkbookParts = 10_000
	maxPackRatio     = 200
	ratioCheckedFrom = 16 << 20 // parts smaller than this may be packed as densely as they like
)

func workbookOptions() excelize.Options {
	return excelize.Options{
		UnzipSizeLimit:    maxWorkbookXML,
		UnzipXMLSizeLimit: maxWorkbookXML,
		TmpDir:            filepath.Join(os.TempDir(), "handover-no-temp-files", "none"),
	}
}

// ErrSheetTooLarge says a workbook is too large to read in memory.
var ErrSheetTooLarge = errors.New("the workbook is larger than 192 MiB unpacked; save each sheet as CSV (UTF-8) and import that")

// ErrWorkbookBomb says a workbook's parts unpack to far more than their packed size.
var ErrWorkbookBomb = errors.New("the workbook is packed far more densely than a spreadsheet can be (a zip bomb); it was not read")

// checkWorkbookSizes refuses a workbook by the sizes its zip directory declares, before
// anything is unpacked.
func checkWorkbookSizes(path string) error {
	z, err := zip.OpenReader(path)
	if err != nil {
		return fmt.Errorf("not a readable .xlsx workbook: %w", err)
	}
	defer z.Close()
	if len(z.File) > maxWorkbookParts {
		return ErrWorkbookBomb
	}
	var total uint64
	for _, f := range z.File {
		size := f.UncompressedSize64
		if size >= ratioCheckedFrom && size/max(1, f.CompressedSize64) > maxPackRatio {
			return ErrWorkbookBomb
		}
		if total += size; total > maxWorkbookXML || size > maxWorkbookXML {
			return ErrSheetTooLarge
		}
	}
	return nil
}

func openWorkbook(path string) (f *excelize.File, err error) {
	defer func() {
		if r := recover(); r != nil {
			f, err = nil, fmt.Errorf("the workbook is damaged: %v", r)
		}
	}()
	if err := checkWorkbookSizes(path); err != nil {
		return nil, err
	}
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
	if isXLS(path) {
		return xlsSheets(path)
	}
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
	sheet  string
	rows   *excelize.Rows
	line   int
	read   *progress.Tally
	size   int64
	total  int64
	perRow int64 // progress a row moves: the file's size over the rows the sheet declares
}

func openSheet(path, sheet string, read *progress.Tally) (_ *sheetSource, err error) {
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
	s.perRow = max(1, s.size/sheetRows(f, sheet, path))
	s.sheet = sheet
	return s, nil
}

// merges lists the sheet's merged cells, for a header whose labels span columns or rows.
func (s *sheetSource) merges() []mergeRange {
	cells, err := s.f.GetMergeCells(s.sheet)
	if err != nil {
		return nil
	}
	var out []mergeRange
	for _, c := range cells {
		c1, r1, err1 := excelize.CellNameToCoordinates(c.GetStartAxis())
		c2, r2, err2 := excelize.CellNameToCoordinates(c.GetEndAxis())
		if err1 == nil && err2 == nil {
			out = append(out, mergeRange{top: r1, left: c1 - 1, bottom: r2, right: c2 - 1, value: c.GetCellValue()})
		}
	}
	return out
}

// sheetRows is the number of rows a sheet declares in its dimension ("A1:H10001", as Excel
// writes it), or, when it declares none, an estimate from the unpacked size of the
// workbook's sheets at about 200 bytes a row.
func sheetRows(f *excelize.File, sheet, path string) int64 {
	if dim, err := f.GetSheetDimension(sheet); err == nil {
		if _, last, ok := strings.Cut(dim, ":"); ok {
			if _, row, err := excelize.CellNameToCoordinates(last); err == nil && row > 1 {
				return int64(row)
			}
		}
	}
	var xml uint64
	if z, err := zip.OpenReader(path); err == nil {
		for _, e := range z.File {
			if strings.HasPrefix(e.Name, "xl/worksheets/") {
				xml += e.UncompressedSize64
			}
		}
		z.Close()
	}
	return max(1, int64(xml/200))
}

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
		// Workbooks have no byte stream to count: progress moves by rows, the file's size
		// spread over the rows the sheet declares, and stops short of the end until the
		// last row has been read.
		if s.read != nil && s.total+s.perRow < s.size {
			s.total += s.perRow
			s.read.Add(s.perRow)
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
