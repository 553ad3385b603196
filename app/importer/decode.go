// Package importer turns the old company's files into rows: it detects the encoding and the
// delimiter, decodes every row, maps headers to fields through Chinese and English aliases,
// and refuses columns that hold authentication data. It is the reading half of issue 3's
// import; validation of each field is app/validate.
package importer

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Encodings accepted by --encoding.
const (
	EncAuto    = "auto"
	EncUTF8    = "utf-8"
	EncGBK     = "gbk"
	EncGB18030 = "gb18030"
	EncUTF16   = "utf-16"
)

// ReasonEncodingInvalid is the reason code of a row whose bytes are not valid in the file's
// encoding. Go's decoders silently turn such bytes into U+FFFD; a row holding U+FFFD is never
// stored, because the lost characters could be part of a name or an identity number.
const ReasonEncodingInvalid = "encoding_invalid"

// ErrEncoding says an --encoding value is unknown.
var ErrEncoding = errors.New("unknown encoding (auto, utf-8, gbk, gb18030, utf-16)")

// DetectEncoding guesses a file's encoding from its first bytes: a byte-order mark decides;
// otherwise valid UTF-8 is UTF-8 and anything else is GB18030, the superset of GBK that
// zh-CN Excel writes.
func DetectEncoding(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		return EncUTF8
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}), bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return EncUTF16
	}
	// A multi-byte character may be cut at the end of the sample.
	for i := 0; i < 4 && len(head) > 0; i++ {
		if utf8.Valid(head) {
			return EncUTF8
		}
		head = head[:len(head)-1]
	}
	return EncGB18030
}

func decoder(enc string) (encoding.Encoding, error) {
	switch enc {
	case EncUTF8:
		return unicode.UTF8BOM, nil // strips a BOM when present
	case EncGBK:
		return simplifiedchinese.GBK, nil
	case EncGB18030:
		return simplifiedchinese.GB18030, nil
	case EncUTF16:
		return unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM), nil
	}
	return nil, ErrEncoding
}

// Row is one decoded data row. Line is its 1-based record number in the file counting the
// header as 1, so it matches what a user sees in Excel.
type Row struct {
	Line   int
	Fields []string
	// Invalid names the columns whose bytes were not valid in the encoding; such a row goes
	// to quarantine with ReasonEncodingInvalid.
	Invalid []int
}

// Reader reads the rows of one delimited text file.
type Reader struct {
	Encoding  string // as detected or chosen
	Delimiter rune
	Header    []string
	csv       *csv.Reader
	line      int
	direct    bool // UTF-8 read without a transformer: invalid bytes are replaced per field
}

// NewReader detects (or takes) the encoding, decodes the stream and reads the header row.
// Tab-separated files (Excel's "Unicode text") are recognised by their header.
func NewReader(r io.Reader, enc string) (*Reader, error) {
	return newReader(r, enc, true)
}

// newReader reads UTF-8 without a transformer when direct is set: the bytes go to the CSV
// parser as they are and only a field holding an invalid byte is rewritten, exactly as the
// transformer would have (each invalid byte becomes U+FFFD). A transformer copies and checks
// every byte once more on the goroutine that reads a file, which all of an import's rows pass
// through (a second on the million-customer book). Tests compare both ways.
func newReader(r io.Reader, enc string, direct bool) (*Reader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(64 << 10)
	if enc == "" || enc == EncAuto {
		enc = DetectEncoding(head)
	}
	dec, err := decoder(enc)
	if err != nil {
		return nil, err
	}
	rd := &Reader{Encoding: enc}
	var text *bufio.Reader
	if enc == EncUTF8 && direct {
		if bytes.HasPrefix(head, utf8BOM) {
			br.Discard(len(utf8BOM))
		}
		text, rd.direct = br, true
	} else {
		text = bufio.NewReaderSize(transform.NewReader(br, dec.NewDecoder()), 64<<10)
	}
	first, _ := text.Peek(8 << 10)
	rd.Delimiter = sniffDelimiter(first)
	c := csv.NewReader(text)
	c.Comma = rd.Delimiter
	c.FieldsPerRecord = -1 // ragged rows are reported by the caller, not fatal here
	c.LazyQuotes = true    // Excel exports unescaped quotes inside fields
	c.ReuseRecord = false
	rd.csv = c
	h, err := c.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("the file is empty: it has no header row")
		}
		return nil, fmt.Errorf("reading the header row: %w", err)
	}
	rd.line = 1
	rd.Header = make([]string, len(h))
	for i, s := range h {
		if rd.direct && !validText(s) {
			s = replaceInvalid(s)
		}
		rd.Header[i] = strings.TrimSpace(strings.TrimPrefix(s, "\uFEFF"))
	}
	return rd, nil
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// validText reports whether s is valid UTF-8 without U+FFFD, which a decoder writes for
// bytes it could not decode. Two library passes (both eight bytes at a time over ASCII) beat
// decoding rune by rune in Go on names and addresses in Chinese.
func validText(s string) bool {
	return utf8.ValidString(s) && !strings.Contains(s, "\uFFFD")
}

// replaceInvalid decodes s as the transformer would have: each maximal ill-formed
// sequence becomes U+FFFD. Such a sequence never crosses a field's end, as delimiters,
// quotes and line ends are ASCII, so a field decoded alone reads as it would in the stream.
func replaceInvalid(s string) string {
	out, _ := unicode.UTF8.NewDecoder().String(s)
	return out
}

// sniffDelimiter tells a tab-separated file from a comma-separated one by the line of the
// first few with the most separators: a title line above the header may have none.
func sniffDelimiter(text []byte) rune {
	tabs, commas := 0, 0
	for i := 0; i < 10 && len(text) > 0; i++ {
		var line []byte
		line, text, _ = bytes.Cut(text, []byte("\n"))
		t, c := bytes.Count(line, []byte("\t")), bytes.Count(line, []byte(","))
		if max(t, c) > max(tabs, commas) {
			tabs, commas = t, c
		}
	}
	if tabs > commas {
		return '\t'
	}
	return ','
}

// Next returns the next non-empty row, or io.EOF.
func (rd *Reader) Next() (Row, error) {
	for {
		rec, err := rd.csv.Read()
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				rd.line++
				return Row{}, &rowFormatError{Line: rd.line, Err: pe.Err}
			}
			return Row{}, err
		}
		rd.line++
		if blank(rec) {
			continue
		}
		row := Row{Line: rd.line, Fields: rec}
		for i, f := range rec {
			if !validText(f) {
				row.Invalid = append(row.Invalid, i)
				if rd.direct {
					rec[i] = replaceInvalid(f)
				}
			}
		}
		return row, nil
	}
}

func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}
