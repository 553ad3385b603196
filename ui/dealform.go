package ui

import (
	"errors"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"handover/app/checklist"
)

// partyFields are the entries of one party in the deal setup.
type partyFields struct {
	name, code, address, contact, phone *formEntry
	// person: an equity transfer's shareholder may be a natural person, without a code.
	person *widget.Check
	form   *widget.Form
}

func newPartyFields() partyFields {
	p := partyFields{newEntry(), newEntry(), newEntry(), newEntry(), newEntry(), nil, nil}
	p.code.SetPlaceHolder(example("91330100MA27XY012B"))
	p.form = widget.NewForm(
		widget.NewFormItem(L("deal.name"), p.name),
		widget.NewFormItem(L("deal.credit_code"), p.code),
		widget.NewFormItem(L("deal.address"), p.address),
		widget.NewFormItem(L("deal.contact"), p.contact),
		widget.NewFormItem(L("deal.phone"), p.phone))
	p.person = widget.NewCheck(L("deal.person"), func(on bool) {
		// A person has a name, not an organisation's, and no credit code.
		p.form.Items[0].Text = L("deal.name")
		if on {
			p.form.Items[0].Text = L("deal.person_name")
			p.code.SetText("")
			p.code.Disable()
		} else {
			p.code.Enable()
		}
		p.form.Refresh()
	})
	p.person.Hide()
	return p
}

func (p partyFields) party() checklist.Party {
	return checklist.Party{Name: p.name.Text, CreditCode: p.code.Text, Address: p.address.Text, Contact: p.contact.Text, Phone: p.phone.Text,
		Person: p.person.Visible() && p.person.Checked}
}

func (p partyFields) card(title string) fyne.CanvasObject {
	return widget.NewCard(title, "", container.NewVBox(p.person, p.form))
}

// dealForm is the setup wizard: the deal's type, both parties, where the recipient is and
// the planned dates. A vault holds one deal, so it shows only until one is recorded.
type dealForm struct {
	content  fyne.CanvasObject
	kind     *widget.RadioGroup
	about    *widget.Label
	tor, tee partyFields
	location *widget.Select
	// subtype and actingFor: a merger's kind, and who acts for the transferor on a
	// dissolution or bankruptcy; target: an equity transfer's company.
	subtype     *widget.Select
	actingFor   *formEntry
	subtypeForm *widget.Form
	actingForm  *widget.Form
	targetName  *formEntry
	targetCode  *formEntry
	targetCard  *widget.Card
	start, end  *formEntry
	save        *widget.Button
	status      *widget.Label
}

func newDealForm(onSave func(checklist.Deal)) *dealForm {
	f := &dealForm{tor: newPartyFields(), tee: newPartyFields(), start: newEntry(), end: newEntry()}
	// The deal types, their sub-types and their party rules are the templates' data.
	var kinds []string
	for _, t := range checklist.DealTypes {
		kinds = append(kinds, dealTypeName(t))
	}
	f.about = widget.NewLabel("")
	f.about.Wrapping = fyne.TextWrapWord
	f.kind = widget.NewRadioGroup(kinds, func(string) { f.showAbout() })
	f.actingFor = newEntry()
	f.actingForm = widget.NewForm(widget.NewFormItem(L("deal.acting_for"), f.actingFor))
	f.subtype = widget.NewSelect(nil, func(string) { f.showAbout() })
	f.subtypeForm = widget.NewForm(widget.NewFormItem(L("deal.subtype"), f.subtype))
	f.targetName, f.targetCode = newEntry(), newEntry()
	f.targetCode.SetPlaceHolder(example("91330100MA27XY012B"))
	targetHint := widget.NewLabel(L("deal.target_hint"))
	targetHint.Wrapping = fyne.TextWrapWord
	f.targetCard = widget.NewCard(L("deal.target"), "", container.NewVBox(targetHint, widget.NewForm(
		widget.NewFormItem(L("deal.name"), f.targetName), widget.NewFormItem(L("deal.credit_code"), f.targetCode))))
	for _, o := range []fyne.CanvasObject{f.subtypeForm, f.actingForm, f.targetCard} {
		o.Hide()
	}
	f.kind.Horizontal = true
	var locs []string
	for _, l := range checklist.Locations {
		locs = append(locs, L("deal.location."+l))
	}
	f.location = widget.NewSelect(locs, nil)
	f.location.SetSelectedIndex(0)
	f.start.SetPlaceHolder(example("2026-12-01"))
	f.end.SetPlaceHolder(example("2027-01-31"))
	f.status = widget.NewLabel("")
	f.status.Wrapping = fyne.TextWrapWord
	f.status.Importance = widget.DangerImportance
	f.save = widget.NewButtonWithIcon(L("deal.save"), theme.ConfirmIcon(), func() { onSave(f.deal()) })
	f.save.Importance = widget.HighImportance
	intro := widget.NewLabel(L("deal.setup_intro"))
	intro.Wrapping = fyne.TextWrapWord
	f.content = container.NewVScroll(container.NewVBox(
		widget.NewLabelWithStyle(L("deal.setup_title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		intro,
		widget.NewForm(widget.NewFormItem(L("deal.type"), f.kind)),
		f.subtypeForm,
		f.about,
		f.actingForm,
		f.targetCard,
		container.NewGridWithColumns(2, f.tor.card(L("deal.transferor")), f.tee.card(L("deal.transferee"))),
		widget.NewForm(
			widget.NewFormItem(L("deal.location"), f.location),
			widget.NewFormItem(L("deal.planned_start"), f.start),
			widget.NewFormItem(L("deal.planned_end"), f.end)),
		f.status,
		container.NewHBox(f.save)))
	return f
}

// dealTypeName is a deal type's name from its template, in the current language.
func dealTypeName(dt string) string {
	if t, err := checklist.Load(dt); err == nil && t.Name[currentLang()] != "" {
		return t.Name[currentLang()]
	}
	return dt
}

func (f *dealForm) dealType() string {
	for _, t := range checklist.DealTypes {
		if f.kind.Selected == dealTypeName(t) {
			return t
		}
	}
	return ""
}

func (f *dealForm) template() *checklist.Template {
	t, err := checklist.Load(f.dealType())
	if err != nil {
		return &checklist.Template{}
	}
	return t
}

func (f *dealForm) subtypeValue() string {
	subs := f.template().Subtypes
	if i := f.subtype.SelectedIndex(); i >= 0 && i < len(subs) {
		return subs[i].ID
	}
	return ""
}

// showAbout explains what the chosen deal type means for the checklist, and shows the
// fields its template's rules ask for: its sub-types, who acts for a transferor in
// liquidation, the target company, natural-person parties.
func (f *dealForm) showAbout() {
	t := f.template()
	var subs []string
	for _, s := range t.Subtypes {
		subs = append(subs, s.Name[currentLang()])
	}
	if !slices.Equal(subs, f.subtype.Options) {
		f.subtype.Options = subs
		f.subtype.ClearSelected()
	}
	sub, _ := t.Subtype(f.subtypeValue())
	setVisible(f.subtypeForm, len(subs) > 0)
	setVisible(f.actingForm, sub.Liquidator)
	setVisible(f.targetCard, t.Parties.Target)
	for _, p := range []partyFields{f.tor, f.tee} {
		setVisible(p.person, t.Parties.Persons)
	}
	f.about.SetText(t.About[currentLang()])
	if f.content != nil {
		// Shown and hidden fields change the form's height: lay it out again.
		f.content.Refresh()
	}
}

func (f *dealForm) deal() checklist.Deal {
	loc := checklist.Mainland
	if i := f.location.SelectedIndex(); i >= 0 {
		loc = checklist.Locations[i]
	}
	d := checklist.Deal{Type: f.dealType(), Subtype: f.subtypeValue(), Transferor: f.tor.party(), Transferee: f.tee.party(),
		RecipientLocation: loc, PlannedStart: f.start.Text, PlannedEnd: f.end.Text}
	if f.actingForm.Visible() {
		d.ActingFor = f.actingFor.Text
	}
	if f.template().Parties.Target {
		d.Target = &checklist.Party{Name: f.targetName.Text, CreditCode: f.targetCode.Text}
	}
	return d
}

func setVisible(o fyne.CanvasObject, on bool) {
	if on {
		o.Show()
	} else {
		o.Hide()
	}
}

// showError names the field and the reason of a refused deal.
func (f *dealForm) showError(err error) {
	var de *checklist.DealError
	if errors.As(err, &de) {
		f.status.SetText(L("deal.refused", map[string]any{"Field": L("deal.field." + de.Field), "Reason": L("deal.reason." + de.Reason)}))
		return
	}
	msg, hint := describe(err)
	f.status.SetText(msg + " " + hint)
}

// example is a placeholder that cannot be mistaken for a value already filled in: a clerk
// who saw "2026-12-01" in grey left the date empty.
func example(v string) string { return L("deal.example", map[string]any{"V": v}) }
