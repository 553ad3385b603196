package ui

import (
	"context"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"handover/app/assess"
	"handover/app/lawcite"
	"handover/app/vault"
	"handover/store/atomicfile"
)

// assessView is the assessments screen: one tab per workbook (risk assessment, compliance
// review, impact assessment) with its questions and answers, its findings, the compliance
// reviewer's sign-off and the report. The checklist's items follow from the sign-offs.
type assessView struct {
	a       *App
	s       *vault.Session
	content *fyne.Container
	tabs    *container.AppTabs
	panels  map[string]*workbookPanel

	lastErr error
	done    int // actions finished, for tests
}

// workbookPanel is one workbook's tab.
type workbookPanel struct {
	id       string
	content  *fyne.Container
	status   *widget.Label
	answer   map[string]*widget.Button // by question ID
	signOff  *widget.Button
	finding  *widget.Button
	report   *widget.Button
	closeBtn map[string]*widget.Button // by finding ID
}

func newAssessView(a *App, s *vault.Session) *assessView {
	v := &assessView{a: a, s: s, content: container.NewStack(), panels: map[string]*workbookPanel{}}
	v.tabs = container.NewAppTabs()
	for _, id := range assess.IDs {
		p := &workbookPanel{id: id, content: container.NewStack()}
		v.panels[id] = p
		w, _ := assess.Load(id)
		title := id
		if w != nil {
			title = w.Title[currentLang()]
		}
		v.tabs.Append(container.NewTabItem(title, container.NewVScroll(p.content)))
	}
	v.content.Objects = []fyne.CanvasObject{v.tabs}
	v.refresh()
	return v
}

func (v *assessView) refresh() {
	for _, id := range assess.IDs {
		v.fill(v.panels[id])
	}
}

func (v *assessView) fill(p *workbookPanel) {
	lang := currentLang()
	wb, err := v.s.Workbook(context.Background(), p.id)
	if err != nil {
		l := widget.NewLabel(describeOnly(err))
		l.Wrapping = fyne.TextWrapWord
		p.content.Objects = []fyne.CanvasObject{l}
		p.content.Refresh()
		return
	}
	canAnswer := v.s.Role().Can(vault.PermChecklist)
	about := widget.NewLabel(wb.Template.About[lang])
	about.Wrapping = fyne.TextWrapWord
	p.status = widget.NewLabel(v.statusText(wb))
	p.status.Wrapping = fyne.TextWrapWord
	p.status.Importance = widget.WarningImportance
	if wb.SignedOff {
		p.status.Importance = widget.SuccessImportance
	}
	p.signOff = widget.NewButtonWithIcon(L("assess.signoff"), theme.DocumentCreateIcon(), func() { v.askSignOff(p.id) })
	if len(wb.Unanswered) > 0 {
		p.signOff.Disable()
	}
	p.finding = widget.NewButtonWithIcon(L("assess.add_finding"), theme.WarningIcon(), func() { v.askFinding(wb) })
	if !canAnswer && !v.s.Role().Can(vault.PermReview) {
		p.finding.Disable()
	}
	p.report = widget.NewButtonWithIcon(L("assess.report"), theme.DocumentSaveIcon(), func() { v.saveReport(p.id) })
	box := container.NewVBox(
		widget.NewLabelWithStyle(wb.Template.Title[lang]+"（"+lawcite.For(wb.Template.Law, lang)+"）", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		about, p.status, container.NewHBox(p.signOff, p.finding, p.report))
	p.answer = map[string]*widget.Button{}
	for _, sec := range wb.Template.Sections {
		box.Add(widget.NewLabelWithStyle(sec.Title[lang], fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
		for _, q := range sec.Questions {
			if !q.Applies(wb.Deal) {
				continue
			}
			text := widget.NewLabel(q.Text[lang])
			text.Wrapping = fyne.TextWrapWord
			text.TextStyle.Bold = true
			help := widget.NewLabel(L("assess.help", map[string]any{"Law": lawcite.For(q.Law, lang), "Help": q.Help[lang]}))
			help.Wrapping = fyne.TextWrapWord
			help.TextStyle.Italic = true
			ans := widget.NewLabel(L("assess.unanswered"))
			ans.Importance = widget.WarningImportance
			if a, ok := wb.Record.Answers[q.ID]; ok {
				ans.SetText(L("assess.answer_is", map[string]any{"Answer": vault.AnswerText(q, a, lang), "Name": a.ByName}))
				ans.Importance = widget.MediumImportance
			}
			ans.Wrapping = fyne.TextWrapWord
			b := widget.NewButtonWithIcon(L("assess.answer"), theme.DocumentCreateIcon(), func() { v.askAnswer(p.id, q) })
			if !canAnswer {
				b.Disable()
			}
			p.answer[q.ID] = b
			box.Add(container.NewBorder(nil, nil, nil, b, container.NewVBox(text, help, ans)))
			box.Add(widget.NewSeparator())
		}
	}
	box.Add(widget.NewLabelWithStyle(L("assess.findings"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	p.closeBtn = map[string]*widget.Button{}
	if len(wb.Findings) == 0 {
		box.Add(widget.NewLabel(L("assess.no_findings")))
	}
	for _, f := range wb.Findings {
		line := widget.NewLabel(L("assess.finding_line", map[string]any{"ID": f.ID, "Title": f.Title, "Severity": L("assess.level." + f.Severity),
			"Owner": f.Owner, "Due": f.Due.String()}))
		line.Wrapping = fyne.TextWrapWord
		if f.State == vault.FindingOpen {
			if f.Severity == assess.High {
				line.Importance = widget.DangerImportance
			}
			id := f.ID
			c := widget.NewButtonWithIcon(L("assess.close_finding"), theme.ConfirmIcon(), func() { v.askClose(id) })
			p.closeBtn[id] = c
			box.Add(container.NewBorder(nil, nil, nil, c, line))
		} else {
			line.SetText(line.Text + "\n" + L("assess.closed", map[string]any{"Reason": f.CloseReason, "Name": f.ClosedBy}))
			box.Add(line)
		}
	}
	p.content.Objects = []fyne.CanvasObject{container.NewPadded(box)}
	p.content.Refresh()
}

func (v *assessView) statusText(wb *vault.WorkbookView) string {
	asked := 0
	for _, s := range wb.Template.Sections {
		for _, q := range s.Questions {
			if q.Applies(wb.Deal) && !q.Optional {
				asked++
			}
		}
	}
	line := L("assess.progress", map[string]any{"Done": asked - len(wb.Unanswered), "Total": asked})
	switch so := wb.Record.SignOff; {
	case wb.SignedOff:
		line += " · " + L("assess.signed", map[string]any{"Name": so.Name, "When": so.At.In(shanghai).Format("2006-01-02 15:04")})
	case so != nil:
		line += " · " + L("assess.signoff_stale", map[string]any{"Name": so.Name})
	default:
		line += " · " + L("assess.not_signed")
	}
	return line
}

// answerForm is the form of one question's answer, by its type.
type answerForm struct {
	items      []*widget.FormItem
	value      *formEntry
	choice     *widget.RadioGroup
	likelihood *widget.Select
	impact     *widget.Select
	owner      *formEntry
	mitigation *formEntry
	residual   *widget.Select
	file       *pathField // an evidence question's file
}

func (v *assessView) newAnswerForm(q assess.Question) *answerForm {
	lang := currentLang()
	f := &answerForm{}
	switch q.Type {
	case assess.Choice:
		var opts []string
		for _, o := range q.Options {
			opts = append(opts, o.Text[lang])
		}
		f.choice = widget.NewRadioGroup(opts, nil)
		f.items = append(f.items, widget.NewFormItem(L("assess.answer"), f.choice))
	case assess.RiskType:
		scale := []string{"1", "2", "3", "4", "5"}
		f.likelihood, f.impact = widget.NewSelect(scale, nil), widget.NewSelect(scale, nil)
		f.owner, f.mitigation = newEntry(), newMultiLineEntry()
		var levels []string
		for _, l := range assess.Levels {
			levels = append(levels, L("assess.level."+l))
		}
		f.residual = widget.NewSelect(levels, nil)
		f.items = append(f.items, widget.NewFormItem(L("assess.likelihood"), f.likelihood), widget.NewFormItem(L("assess.impact"), f.impact),
			widget.NewFormItem(L("assess.owner"), f.owner), widget.NewFormItem(L("assess.mitigation"), f.mitigation),
			widget.NewFormItem(L("assess.residual"), f.residual))
	case assess.Evidence:
		f.file = newPathField(v.a, pathRequest{title: q.Text[lang], filterName: L("checklist.evidence_files"), browse: L("register.choose_file")})
		f.items = append(f.items, widget.NewFormItem(L("assess.file"), f.file.content))
	case assess.FreeText:
		f.value = newMultiLineEntry()
		f.items = append(f.items, widget.NewFormItem(L("assess.answer"), f.value))
	default:
		f.value = newEntry()
		f.items = append(f.items, widget.NewFormItem(L("assess.answer"), f.value))
	}
	return f
}

// answer reads the form into an answer; what does not fit is refused by the vault.
func (f *answerForm) answer(q assess.Question) assess.Answer {
	var a assess.Answer
	switch {
	case f.choice != nil:
		for i, o := range q.Options {
			if f.choice.Selected == f.choice.Options[i] {
				a.Value = o.ID
			}
		}
	case f.likelihood != nil:
		l, _ := strconv.Atoi(f.likelihood.Selected)
		i, _ := strconv.Atoi(f.impact.Selected)
		r := &assess.RiskAnswer{Likelihood: l, Impact: i, Owner: f.owner.Text, Mitigation: f.mitigation.Text}
		if k := f.residual.SelectedIndex(); k >= 0 {
			r.Residual = assess.Levels[k]
		}
		a.Risk = r
	case f.value != nil:
		a.Value = f.value.Text
	}
	return a
}

func (v *assessView) askAnswer(workbook string, q assess.Question) {
	f := v.newAnswerForm(q)
	help := widget.NewLabel(q.Help[currentLang()])
	help.Wrapping = fyne.TextWrapWord
	items := append([]*widget.FormItem{widget.NewFormItem("", help)}, f.items...)
	d := newForm(q.Text[currentLang()], L("notice.save"), items, func(ok bool) {
		if ok {
			path := ""
			if f.file != nil {
				path = f.file.path()
			}
			v.saveAnswer(workbook, q, f.answer(q), path)
		}
	}, v.a.win)
	d.Resize(fyne.NewSize(640, 440))
	d.Show()
}

// saveAnswer records an answer; an evidence question's file is read from path.
func (v *assessView) saveAnswer(workbook string, q assess.Question, a assess.Answer, path string) {
	if q.Type != assess.Evidence || path == "" {
		v.finish(v.s.AnswerQuestion(context.Background(), workbook, q.ID, a, "", nil))
		return
	}
	v.finish(withFile(path, func(name string, f io.Reader) error {
		return v.s.AnswerQuestion(context.Background(), workbook, q.ID, a, name, f)
	}))
}

// askSignOff lets the compliance reviewer (an auditor) sign off with their own passphrase,
// at this desk whoever is signed in.
func (v *assessView) askSignOff(workbook string) {
	ops, err := v.s.Operators(context.Background())
	if err != nil {
		showError(v.a.win, err)
		return
	}
	var names, ids []string
	for _, o := range ops {
		if vault.Role(o.Role).Can(vault.PermReview) {
			names, ids = append(names, o.Name), append(ids, o.ID)
		}
	}
	if len(ids) == 0 {
		showError(v.a.win, vault.ErrReviewerRole)
		return
	}
	note := newEntry()
	v.a.askSigner(signerForm{title: L("assess.signoff"), names: names, ids: ids, note: note,
		run: func(id, pass string) error {
			return v.s.SignOffWorkbook(context.Background(), workbook, id, pass, note.Text)
		},
		done: v.finish})
}

// signOff checks the reviewer's passphrase (scrypt, about a second) off the UI thread.
func (v *assessView) askFinding(wb *vault.WorkbookView) {
	title, owner, due := newEntry(), newEntry(), newEntry()
	due.SetPlaceHolder("2027-01-31")
	var levels []string
	for _, l := range assess.Levels {
		levels = append(levels, L("assess.level."+l))
	}
	severity := widget.NewRadioGroup(levels, nil)
	severity.Horizontal = true
	d := newForm(L("assess.add_finding"), L("notice.save"), []*widget.FormItem{
		widget.NewFormItem(L("assess.finding_title"), title), widget.NewFormItem(L("assess.severity"), severity),
		widget.NewFormItem(L("assess.owner"), owner), widget.NewFormItem(L("assess.due"), due)}, func(ok bool) {
		if !ok {
			return
		}
		f := vault.Finding{Workbook: wb.Template.ID, Title: title.Text, Owner: owner.Text}
		for i, l := range levels {
			if severity.Selected == l {
				f.Severity = assess.Levels[i]
			}
		}
		var err error
		if f.Due, err = parseDay(due, false); err != nil {
			v.finish(err)
			return
		}
		_, err = v.s.AddFinding(context.Background(), f)
		v.finish(err)
	}, v.a.win)
	d.Resize(fyne.NewSize(560, 300))
	d.Show()
}

func (v *assessView) askClose(id string) {
	reason := newMultiLineEntry()
	d := newForm(L("assess.close_finding"), L("assess.close_finding"),
		[]*widget.FormItem{widget.NewFormItem(L("assess.close_reason"), reason)}, func(ok bool) {
			if ok {
				v.finish(v.s.CloseFinding(context.Background(), id, reason.Text))
			}
		}, v.a.win)
	d.Resize(fyne.NewSize(560, 240))
	d.Show()
}

func (v *assessView) finish(err error) {
	v.lastErr = err
	if err != nil {
		showError(v.a.win, err)
	}
	selected := v.tabs.SelectedIndex()
	v.refresh()
	v.tabs.SelectIndex(selected)
	v.done++
}

func (v *assessView) saveReport(workbook string) {
	v.a.saveTo(L("assess.report"), "assess.report_saved", func(dir string) (string, error) { return v.writeReport(workbook, dir) })
}

func (v *assessView) writeReport(workbook, dir string) (string, error) {
	pdf, err := v.s.WorkbookReportPDF(context.Background(), workbook, currentLang())
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, strings.ReplaceAll(workbook, "_", "-")+"-"+v.s.Vault().Manifest().ID+".pdf")
	return path, atomicfile.Write(path, pdf, 0o600)
}
