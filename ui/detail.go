package ui

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"handover/app/vault"
	"handover/store/model"
)

// customerDetail shows one customer: identifiers masked with a Reveal button each, loans
// with their repayments, and documents.
type customerDetail struct {
	a       *App
	s       *vault.Session
	content *fyne.Container
	no      model.CustomerNo

	fields  map[string]*widget.Label // revealable fields, by JSON name
	masked  map[string]string
	reveals map[string]*widget.Button
	timers  []*time.Timer
}

func newCustomerDetail(a *App, s *vault.Session) *customerDetail {
	d := &customerDetail{a: a, s: s}
	d.content = container.NewStack(container.NewCenter(widget.NewLabel(L("detail.none"))))
	return d
}

func (d *customerDetail) show(no model.CustomerNo) {
	d.stopTimers()
	d.no = no
	det, err := d.s.Customer(context.Background(), no)
	if err != nil {
		d.set(container.NewCenter(widget.NewLabel(describeOnly(err))))
		return
	}
	c := det.Customer
	d.fields = map[string]*widget.Label{}
	d.masked = map[string]string{}
	d.reveals = map[string]*widget.Button{}
	form := widget.NewForm()
	form.Append(L("col.no"), widget.NewLabel(strconv.FormatUint(uint64(c.No), 10)))
	add := func(field, label, value string) {
		if vaultRevealable(field) {
			l := widget.NewLabel(value)
			d.fields[field], d.masked[field] = l, value
			btn := widget.NewButtonWithIcon(L("detail.reveal"), theme.VisibilityIcon(), func() { d.reveal(field) })
			d.reveals[field] = btn
			form.Append(label, container.NewBorder(nil, nil, nil, btn, l))
			return
		}
		form.Append(label, widget.NewLabel(value))
	}
	add("name", L("col.name"), c.Name)
	add("id_number", L("col.id_number"), c.IDNumber)
	add("gender", L("col.gender"), c.Gender)
	add("birth", L("col.birth"), c.Birth.String())
	add("phone", L("col.phone"), c.Phone)
	add("bank_card", L("col.bank_card"), c.BankCard)
	add("bank_name", L("col.bank_name"), c.BankName)
	add("address", L("col.address"), c.Address)
	add("occupation", L("col.occupation"), c.Occupied)

	loans := widget.NewAccordion()
	for _, l := range det.Loans {
		loans.Append(widget.NewAccordionItem(
			fmt.Sprintf("%s  ·  %s %s  ·  %s", l.Contract, L("loan.outstanding"), l.Outstanding.Yuan(), L("class."+string(l.Class))),
			loanBody(l, det.Repayments[l.Seq])))
	}
	if len(det.Loans) == 1 {
		loans.Open(0)
	}
	docs := container.NewVBox()
	for _, doc := range det.Documents {
		doc := doc
		docs.Add(container.NewBorder(nil, nil, widget.NewIcon(theme.FileImageIcon()),
			widget.NewButton(L("doc.view"), func() { d.viewDocument(doc) }),
			widget.NewLabel(fmt.Sprintf("%s  ·  %s  ·  %s", L("doc."+doc.Kind), doc.Name, sizeText(doc.Size)))))
	}
	if len(det.Documents) == 0 {
		docs.Add(widget.NewLabel(L("doc.none")))
	}
	note := widget.NewLabel(L("detail.masked_note"))
	note.Wrapping = fyne.TextWrapWord
	note.TextStyle.Italic = true
	body := container.NewVBox(
		widget.NewCard(L("detail.customer"), "", container.NewVBox(form, note)),
		widget.NewCard(L("detail.loans", map[string]any{"N": len(det.Loans)}), "", loans),
		widget.NewCard(L("detail.documents"), "", docs),
	)
	d.set(container.NewVScroll(body))
}

func vaultRevealable(field string) bool {
	for _, f := range vault.RevealableFields {
		if f == field {
			return true
		}
	}
	return false
}

func loanBody(l model.Loan, reps []model.Repayment) fyne.CanvasObject {
	info := widget.NewForm(
		widget.NewFormItem(L("loan.principal"), widget.NewLabel(l.Principal.Yuan()+" "+L("unit.yuan"))),
		widget.NewFormItem(L("loan.rate"), widget.NewLabel(fmt.Sprintf("%d.%02d%%", l.RateBP/100, l.RateBP%100))),
		widget.NewFormItem(L("loan.term"), widget.NewLabel(L("loan.months", map[string]any{"N": l.TermMonths}))),
		widget.NewFormItem(L("loan.dates"), widget.NewLabel(l.Disbursed.String()+" → "+l.Maturity.String())),
		widget.NewFormItem(L("loan.outstanding"), widget.NewLabel(l.Outstanding.Yuan()+" "+L("unit.yuan"))),
		widget.NewFormItem(L("loan.status"), widget.NewLabel(L("status."+string(l.Status)))),
		widget.NewFormItem(L("loan.class"), widget.NewLabel(L("class."+string(l.Class)))),
		widget.NewFormItem(L("loan.overdue_days"), widget.NewLabel(strconv.Itoa(l.OverdueDays))),
	)
	grid := container.NewGridWithColumns(5, bold(L("rep.due")), bold(L("rep.paid")), bold(L("rep.principal")),
		bold(L("rep.interest")), bold(L("rep.channel")))
	for _, r := range reps {
		grid.Add(widget.NewLabel(r.Due.String()))
		grid.Add(widget.NewLabel(r.Paid.String()))
		grid.Add(widget.NewLabel(r.Principal.Yuan()))
		grid.Add(widget.NewLabel(r.Interest.Yuan()))
		grid.Add(widget.NewLabel(r.Channel))
	}
	title := widget.NewLabelWithStyle(L("loan.repayments", map[string]any{"N": len(reps)}), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	return container.NewVBox(info, title, grid)
}

// reveal asks the core for one unmasked value. The core checks the role and records the
// reveal; the value goes back to its mask after the configured time.
func (d *customerDetail) reveal(field string) {
	no := d.no
	val, err := d.s.Reveal(no, field)
	if err != nil {
		showError(d.a.win, err)
		return
	}
	d.fields[field].SetText(val)
	d.reveals[field].Disable()
	secs := d.a.settings.RevealSeconds
	d.timers = append(d.timers, time.AfterFunc(time.Duration(secs)*time.Second, func() {
		onUI(func() { d.remask(no, field) })
	}))
}

func (d *customerDetail) remask(no model.CustomerNo, field string) {
	if d.no != no || d.fields == nil {
		return
	}
	d.fields[field].SetText(d.masked[field])
	d.reveals[field].Enable()
}

// viewDocument shows a scan in a dialog. The content stays in memory: nothing readable is
// ever written to a temporary file.
func (d *customerDetail) viewDocument(doc model.Document) {
	var buf bytes.Buffer
	if err := d.s.WriteDocument(context.Background(), d.no, doc.Seq, &buf); err != nil {
		showError(d.a.win, err)
		return
	}
	img := canvas.NewImageFromReader(bytes.NewReader(buf.Bytes()), doc.Name)
	img.FillMode = canvas.ImageFillContain
	img.SetMinSize(fyne.NewSize(520, 340))
	dialog.ShowCustom(L("doc."+doc.Kind), L("action.close"), img, d.a.win)
}

func (d *customerDetail) set(o fyne.CanvasObject) {
	d.content.Objects = []fyne.CanvasObject{o}
	d.content.Refresh()
}

func (d *customerDetail) stopTimers() {
	for _, t := range d.timers {
		t.Stop()
	}
	d.timers = nil
}

func (d *customerDetail) clear() {
	d.stopTimers()
	d.fields, d.masked, d.reveals = nil, nil, nil
	d.no = 0
	d.set(container.NewCenter(widget.NewLabel(L("detail.none"))))
}

func sizeText(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
