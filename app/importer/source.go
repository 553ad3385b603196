package importer

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"handover/app/progress"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Source is one table of rows: a CSV or TSV file, or one sheet of a workbook, read from
// below its header row.
type Source interface {
	// Header is the header row, as the user reads it (merged group labels included).
	Header() []string
	// Next returns the next non-empty row below the header, or io.EOF.
	Next() (Row, error)
	Close() error
}

// Input is one importable unit found in a file: a delimited file has one, a workbook one
// per non-empty sheet.
type Input struct {
	Path     string
	Sheet    string // workbook sheet, "" for CSV
	SHA256   string // of the whole file
	Size     int64
	Encoding string // as detected or chosen ("xlsx" or "xls" for workbooks)
	Header   []string
	// HeaderRow is the line of the header row: found among the first rows (below a title
	// and blank rows), or chosen by the user.
	HeaderRow int
	Table     Table
	// Mapping, when set, is the mapping the wizard's editor chose for this input; otherwise
	// the run maps through Options.Profile and the aliases.
	Mapping Mapping
}

// ID identifies the input across runs: the same bytes (and sheet) are the same input,
// whatever the file is called, which is what makes a second import a no-op.
func (in Input) ID() string {
	if in.Sheet == "" {
		return in.SHA256
	}
	return in.SHA256 + "/" + in.Sheet
}

// Name is how the input is shown: the file's base name, and the sheet.
func (in Input) Name() string {
	n := filepath.Base(in.Path)
	if in.Sheet != "" {
		n += "#" + in.Sheet
	}
	return n
}

// FileError is a file that cannot be read at all (as opposed to a bad row, which goes to
// quarantine). It names the file and says why, never a value from it.
type FileError struct {
	File string
	Err  error
}

func (e *FileError) Error() string { return e.File + ": " + e.Err.Error() }
func (e *FileError) Unwrap() error { return e.Err }

// ErrNoTable says a file's headers match no table and none was chosen.
var ErrNoTable = errors.New("the header row matches no table (customers, loans, repayments); choose the table or a mapping profile")

// isWorkbook says whether path is an Excel workbook by its name.
func isWorkbook(path string) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".xlsx", ".xlsm", ".xls":
		return true
	}
	return false
}

func isXLS(path string) bool { return strings.EqualFold(filepath.Ext(path), ".xls") }

// Inspect hashes a file and reads its header rows: one Input per table it holds.
func Inspect(path, enc string) ([]Input, error) { return InspectAt(path, enc, 0) }

// InspectAt is Inspect with the header row chosen (0 finds it).
func InspectAt(path, enc string, headerRow int) ([]Input, error) {
	sum, size, err := hashFile(path)
	if err != nil {
		return nil, &FileError{File: filepath.Base(path), Err: err}
	}
	if isWorkbook(path) {
		sheets, err := workbookSheets(path)
		if err != nil {
			return nil, &FileError{File: filepath.Base(path), Err: err}
		}
		var out []Input
		for _, sh := range sheets {
			in := Input{Path: path, Sheet: sh, SHA256: sum, Size: size, Encoding: "xlsx", HeaderRow: headerRow}
			if isXLS(path) {
				in.Encoding = "xls"
			}
			src, err := in.Open(nil)
			if errors.Is(err, errEmptySheet) {
				continue
			}
			if err != nil {
				return nil, err
			}
			in.Header, in.HeaderRow = src.Header(), src.(*framed).headerLine
			src.Close()
			in.Table, _ = DetectTable(in.Header)
			out = append(out, in)
		}
		if len(out) == 0 {
			return nil, &FileError{File: filepath.Base(path), Err: errors.New("the workbook has no rows")}
		}
		return out, nil
	}
	in := Input{Path: path, SHA256: sum, Size: size, Encoding: enc, HeaderRow: headerRow}
	src, err := in.Open(nil)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	f := src.(*framed)
	in.Encoding, in.Header, in.HeaderRow = f.raw.(*csvSource).rd.Encoding, f.header, f.headerLine
	in.Table, _ = DetectTable(in.Header)
	return []Input{in}, nil
}

// Open opens an input for reading from below its header row; read counts the bytes
// consumed, for progress.
func (in Input) Open(read *progress.Tally) (Source, error) {
	var raw rawSource
	var err error
	switch {
	case in.Sheet != "" && isXLS(in.Path):
		raw, err = openXLSSheet(in.Path, in.Sheet, read)
	case in.Sheet != "":
		raw, err = openSheet(in.Path, in.Sheet, read)
	default:
		raw, err = openCSV(in.Path, in.Encoding, read)
	}
	if err != nil {
		return nil, &FileError{File: in.Name(), Err: err}
	}
	src, err := frame(raw, in.HeaderRow)
	if err != nil {
		raw.Close()
		if errors.Is(err, errEmptySheet) {
			return nil, err
		}
		return nil, &FileError{File: in.Name(), Err: err}
	}
	return src, nil
}

func hashFile(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// csvSource is a delimited text file.
type csvSource struct {
	f         *os.File
	rd        *Reader
	gaveFirst bool
}

func openCSV(path, enc string, read *progress.Tally) (*csvSource, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	var r io.Reader = f
	if read != nil {
		r = progress.Reader(f, read)
	}
	rd, err := NewReader(r, enc)
	if err != nil {
		f.Close()
		return nil, err
	}
	return &csvSource{f: f, rd: rd}, nil
}

// Next returns the file's first row (which NewReader read as its header) and then the
// others: where the header really is, is framed's decision.
func (s *csvSource) Next() (Row, error) {
	if !s.gaveFirst {
		s.gaveFirst = true
		return Row{Line: 1, Fields: s.rd.Header}, nil
	}
	return s.rd.Next()
}

func (s *csvSource) Close() error { return s.f.Close() }

// rowFormatError is a row the CSV reader could not split (an unbalanced quote): it goes to
// quarantine with ReasonRowFormat.
type rowFormatError struct {
	Line int
	Err  error
}

func (e *rowFormatError) Error() string { return fmt.Sprintf("row %d: %v", e.Line, e.Err) }
