package ui

import (
	"context"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"handover/app/checklist"
	"handover/app/figures"
	"handover/app/lawcite"
	"handover/app/progress"
	"handover/app/vault"
	"handover/store/model"
)

// itemRow is one checklist item: its state, title, why the law asks for it, what it still
// needs or who did it, and the actions its kind allows.
type itemRow struct {
	content                           fyne.CanvasObject
	complete, attach, signOff, reopen *widget.Button
	backup, receipt, basis            *widget.Button
}

func stateIcon(state string) fyne.Resource {
	switch state {
	case checklist.Done:
		return theme.ConfirmIcon()
	case checklist.Partial:
		return theme.MoreHorizontalIcon()
	}
	return theme.RadioButtonIcon()
}

func (v *dealView) newItemRow(it checklist.Status) *itemRow {
	lang := currentLang()
	r := &itemRow{}
	title := widget.NewLabelWithStyle(it.Title[lang]+"  ["+L("checklist.state."+it.State)+"]", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.Wrapping = fyne.TextWrapWord
	why := widget.NewLabel(L("checklist.why", map[string]any{"Law": lawcite.For(it.Law, lang), "Why": it.Why[lang]}))
	why.Wrapping = fyne.TextWrapWord
	why.TextStyle.Italic = true
	detail := widget.NewLabel(v.itemDetail(it))
	detail.Wrapping = fyne.TextWrapWord
	if it.State != checklist.Done {
		detail.Importance = widget.WarningImportance
	}
	body := []fyne.CanvasObject{title, why}
	if it.Counsel {
		// The reading is for counsel: said on screen, and who confirmed it is recorded.
		counsel := widget.NewLabelWithStyle(L("checklist.counsel"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		counsel.Importance = widget.WarningImportance
		if it.Rec != nil && it.Rec.ConfirmedBy != "" {
			counsel.SetText(L("checklist.counsel_by", map[string]any{"Name": it.Rec.ConfirmedBy}))
			counsel.Importance = widget.MediumImportance
		}
		body = append(body, counsel)
	}
	body = append(body, detail)
	var buttons []fyne.CanvasObject
	role := v.s.Role()
	for _, a := range role.ItemActions(it) {
		var b *widget.Button
		switch a {
		case checklist.ActAttach:
			b = widget.NewButtonWithIcon(L("checklist.attach"), theme.ContentAddIcon(), func() { v.attach(it.ID) })
			r.attach = b
		case checklist.ActComplete:
			b = widget.NewButtonWithIcon(L("checklist.complete"), theme.ConfirmIcon(), func() { v.askComplete(it) })
			r.complete = b
		case checklist.ActSignOff:
			b = widget.NewButtonWithIcon(L("checklist.signoff"), theme.DocumentCreateIcon(), func() { v.askSignOff(it) })
			r.signOff = b
		case checklist.ActTakeReceipt:
			b = widget.NewButtonWithIcon(L("checklist.take_receipt"), theme.MailAttachmentIcon(), v.takeReceipt)
			r.receipt = b
		case checklist.ActBackup:
			b = widget.NewButtonWithIcon(L("checklist.backup"), theme.StorageIcon(), v.backup)
			r.backup = b
		case checklist.ActNoticeBasis:
			b = widget.NewButtonWithIcon(L("notice.basis_title")+"…", theme.DocumentCreateIcon(), func() {
				askNoticeBasis(v.a, v.s, func(err error) {
					v.lastErr = err
					v.refresh()
				})
			})
			r.basis = b
		case checklist.ActReopen:
			b = widget.NewButtonWithIcon(L("checklist.reopen"), theme.ViewRefreshIcon(), func() { v.askReopen(it) })
			r.reopen = b
		default:
			continue // steps done on their own screens (import, export, receive, sign, audit)
		}
		if a == checklist.ActComplete && checklist.Check(it, a, role.Side()) != nil {
			b.Disable() // the file first
		}
		buttons = append(buttons, b)
	}
	kind := widget.NewLabelWithStyle(L("checklist.kind."+it.Kind), fyne.TextAlignTrailing, fyne.TextStyle{})
	right := container.NewVBox(append([]fyne.CanvasObject{kind}, buttons...)...)
	r.content = container.NewBorder(nil, nil, widget.NewIcon(stateIcon(it.State)), right, container.NewVBox(body...))
	return r
}

// itemDetail says what an item still needs, or who did it and with which files.
func (v *dealView) itemDetail(it checklist.Status) string {
	var parts []string
	if len(it.Needs) > 0 {
		parts = append(parts, L("checklist.needs", map[string]any{"Needs": needText(it.Needs)}))
	}
	if r := it.Rec; r != nil {
		if r.Completed {
			parts = append(parts, L("checklist.done_by", map[string]any{"Name": r.ByName, "When": r.At.In(shanghai).Format("2006-01-02 15:04")}))
		}
		if r.Basis != "" {
			parts = append(parts, L("checklist.basis_is", map[string]any{"Basis": L("checklist.basis." + r.Basis)}))
		}
		if cb := r.CrossBorder; cb != nil {
			parts = append(parts, L("checklist.cb_recorded", map[string]any{"Individuals": cb.Individuals, "Sensitive": cb.Sensitive,
				"Rules": cb.Rules, "Required": L("checklist.basis." + cb.Required)}))
			parts = append(parts, L("checklist.cb_destination")+"："+cb.Destination+" · "+L("checklist.cb_filing")+"："+cb.Filing)
		}
		if r.Book != nil && len(r.SignOffs) > 0 {
			parts = append(parts, L("checklist.book_agreed", map[string]any{"Digest": r.Book.Digest[:16]}))
		}
		for _, so := range r.SignOffs {
			parts = append(parts, L("checklist.signed_by", map[string]any{"Side": L("deal." + so.Side), "Name": so.Name,
				"When": so.At.In(shanghai).Format("2006-01-02 15:04")}))
		}
		for _, e := range r.Evidence {
			parts = append(parts, L("checklist.evidence_item", map[string]any{"File": e.Name, "Hash": e.SHA256[:16]}))
		}
		if r.Note != "" {
			parts = append(parts, L("checklist.note_is", map[string]any{"Note": r.Note}))
		}
		if n := len(r.Reopened); n > 0 {
			parts = append(parts, L("checklist.reopened_because", map[string]any{"Reason": r.Reopened[n-1].Reason}))
		}
	}
	if it.State == checklist.Done && len(parts) == 0 {
		parts = append(parts, L("checklist.done_auto"))
	}
	// The source document's section, in words, for whoever traces the item back to it.
	if title := checklist.SourceTitle(it.Source, currentLang()); title != "" {
		parts = append(parts, L("checklist.source_line", map[string]any{"Title": title}))
	}
	return strings.Join(parts, "\n")
}

func (v *dealView) askComplete(it checklist.Status) {
	note := newEntry()
	note.SetPlaceHolder(L("checklist.note_hint"))
	items := []*widget.FormItem{widget.NewFormItem(L("checklist.note"), note)}
	counsel := newEntry()
	if it.Counsel {
		counsel.SetPlaceHolder(L("checklist.confirmed_by_hint"))
		items = append(items, widget.NewFormItem(L("checklist.confirmed_by"), counsel))
	}
	abroad := checklist.NeedsBasis(it.Item, v.view.Deal)
	var basis *widget.Select
	cb := crossBorderFields()
	if abroad {
		var opts []string
		for _, b := range checklist.Bases {
			opts = append(opts, L("checklist.basis."+b))
		}
		basis = widget.NewSelect(opts, nil)
		items = append(items, widget.NewFormItem(L("checklist.basis"), basis))
		items = append(items, cb.items()...)
	}
	d := newForm(it.Title[currentLang()], L("checklist.complete"), items, func(ok bool) {
		if !ok {
			return
		}
		c := vault.Completion{Note: note.Text, ConfirmedBy: counsel.Text}
		if basis != nil && basis.SelectedIndex() >= 0 {
			c.Basis = checklist.Bases[basis.SelectedIndex()]
		}
		if !abroad {
			v.finish(v.s.CompleteItemWith(context.Background(), it.ID, c))
			return
		}
		var err error
		if c.CrossBorder, err = cb.record(); err != nil {
			showError(v.a.win, err)
			return
		}
		// The vault counts the book's individuals (a walk of the book) before it records.
		runWithProgress(v.a.win, it.Title[currentLang()], func(ctx context.Context, _ progress.Reporter) error {
			return v.s.CompleteItemWith(ctx, it.ID, c)
		}, v.finish)
	}, v.a.win)
	if abroad {
		d.Resize(fyne.NewSize(640, 560))
	} else {
		d.Resize(fyne.NewSize(560, 260))
	}
	d.Show()
}

// crossBorderEntries are the fields of a transfer abroad (PIPL Art. 38–40, 2024 Provisions).
type crossBorderEntries struct {
	destination, filing, consent *formEntry
	priorIndividuals, priorSens  *formEntry
	ciio                         *widget.Check
	rules                        *widget.Label
}

func crossBorderFields() *crossBorderEntries {
	c := &crossBorderEntries{destination: newEntry(), filing: newEntry(), consent: newMultiLineEntry(),
		priorIndividuals: newEntry(), priorSens: newEntry(), ciio: widget.NewCheck(L("checklist.cb_ciio"), nil)}
	c.priorIndividuals.SetText("0")
	c.priorSens.SetText("0")
	c.rules = widget.NewLabel(L("checklist.cb_rules"))
	c.rules.Wrapping = fyne.TextWrapWord
	return c
}

func (c *crossBorderEntries) items() []*widget.FormItem {
	return []*widget.FormItem{
		widget.NewFormItem("", c.rules),
		widget.NewFormItem(L("checklist.cb_destination"), c.destination),
		widget.NewFormItem(L("checklist.cb_filing"), c.filing),
		widget.NewFormItem(L("checklist.cb_consent"), c.consent),
		widget.NewFormItem(L("checklist.cb_prior_individuals"), c.priorIndividuals),
		widget.NewFormItem(L("checklist.cb_prior_sensitive"), c.priorSens),
		widget.NewFormItem("", c.ciio),
	}
}

// record reads the fields; a count that is not a whole number is refused here, the rest by
// the vault.
func (c *crossBorderEntries) record() (*checklist.CrossBorder, error) {
	r := &checklist.CrossBorder{Destination: c.destination.Text, Filing: c.filing.Text, Consent: c.consent.Text, CIIO: c.ciio.Checked}
	for _, f := range []struct {
		e  *formEntry
		to *int64
	}{{c.priorIndividuals, &r.PriorIndividuals}, {c.priorSens, &r.PriorSensitive}} {
		t := strings.TrimSpace(f.e.Text)
		if t == "" {
			continue
		}
		n, err := strconv.ParseInt(t, 10, 64)
		if err != nil || n < 0 {
			return nil, &checklist.CrossBorderError{Reason: "prior"}
		}
		*f.to = n
	}
	return r, nil
}

// askSignOff lets a person of either party sign off with their own passphrase: the
// signed-in operator for their party, or the other party's operator at the same desk.
func (v *dealView) askSignOff(it checklist.Status) {
	ops, err := v.s.Operators(context.Background())
	if err != nil {
		showError(v.a.win, err)
		return
	}
	var names, ids []string
	for _, o := range ops {
		side := vault.Role(o.Role).Side()
		if checklist.Check(it, checklist.ActSignOff, side) != nil {
			continue
		}
		names = append(names, o.Name+" · "+L("deal."+side))
		ids = append(ids, o.ID)
	}
	if len(ids) == 0 {
		showError(v.a.win, vault.ErrSignOffRole)
		return
	}
	// The signer offered first is the one at the keyboard, or someone of their party.
	me, pre := v.s.Operator(), 0
	for i, id := range ids {
		if id == me.ID {
			pre = i
			break
		}
	}
	note := newEntry()
	form := signerForm{title: it.Title[currentLang()], confirm: L("checklist.signoff"), names: names, ids: ids, preselect: pre, note: note,
		run: func(id, pass string) error {
			return v.s.SignOff(context.Background(), it.ID, id, pass, note.Text)
		},
		done: v.finish}
	if !it.AgreesBook {
		v.a.askSigner(form)
		return
	}
	// The figures the parties agree to are shown with their digest, computed now: a sign-off
	// binds to the book as it is (checklist.AgreesBook).
	var f *figures.Figures
	runWithProgress(v.a.win, L("checklist.computing_figures"), func(ctx context.Context, _ progress.Reporter) error {
		var err error
		f, err = v.s.Figures(ctx)
		return err
	}, func(err error) {
		if err != nil {
			showError(v.a.win, err)
			return
		}
		form.shown = figureItems(f)
		v.a.askSigner(form)
	})
}

// figureItems shows the figures a sign-off agrees to, and the digest in groups of eight
// to be read aloud and compared with the other party's screen.
func figureItems(f *figures.Figures) []*widget.FormItem {
	text := func(s string) *widget.Label {
		l := widget.NewLabel(s)
		l.Wrapping = fyne.TextWrapWord
		return l
	}
	var groups []string
	for i := 0; i < len(f.Digest); i += 8 {
		groups = append(groups, f.Digest[i:min(i+8, len(f.Digest))])
	}
	digest := text(strings.Join(groups, " "))
	digest.TextStyle.Monospace = true
	return []*widget.FormItem{
		widget.NewFormItem(L("checklist.signing_figures"), text(L("checklist.figures_line", map[string]any{
			"Customers": model.Group(f.Customers), "Loans": model.Group(f.Loans), "Repayments": model.Group(f.Repayments),
			"Principal": f.Principal.Yuan(), "Outstanding": f.Outstanding.Yuan()}))),
		widget.NewFormItem(L("checklist.signing_digest"), digest),
	}
}

func (v *dealView) askReopen(it checklist.Status) {
	reason := newEntry()
	d := newForm(it.Title[currentLang()], L("checklist.reopen"),
		[]*widget.FormItem{widget.NewFormItem(L("checklist.reason"), reason)}, func(ok bool) {
			if ok {
				v.reopen(it.ID, reason.Text)
			}
		}, v.a.win)
	d.Resize(fyne.NewSize(520, 200))
	d.Show()
}
