package importer

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

const sample = "姓名,身份证号,手机号码\r\n张三,11010519491231002X,13812345678\r\n,,\r\n欧阳修,440524190001010017,\"138 1234 5678\"\r\n"

func encode(t *testing.T, enc string, s string) []byte {
	t.Helper()
	var b []byte
	var err error
	switch enc {
	case "gbk":
		b, err = simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
	case "gb18030":
		b, err = simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(s))
	case "utf-16":
		b, err = unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes([]byte(s))
	case "utf-8-bom":
		b = append([]byte{0xEF, 0xBB, 0xBF}, s...)
	default:
		b = []byte(s)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func readAll(t *testing.T, b []byte, enc string) (*Reader, []Row) {
	t.Helper()
	rd, err := NewReader(bytes.NewReader(b), enc)
	if err != nil {
		t.Fatal(err)
	}
	var rows []Row
	for {
		r, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return rd, rows
		}
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, r)
	}
}

func TestEncodings(t *testing.T) {
	tests := []struct{ fixture, detected string }{
		{"utf-8", EncUTF8}, {"utf-8-bom", EncUTF8}, {"gbk", EncGB18030}, {"gb18030", EncGB18030}, {"utf-16", EncUTF16},
	}
	for _, tc := range tests {
		src := sample
		if tc.fixture == "utf-16" {
			src = strings.ReplaceAll(sample, ",", "\t") // Excel "Unicode text" is tab-separated
			src = strings.ReplaceAll(src, "\"138 1234 5678\"", "138 1234 5678")
		}
		rd, rows := readAll(t, encode(t, tc.fixture, src), EncAuto)
		if rd.Encoding != tc.detected {
			t.Errorf("%s: detected %s, want %s", tc.fixture, rd.Encoding, tc.detected)
		}
		if !reflect.DeepEqual(rd.Header, []string{"姓名", "身份证号", "手机号码"}) {
			t.Errorf("%s: header %q", tc.fixture, rd.Header)
		}
		if len(rows) != 2 || rows[0].Fields[0] != "张三" || rows[1].Fields[0] != "欧阳修" || rows[1].Line != 4 {
			t.Errorf("%s: rows %+v", tc.fixture, rows)
		}
		for _, r := range rows {
			if len(r.Invalid) != 0 {
				t.Errorf("%s: row %d flagged invalid", tc.fixture, r.Line)
			}
		}
	}
}

func TestInvalidBytesAreFlagged(t *testing.T) {
	b := encode(t, "gbk", "姓名,身份证号\n张三,110\n")
	// 0xFF is never valid in GBK. (UTF-8 text inside a GBK file often decodes as valid
	// mojibake: that is name_damaged's and the reviewer's job, not the decoder's.)
	b = append(b, '\xe5', '\xbc', 0xFF, ',', '1', '\n')
	_, rows := readAll(t, b, EncGBK)
	if len(rows) != 2 || len(rows[0].Invalid) != 0 || !reflect.DeepEqual(rows[1].Invalid, []int{0}) {
		t.Fatalf("rows %+v", rows)
	}
	if _, err := NewReader(bytes.NewReader(nil), EncAuto); err == nil {
		t.Fatal("empty file accepted")
	}
	if _, err := NewReader(strings.NewReader("a"), "latin1"); !errors.Is(err, ErrEncoding) {
		t.Fatalf("unknown encoding: %v", err)
	}
}

func TestHeaders(t *testing.T) {
	header := []string{"借款人姓名", "证件号码", " 联系电话 ", "收款账号", "备注"}
	if tbl, ok := DetectTable(header); !ok || tbl != Customers {
		t.Fatalf("table %s %v", tbl, ok)
	}
	m := Match(Customers, header)
	if m["name"] != 0 || m["id_number"] != 1 || m["phone"] != 2 || m["bank_card"] != 3 || m["address"] != -1 {
		t.Fatalf("mapping %v", m)
	}
	if tbl, _ := DetectTable([]string{"借款合同号", "实还日期", "实还本金", "实还利息"}); tbl != Repayments {
		t.Fatalf("repayments detected as %s", tbl)
	}
	if tbl, _ := DetectTable([]string{"合同编号", "身份证号码", "借款金额（元）", "剩余本金"}); tbl != Loans {
		t.Fatalf("loans detected as %s", tbl)
	}
	if _, ok := DetectTable([]string{"a", "b"}); ok {
		t.Fatal("unknown header accepted")
	}
	got := ForbiddenColumns([]string{"姓名", "交易密码", "CVV", "证件有效期", "卡片有效期", "shipping", "PIN"})
	if !reflect.DeepEqual(got, []int{1, 2, 4, 6}) {
		t.Fatalf("forbidden columns %v", got)
	}
}

// FuzzReader feeds arbitrary bytes to the row decoder: it must not panic, and every row it
// returns either is valid UTF-8 without U+FFFD or is flagged.
func FuzzReader(f *testing.F) {
	f.Add([]byte(sample))
	f.Add([]byte{0xFF, 0xFE, 'a', 0, '\t', 0})
	f.Add([]byte("\"unterminated,\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		rd, err := NewReader(bytes.NewReader(b), EncAuto)
		if err != nil {
			return
		}
		for range 1000 {
			r, err := rd.Next()
			if err != nil {
				return
			}
			flagged := map[int]bool{}
			for _, i := range r.Invalid {
				flagged[i] = true
			}
			for i, fld := range r.Fields {
				if strings.ContainsRune(fld, '\uFFFD') && !flagged[i] {
					t.Fatalf("row %d column %d holds U+FFFD unflagged", r.Line, i)
				}
			}
		}
	})
}

// FuzzReaderDirect checks that UTF-8 read straight into the CSV parser gives the rows that
// the transformer gives: the same header, fields, flags and line numbers, invalid bytes
// included.
func FuzzReaderDirect(f *testing.F) {
	f.Add([]byte(sample))
	f.Add([]byte("\xef\xbb\xbf姓名,证件\n张\xe5\xbc,\"a\xff\"\"b\"\n\xed\xa0\x80x,\xf0\x9f\n"))
	f.Add([]byte("a\xc3,b\n\"\xe5\xbc\r\n\xbc\",\xef\xbf\xbd\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		direct, errD := newReader(bytes.NewReader(b), EncUTF8, true)
		viaText, errT := newReader(bytes.NewReader(b), EncUTF8, false)
		if (errD == nil) != (errT == nil) {
			t.Fatalf("header: direct %v, transformed %v", errD, errT)
		}
		if errD != nil {
			return
		}
		if !reflect.DeepEqual(direct.Header, viaText.Header) || direct.Delimiter != viaText.Delimiter {
			t.Fatalf("header %q (%q) against %q (%q)", direct.Header, direct.Delimiter, viaText.Header, viaText.Delimiter)
		}
		for range 1000 {
			d, errD := direct.Next()
			v, errT := viaText.Next()
			if fmt.Sprint(errD) != fmt.Sprint(errT) {
				t.Fatalf("row error: direct %v, transformed %v", errD, errT)
			}
			if errD != nil {
				return
			}
			if !reflect.DeepEqual(d, v) {
				t.Fatalf("row %+v against %+v", d, v)
			}
			for i, fld := range d.Fields {
				if !utf8.ValidString(fld) {
					t.Fatalf("row %d column %d is not valid UTF-8", d.Line, i)
				}
			}
		}
	})
}
