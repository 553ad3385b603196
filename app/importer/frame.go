package importer

import (
	"errors"
	"fmt"
	"io"
	"strings"
)

// rawSource is every non-empty row of a table, the header and whatever is above it
// included: a title such as "某某小额贷款有限公司贷款台账（截至2024年12月31日）", blank rows, a
// row of group labels. framed finds the header among them.
type rawSource interface {
	Next() (Row, error)
	Close() error
}

// merger is a raw source that knows its merged cells (workbooks do).
type merger interface {
	merges() []mergeRange
}

// mergeRange is a merged block of cells: rows are lines as Row.Line counts them, columns
// are 0-based; the value is the block's top-left cell, the only one that holds it.
type mergeRange struct {
	top, left, bottom, right int
	value                    string
}

func (m mergeRange) covers(line, col int) bool {
	return line >= m.top && line <= m.bottom && col >= m.left && col <= m.right
}

// headerScanRows is how many non-empty rows are searched for the header.
const headerScanRows = 20

// maxColumns is the widest sheet Excel writes (A to XFD).
const maxColumns = 16384

// maxHeaderRow bounds a header row the user chooses.
const maxHeaderRow = 1000

// errEmptySheet says a sheet has no rows at all: it is skipped, not refused.
var errEmptySheet = errors.New("the sheet is empty")

// HeaderRowError says the chosen header row is empty or beyond the rows of the file.
type HeaderRowError struct{ Row int }

func (e *HeaderRowError) Error() string {
	return fmt.Sprintf("row %d is empty or beyond the end of the file; choose the row that holds the column names", e.Row)
}

// framed is a Source read from below its header row.
type framed struct {
	raw        rawSource
	header     []string
	headerLine int
	pending    []Row
}

// frame finds the header row of raw (or takes line want when it is not 0) and returns the
// rows below it. The header is the first of the first rows that names every required field
// of a table; failing that, the one that names the most known fields; failing that, the
// first row, as before titles were understood.
func frame(raw rawSource, want int) (*framed, error) {
	var rows []Row
	for len(rows) < headerScanRows || want > 0 {
		r, err := raw.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		var rf *rowFormatError
		if errors.As(err, &rf) {
			r = Row{Line: rf.Line} // an unsplittable row cannot be the header: kept for quarantine
		} else if err != nil {
			return nil, err
		}
		rows = append(rows, r)
		if want > 0 && r.Line >= want || len(rows) > maxHeaderRow {
			break
		}
	}
	if len(rows) == 0 {
		if want > 0 {
			return nil, &HeaderRowError{Row: want}
		}
		return nil, errEmptySheet
	}
	at := -1
	if want > 0 {
		for i, r := range rows {
			if r.Line == want && len(r.Fields) > 0 {
				at = i
			}
		}
		if at < 0 {
			return nil, &HeaderRowError{Row: want}
		}
	} else {
		at = pickHeader(rows)
	}
	var ms []mergeRange
	if m, ok := raw.(merger); ok {
		ms = m.merges()
		// A header of two rows: group labels merged across columns above the names, or
		// names merged down over both. The lower row is the header then.
		if want == 0 && at+1 < len(rows) && rows[at+1].Line == rows[at].Line+1 && spansBelow(ms, rows[at].Line) {
			at++
		}
	}
	f := &framed{raw: raw, headerLine: rows[at].Line, pending: rows[at+1:]}
	f.header = mergedHeader(rows[at], ms)
	return f, nil
}

func pickHeader(rows []Row) int {
	best, score := 0, 0
	for i, r := range rows {
		h := trimmed(r.Fields)
		if _, ok := DetectTable(h); ok {
			return i
		}
		if s := headerScore(h); s > score {
			best, score = i, s
		}
	}
	return best
}

// spansBelow says whether a merged block starts on line and either reaches below it or
// spans columns (a group label whose column names are on the next line).
func spansBelow(ms []mergeRange, line int) bool {
	for _, m := range ms {
		if m.top == line && (m.bottom > line || m.right > m.left) {
			return true
		}
	}
	return false
}

// mergedHeader reads a header row as the user reads it. A cell inside a merged block
// takes the block's text (a name merged down over two header rows); a name under a group
// label merged across columns on the line above is read with the label in front when that
// names a field ("实还" over "本金" and "利息" reads 实还本金), and alone otherwise ("客户信息"
// over "姓名" reads 姓名).
func mergedHeader(r Row, all []mergeRange) []string {
	var ms []mergeRange // the blocks on the header line or just above it
	width := len(r.Fields)
	for _, m := range all {
		if (m.covers(r.Line, m.left) || m.bottom == r.Line-1) && m.right < maxColumns && len(ms) < maxColumns {
			ms = append(ms, m)
			width = max(width, m.right+1)
		}
	}
	h := make([]string, width)
	copy(h, trimmed(r.Fields))
	for i := range h {
		for _, m := range ms {
			if h[i] == "" && m.covers(r.Line, i) {
				h[i] = strings.TrimSpace(m.value)
			}
		}
		for _, m := range ms {
			if m.bottom != r.Line-1 || m.right == m.left || i < m.left || i > m.right {
				continue
			}
			group := strings.TrimSpace(m.value)
			switch {
			case h[i] == "":
				h[i] = group
			case isAlias(normalize(group + h[i])):
				h[i] = group + h[i]
			}
		}
	}
	return h
}

func trimmed(fields []string) []string {
	out := make([]string, len(fields))
	for i, s := range fields {
		out[i] = strings.TrimSpace(strings.TrimPrefix(s, "\uFEFF"))
	}
	return out
}

func (f *framed) Header() []string { return f.header }

func (f *framed) Next() (Row, error) {
	if len(f.pending) > 0 {
		r := f.pending[0]
		f.pending = f.pending[1:]
		if r.Fields == nil {
			return Row{}, &rowFormatError{Line: r.Line, Err: errors.New("unbalanced quotation mark")}
		}
		return r, nil
	}
	return f.raw.Next()
}

func (f *framed) Close() error { return f.raw.Close() }
