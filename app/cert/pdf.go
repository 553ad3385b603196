package cert

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	"sort"
	"strings"
	"time"

	"handover/app/doc"
	"handover/app/report"
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

// Render draws the statement as an A4 PDF in lang ("zh-CN" or "en") with the signatures
// found (by signer fingerprint) and embeds the statement, signatures and notes as
// attachments. The output depends only on its inputs: the same statement and signatures
// give the same bytes, which is how `cert verify` detects an edited PDF.
func Render(statement []byte, sigs map[string]Signed, lang string) ([]byte, []doc.MissingGlyph, error) {
	st, err := Parse(statement)
	if err != nil {
		return nil, nil, err
	}
	r := renderer{doc.New(lang, st.Issued, "title."+st.Kind, "footer", st.ID)}
	r.draw(statement, st, sigs)
	r.attach(statement, st, sigs)
	return r.PDF()
}

// renderer draws one certificate on a document.
type renderer struct{ *doc.Doc }

// draw lays the certificate out on any surface: the PDF, or page images for the preview.
// The body is written for the people who sign and file it: who hands over to whom under
// which deal, the clause they confirm, the figures, the imports, and blocks to sign and
// seal the printed copy. How to verify the file without this program comes last.
func (r renderer) draw(statement []byte, st *Statement, sigs map[string]Signed) {
	r.S.AddPage()
	digest := sha256.Sum256(statement)
	hexDigest := hex.EncodeToString(digest[:])
	r.header(st, hexDigest)
	r.parties(st)
	r.clause(st)
	if st.Destruction != nil {
		r.destruction(st.Destruction)
	}
	r.figures(st)
	r.imports(st)
	if len(st.Packages) > 0 {
		var rows [][]string
		for _, pk := range st.Packages {
			rows = append(rows, []string{pk.ID, pk.SHA256[:32]})
		}
		r.S.Ln(2)
		r.Table([]float64{90, 84}, "LL", []string{r.L("col.package"), r.L("col.package_digest")}, rows)
	}
	r.seals(st)
	r.signatures(st, sigs)
	if c := checklistOf(st); c != nil {
		r.KeepTogether(14 + doc.TableHeight(len(c.Items)))
		r.Section(r.L("sec.checklist"))
		report.ChecklistTable(r.Doc, c)
	}
	r.verification(st, hexDigest)
}

func (r renderer) header(st *Statement, digest string) {
	p := r.S
	p.SetFont(20)
	p.CellFormat(0, 12, r.Text(r.L("title."+st.Kind)), "", 1, "C", false)
	p.SetFont(9)
	p.SetTextColor(80, 80, 80)
	p.CellFormat(0, 5, r.Text(r.L("subtitle")), "", 1, "C", false)
	p.SetTextColor(0, 0, 0)
	p.Ln(4)
	// The QR code carries the statement digest, so a printout can be matched to its file.
	top := p.GetY()
	r.QR(192-30, top, 30, "handover-statement:"+st.ID+":sha256:"+digest)
	rows := [][2]string{
		{r.L("cert.id"), st.ID},
		{r.L("cert.issued"), doc.LocalTime(st.Issued)},
	}
	if st.Deal.Type != "" {
		rows = append(rows, [2]string{r.L("cert.deal"), r.dealType(st.Deal)})
	}
	p.SetFont(10)
	for _, row := range rows {
		p.SetX(18)
		p.CellFormat(30, 6.5, r.Text(row[0]), "", 0, "L", false)
		p.MultiCell(110, 6.5, r.Text(row[1]), "", "L", false)
	}
	p.SetY(max(p.GetY(), top+32) + 2)
}

// dealType names the deal in words, with a merger's kind.
func (r renderer) dealType(d Deal) string {
	t := r.L("dealtype." + d.Type)
	if d.Subtype != "" {
		t += r.L("dealtype.sep") + r.L("dealsub."+d.Subtype)
	}
	return t
}

// dealParties are the transferor and transferee as the deal records them, or, for a
// statement issued before a deal was recorded, as the checklist snapshot has them.
func (r renderer) dealParties(st *Statement) (from, to *Party) {
	if st.Deal.Transferor != nil && st.Deal.Transferee != nil {
		return st.Deal.Transferor, st.Deal.Transferee
	}
	if c := checklistOf(st); c != nil && c.Transferor.Name != "" {
		return &Party{Name: c.Transferor.Name, CreditCode: c.Transferor.CreditCode},
			&Party{Name: c.Transferee.Name, CreditCode: c.Transferee.CreditCode}
	}
	return nil, nil
}

func (r renderer) parties(st *Statement) {
	r.Section(r.L("sec.parties"))
	from, to := r.dealParties(st)
	if from == nil {
		// No deal recorded: the signers' organisations are all the statement knows.
		rows := [][]string{}
		for _, s := range st.Signers {
			rows = append(rows, []string{s.Organisation, s.Name, r.roleText(s.Role)})
		}
		r.Table([]float64{80, 44, 50}, "LLL", []string{r.L("col.org"), r.L("col.name"), r.L("col.role")}, rows)
		return
	}
	code := func(p *Party) string {
		switch {
		case p.Person:
			return r.L("party.person")
		case p.CreditCode == "":
			return "—"
		}
		return p.CreditCode
	}
	rows := [][]string{
		{r.L("party.transferor"), from.Name, code(from)},
		{r.L("party.transferee"), to.Name, code(to)},
	}
	if t := st.Deal.Target; t != nil {
		rows = append(rows, []string{r.L("party.target"), t.Name, code(t)})
	}
	if st.Deal.ActingFor != "" {
		rows = append(rows, []string{r.L("party.acting_for"), st.Deal.ActingFor, "—"})
	}
	r.Table([]float64{40, 84, 50}, "LLL", []string{r.L("col.party"), r.L("col.org_name"), r.L("col.credit_code")}, rows)
}

// roleText shows a role code (transferor, auditor…) in words; free text stays as written.
func (r renderer) roleText(role string) string {
	if t := r.L("role." + role); t != "role."+role {
		return t
	}
	return role
}

// clause is what the signers confirm, in the deal's own names.
func (r renderer) clause(st *Statement) {
	key := "clause." + st.Kind
	if r.L(key) == key {
		return
	}
	from, to := r.dealParties(st)
	fromName, toName := r.L("party.transferor"), r.L("party.transferee")
	if from != nil {
		fromName, toName = fmt.Sprintf(r.L("party.named_transferor"), from.Name), fmt.Sprintf(r.L("party.named_transferee"), to.Name)
	}
	deal := r.L("dealtype.unrecorded")
	if st.Deal.Type != "" {
		deal = r.dealType(st.Deal)
	}
	r.Section(r.L("sec.clause"))
	r.Paragraph(10, 6, fmt.Sprintf(r.L(key), fromName, toName, deal, st.Issued.In(doc.Shanghai).Format(r.L("date.format"))))
	if open := openRows(st); open > 0 {
		r.S.SetTextColor(160, 0, 0)
		r.Paragraph(9.5, 5.5, fmt.Sprintf(r.L("clause.open_rows"), model.Group(open)))
		r.S.SetTextColor(0, 0, 0)
	}
}

// openRows counts the quarantined rows not yet corrected or dismissed when it was issued.
func openRows(st *Statement) int64 {
	var n int64
	for _, im := range st.Imports {
		n += im.Open
	}
	return n
}

// seals are the blocks for the printed copy: each party's seal, the signature of its legal
// representative or authorised representative, and the date.
func (r renderer) seals(st *Statement) {
	from, to := r.dealParties(st)
	names := []string{r.L("party.transferor"), r.L("party.transferee")}
	if from != nil {
		names = []string{r.L("party.transferor") + "：" + from.Name, r.L("party.transferee") + "：" + to.Name}
	}
	if st.Kind == KindReceipt {
		names = names[1:] // the receiver acknowledges
	}
	r.KeepTogether(14 + 40*float64(len(names)))
	r.Section(r.L("sec.seals"))
	p := r.S
	for _, n := range names {
		y := p.GetY()
		p.Rect(18, y, 174, 36, "D")
		p.SetXY(21, y+2)
		p.SetFont(10)
		p.CellFormat(168, 6, r.Text(n), "", 1, "L", false)
		p.SetFont(9.5)
		p.SetXY(21, y+12)
		p.CellFormat(80, 6, r.Text(r.L("seal.stamp")), "", 0, "L", false)
		p.CellFormat(88, 6, r.Text(r.L("seal.representative")), "", 1, "L", false)
		p.SetXY(21, y+26)
		p.CellFormat(80, 6, r.Text(r.L("seal.date")), "", 1, "L", false)
		p.SetY(y + 39)
	}
}

// verification says, in plain words, how anyone can check this file without the program
// that made it, and gives the technical identifiers that this needs.
func (r renderer) verification(st *Statement, digest string) {
	// Kept on one page: the preview and the PDF measure wrapped text a little differently,
	// and a break inside it would give them different page counts.
	r.KeepTogether(110)
	r.Section(r.L("sec.verify"))
	r.Paragraph(9.5, 5.5, r.L("verify.intro"))
	book := st.Figures.Digest
	if len(book) < 64 {
		book = strings.Repeat("0", 64)
	}
	r.Fields(34, 140, [][2]string{
		{r.L("cert.digest"), digest[:32] + "\n" + digest[32:]},
		{r.L("verify.book_digest"), book[:32] + "\n" + book[32:]},
		{r.L("cert.vault"), st.Vault},
		{r.L("cert.workstation"), st.Workstation},
	})
	if size, root, ok := checkpointSummary(st.AuditCheckpoint); ok {
		r.Fields(34, 140, [][2]string{{r.L("cert.audit"), fmt.Sprintf(r.L("cert.audit_value"), size, root)}})
	}
	r.S.Ln(1)
	r.Paragraph(9.5, 5.5, r.L("verify.steps"))
	r.S.SetFont(8.5)
	for _, cmd := range []string{
		"handover cert verify " + st.ID + ".pdf",
		"pdfdetach -saveall " + st.ID + ".pdf",
		"ssh-keygen -Y verify -f allowed_signers -I handover-<" + r.L("verify.fp16") + "> -n " + Namespace + " -s statement.json.handover-<" + r.L("verify.fp16") + ">.sig < statement.json",
	} {
		r.S.SetX(22)
		r.S.MultiCell(170, 4.8, r.Text(cmd), "", "L", false)
	}
	r.S.SetFont(9.5)
	r.Paragraph(9.5, 5.5, r.L("verify.outro"))
}

func (r renderer) figures(st *Statement) {
	f := st.Figures
	r.Section(r.L("sec.figures"))
	n := model.Group
	rows := [][]string{
		{r.L("fig.customers"), n(f.Customers)},
		{r.L("fig.loans"), n(f.Loans)},
		{r.L("fig.repayments"), n(f.Repayments)},
		{r.L("fig.documents"), fmt.Sprintf("%s (%s %s)", n(f.Documents), n(f.DocumentBytes), r.L("bytes"))},
		{r.L("fig.principal"), "¥" + f.Principal.Yuan()},
		{r.L("fig.outstanding"), "¥" + f.Outstanding.Yuan()},
		{r.L("fig.repaid"), "¥" + f.Repaid.Yuan()},
	}
	r.Table([]float64{90, 84}, "LR", []string{r.L("col.item"), r.L("col.value")}, rows)
	r.S.Ln(2)
	var byStatus, byClass [][]string
	for _, s := range []model.LoanStatus{model.StatusNormal, model.StatusOverdue, model.StatusSettled} {
		byStatus = append(byStatus, []string{r.L("status." + string(s)), "¥" + f.OutstandingByState[s].Yuan()})
	}
	for _, c := range model.Classes {
		byClass = append(byClass, []string{r.L("class." + string(c)), "¥" + f.OutstandingByClass[c].Yuan()})
	}
	r.Table([]float64{90, 84}, "LR", []string{r.L("col.status"), r.L("col.outstanding")}, byStatus)
	r.S.Ln(2)
	r.Table([]float64{90, 84}, "LR", []string{r.L("col.class"), r.L("col.outstanding")}, byClass)
	r.S.Ln(2)
	var buckets [][]string
	for _, b := range f.Overdue {
		buckets = append(buckets, []string{b.Label, n(b.Loans), "¥" + b.Outstanding.Yuan()})
	}
	r.Table([]float64{60, 40, 74}, "LRR", []string{r.L("col.overdue"), r.L("col.loans"), r.L("col.outstanding")}, buckets)
	r.S.Ln(1)
	r.S.SetFont(8.5)
	r.S.MultiCell(0, 5, r.Text(r.L("fig.book_digest")+f.Digest), "", "L", false)
	r.S.SetFont(9.5)
}

func (r renderer) imports(st *Statement) {
	r.Section(r.L("sec.imports"))
	if len(st.Imports) == 0 {
		r.S.CellFormat(0, 6, r.Text(r.L("imports.none")), "", 1, "L", false)
		return
	}
	var rows [][]string
	n := model.Group
	for _, im := range st.Imports {
		name := im.File
		if im.Sheet != "" && !strings.Contains(name, "#") {
			name += "#" + im.Sheet
		}
		rows = append(rows, []string{name, r.L("table." + im.Table), n(im.Rows), n(im.Accepted), n(im.Quarantined), n(im.Open), im.SHA256[:12]})
	}
	r.Table([]float64{46, 18, 22, 22, 20, 18, 28}, "LLRRRRL",
		[]string{r.L("col.file"), r.L("col.table"), r.L("col.rows"), r.L("col.accepted"), r.L("col.quarantined"), r.L("col.open"), "SHA-256"}, rows)
	var totals []string
	for _, im := range st.Imports {
		keys := make([]string, 0, len(im.Totals))
		for k := range im.Totals {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			totals = append(totals, fmt.Sprintf("%s %s ¥%s", im.File, r.L("total."+k), im.Totals[k].Yuan()))
		}
	}
	if len(totals) > 0 {
		r.S.Ln(1)
		r.S.SetFont(8.5)
		r.S.MultiCell(0, 5, r.Text(r.L("imports.totals")+" "+strings.Join(totals, "；")), "", "L", false)
		r.S.SetFont(9.5)
	}
}

func (r renderer) signatures(st *Statement, sigs map[string]Signed) {
	r.Section(r.L("sec.signatures"))
	p := r.S
	p.MultiCell(0, 5, r.Text(r.L("sig.explain")), "", "L", false)
	p.Ln(1)
	for _, s := range st.Signers {
		if p.GetY() > 235 {
			p.AddPage()
		}
		sg, ok := sigs[s.Fingerprint]
		state := r.L("sig.missing")
		when := "—"
		if ok {
			state = r.L("sig.signed")
			if sg.Note != nil {
				when = doc.LocalTime(sg.Note.SignedAt)
			}
		}
		c := identity.Card{Fingerprint: s.Fingerprint}
		y := p.GetY()
		p.Rect(18, y, 174, 34, "D")
		lines := [][2]string{
			{r.L("col.name"), s.Name},
			{r.L("col.role"), r.roleText(s.Role)},
			{r.L("col.org"), s.Organisation},
			{r.L("sig.time"), when},
			{r.L("sig.fingerprint"), c.Grouped()},
			{r.L("sig.state"), state},
		}
		p.SetXY(21, y+2)
		for _, l := range lines {
			p.SetX(21)
			p.CellFormat(26, 5, r.Text(l[0]), "", 0, "L", false)
			p.CellFormat(140, 5, r.Text(l[1]), "", 1, "L", false)
		}
		p.SetY(y + 37)
	}
}

// attach embeds the statement, each signature and its note, in the signers' order.
func (r renderer) attach(statement []byte, st *Statement, sigs map[string]Signed) {
	as := []doc.Attachment{{Content: statement, Filename: "statement.json", Description: "Handover certificate statement"}}
	for _, s := range st.Signers {
		sg, ok := sigs[s.Fingerprint]
		if !ok {
			continue
		}
		name := "statement.json.handover-" + s.Fingerprint[:16] + ".sig"
		as = append(as, doc.Attachment{Content: sg.Sig, Filename: name, Description: "SSHSIG, namespace " + Namespace})
		if sg.Note != nil {
			as = append(as, doc.Attachment{Content: sg.Note.Marshal(), Filename: name + ".json", Description: "signature note"})
		}
	}
	r.Attach(as...)
}

// checkpointSummary reads the size and root of a checkpoint note for display.
func checkpointSummary(cp string) (string, string, bool) {
	lines := strings.Split(cp, "\n")
	if len(lines) < 3 || lines[1] == "" {
		return "", "", false
	}
	return lines[1], lines[2], true
}

// Preview draws the certificate's pages as images (4 pixels per millimetre) for the signing
// screen, from the same layout as the PDF.
func Preview(statement []byte, sigs map[string]Signed, lang string) ([]image.Image, error) {
	st, err := Parse(statement)
	if err != nil {
		return nil, err
	}
	d, err := doc.NewPreview(lang)
	if err != nil {
		return nil, err
	}
	renderer{d}.draw(statement, st, sigs)
	return d.Pages("footer", st.ID), nil
}

// destruction draws what a destruction certificate attests: method, scope, people, times,
// verification, what was kept, the copies outside the vault, and the limits.
func (r renderer) destruction(d *Destruction) {
	r.Section(r.L("sec.destruction"))
	n := model.Group
	verdict := r.L("destr.verified_no")
	if d.Verified {
		verdict = fmt.Sprintf(r.L("destr.verified_yes"), doc.LocalTime(d.VerifiedAt), d.KeysLeft, d.RecordsLeft, n(d.Remaining))
	}
	r.Fields(34, 140, [][2]string{
		{r.L("destr.plan"), d.Plan},
		{r.L("destr.scope"), r.L("destr.scope." + d.Scope)},
		{r.L("destr.method"), r.L("destr.method." + d.Method)},
		{r.L("destr.what"), fmt.Sprintf(r.L("destr.what_value"), n(d.Customers), n(d.Loans), n(d.Repayments), n(d.Documents), n(d.DocumentBytes))},
		{r.L("destr.digest"), d.CustomersDigest[:32] + "\n" + d.CustomersDigest[32:]},
		{r.L("destr.tool"), d.Tool},
		{r.L("destr.people"), fmt.Sprintf(r.L("destr.people_value"), d.PlannedBy, strings.Join(r.approvers(d.Approvers), r.L("destr.sep")), d.RunBy)},
		{r.L("destr.time"), doc.LocalTime(d.Started) + " — " + doc.LocalTime(d.Ended)},
		{r.L("destr.verification"), verdict},
	})
	list := func(title string, items []string, none string) {
		r.S.Ln(1)
		r.S.SetFont(9.5)
		r.S.CellFormat(0, 6, r.Text(title), "", 1, "L", false)
		if len(items) == 0 {
			items = []string{none}
		}
		for _, it := range items {
			r.Paragraph(8.5, 4.5, "· "+it)
		}
	}
	var kept, copies, media []string
	for _, k := range d.Kept {
		kept = append(kept, fmt.Sprintf(r.L("destr.kept_hold"), k.Customers, k.Hold, k.Case))
	}
	for _, c := range d.Copies {
		state := r.L("destr.copy_remains")
		if m := c.Destroyed; m != nil {
			state = fmt.Sprintf(r.L("destr.copy_destroyed"), m.At.In(doc.Shanghai).Format("2006-01-02"), m.By, m.How)
		}
		copies = append(copies, fmt.Sprintf("%s %s · %s · %s · %s", r.L("destr.copy."+c.Kind), c.ID, c.Where, c.At.In(doc.Shanghai).Format("2006-01-02 15:04"), state))
	}
	for _, m := range d.Media {
		line := fmt.Sprintf("%s · %s · %s %s", m.What, m.How, m.By, m.At.In(doc.Shanghai).Format("2006-01-02"))
		if m.SHA256 != "" {
			line += " · " + m.Evidence + " SHA-256 " + m.SHA256[:16]
		}
		media = append(media, line)
	}
	list(r.L("destr.kept"), kept, r.L("destr.kept_none"))
	list(r.L("destr.copies"), copies, r.L("destr.copies_none"))
	list(r.L("destr.media"), media, r.L("destr.media_none"))
	if len(d.EvidenceDestroyed) > 0 || d.EvidenceKept > 0 {
		var ev []string
		for _, e := range d.EvidenceDestroyed {
			ev = append(ev, fmt.Sprintf(r.L("destr.evidence_gone"), e.Name, e.SHA256[:16]))
		}
		if d.EvidenceKept > 0 {
			ev = append(ev, fmt.Sprintf(r.L("destr.evidence_kept"), d.EvidenceKept))
		}
		list(r.L("destr.evidence"), ev, "—")
	}
	var limits []string
	for _, k := range d.Limits {
		limits = append(limits, r.L("destr.limit."+k))
	}
	list(r.L("destr.limits"), limits, "—")
}

// approvers names each approver with their role, or their organisation when they approved by
// identity signature.
func (r renderer) approvers(as []Approver) []string {
	var out []string
	for _, a := range as {
		role := r.L("role." + a.Role)
		if org, ok := strings.CutPrefix(a.Role, "party:"); ok {
			role = org
		}
		out = append(out, fmt.Sprintf(r.L("destr.approver"), a.Name, role))
	}
	return out
}
