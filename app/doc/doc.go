// Package doc is the document layer: the one A4 layout that every document Handover issues
// is drawn with (certificates, reports, and the letters and certificates still to come), on
// two surfaces (the deterministic PDF through gofpdf, and page images for the screens that
// show a document before it is signed), with the bundled font, QR codes, and labels in both
// languages. A document is a small package or file that draws on a Doc and registers its
// labels; it never talks to gofpdf for layout.
package doc

import (
	"bytes"
	"fmt"
	"image"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jung-kurt/gofpdf"
	"github.com/skip2/go-qrcode"
	"golang.org/x/image/font/sfnt"

	"handover/assets"
)

// MissingGlyph is a character the bundled font cannot draw, with the text it occurs in.
type MissingGlyph struct {
	Rune rune
	Text string // the field it occurs in, for the warning
}

func (m MissingGlyph) String() string { return fmt.Sprintf("U+%04X in %q", m.Rune, m.Text) }

var (
	fontOnce sync.Once
	fontFace *sfnt.Font
)

// glyphs caches hasGlyph's answers: a batch of letters asks for the same few thousand
// characters millions of times.
var glyphs sync.Map // rune → bool

// hasGlyph says whether the bundled font draws r.
func hasGlyph(r rune) bool {
	if v, ok := glyphs.Load(r); ok {
		return v.(bool)
	}
	fontOnce.Do(func() { fontFace, _ = sfnt.Parse(assets.Font) })
	if fontFace == nil {
		return true
	}
	var b sfnt.Buffer
	g, err := fontFace.GlyphIndex(&b, r)
	ok := err == nil && g != 0
	glyphs.Store(r, ok)
	return ok
}

// Doc is one document being drawn. S is the surface (gofpdf's methods, in millimetres);
// the methods add the layout every document shares.
type Doc struct {
	S       Surface
	Lang    string // "zh-CN" or "en"
	pdf     *gofpdf.Fpdf
	images  *imageSurface
	missing []MissingGlyph
	seen    map[rune]bool
}

// Lang returns the document language for a setting: English when asked for, else Chinese.
func Lang(lang string) string {
	if lang == "en" {
		return "en"
	}
	return "zh-CN"
}

// New starts a PDF: A4, the bundled font, fixed dates (so that the same inputs give the same
// bytes), a sorted catalog, and on every page a footer made of the label footerKey
// (a format with the document's ID, the page and the page count).
func New(lang string, created time.Time, titleKey, footerKey, id string) *Doc {
	pdf := gofpdf.New("P", "mm", "A4", "")
	d := &Doc{S: pdfSurface{pdf}, Lang: Lang(lang), pdf: pdf, seen: map[rune]bool{}}
	pdf.SetCreationDate(created)
	pdf.SetModificationDate(created)
	pdf.SetCatalogSort(true)
	pdf.SetProducer("Handover", false)
	pdf.SetCreator("Handover", false)
	pdf.SetTitle(d.Text(d.L(titleKey)+" "+id), true)
	pdf.AddUTF8FontFromBytes("wqy", "", assets.Font)
	pdf.SetMargins(marginL, marginT, marginR)
	pdf.SetAutoPageBreak(true, pageH-breakAt)
	pdf.AliasNbPages("{nb}")
	pdf.SetFooterFunc(func() { d.Footer(footerKey, id, pdf.PageNo(), "{nb}") })
	return d
}

// NewPreview starts the same layout on page images (4 pixels per millimetre). Pages adds
// the footers once the page count is known.
func NewPreview(lang string) (*Doc, error) {
	s, err := newImageSurface()
	if err != nil {
		return nil, err
	}
	return &Doc{S: s, Lang: Lang(lang), images: s, seen: map[rune]bool{}}, nil
}

// Attachment is a file embedded in a PDF (statement, signatures, checkpoint), so that the
// document carries what it shows.
type Attachment = gofpdf.Attachment

// Attach embeds files in the PDF (no effect on a preview).
func (d *Doc) Attach(files ...Attachment) {
	if d.pdf != nil {
		d.pdf.SetAttachments(files)
	}
}

// PDF finishes the PDF and returns its bytes and the characters the font could not draw.
func (d *Doc) PDF() ([]byte, []MissingGlyph, error) {
	if err := d.pdf.Error(); err != nil {
		return nil, nil, err
	}
	var out bytes.Buffer
	if err := d.pdf.Output(&out); err != nil {
		return nil, nil, err
	}
	return out.Bytes(), d.missing, nil
}

// Pages finishes a preview: each page with the footer the PDF would have.
func (d *Doc) Pages(footerKey, id string) []image.Image {
	s := d.images
	out := make([]image.Image, len(s.pages))
	total := strconv.Itoa(len(s.pages))
	all := s.pages
	for i, p := range all {
		s.pages = []*image.RGBA{p} // draw the footer on page i
		s.inFooter = true
		d.Footer(footerKey, id, i+1, total)
		out[i] = p
	}
	return out
}

// Text makes s drawable: characters the font lacks become [U+XXXX] and are reported once.
func (d *Doc) Text(s string) string {
	var b strings.Builder
	for _, c := range s {
		if c < 0x20 || hasGlyph(c) {
			b.WriteRune(c)
			continue
		}
		if !d.seen[c] {
			d.seen[c] = true
			d.missing = append(d.missing, MissingGlyph{Rune: c, Text: s})
		}
		fmt.Fprintf(&b, "[U+%04X]", c)
	}
	return b.String()
}

// L is the label key in the document's language.
func (d *Doc) L(key string) string { return Label(d.Lang, key) }

// Footer is the line at the bottom of every page.
func (d *Doc) Footer(key, id string, page int, total string) {
	p := d.S
	p.SetY(pageH - 14)
	p.SetFont(8)
	p.SetTextColor(90, 90, 90)
	p.CellFormat(0, 5, d.Text(fmt.Sprintf(d.L(key), id, page, total)), "", 0, "C", false)
	p.SetTextColor(0, 0, 0)
}

// Title is a document's centred title line.
func (d *Doc) Title(text string) {
	d.S.SetFont(20)
	d.S.CellFormat(0, 12, d.Text(text), "", 1, "C", false)
	d.S.SetFont(9.5)
}

// Fields draws label–value lines: labels in a column labelW wide, values wrapped in valueW.
func (d *Doc) Fields(labelW, valueW float64, rows [][2]string) {
	for _, row := range rows {
		d.S.SetX(marginL)
		d.S.CellFormat(labelW, 6, d.Text(row[0]), "", 0, "L", false)
		d.S.MultiCell(valueW, 6, d.Text(row[1]), "", "L", false)
	}
}

// Paragraph is wrapped text across the page in a given font size.
func (d *Doc) Paragraph(size, lineHeight float64, text string) {
	d.S.SetFont(size)
	d.S.MultiCell(0, lineHeight, d.Text(text), "", "L", false)
	d.S.SetFont(9.5)
}

// QR draws a QR code of content, size millimetres square, with its top left at x, y.
func (d *Doc) QR(x, y, size float64, content string) {
	q, err := qrcode.New(content, qrcode.Medium)
	if err != nil {
		return
	}
	q.DisableBorder = true
	bm := q.Bitmap()
	m := size / float64(len(bm))
	d.S.SetFillColor(0, 0, 0)
	for j, row := range bm {
		for i, dark := range row {
			if dark {
				d.S.Rect(x+float64(i)*m, y+float64(j)*m, m, m, "F")
			}
		}
	}
}

// Section starts a titled section; a heading never ends a page.
func (d *Doc) Section(title string) {
	p := d.S
	if p.GetY() > breakAt-30 {
		p.AddPage()
	}
	p.Ln(3)
	p.SetFont(13)
	p.SetFillColor(232, 238, 247)
	p.CellFormat(0, 8, d.Text(title), "", 1, "L", true)
	p.SetFont(9.5)
	p.Ln(1)
}

// KeepTogether starts a new page unless height millimetres still fit on this one, so a
// section's title never stays behind alone (blocks taller than a page just start here).
func (d *Doc) KeepTogether(height float64) {
	const bottom = pageH - 22.0
	if d.S.GetY()+height > bottom && height < bottom-30 {
		d.S.AddPage()
	}
}

// TableHeight is the height Table needs for n rows.
func TableHeight(n int) float64 { return 6.5 + 6*float64(n) }

// Table draws a header row and rows; widths in mm, aligns "L", "C" or "R" per column.
// A table that fits on one page starts on a new page rather than breaking; a longer one
// repeats its header on every page.
func (d *Doc) Table(widths []float64, aligns string, header []string, rows [][]string) {
	p := d.S
	const bottom = pageH - 22.0
	d.KeepTogether(TableHeight(len(rows)))
	head := func() {
		p.SetFillColor(245, 245, 245)
		for i, h := range header {
			p.CellFormat(widths[i], 6.5, d.Text(h), "1", 0, "C", true)
		}
		p.Ln(-1)
	}
	head()
	for _, row := range rows {
		if p.GetY()+6 > bottom {
			p.AddPage()
			head()
		}
		for i, c := range row {
			p.CellFormat(widths[i], 6, d.Text(c), "1", 0, string(aligns[i]), false)
		}
		p.Ln(-1)
	}
}

// Shanghai is the zone every document shows times in (stored times are UTC).
var Shanghai = func() *time.Location {
	if l, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return l
	}
	return time.FixedZone("CST", 8*3600) // China has no daylight saving time
}()

// LocalTime shows t in Asia/Shanghai with its offset.
func LocalTime(t time.Time) string {
	return t.In(Shanghai).Format("2006-01-02 15:04:05") + " (UTC+8)"
}

// Clip shortens s to fit a column of n half-width units (a Chinese character takes two), so
// a row stays one line in either language.
func Clip(s string, n int) string {
	w := 0
	for i, r := range s {
		if r >= 0x2E80 {
			w += 2
		} else {
			w++
		}
		if w > n {
			return s[:i] + "…"
		}
	}
	return s
}
