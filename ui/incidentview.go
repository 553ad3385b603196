package ui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"handover/app/handoverpkg"
	"handover/app/progress"
	"handover/app/vault"
	"handover/store/atomicfile"
)

// incidentView is the incidents screen (安全事件): record one, with the scope the vault
// computes; then per incident its decision, progress, actions, drafts, notices and closing.
type incidentView struct {
	a       *App
	s       *vault.Session
	content *fyne.Container
	list    *fyne.Container
	openBtn *widget.Button
	cards   map[string]*incidentCard

	lastErr error
	done    int // actions finished, for tests
}

// incidentCard is one incident's card and its buttons.
type incidentCard struct {
	decide, advance, action, rootCause, draft, notify, close *widget.Button
}

func newIncidentView(a *App, s *vault.Session) *incidentView {
	v := &incidentView{a: a, s: s, list: container.NewVBox(), cards: map[string]*incidentCard{}}
	intro := widget.NewLabel(L("inc.intro"))
	intro.Wrapping = fyne.TextWrapWord
	v.openBtn = widget.NewButtonWithIcon(L("inc.open"), theme.WarningIcon(), v.askOpen)
	v.openBtn.Importance = widget.HighImportance
	if !s.Role().Can(vault.PermChecklist) {
		v.openBtn.Disable()
	}
	v.content = container.NewStack(container.NewVScroll(container.NewPadded(container.NewVBox(
		widget.NewLabelWithStyle(L("inc.title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), intro,
		container.NewHBox(v.openBtn), v.list))))
	v.refresh()
	return v
}

func (v *incidentView) refresh() {
	v.list.Objects = nil
	ins, err := v.s.Incidents(context.Background())
	if err != nil {
		v.list.Add(widget.NewLabel(describeOnly(err)))
		v.list.Refresh()
		return
	}
	if len(ins) == 0 {
		v.list.Add(widget.NewLabel(L("inc.none")))
	}
	for i := len(ins) - 1; i >= 0; i-- {
		v.list.Add(v.card(&ins[i]))
	}
	v.list.Refresh()
}

func (v *incidentView) card(in *vault.Incident) fyne.CanvasObject {
	sc := in.Scope
	var lines []string
	lines = append(lines, L("inc.scope_line", map[string]any{"N": len(sc.Customers), "Source": L("inc.source." + sc.Source),
		"ID": sc.Package, "Loans": sc.Records["loans"], "IDs": sc.Sensitive["id_number"], "Cards": sc.Sensitive["bank_card"]}))
	if sc.Encrypted {
		lines = append(lines, L("inc.encrypted", map[string]any{"N": len(sc.Recipients)}))
	}
	if d := in.Decision; d != nil {
		notify := L("inc.notify_no")
		if d.NotifyIndividuals {
			notify = L("inc.notify_yes")
		}
		lines = append(lines, L("inc.decision_line", map[string]any{"Notify": notify, "By": d.DecidedBy, "Due": d.Due.String()}))
	} else {
		lines = append(lines, L("inc.no_decision"))
	}
	for _, a := range in.Actions {
		state := L("inc.action_open")
		if !a.Done.IsZero() {
			state = L("inc.action_done")
		}
		lines = append(lines, L("inc.action_line", map[string]any{"What": a.What, "Owner": a.Owner, "Due": a.Due.String(), "State": state}))
	}
	if in.RootCause != "" {
		lines = append(lines, L("inc.root_cause_is", map[string]any{"Cause": in.RootCause}))
	}
	for _, e := range in.Timeline {
		what := e.What
		if e.Code != "" {
			text := e.Text
			if e.Code == "state" {
				text = L("inc.state." + e.Text)
			}
			what = L("inc.tl."+e.Code, map[string]any{"Text": text})
		}
		lines = append(lines, L("inc.timeline_line", map[string]any{"When": e.At.In(shanghai).Format("2006-01-02 15:04"), "By": e.By, "What": what}))
	}
	body := widget.NewLabel(strings.Join(lines, "\n"))
	body.Wrapping = fyne.TextWrapWord
	c := &incidentCard{}
	id := in.ID
	c.decide = widget.NewButton(L("inc.decide"), func() { v.askDecide(in) })
	c.advance = widget.NewButton(L("inc.advance"), func() { v.askAdvance(id) })
	c.action = widget.NewButton(L("inc.add_action"), func() { v.askAction(in) })
	c.rootCause = widget.NewButton(L("inc.root_cause"), func() { v.askRootCause(id) })
	c.draft = widget.NewButtonWithIcon(L("inc.drafts"), theme.DocumentSaveIcon(), func() { v.saveDrafts(id) })
	c.notify = widget.NewButtonWithIcon(L("inc.notify"), theme.MailSendIcon(), func() { v.askNotify(id) })
	c.close = widget.NewButtonWithIcon(L("inc.close"), theme.ConfirmIcon(), func() { v.askClose(id) })
	editable := in.State != vault.IncidentClosed && v.s.Role().Can(vault.PermChecklist)
	for _, b := range []*widget.Button{c.decide, c.advance, c.action, c.rootCause, c.close} {
		if !editable {
			b.Disable()
		}
	}
	if in.Decision == nil || !in.Decision.NotifyIndividuals || !v.s.Role().Can(vault.PermNotify) {
		c.notify.Disable()
	}
	v.cards[id] = c
	title := L("inc.card_title", map[string]any{"ID": in.ID, "Kind": L("inc.kind." + in.Kind), "State": L("inc.state." + in.State),
		"When": in.Discovered.In(shanghai).Format("2006-01-02 15:04")})
	buttons := container.NewGridWithColumns(4, c.decide, c.advance, c.action, c.rootCause, c.draft, c.notify, c.close)
	return widget.NewCard(title, in.Summary, container.NewVBox(body, buttons))
}

func (v *incidentView) finish(err error) {
	v.lastErr = err
	if err != nil {
		showError(v.a.win, err)
	}
	v.refresh()
	v.done++
}

func parseWhen(text string) (time.Time, error) {
	text = strings.TrimSpace(text)
	for _, layout := range []string{"2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, text, shanghai); err == nil {
			return t, nil
		}
	}
	return time.Time{}, errBadDate
}

func (v *incidentView) askOpen() {
	kinds := vault.IncidentKinds
	var kindNames []string
	for _, k := range kinds {
		kindNames = append(kindNames, L("inc.kind."+k))
	}
	kind := widget.NewSelect(kindNames, nil)
	kind.SetSelectedIndex(0)
	discovered := newEntry()
	discovered.SetText(time.Now().In(shanghai).Format("2006-01-02 15:04"))
	summary := newMultiLineEntry()
	pkgs, _ := v.s.HeldPackages(context.Background())
	var pkgNames []string
	for _, p := range pkgs {
		pkgNames = append(pkgNames, L("inc.package_option", map[string]any{"ID": p.ID, "N": p.Customers, "When": p.At.In(shanghai).Format("2006-01-02")}))
	}
	pkg := widget.NewSelect(pkgNames, nil)
	from, to := newEntry(), newEntry()
	from.SetPlaceHolder("2026-12-01 09:00")
	to.SetPlaceHolder("2026-12-01 18:00")
	list := newPathField(v.a, pathRequest{title: L("inc.choose_customers"), filterName: L("dash.scope_files"), exts: []string{"txt", "csv"},
		browse: L("inc.choose_customers")})
	hint := widget.NewLabel(L("inc.scope_hint"))
	hint.Wrapping = fyne.TextWrapWord
	d := newForm(L("inc.open"), L("inc.open"), []*widget.FormItem{
		widget.NewFormItem(L("inc.kind"), kind), widget.NewFormItem(L("inc.discovered"), discovered),
		widget.NewFormItem(L("inc.summary"), summary), widget.NewFormItem("", hint),
		widget.NewFormItem(L("inc.package"), pkg), widget.NewFormItem(L("inc.customers"), list.content),
		widget.NewFormItem(L("inc.from"), from), widget.NewFormItem(L("inc.to"), to)}, func(ok bool) {
		if !ok {
			return
		}
		r := vault.IncidentRequest{Kind: kinds[max(0, kind.SelectedIndex())], Summary: summary.Text}
		var err error
		if r.Discovered, err = parseWhen(discovered.Text); err != nil {
			v.finish(err)
			return
		}
		if i := pkg.SelectedIndex(); i >= 0 {
			r.Package = pkgs[i].ID
		}
		if listFile := list.path(); listFile != "" {
			if r.Customers, err = handoverpkg.ReadCustomerList(listFile); err != nil {
				v.finish(&fileError{File: filepath.Base(listFile), Err: err})
				return
			}
		}
		if strings.TrimSpace(from.Text) != "" {
			if r.From, err = parseWhen(from.Text); err == nil {
				r.To, err = parseWhen(to.Text)
			}
			if err != nil {
				v.finish(err)
				return
			}
		}
		v.open(r)
	}, v.a.win)
	d.Resize(fyne.NewSize(660, 600))
	d.Show()
}

// open records an incident; its scope may walk the audit log or many customers.
func (v *incidentView) open(r vault.IncidentRequest) {
	runWithProgress(v.a.win, L("inc.open"), func(ctx context.Context, _ progress.Reporter) error {
		_, err := v.s.OpenIncident(ctx, r)
		return err
	}, v.finish)
}

func (v *incidentView) askDecide(in *vault.Incident) {
	notify := widget.NewCheck(L("inc.notify_individuals"), nil)
	notify.SetChecked(true)
	reasoning, decidedBy, authorities, due := newMultiLineEntry(), newEntry(), newEntry(), newEntry()
	authorities.SetPlaceHolder(L("inc.authorities_hint"))
	due.SetPlaceHolder(time.Now().In(shanghai).AddDate(0, 0, 3).Format("2006-01-02"))
	cause, harm, measures, advice, contact := newMultiLineEntry(), newMultiLineEntry(), newMultiLineEntry(), newMultiLineEntry(), newEntry()
	contact.SetPlaceHolder(L("inc.contact_hint"))
	d := newForm(L("inc.decide"), L("notice.save"), []*widget.FormItem{
		widget.NewFormItem("", notify), widget.NewFormItem(L("inc.reasoning"), reasoning), widget.NewFormItem(L("inc.decided_by"), decidedBy),
		widget.NewFormItem(L("inc.authorities"), authorities), widget.NewFormItem(L("inc.due"), due),
		widget.NewFormItem(L("inc.cause"), cause), widget.NewFormItem(L("inc.harm"), harm), widget.NewFormItem(L("inc.measures"), measures),
		widget.NewFormItem(L("inc.advice"), advice), widget.NewFormItem(L("inc.contact"), contact)}, func(ok bool) {
		if !ok {
			return
		}
		dec := vault.IncidentDecision{NotifyIndividuals: notify.Checked, Reasoning: reasoning.Text, DecidedBy: decidedBy.Text}
		for _, a := range strings.FieldsFunc(authorities.Text, func(r rune) bool { return r == ',' || r == '，' || r == '、' }) {
			if a = strings.TrimSpace(a); a != "" {
				dec.Authorities = append(dec.Authorities, a)
			}
		}
		var err error
		if dec.Due, err = parseDay(due, false); err != nil {
			v.finish(err)
			return
		}
		v.finish(v.s.DecideIncident(in.ID, dec, vault.IncidentContent{Cause: cause.Text, Harm: harm.Text, Measures: measures.Text,
			Advice: advice.Text, Contact: contact.Text}))
	}, v.a.win)
	d.Resize(fyne.NewSize(680, 660))
	d.Show()
}

func (v *incidentView) askAdvance(id string) {
	states := []string{vault.IncidentContained, vault.IncidentNotified}
	var names []string
	for _, s := range states {
		names = append(names, L("inc.state."+s))
	}
	state := widget.NewRadioGroup(names, nil)
	note := newEntry()
	d := newForm(L("inc.advance"), L("notice.save"), []*widget.FormItem{
		widget.NewFormItem(L("inc.state"), state), widget.NewFormItem(L("checklist.note"), note)}, func(ok bool) {
		for i, n := range names {
			if ok && state.Selected == n {
				v.finish(v.s.AdvanceIncident(id, states[i], note.Text))
			}
		}
	}, v.a.win)
	d.Resize(fyne.NewSize(520, 240))
	d.Show()
}

func (v *incidentView) askAction(in *vault.Incident) {
	what, owner, due := newEntry(), newEntry(), newEntry()
	due.SetPlaceHolder("2027-01-31")
	items := []*widget.FormItem{widget.NewFormItem(L("inc.action"), what), widget.NewFormItem(L("assess.owner"), owner), widget.NewFormItem(L("assess.due"), due)}
	var open []vault.IncidentAction
	for _, a := range in.Actions {
		if a.Done.IsZero() {
			open = append(open, a)
		}
	}
	var doneSel *widget.Select
	if len(open) > 0 {
		var names []string
		for _, a := range open {
			names = append(names, a.What)
		}
		doneSel = widget.NewSelect(names, nil)
		items = append(items, widget.NewFormItem(L("inc.mark_done"), doneSel))
	}
	d := newForm(L("inc.add_action"), L("notice.save"), items, func(ok bool) {
		if !ok {
			return
		}
		if doneSel != nil && doneSel.SelectedIndex() >= 0 {
			v.finish(v.s.CompleteIncidentAction(in.ID, open[doneSel.SelectedIndex()].ID))
			return
		}
		a := vault.IncidentAction{What: what.Text, Owner: owner.Text}
		var err error
		if a.Due, err = parseDay(due, false); err != nil {
			v.finish(err)
			return
		}
		_, err = v.s.AddIncidentAction(in.ID, a)
		v.finish(err)
	}, v.a.win)
	d.Resize(fyne.NewSize(560, 300))
	d.Show()
}

func (v *incidentView) askRootCause(id string) {
	cause := newMultiLineEntry()
	d := newForm(L("inc.root_cause"), L("notice.save"), []*widget.FormItem{widget.NewFormItem(L("inc.root_cause"), cause)},
		func(ok bool) {
			if ok {
				v.finish(v.s.SetRootCause(id, cause.Text))
			}
		}, v.a.win)
	d.Resize(fyne.NewSize(560, 240))
	d.Show()
}

// saveDrafts writes both drafts, the report to the authorities and the notice to
// individuals, into a folder the operator chooses.
func (v *incidentView) saveDrafts(id string) {
	v.a.saveTo(L("inc.drafts"), "inc.drafts_saved", func(dir string) (string, error) { return v.writeDrafts(id, dir) })
}

func (v *incidentView) writeDrafts(id, dir string) (string, error) {
	for _, which := range []string{"authority", "individuals"} {
		pdf, err := v.s.IncidentPDF(id, which, currentLang())
		if err != nil {
			return "", err
		}
		if err := atomicfile.Write(filepath.Join(dir, fmt.Sprintf("%s-%s.pdf", id, which)), pdf, 0o600); err != nil {
			return "", err
		}
	}
	return dir, nil
}

// askNotify writes the incident's letters or SMS to its customers through the notice
// channels, tracked like every notice.
func (v *incidentView) askNotify(id string) {
	channels := []string{vault.ChannelLetter, vault.ChannelSMS}
	names := []string{L("notice.channel.letter"), L("notice.channel.sms")}
	ch := widget.NewRadioGroup(names, nil)
	ch.SetSelected(names[0])
	d := newForm(L("inc.notify"), L("inc.notify"), []*widget.FormItem{widget.NewFormItem(L("inc.channel"), ch)}, func(ok bool) {
		if !ok {
			return
		}
		channel := channels[0]
		if ch.Selected == names[1] {
			channel = channels[1]
		}
		v.a.askPath(pathRequest{title: L("notice.choose_folder"), purpose: L("path.purpose.notices"), folder: true}, func(dir string) {
			v.notifyInto(id, channel, filepath.Join(dir, id+"-"+channel))
		})
	}, v.a.win)
	d.Resize(fyne.NewSize(480, 200))
	d.Show()
}

func (v *incidentView) notifyInto(id, channel, out string) {
	runWithProgress(v.a.win, L("inc.notify"), func(ctx context.Context, p progress.Reporter) error {
		_, err := v.s.GenerateNotices(ctx, vault.GenerateRequest{Template: "incident-individual", Channel: channel, Out: out, Lang: "zh-CN",
			Incident: id, AllowTemporaryFolder: os.Getenv("HANDOVER_NOTICE_ALLOW_TMP") != ""}, p)
		return err
	}, v.finish)
}

// askClose is one closing sign-off, by an operator proving their own passphrase.
func (v *incidentView) askClose(id string) {
	ops, err := v.s.Operators(context.Background())
	if err != nil {
		showError(v.a.win, err)
		return
	}
	var names, ids []string
	for _, o := range ops {
		names, ids = append(names, o.Name+" · "+roleName(vault.Role(o.Role))), append(ids, o.ID)
	}
	v.a.askSigner(signerForm{title: L("inc.close"), names: names, ids: ids,
		run:  func(op, pass string) error { return v.s.SignOffIncident(id, op, pass) },
		done: v.finish})
}

// closeAs checks the passphrase (scrypt, about a second) off the UI thread.
