package cert

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/jung-kurt/gofpdf"
	"github.com/skip2/go-qrcode"
	"golang.org/x/image/font/sfnt"

	"handover/assets"
	"handover/crypto/identity"
	"handover/store/model"
)

// Signed is one signer's signature of a statement, with the note recorded when it was made.
type Signed struct {
	Sig  []byte // armored SSHSIG over the statement's bytes
	Note *Note  // nil if the note is missing
}

// Note is what a signer's workstation recorded beside a signature: when and where. The
// signature covers the statement's bytes, not the note, so the time it shows is the
// signer's clock, as the certificate says.
type Note struct {
	Format      string    `json:"format"`
	Signer      string    `json:"signer"` // fingerprint
	SignedAt    time.Time `json:"signed_at"`
	Workstation string    `json:"workstation"`
}

const noteFormat = "handover-signature-note/v1"

// NotePath is where the note of a signature is kept.
func NotePath(statementPath, fingerprint string) string {
	return SignaturePath(statementPath, fingerprint) + ".json"
}

// Marshal is the note file.
func (n *Note) Marshal() []byte {
	b, _ := json.MarshalIndent(n, "", "  ")
	return append(b, '\n')
}

// MissingGlyph is a character of the statement that the bundled font cannot draw. It is
// printed as [U+XXXX] rather than dropped, and reported.
type MissingGlyph struct {
	Rune rune
	Text string // the field it occurs in, for the warning
}

func (m MissingGlyph) String() string { return fmt.Sprintf("U+%04X in %q", m.Rune, m.Text) }

var (
	fontOnce sync.Once
	fontFace *sfnt.Font
)

// hasGlyph says whether the bundled font draws r.
func hasGlyph(r rune) bool {
	fontOnce.Do(func() { fontFace, _ = sfnt.Parse(assets.Font) })
	if fontFace == nil {
		return true
	}
	var b sfnt.Buffer
	g, err := fontFace.GlyphIndex(&b, r)
	return err == nil && g != 0
}

// renderer draws one certificate.
type renderer struct {
	pdf     surface
	lang    string
	missing []MissingGlyph
	seen    map[rune]bool
}

// text makes s drawable: characters the font lacks become [U+XXXX] and are reported once.
func (r *renderer) text(s string) string {
	var b strings.Builder
	for _, c := range s {
		if c < 0x20 || hasGlyph(c) {
			b.WriteRune(c)
			continue
		}
		if !r.seen[c] {
			r.seen[c] = true
			r.missing = append(r.missing, MissingGlyph{Rune: c, Text: s})
		}
		fmt.Fprintf(&b, "[U+%04X]", c)
	}
	return b.String()
}

func (r *renderer) l(key string) string { return label(r.lang, key) }

// Render draws the statement as an A4 PDF in lang ("zh-CN" or "en") with the signatures
// found (by signer fingerprint) and embeds the statement, signatures and notes as
// attachments. The output depends only on its inputs: the same statement and signatures
// give the same bytes, which is how `cert verify` detects an edited PDF.
func Render(statement []byte, sigs map[string]Signed, lang string) ([]byte, []MissingGlyph, error) {
	st, err := Parse(statement)
	if err != nil {
		return nil, nil, err
	}
	if lang != "en" {
		lang = "zh-CN"
	}
	pdf, r := newDocument(lang, st.Issued, "title."+st.Kind, "footer", st.ID)
	r.draw(statement, st, sigs)
	r.attach(pdf, statement, st, sigs)
	if err := pdf.Error(); err != nil {
		return nil, nil, err
	}
	var out bytes.Buffer
	if err := pdf.Output(&out); err != nil {
		return nil, nil, err
	}
	return out.Bytes(), r.missing, nil
}

// newDocument starts a PDF in the certificate layout: A4, the bundled font, fixed dates (so
// that the same inputs give the same bytes), a sorted catalog, and a footer with the
// document's ID and 第 x 页 共 y 页 on every page. Certificates and the audit report use it.
func newDocument(lang string, created time.Time, titleKey, footerKey, id string) (*gofpdf.Fpdf, *renderer) {
	pdf := gofpdf.New("P", "mm", "A4", "")
	r := &renderer{pdf: pdfSurface{pdf}, lang: lang, seen: map[rune]bool{}}
	pdf.SetCreationDate(created)
	pdf.SetModificationDate(created)
	pdf.SetCatalogSort(true)
	pdf.SetProducer("Handover", false)
	pdf.SetCreator("Handover", false)
	pdf.SetTitle(r.text(r.l(titleKey)+" "+id), true)
	pdf.AddUTF8FontFromBytes("wqy", "", assets.Font)
	pdf.SetMargins(18, 18, 18)
	pdf.SetAutoPageBreak(true, 20)
	pdf.AliasNbPages("{nb}")
	pdf.SetFooterFunc(func() { r.footer(footerKey, id, pdf.PageNo(), "{nb}") })
	return pdf, r
}

// draw lays the certificate out on any surface: the PDF, or page images for the preview.
func (r *renderer) draw(statement []byte, st *Statement, sigs map[string]Signed) {
	r.pdf.AddPage()
	digest := sha256.Sum256(statement)
	r.header(st, hex.EncodeToString(digest[:]))
	r.parties(st)
	r.figures(st)
	r.imports(st)
	if len(st.Packages) > 0 {
		var rows [][]string
		for _, pk := range st.Packages {
			rows = append(rows, []string{pk.ID, pk.SHA256[:32]})
		}
		r.pdf.Ln(2)
		r.table([]float64{90, 84}, "LL", []string{r.l("col.package"), "package.json SHA-256"}, rows)
	}
	r.signatures(st, sigs)
	if c := checklistOf(st); c != nil {
		r.keepTogether(14 + 6.5 + 6*float64(len(c.Items)))
		r.section(r.l("sec.checklist"))
		r.checklistTable(c)
	}
}

// footer is the line at the bottom of every page.
func (r *renderer) footer(key, id string, page int, total string) {
	p := r.pdf
	p.SetY(297 - 14)
	p.SetFont(8)
	p.SetTextColor(90, 90, 90)
	p.CellFormat(0, 5, r.text(fmt.Sprintf(r.l(key), id, page, total)), "", 0, "C", false)
	p.SetTextColor(0, 0, 0)
}

var shanghai = func() *time.Location {
	if l, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return l
	}
	return time.FixedZone("CST", 8*3600) // China has no daylight saving time
}()

func localTime(t time.Time) string { return t.In(shanghai).Format("2006-01-02 15:04:05") + " (UTC+8)" }

func (r *renderer) header(st *Statement, digest string) {
	p := r.pdf
	p.SetFont(20)
	p.CellFormat(0, 12, r.text(r.l("title."+st.Kind)), "", 1, "C", false)
	p.SetFont(9)
	p.SetTextColor(80, 80, 80)
	p.CellFormat(0, 5, r.text(r.l("subtitle")), "", 1, "C", false)
	p.SetTextColor(0, 0, 0)
	p.Ln(4)
	// The QR code carries the statement digest, so a printout can be matched to its file.
	top := p.GetY()
	r.qr(192-36, top, 36, "handover-statement:"+st.ID+":sha256:"+digest)
	rows := [][2]string{
		{r.l("cert.id"), st.ID},
		{r.l("cert.kind"), r.l("title." + st.Kind)},
		{r.l("cert.issued"), localTime(st.Issued)},
		{r.l("cert.workstation"), st.Workstation},
		{r.l("cert.vault"), st.Vault},
		{r.l("cert.digest"), digest[:32] + "\n" + digest[32:]},
	}
	if size, root, ok := checkpointSummary(st.AuditCheckpoint); ok {
		rows = append(rows, [2]string{r.l("cert.audit"), fmt.Sprintf(r.l("cert.audit_value"), size, root)})
	}
	p.SetFont(9.5)
	for _, row := range rows {
		p.SetX(18)
		p.CellFormat(30, 6, r.text(row[0]), "", 0, "L", false)
		p.MultiCell(100, 6, r.text(row[1]), "", "L", false)
	}
	p.SetY(max(p.GetY(), top+38) + 2)
}

func (r *renderer) qr(x, y, size float64, content string) {
	q, err := qrcode.New(content, qrcode.Medium)
	if err != nil {
		return
	}
	q.DisableBorder = true
	bm := q.Bitmap()
	m := size / float64(len(bm))
	r.pdf.SetFillColor(0, 0, 0)
	for j, row := range bm {
		for i, dark := range row {
			if dark {
				r.pdf.Rect(x+float64(i)*m, y+float64(j)*m, m, m, "F")
			}
		}
	}
}

func (r *renderer) section(title string) {
	p := r.pdf
	if p.GetY() > breakAt-30 { // a heading never ends a page
		p.AddPage()
	}
	p.Ln(3)
	p.SetFont(13)
	p.SetFillColor(232, 238, 247)
	p.CellFormat(0, 8, r.text(title), "", 1, "L", true)
	p.SetFont(9.5)
	p.Ln(1)
}

// table draws a header row and rows; widths in mm, aligns "L" or "R" per column.
// A table that fits on one page starts on a new page rather than breaking; a longer one
// repeats its header on every page.
// keepTogether starts a new page unless height millimetres still fit on this one, so a
// section's title never stays behind alone (blocks taller than a page just start here).
func (r *renderer) keepTogether(height float64) {
	const bottom = 297 - 22.0
	if r.pdf.GetY()+height > bottom && height < bottom-30 {
		r.pdf.AddPage()
	}
}

func (r *renderer) table(widths []float64, aligns string, header []string, rows [][]string) {
	p := r.pdf
	const bottom = 297 - 22.0
	height := 6.5 + 6*float64(len(rows))
	if p.GetY()+height > bottom && height < bottom-30 {
		p.AddPage()
	}
	head := func() {
		p.SetFillColor(245, 245, 245)
		for i, h := range header {
			p.CellFormat(widths[i], 6.5, r.text(h), "1", 0, "C", true)
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
			p.CellFormat(widths[i], 6, r.text(c), "1", 0, string(aligns[i]), false)
		}
		p.Ln(-1)
	}
}

func (r *renderer) parties(st *Statement) {
	r.section(r.l("sec.parties"))
	rows := [][]string{}
	for _, s := range st.Signers {
		rows = append(rows, []string{s.Organisation, s.Name, s.Role})
	}
	r.table([]float64{80, 44, 50}, "LLL", []string{r.l("col.org"), r.l("col.name"), r.l("col.role")}, rows)
}

func (r *renderer) figures(st *Statement) {
	f := st.Figures
	r.section(r.l("sec.figures"))
	n := model.Group
	rows := [][]string{
		{r.l("fig.customers"), n(f.Customers)},
		{r.l("fig.loans"), n(f.Loans)},
		{r.l("fig.repayments"), n(f.Repayments)},
		{r.l("fig.documents"), fmt.Sprintf("%s (%s %s)", n(f.Documents), n(f.DocumentBytes), r.l("bytes"))},
		{r.l("fig.principal"), "¥" + f.Principal.Yuan()},
		{r.l("fig.outstanding"), "¥" + f.Outstanding.Yuan()},
		{r.l("fig.repaid"), "¥" + f.Repaid.Yuan()},
	}
	r.table([]float64{90, 84}, "LR", []string{r.l("col.item"), r.l("col.value")}, rows)
	r.pdf.Ln(2)
	var byStatus, byClass [][]string
	for _, s := range []model.LoanStatus{model.StatusNormal, model.StatusOverdue, model.StatusSettled} {
		byStatus = append(byStatus, []string{r.l("status." + string(s)), "¥" + f.OutstandingByState[s].Yuan()})
	}
	for _, c := range model.Classes {
		byClass = append(byClass, []string{r.l("class." + string(c)), "¥" + f.OutstandingByClass[c].Yuan()})
	}
	r.table([]float64{90, 84}, "LR", []string{r.l("col.status"), r.l("col.outstanding")}, byStatus)
	r.pdf.Ln(2)
	r.table([]float64{90, 84}, "LR", []string{r.l("col.class"), r.l("col.outstanding")}, byClass)
	r.pdf.Ln(2)
	var buckets [][]string
	for _, b := range f.Overdue {
		buckets = append(buckets, []string{b.Label, n(b.Loans), "¥" + b.Outstanding.Yuan()})
	}
	r.table([]float64{60, 40, 74}, "LRR", []string{r.l("col.overdue"), r.l("col.loans"), r.l("col.outstanding")}, buckets)
	r.pdf.Ln(1)
	r.pdf.SetFont(8.5)
	r.pdf.MultiCell(0, 5, r.text(r.l("fig.book_digest")+" "+f.Digest), "", "L", false)
	r.pdf.SetFont(9.5)
}

func (r *renderer) imports(st *Statement) {
	r.section(r.l("sec.imports"))
	if len(st.Imports) == 0 {
		r.pdf.CellFormat(0, 6, r.text(r.l("imports.none")), "", 1, "L", false)
		return
	}
	var rows [][]string
	n := model.Group
	for _, im := range st.Imports {
		name := im.File
		if im.Sheet != "" && !strings.Contains(name, "#") {
			name += "#" + im.Sheet
		}
		rows = append(rows, []string{name, r.l("table." + im.Table), n(im.Rows), n(im.Accepted), n(im.Quarantined), n(im.Open), im.SHA256[:12]})
	}
	r.table([]float64{46, 18, 22, 22, 20, 18, 28}, "LLRRRRL",
		[]string{r.l("col.file"), r.l("col.table"), r.l("col.rows"), r.l("col.accepted"), r.l("col.quarantined"), r.l("col.open"), "SHA-256"}, rows)
	var totals []string
	for _, im := range st.Imports {
		keys := make([]string, 0, len(im.Totals))
		for k := range im.Totals {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			totals = append(totals, fmt.Sprintf("%s %s ¥%s", im.File, r.l("total."+k), im.Totals[k].Yuan()))
		}
	}
	if len(totals) > 0 {
		r.pdf.Ln(1)
		r.pdf.SetFont(8.5)
		r.pdf.MultiCell(0, 5, r.text(r.l("imports.totals")+" "+strings.Join(totals, "；")), "", "L", false)
		r.pdf.SetFont(9.5)
	}
}

func (r *renderer) signatures(st *Statement, sigs map[string]Signed) {
	r.section(r.l("sec.signatures"))
	p := r.pdf
	p.MultiCell(0, 5, r.text(r.l("sig.explain")), "", "L", false)
	p.Ln(1)
	for _, s := range st.Signers {
		if p.GetY() > 235 {
			p.AddPage()
		}
		sg, ok := sigs[s.Fingerprint]
		state := r.l("sig.missing")
		when := "—"
		if ok {
			state = r.l("sig.signed")
			if sg.Note != nil {
				when = localTime(sg.Note.SignedAt)
			}
		}
		c := identity.Card{Fingerprint: s.Fingerprint}
		y := p.GetY()
		p.Rect(18, y, 174, 34, "D")
		lines := [][2]string{
			{r.l("col.name"), s.Name},
			{r.l("col.role"), s.Role},
			{r.l("col.org"), s.Organisation},
			{r.l("sig.time"), when},
			{r.l("sig.fingerprint"), c.Grouped()},
			{r.l("sig.state"), state},
		}
		p.SetXY(21, y+2)
		for _, l := range lines {
			p.SetX(21)
			p.CellFormat(26, 5, r.text(l[0]), "", 0, "L", false)
			p.CellFormat(140, 5, r.text(l[1]), "", 1, "L", false)
		}
		p.SetY(y + 37)
	}
}

// attach embeds the statement, each signature and its note, in the signers' order.
func (r *renderer) attach(pdf *gofpdf.Fpdf, statement []byte, st *Statement, sigs map[string]Signed) {
	as := []gofpdf.Attachment{{Content: statement, Filename: "statement.json", Description: "Handover certificate statement"}}
	for _, s := range st.Signers {
		sg, ok := sigs[s.Fingerprint]
		if !ok {
			continue
		}
		name := "statement.json.handover-" + s.Fingerprint[:16] + ".sig"
		as = append(as, gofpdf.Attachment{Content: sg.Sig, Filename: name, Description: "SSHSIG, namespace " + Namespace})
		if sg.Note != nil {
			as = append(as, gofpdf.Attachment{Content: sg.Note.Marshal(), Filename: name + ".json", Description: "signature note"})
		}
	}
	pdf.SetAttachments(as)
}

// checkpointSummary reads the size and root of a checkpoint note for display.
func checkpointSummary(cp string) (string, string, bool) {
	lines := strings.Split(cp, "\n")
	if len(lines) < 3 || lines[1] == "" {
		return "", "", false
	}
	return lines[1], lines[2], true
}
