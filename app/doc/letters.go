package doc

import (
	"fmt"
	"time"

	"github.com/jung-kurt/gofpdf"

	"handover/assets"
)

// Window is where a window envelope shows the address (DL and C5 envelopes with a left
// window, as Chinese print shops use them: 20 mm from the left edge, 45 mm from the top,
// 90 × 35 mm). A letter's address block is drawn inside it and must fit it.
var Window = struct{ X, Y, W, H, Line float64 }{X: 20, Y: 45, W: 90, H: 35, Line: 5.5}

// WindowLines is how many lines fit in the window.
func WindowLines() int { return int(Window.H / Window.Line) }

// NewLetters starts a batch of letters: the layout of New, but each letter numbers its own
// pages ("page x of y" of that letter), so the footer is drawn by EndLetter once the
// letter's page count is known, not by the page.
func NewLetters(lang string, created time.Time, title, id string) *Doc {
	pdf := gofpdf.New("P", "mm", "A4", "")
	d := &Doc{S: pdfSurface{pdf}, Lang: Lang(lang), pdf: pdf, seen: map[rune]bool{}}
	pdf.SetCreationDate(created)
	pdf.SetModificationDate(created)
	pdf.SetCatalogSort(true)
	pdf.SetProducer("Handover", false)
	pdf.SetCreator("Handover", false)
	pdf.SetTitle(d.Text(title+" "+id), true)
	// gofpdf makes a new zlib writer for every page; for thousands of pages that costs more
	// than drawing them. The pages go uncompressed (the font is still subset and compressed).
	pdf.SetCompression(false)
	pdf.AddUTF8FontFromBytes("wqy", "", assets.Font)
	pdf.SetMargins(marginL, marginT, marginR)
	pdf.SetAutoPageBreak(true, pageH-breakAt)
	pdf.SetFont("wqy", "", 9.5)
	return d
}

// SplitText wraps text to lines at most width millimetres wide in the font size given: at
// any character between Chinese characters, at spaces in Latin text. (gofpdf's own
// SplitText drops the Chinese character it breaks at.)
func (d *Doc) SplitText(text string, size, width float64) []string {
	d.pdf.SetFont("wqy", "", size)
	defer d.pdf.SetFont("wqy", "", 9.5)
	var lines []string
	line, w, space := []rune{}, 0.0, -1
	for _, r := range d.Text(text) {
		if r == '\n' {
			lines, line, w, space = append(lines, string(line)), line[:0:0], 0, -1
			continue
		}
		rw := d.pdf.GetStringWidth(string(r))
		if w+rw > width && len(line) > 0 {
			if space > 0 && r != ' ' {
				// Break a Latin word at the last space.
				rest := append([]rune{}, line[space+1:]...)
				lines = append(lines, string(line[:space]))
				line = rest
			} else {
				lines = append(lines, string(line))
				line = line[:0:0]
			}
			w, space = d.pdf.GetStringWidth(string(line)), -1
			if r == ' ' {
				continue
			}
		}
		if r == ' ' {
			space = len(line)
		} else if r > 0x2E80 {
			space = -1 // Chinese text breaks anywhere
		}
		line = append(line, r)
		w += rw
	}
	if len(line) > 0 {
		lines = append(lines, string(line))
	}
	return lines
}

// PageNo is the current page's number in the whole PDF.
func (d *Doc) PageNo() int { return d.pdf.PageNo() }

// EndLetter draws the footer of every page of the letter that began on page first:
// footer(x, y) for page x of y.
func (d *Doc) EndLetter(first int, footer func(page, total int) string) {
	last := d.pdf.PageNo()
	d.pdf.SetAutoPageBreak(false, 0)
	for p := first; p <= last; p++ {
		d.pdf.SetPage(p)
		d.pdf.SetXY(marginL, pageH-14)
		d.pdf.SetFont("wqy", "", 8)
		d.pdf.SetTextColor(90, 90, 90)
		d.pdf.CellFormat(pageW-marginL-marginR, 5, d.Text(footer(p-first+1, last-first+1)), "", 0, "C", false, 0, "")
		d.pdf.SetTextColor(0, 0, 0)
	}
	d.pdf.SetPage(last)
	d.pdf.SetAutoPageBreak(true, pageH-breakAt)
	d.pdf.SetFont("wqy", "", 9.5)
}

// DashedLine draws a cut line across the page at the current height.
func (d *Doc) DashedLine() {
	y := d.pdf.GetY()
	d.pdf.SetDashPattern([]float64{2, 1.5}, 0)
	d.pdf.Line(marginL, y, pageW-marginR, y)
	d.pdf.SetDashPattern([]float64{}, 0)
}

// At draws one line of text at x, y (millimetres) in the font size given.
func (d *Doc) At(x, y, size float64, text string) {
	d.pdf.SetFont("wqy", "", size)
	d.pdf.SetXY(x, y)
	d.pdf.CellFormat(0, size*0.55, d.Text(text), "", 0, "L", false, 0, "")
	d.pdf.SetFont("wqy", "", 9.5)
}

// Error is the PDF's error, if drawing failed.
func (d *Doc) Error() error {
	if err := d.pdf.Error(); err != nil {
		return fmt.Errorf("pdf: %w", err)
	}
	return nil
}
