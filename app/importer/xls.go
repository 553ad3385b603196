package importer

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"unicode/utf16"

	"handover/app/progress"

	"github.com/richardlehane/mscfb"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// Excel 97–2003 workbooks (.xls, BIFF8), which older loan systems and WPS still write, are
// read here, on top of mscfb (the compound-file container, Apache-2.0, which excelize
// already brings in). The two Go readers of BIFF8 were compared on the fixtures under
// testdata/xls: github.com/extrame/xls turns an amount stored as an RK number with the
// ×100 flag into a hundred times its value (12,345.67 became 1234567) and panics on a
// sheet with an empty row; github.com/shakinm/xlsReader reads them right but is GPL-3.0,
// which would bind the licence of the whole program. What an import needs of BIFF8 is
// small (sheets, shared strings, four kinds of number and text cell, merged cells), so it
// is read here, raw as the .xlsx reader reads: numbers as stored, so an identity number
// typed as a number shows its lost digits and a date is its serial number.
//
// The workbook stream is read into memory whole (an .xls holds at most 65,536 rows of a
// sheet), with the same size limit as a workbook's unpacked XML.

// ErrXLSUnreadable says an .xls file is not a workbook this reader understands.
var ErrXLSUnreadable = errors.New("the .xls file cannot be read (damaged, or older than Excel 97); open it in Excel or WPS and save it as .xlsx or CSV (UTF-8)")

// ErrXLSEncrypted says an .xls file is protected by a password.
var ErrXLSEncrypted = errors.New("the .xls file is protected by a password; open it in Excel or WPS, remove the password and save it as .xlsx or CSV (UTF-8)")

// ErrXLS1904 says a workbook counts dates from 1904, as old Mac Excel did.
var ErrXLS1904 = errors.New("the .xls file counts dates from 1904 (old Mac Excel); save it as .xlsx or CSV (UTF-8) from Excel or WPS")

func xlsError(detail string) error { return fmt.Errorf("%w (%s)", ErrXLSUnreadable, detail) }

// BIFF8 record types.
const (
	recBOF        = 0x0809
	recEOF        = 0x000A
	recBoundSheet = 0x0085
	recSST        = 0x00FC
	recContinue   = 0x003C
	recFilePass   = 0x002F
	recDateMode   = 0x0022
	recLabelSST   = 0x00FD
	recLabel      = 0x0204
	recNumber     = 0x0203
	recRK         = 0x027E
	recMulRK      = 0x00BD
	recFormula    = 0x0006
	recString     = 0x0207
	recBoolErr    = 0x0205
	recMerged     = 0x00E5
	recCodePage   = 0x0042
)

// codePageGBK is Windows code page 936 (GBK), which some Chinese generators use for BIFF8's
// 8-bit strings although the format says they are Latin-1.
const codePageGBK = 936

// xlsBook is a workbook's stream with its sheets and shared strings.
type xlsBook struct {
	stream []byte
	sheets []xlsSheetRef
	sst    []string
	gbk    bool // the CODEPAGE record says 936
}

type xlsSheetRef struct {
	name   string
	offset int
}

type biffRecord struct {
	typ  uint16
	data []byte
	next int // offset of the following record
}

func readRecord(b []byte, off int) (biffRecord, error) {
	if off+4 > len(b) {
		return biffRecord{}, io.ErrUnexpectedEOF
	}
	typ, n := binary.LittleEndian.Uint16(b[off:]), int(binary.LittleEndian.Uint16(b[off+2:]))
	if off+4+n > len(b) {
		return biffRecord{}, io.ErrUnexpectedEOF
	}
	return biffRecord{typ: typ, data: b[off+4 : off+4+n], next: off + 4 + n}, nil
}

func openXLSBook(path string) (book *xlsBook, err error) {
	defer func() {
		if r := recover(); r != nil {
			book, err = nil, xlsError("damaged")
		}
	}()
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	doc, err := mscfb.New(f)
	if err != nil {
		return nil, xlsError("not an Excel 97–2003 file")
	}
	var stream []byte
	for e, err := doc.Next(); err == nil; e, err = doc.Next() {
		switch e.Name {
		case "Workbook":
			if e.Size > maxWorkbookXML {
				return nil, ErrSheetTooLarge
			}
			if stream, err = io.ReadAll(io.LimitReader(e, maxWorkbookXML+1)); err != nil {
				return nil, xlsError("damaged")
			}
		case "Book":
			if stream == nil {
				return nil, xlsError("Excel 5.0/95")
			}
		}
	}
	if stream == nil {
		return nil, xlsError("no workbook inside")
	}
	b := &xlsBook{stream: stream}
	return b, b.readGlobals()
}

// readGlobals reads the workbook globals: the sheets, the shared strings, the date system.
func (b *xlsBook) readGlobals() error {
	r, err := readRecord(b.stream, 0)
	if err != nil || r.typ != recBOF || len(r.data) < 4 || binary.LittleEndian.Uint16(r.data) != 0x0600 {
		return xlsError("not BIFF8: older than Excel 97")
	}
	for off := r.next; off < len(b.stream); {
		r, err := readRecord(b.stream, off)
		if err != nil {
			return xlsError("damaged")
		}
		off = r.next
		switch r.typ {
		case recEOF:
			return nil
		case recFilePass:
			return ErrXLSEncrypted
		case recCodePage:
			b.gbk = len(r.data) >= 2 && binary.LittleEndian.Uint16(r.data) == codePageGBK
		case recDateMode:
			if len(r.data) >= 2 && binary.LittleEndian.Uint16(r.data) == 1 {
				return ErrXLS1904
			}
		case recBoundSheet:
			if len(r.data) < 8 {
				return xlsError("damaged sheet list")
			}
			if r.data[5] != 0 { // a chart, macro or VBA sheet: no rows to import
				continue
			}
			name, err := (&segReader{segs: [][]byte{r.data[6:]}, gbk: b.gbk}).shortString()
			if err != nil {
				return xlsError("damaged sheet name")
			}
			b.sheets = append(b.sheets, xlsSheetRef{name: name, offset: int(binary.LittleEndian.Uint32(r.data))})
		case recSST:
			segs := [][]byte{r.data}
			for off < len(b.stream) {
				c, err := readRecord(b.stream, off)
				if err != nil || c.typ != recContinue {
					break
				}
				segs, off = append(segs, c.data), c.next
			}
			if b.sst, err = readSST(segs, b.gbk); err != nil {
				return xlsError("damaged shared strings")
			}
		}
	}
	return xlsError("damaged")
}

// readSST reads the shared string table, which runs on across CONTINUE records.
func readSST(segs [][]byte, gbk bool) ([]string, error) {
	r := &segReader{segs: segs, gbk: gbk}
	if _, err := r.bytes(4); err != nil { // total references
		return nil, err
	}
	nb, err := r.bytes(4)
	if err != nil {
		return nil, err
	}
	n := int(binary.LittleEndian.Uint32(nb))
	out := make([]string, 0, min(n, 1<<16))
	for range n {
		s, err := r.richString()
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// segReader reads BIFF strings from a record and its CONTINUE records. Characters cut at
// a record boundary go on in the next record after one byte saying how they are stored
// there (one byte a character, or two); anything else just goes on.
type segReader struct {
	segs [][]byte
	i    int
	pos  int
	gbk  bool // 8-bit characters are GBK bytes (CODEPAGE 936), not Latin-1
}

func (r *segReader) bytes(n int) ([]byte, error) {
	var out []byte
	for n > 0 {
		if r.i >= len(r.segs) {
			return nil, io.ErrUnexpectedEOF
		}
		seg := r.segs[r.i][r.pos:]
		if len(seg) == 0 {
			r.i, r.pos = r.i+1, 0
			continue
		}
		k := min(n, len(seg))
		out = append(out, seg[:k]...)
		r.pos += k
		n -= k
	}
	return out, nil
}

func (r *segReader) chars(n int, wide bool) (string, error) {
	var out []rune
	var narrow []byte // 8-bit characters not yet decoded
	flush := func() {
		if len(narrow) == 0 {
			return
		}
		if r.gbk && !isASCII(string(narrow)) {
			if d, err := simplifiedchinese.GBK.NewDecoder().Bytes(narrow); err == nil {
				out = append(out, []rune(string(d))...)
				narrow = narrow[:0]
				return
			}
		}
		for _, c := range narrow {
			out = append(out, rune(c)) // one byte a character: Latin-1
		}
		narrow = narrow[:0]
	}
	for n > 0 {
		if r.i >= len(r.segs) {
			return "", io.ErrUnexpectedEOF
		}
		seg := r.segs[r.i][r.pos:]
		if len(seg) == 0 {
			r.i, r.pos = r.i+1, 0
			if r.i >= len(r.segs) || len(r.segs[r.i]) == 0 {
				return "", io.ErrUnexpectedEOF
			}
			wide, r.pos = r.segs[r.i][0]&1 == 1, 1
			continue
		}
		if wide {
			flush()
			k := min(n, len(seg)/2)
			if k == 0 {
				return "", io.ErrUnexpectedEOF
			}
			u := make([]uint16, k)
			for j := range k {
				u[j] = binary.LittleEndian.Uint16(seg[2*j:])
			}
			out = append(out, utf16.Decode(u)...)
			r.pos, n = r.pos+2*k, n-k
		} else {
			k := min(n, len(seg))
			narrow = append(narrow, seg[:k]...)
			r.pos, n = r.pos+k, n-k
		}
	}
	flush()
	return string(out), nil
}

// shortString is a sheet name: an 8-bit length, flags, characters.
func (r *segReader) shortString() (string, error) {
	h, err := r.bytes(2)
	if err != nil {
		return "", err
	}
	return r.chars(int(h[0]), h[1]&1 == 1)
}

// plainString is a LABEL's or a formula's text: a 16-bit length, flags, characters.
func (r *segReader) plainString() (string, error) {
	h, err := r.bytes(3)
	if err != nil {
		return "", err
	}
	return r.chars(int(binary.LittleEndian.Uint16(h)), h[2]&1 == 1)
}

// richString is a shared string, which may carry formatting runs and phonetic text after
// its characters; both are skipped.
func (r *segReader) richString() (string, error) {
	h, err := r.bytes(3)
	if err != nil {
		return "", err
	}
	n, flags := int(binary.LittleEndian.Uint16(h)), h[2]
	runs, ext := 0, 0
	if flags&0x08 != 0 {
		b, err := r.bytes(2)
		if err != nil {
			return "", err
		}
		runs = int(binary.LittleEndian.Uint16(b))
	}
	if flags&0x04 != 0 {
		b, err := r.bytes(4)
		if err != nil {
			return "", err
		}
		ext = int(binary.LittleEndian.Uint32(b))
	}
	s, err := r.chars(n, flags&1 == 1)
	if err != nil {
		return "", err
	}
	if _, err := r.bytes(4*runs + ext); err != nil {
		return "", err
	}
	return s, nil
}

// rkNumber decodes an RK value: a 30-bit integer or the top of a float64, maybe ×100.
func rkNumber(v uint32) float64 {
	var f float64
	if v&2 != 0 {
		f = float64(int32(v) >> 2)
	} else {
		f = math.Float64frombits(uint64(v&^3) << 32)
	}
	if v&1 != 0 {
		f /= 100
	}
	return f
}

// formatNumber writes a number as it is stored, as excelize's raw values do: 45306 for a
// date, 12345.67 for an amount, 370102197503034000 for an identity number typed as a number.
func formatNumber(f float64) string {
	return strconv.FormatFloat(f, 'f', -1, 64)
}

var xlsErrors = map[byte]string{0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?", 0x24: "#NUM!", 0x2A: "#N/A"}

// xlsSheet is one worksheet's cells, by row. A row keeps only the cells the file holds, so
// memory follows the records in the file: one cell far to the right costs one cell.
type xlsSheet struct {
	rows   map[int][]xlsCell // by 0-based row
	merged []mergeRange
	last   int
}

type xlsCell struct {
	col int
	v   string
}

// maxXLSColumns is BIFF8's width (A to IV).
const maxXLSColumns = 256

// fields spreads a row's cells over its columns.
func (sh *xlsSheet) fields(row int) []string {
	cells := sh.rows[row]
	width := 0
	for _, c := range cells {
		width = max(width, c.col+1)
	}
	out := make([]string, width)
	for _, c := range cells {
		out[c.col] = c.v
	}
	return out
}

func (b *xlsBook) readSheet(ref xlsSheetRef) (sh *xlsSheet, err error) {
	defer func() {
		if r := recover(); r != nil {
			sh, err = nil, xlsError("damaged sheet "+ref.name)
		}
	}()
	sh = &xlsSheet{rows: map[int][]xlsCell{}, last: -1}
	set := func(row, col int, v string) {
		if col >= maxXLSColumns || v == "" {
			return
		}
		sh.rows[row] = append(sh.rows[row], xlsCell{col, v})
		sh.last = max(sh.last, row)
	}
	r, err := readRecord(b.stream, ref.offset)
	if err != nil || r.typ != recBOF {
		return nil, xlsError("damaged sheet " + ref.name)
	}
	depth := 1 // an embedded chart has its own BOF … EOF
	pendingFormula := [2]int{-1, -1}
	for off := r.next; depth > 0; {
		r, err := readRecord(b.stream, off)
		if err != nil {
			return nil, xlsError("damaged sheet " + ref.name)
		}
		off = r.next
		d := r.data
		cell := func() (int, int) { return int(binary.LittleEndian.Uint16(d)), int(binary.LittleEndian.Uint16(d[2:])) }
		switch r.typ {
		case recBOF:
			depth++
		case recEOF:
			depth--
		case recLabelSST:
			row, col := cell()
			if i := int(binary.LittleEndian.Uint32(d[6:])); i < len(b.sst) {
				set(row, col, b.sst[i])
			}
		case recLabel:
			row, col := cell()
			s, err := (&segReader{segs: [][]byte{d[6:]}}).plainString()
			if err != nil {
				return nil, xlsError("damaged sheet " + ref.name)
			}
			set(row, col, s)
		case recNumber:
			row, col := cell()
			set(row, col, formatNumber(math.Float64frombits(binary.LittleEndian.Uint64(d[6:]))))
		case recRK:
			row, col := cell()
			set(row, col, formatNumber(rkNumber(binary.LittleEndian.Uint32(d[6:]))))
		case recMulRK:
			row, first := cell()
			for i, p := 0, 4; p+6 <= len(d)-2; i, p = i+1, p+6 {
				set(row, first+i, formatNumber(rkNumber(binary.LittleEndian.Uint32(d[p+2:]))))
			}
		case recBoolErr:
			row, col := cell()
			switch {
			case d[7] == 1:
				set(row, col, xlsErrors[d[6]])
			case d[6] == 1:
				set(row, col, "TRUE")
			default:
				set(row, col, "FALSE")
			}
		case recFormula:
			// The cached result: a number, or (0xFFFF in the top bytes) a string in the
			// STRING record that follows, a boolean or an error.
			row, col := cell()
			res := d[6:14]
			if binary.LittleEndian.Uint16(res[6:]) != 0xFFFF {
				set(row, col, formatNumber(math.Float64frombits(binary.LittleEndian.Uint64(res))))
				continue
			}
			switch res[0] {
			case 0:
				pendingFormula = [2]int{row, col}
			case 1:
				set(row, col, map[bool]string{true: "TRUE", false: "FALSE"}[res[2] == 1])
			case 2:
				set(row, col, xlsErrors[res[2]])
			}
		case recString:
			if pendingFormula[0] >= 0 {
				s, err := (&segReader{segs: [][]byte{d}}).plainString()
				if err != nil {
					return nil, xlsError("damaged sheet " + ref.name)
				}
				set(pendingFormula[0], pendingFormula[1], s)
				pendingFormula = [2]int{-1, -1}
			}
		case recMerged:
			n := int(binary.LittleEndian.Uint16(d))
			for i := range n {
				p := 2 + 8*i
				if p+8 > len(d) {
					break
				}
				sh.merged = append(sh.merged, mergeRange{
					top: int(binary.LittleEndian.Uint16(d[p:])) + 1, bottom: int(binary.LittleEndian.Uint16(d[p+2:])) + 1,
					left: int(binary.LittleEndian.Uint16(d[p+4:])), right: int(binary.LittleEndian.Uint16(d[p+6:]))})
			}
		}
	}
	for i, m := range sh.merged {
		if cells := sh.fields(m.top - 1); m.left < len(cells) {
			sh.merged[i].value = cells[m.left]
		}
	}
	return sh, nil
}

// xlsSource is one worksheet of an .xls file.
type xlsSource struct {
	sh   *xlsSheet
	row  int // next 0-based row
	read *progress.Tally
	size int64
	done int64
}

func openXLSSheet(path, sheet string, read *progress.Tally) (*xlsSource, error) {
	b, err := openXLSBook(path)
	if err != nil {
		return nil, err
	}
	for _, ref := range b.sheets {
		if ref.name == sheet {
			sh, err := b.readSheet(ref)
			if err != nil {
				return nil, err
			}
			s := &xlsSource{sh: sh, read: read}
			if st, err := os.Stat(path); err == nil {
				s.size = st.Size()
			}
			return s, nil
		}
	}
	return nil, fmt.Errorf("the workbook has no sheet %q", sheet)
}

func xlsSheets(path string) ([]string, error) {
	b, err := openXLSBook(path)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(b.sheets))
	for i, s := range b.sheets {
		out[i] = s.name
	}
	return out, nil
}

func (s *xlsSource) Next() (Row, error) {
	for s.row <= s.sh.last {
		i := s.row
		s.row++
		if s.read != nil && s.sh.last > 0 {
			// The sheet is in memory: progress moves by rows over the file's size.
			now := s.size * int64(s.row) / int64(s.sh.last+1)
			s.read.Add(now - s.done)
			s.done = now
		}
		cells := s.sh.fields(i)
		if blank(cells) {
			continue
		}
		return Row{Line: i + 1, Fields: cells}, nil
	}
	if s.read != nil && s.done < s.size {
		s.read.Add(s.size - s.done)
		s.done = s.size
	}
	return Row{}, io.EOF
}

func (s *xlsSource) merges() []mergeRange { return s.sh.merged }

func (s *xlsSource) Close() error { return nil }
