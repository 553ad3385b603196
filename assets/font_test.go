package assets

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jung-kurt/gofpdf"
)

// TestFontWorksInPDF proves the bundled font is usable for the certificates to come:
// gofpdf embeds it (it refuses .ttc collections) and both its CJK and Latin glyphs come back
// out of the PDF as text (Droid Sans Fallback loses the Latin ones).
func TestFontWorksInPDF(t *testing.T) {
	const text = "客户资料移交确认书 Handover 2026 身份证号 ¥1,234.50"
	pdf := gofpdf.New("P", "mm", "A4", "")
	pdf.AddUTF8FontFromBytes("wqy", "", Font)
	pdf.SetFont("wqy", "", 14)
	pdf.AddPage()
	pdf.Cell(0, 10, text)
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "font.pdf")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext (poppler-utils) is not installed; make test installs it")
	}
	out, err := exec.Command("pdftotext", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(out)); got != text {
		t.Fatalf("pdftotext gives %q, want %q", got, text)
	}
	fonts, err := exec.Command("pdffonts", path).Output()
	if err != nil {
		t.Fatal(err)
	}
	// name, type, encoding, emb, sub, uni: the font must be embedded.
	embedded := false
	for _, l := range strings.Split(string(fonts), "\n") {
		if f := strings.Fields(l); len(f) >= 6 && strings.HasSuffix(f[0], "wqy") && f[len(f)-5] == "yes" {
			embedded = true
		}
	}
	if !embedded {
		t.Fatalf("font not embedded:\n%s", fonts)
	}
}

func TestTranslationsLoad(t *testing.T) {
	for _, l := range Languages {
		m, err := Messages(l)
		if err != nil || len(m) < 100 {
			t.Fatalf("%s: %d messages, %v", l, len(m), err)
		}
	}
	if _, err := Translation("fr"); err == nil {
		t.Fatal("unknown language accepted")
	}
}
