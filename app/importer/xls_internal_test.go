package importer

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/richardlehane/mscfb"
)

// workbookStream returns the BIFF8 stream of a fixture, the part of an .xls this package
// parses itself (mscfb reads the container around it).
func workbookStream(t testing.TB, name string) []byte {
	f, err := os.Open(filepath.Join("testdata", "xls", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := mscfb.New(f)
	if err != nil {
		t.Fatal(err)
	}
	for e, err := doc.Next(); err == nil; e, err = doc.Next() {
		if e.Name == "Workbook" {
			b, err := io.ReadAll(e)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
	}
	t.Fatal("no Workbook stream")
	return nil
}

// FuzzXLSStream reads damaged workbook streams: an error or rows, never a panic or a hang,
// and a stream that reads reads the same twice.
func FuzzXLSStream(f *testing.F) {
	f.Add(workbookStream(f, "loanbook.xls"))
	f.Add(workbookStream(f, "loanbook-libreoffice.xls"))
	f.Fuzz(func(t *testing.T, stream []byte) {
		read := func() ([][]string, error) {
			b := &xlsBook{stream: stream}
			if err := b.readGlobals(); err != nil {
				return nil, err
			}
			var out [][]string
			for _, ref := range b.sheets {
				sh, err := b.readSheet(ref)
				if err != nil {
					return nil, err
				}
				s := &xlsSource{sh: sh}
				for {
					r, err := s.Next()
					if err != nil {
						break
					}
					out = append(out, r.Fields)
				}
			}
			return out, nil
		}
		defer func() {
			if r := recover(); r != nil {
				t.Fatalf("panic: %v", r)
			}
		}()
		a, errA := read()
		b, errB := read()
		if (errA == nil) != (errB == nil) || len(a) != len(b) {
			t.Fatal("two reads of one stream differ")
		}
	})
}
