package doc

import (
	"image"
	"image/color"
	"image/draw"
	"strings"

	"github.com/jung-kurt/gofpdf"
	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"

	"handover/assets"
)

// Surface is what a document's layout draws on: the PDF, or page images for the
// preview that the signing screen shows. Its methods are gofpdf's, in millimetres.
type Surface interface {
	AddPage()
	SetFont(size float64)
	SetTextColor(r, g, b int)
	SetFillColor(r, g, b int)
	CellFormat(w, h float64, txt, border string, ln int, align string, fill bool)
	MultiCell(w, h float64, txt, border, align string, fill bool)
	Rect(x, y, w, h float64, style string)
	Ln(h float64)
	GetY() float64
	SetY(y float64)
	SetX(x float64)
	SetXY(x, y float64)
}

type pdfSurface struct{ *gofpdf.Fpdf }

func (p pdfSurface) SetFont(size float64) { p.Fpdf.SetFont("wqy", "", size) }
func (p pdfSurface) CellFormat(w, h float64, txt, border string, ln int, align string, fill bool) {
	p.Fpdf.CellFormat(w, h, txt, border, ln, align, fill, 0, "")
}

// Page geometry shared by both surfaces (A4, margins as Render sets them).
const (
	pageW, pageH      = 210.0, 297.0
	marginL, marginR  = 18.0, 18.0
	marginT           = 18.0
	breakAt           = pageH - 20
	cellMargin        = 1.0 // gofpdf's default for its 10 mm default margin
	previewPxPerMM    = 4.0
	pointsToMillimetr = 25.4 / 72
)

// imageSurface draws pages as images with the same font and the same cell rules as gofpdf
// (text baseline at y + h/2 + 0.3 × font size, 1 mm cell margin, automatic page breaks), so
// that the preview shows the pages the PDF will have. Line wrapping is close to gofpdf's,
// not identical; the PDF is what is signed and verified.
type imageSurface struct {
	pages    []*image.RGBA
	x, y     float64
	lasth    float64
	size     float64 // points
	text     color.RGBA
	fill     color.RGBA
	faces    map[float64]font.Face
	parsed   *opentype.Font
	inFooter bool
}

func newImageSurface() (*imageSurface, error) {
	f, err := opentype.Parse(assets.Font)
	if err != nil {
		return nil, err
	}
	return &imageSurface{parsed: f, faces: map[float64]font.Face{}, text: color.RGBA{0, 0, 0, 255},
		fill: color.RGBA{255, 255, 255, 255}, size: 10}, nil
}

func px(mm float64) int { return int(mm*previewPxPerMM + 0.5) }

func (s *imageSurface) page() *image.RGBA { return s.pages[len(s.pages)-1] }

func (s *imageSurface) AddPage() {
	img := image.NewRGBA(image.Rect(0, 0, px(pageW), px(pageH)))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	s.pages = append(s.pages, img)
	s.x, s.y = marginL, marginT
}

func (s *imageSurface) face() font.Face {
	if f, ok := s.faces[s.size]; ok {
		return f
	}
	f, err := opentype.NewFace(s.parsed, &opentype.FaceOptions{Size: s.size, DPI: 25.4 * previewPxPerMM, Hinting: font.HintingNone})
	if err != nil {
		return nil
	}
	s.faces[s.size] = f
	return f
}

func (s *imageSurface) width(t string) float64 {
	f := s.face()
	if f == nil {
		return 0
	}
	return float64(font.MeasureString(f, t)) / 64 / previewPxPerMM
}

func (s *imageSurface) SetFont(size float64) { s.size = size }
func (s *imageSurface) SetTextColor(r, g, b int) {
	s.text = color.RGBA{uint8(r), uint8(g), uint8(b), 255}
}
func (s *imageSurface) SetFillColor(r, g, b int) {
	s.fill = color.RGBA{uint8(r), uint8(g), uint8(b), 255}
}
func (s *imageSurface) GetY() float64      { return s.y }
func (s *imageSurface) SetX(x float64)     { s.x = x }
func (s *imageSurface) SetXY(x, y float64) { s.x, s.y = x, y }
func (s *imageSurface) SetY(y float64)     { s.x, s.y = marginL, y }

func (s *imageSurface) Ln(h float64) {
	if h < 0 {
		h = s.lasth
	}
	s.x = marginL
	s.y += h
}

func (s *imageSurface) Rect(x, y, w, h float64, style string) {
	r := image.Rect(px(x), px(y), px(x+w), px(y+h))
	if strings.Contains(style, "F") {
		draw.Draw(s.page(), r, image.NewUniform(s.fill), image.Point{}, draw.Src)
	}
	if strings.Contains(style, "D") || style == "" {
		s.stroke(r)
	}
}

func (s *imageSurface) stroke(r image.Rectangle) {
	black := image.NewUniform(color.Black)
	for _, e := range []image.Rectangle{
		image.Rect(r.Min.X, r.Min.Y, r.Max.X+1, r.Min.Y+1), image.Rect(r.Min.X, r.Max.Y, r.Max.X+1, r.Max.Y+1),
		image.Rect(r.Min.X, r.Min.Y, r.Min.X+1, r.Max.Y+1), image.Rect(r.Max.X, r.Min.Y, r.Max.X+1, r.Max.Y+1)} {
		draw.Draw(s.page(), e, black, image.Point{}, draw.Src)
	}
}

func (s *imageSurface) CellFormat(w, h float64, txt, border string, ln int, align string, fill bool) {
	if s.y+h > breakAt && !s.inFooter {
		x := s.x
		s.AddPage()
		s.x = x
	}
	if w == 0 {
		w = pageW - marginR - s.x
	}
	r := image.Rect(px(s.x), px(s.y), px(s.x+w), px(s.y+h))
	if fill {
		draw.Draw(s.page(), r, image.NewUniform(s.fill), image.Point{}, draw.Src)
	}
	if border == "1" {
		s.stroke(r)
	}
	if txt != "" && s.face() != nil {
		dx := cellMargin
		switch {
		case strings.Contains(align, "R"):
			dx = w - cellMargin - s.width(txt)
		case strings.Contains(align, "C"):
			dx = (w - s.width(txt)) / 2
		}
		baseline := s.y + 0.5*h + 0.3*s.size*pointsToMillimetr
		d := font.Drawer{Dst: s.page(), Src: image.NewUniform(s.text), Face: s.face(),
			Dot: fixed.Point26_6{X: fixed.I(px(s.x + dx)), Y: fixed.I(px(baseline))}}
		d.DrawString(txt)
	}
	s.lasth = h
	switch ln {
	case 0:
		s.x += w
	case 1:
		s.x = marginL
		s.y += h
	case 2:
		s.y += h
	}
}

// MultiCell wraps text at the cell's width, at a space when the line has one and anywhere
// otherwise (Chinese has no spaces), as gofpdf does.
func (s *imageSurface) MultiCell(w, h float64, txt, border, align string, fill bool) {
	if w == 0 {
		w = pageW - marginR - s.x
	}
	x := s.x
	avail := w - 2*cellMargin
	for _, para := range strings.Split(txt, "\n") {
		line := []rune{}
		lastSpace := -1
		for _, c := range para {
			line = append(line, c)
			if c == ' ' {
				lastSpace = len(line) - 1
			}
			if s.width(string(line)) > avail && len(line) > 1 {
				cut := len(line) - 1
				if lastSpace > 0 {
					cut = lastSpace + 1
				}
				s.CellFormat(w, h, strings.TrimRight(string(line[:cut]), " "), border, 2, align, fill)
				s.x = x
				line = append([]rune{}, line[cut:]...)
				lastSpace = -1
			}
		}
		s.CellFormat(w, h, string(line), border, 2, align, fill)
		s.x = x
	}
	s.x = marginL
}
