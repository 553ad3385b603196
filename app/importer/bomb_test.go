//go:build linux

package importer_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	. "handover/app/importer"
)

// The child half of TestHostileWorkbooks: plan an import of one file and report how it
// was refused.
func init() {
	path := os.Getenv("HANDOVER_TEST_WORKBOOK")
	if path == "" {
		return
	}
	_, err := Plan([]string{path}, Options{})
	// The peak as the kernel counts it for this program (VmHWM): the rusage of a child
	// carries the parent's peak across fork and exec.
	st, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(st), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			fmt.Println("peak-kib", strings.TrimSuffix(strings.TrimSpace(v), " kB"))
		}
	}
	switch {
	case err == nil:
		os.Exit(0)
	case errors.Is(err, ErrWorkbookBomb):
		os.Exit(10)
	case errors.Is(err, ErrSheetTooLarge):
		os.Exit(11)
	default:
		fmt.Fprintln(os.Stderr, err)
		os.Exit(12)
	}
}

// workbookParts writes a zip with the parts an .xlsx needs and the sheets given, each
// filled by its writer.
func writeWorkbook(t *testing.T, path string, sheets []func(w io.Writer)) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	z := zip.NewWriter(f)
	var overrides, rels, list strings.Builder
	for i := range sheets {
		n := i + 1
		fmt.Fprintf(&overrides, `<Override PartName="/xl/worksheets/sheet%d.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`, n)
		fmt.Fprintf(&rels, `<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet%d.xml"/>`, n, n)
		fmt.Fprintf(&list, `<sheet name="S%d" sheetId="%d" r:id="rId%d"/>`, n, n, n)
	}
	small := map[string]string{
		"[Content_Types].xml":        `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` + overrides.String() + `</Types>`,
		"_rels/.rels":                `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
		"xl/_rels/workbook.xml.rels": `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` + rels.String() + `</Relationships>`,
		"xl/workbook.xml":            `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>` + list.String() + `</sheets></workbook>`,
	}
	for name, body := range small {
		w, _ := z.Create(name)
		io.WriteString(w, body)
	}
	for i, fill := range sheets {
		w, err := z.CreateHeader(&zip.FileHeader{Name: fmt.Sprintf("xl/worksheets/sheet%d.xml", i+1), Method: zip.Deflate})
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
		fill(w)
		io.WriteString(w, `</sheetData></worksheet>`)
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
}

// rows writes n bytes or more of rows: the same row over and over (dense) or rows of
// random digits (which pack about as well as real data).
func rows(n int, dense bool) func(w io.Writer) {
	return func(w io.Writer) {
		r := rand.New(rand.NewPCG(1, 2))
		var b bytes.Buffer
		for i := 1; b.Len() < 1<<20; i++ {
			if dense {
				b.WriteString(`<row><c t="inlineStr"><is><t>110105194912310021</t></is></c></row>`)
				continue
			}
			fmt.Fprintf(&b, `<row r="%d"><c t="inlineStr"><is><t>%d</t></is></c></row>`, i, r.Int64())
		}
		for written := 0; written < n; written += b.Len() {
			w.Write(b.Bytes())
		}
	}
}

// TestHostileWorkbooks: workbooks built to exhaust memory are refused by their declared
// sizes before anything is unpacked, and the process that reads them stays small.
func TestHostileWorkbooks(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a few hundred megabytes of packed XML")
	}
	dir := t.TempDir()
	cases := []struct {
		name   string
		sheets []func(w io.Writer)
		exit   int
	}{
		{"one 1 GiB sheet packed densely", []func(io.Writer){rows(1<<30, true)}, 10},
		{"four sheets just under the limit", []func(io.Writer){rows(60<<20, false), rows(60<<20, false), rows(60<<20, false), rows(60<<20, false)}, 11},
		{"a small ordinary sheet", []func(io.Writer){rows(1<<20, false)}, 12}, // no header a table knows: refused as a table, not for size
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "_")+".xlsx")
			writeWorkbook(t, path, c.sheets)
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), "HANDOVER_TEST_WORKBOOK="+path)
			out, _ := cmd.CombinedOutput()
			if got := cmd.ProcessState.ExitCode(); got != c.exit {
				t.Fatalf("exit %d, want %d: %s", got, c.exit, out)
			}
			var peak int64 = -1
			for _, line := range strings.Split(string(out), "\n") {
				if v, ok := strings.CutPrefix(line, "peak-kib "); ok {
					peak, _ = strconv.ParseInt(v, 10, 64)
					peak <<= 10
				}
			}
			if peak < 0 || peak > 600<<20 {
				t.Fatalf("peak memory %d MiB", peak>>20)
			}
			t.Logf("peak memory %d MiB", peak>>20)
		})
	}
}
