package notice

import (
	"fmt"
	"strings"
	"time"

	"handover/app/doc"
)

func init() {
	doc.Register(doc.Labels{
		"zh-CN": {"notice.footer": "验证码 %s · 第 %d 页 共 %d 页", "notice.batch": "通知批次"},
		"en":    {"notice.footer": "Verification code %s · page %d of %d", "notice.batch": "Notice batch"},
	})
}

// Letter is one letter with its placeholders filled.
type Letter struct {
	Code       string
	Sender     string   // the return line above the window
	Address    []string // the address block, wrapped to the window (Batch.Address)
	Title      string
	Paragraphs []string
	ReplySlip  []string // empty for a notice that asks for no consent
}

// Batch is a PDF of letters, each on its own pages with its own page numbers, for window
// envelopes. The same letters in the same order give the same bytes.
type Batch struct {
	d *doc.Doc
}

// NewBatch starts a batch; id names it in the PDF's title, issued dates it.
func NewBatch(lang, id string, issued time.Time) *Batch {
	return &Batch{d: doc.NewLetters(lang, issued, doc.Label(lang, "notice.batch"), id)}
}

// AddressError says an address does not fit the envelope's window: it is reported, never cut.
type AddressError struct {
	Lines, Fit int
}

func (e *AddressError) Error() string {
	return fmt.Sprintf("the address needs %d lines; the envelope's window holds %d", e.Lines, e.Fit)
}

// Address wraps an address and the addressee's name to the window, or says why it cannot.
func (b *Batch) Address(address, name string) ([]string, error) {
	lines := b.d.SplitText(strings.TrimSpace(address), 10.5, doc.Window.W)
	lines = append(lines, strings.TrimSpace(name)+" 收")
	if len(lines) > doc.WindowLines() {
		return nil, &AddressError{Lines: len(lines), Fit: doc.WindowLines()}
	}
	return lines, nil
}

// Add draws one letter on new pages.
func (b *Batch) Add(l Letter) {
	d := b.d
	d.S.AddPage()
	first := d.PageNo()
	d.At(doc.Window.X, 22, 9, l.Sender)
	for i, line := range l.Address {
		d.At(doc.Window.X+2, doc.Window.Y+3+float64(i)*doc.Window.Line, 10.5, line)
	}
	d.S.SetY(doc.Window.Y + doc.Window.H + 12)
	d.Title(l.Title)
	d.S.Ln(2)
	for _, p := range l.Paragraphs {
		d.Paragraph(10.5, 6.2, p)
		d.S.Ln(2)
	}
	if len(l.ReplySlip) > 0 {
		d.KeepTogether(48)
		d.S.Ln(6)
		d.DashedLine()
		d.S.Ln(4)
		for _, p := range l.ReplySlip {
			d.Paragraph(10.5, 6.5, p)
			d.S.Ln(2)
		}
	}
	footer := d.L("notice.footer")
	d.EndLetter(first, func(page, total int) string { return fmt.Sprintf(footer, l.Code, page, total) })
}

// PDF finishes the batch.
func (b *Batch) PDF() ([]byte, error) {
	if err := b.d.Error(); err != nil {
		return nil, err
	}
	pdf, _, err := b.d.PDF()
	return pdf, err
}

// Render fills a template's letter for one recipient in lang.
func (t *Template) Render(lang string, values map[string]string) (title string, paragraphs, slip []string, err error) {
	lang = doc.Lang(lang)
	if title, err = t.Fill(t.Title[lang], values); err != nil {
		return "", nil, nil, err
	}
	for _, p := range t.Letter[lang] {
		s, err := t.Fill(p, values)
		if err != nil {
			return "", nil, nil, err
		}
		paragraphs = append(paragraphs, s)
	}
	for _, p := range t.ReplySlip[lang] {
		s, err := t.Fill(p, values)
		if err != nil {
			return "", nil, nil, err
		}
		slip = append(slip, s)
	}
	return title, paragraphs, slip, nil
}
