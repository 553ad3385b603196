package ui

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"handover/app/vault"
	"handover/store/atomicfile"
	"handover/store/model"
)

// registersView is the NDA and training registers (seed §八, §十五): every operator's
// standing, the records, and forms to add them. Once a deal is recorded, the vault refuses
// reveal, export, certificates and destruction to an operator without both.
type registersView struct {
	a       *App
	s       *vault.Session
	content fyne.CanvasObject

	standing *widget.Label
	records  *widget.Label
	reviews  *fyne.Container
	doReview map[string]*widget.Button // by review ID
	addNDA   *widget.Button
	addTrain *widget.Button
	report   *widget.Button
	stdBtn   *widget.Button

	lastErr error
	done    int // actions finished, for tests
}

func newRegistersView(a *App, s *vault.Session) *registersView {
	v := &registersView{a: a, s: s}
	intro := widget.NewLabel(L("register.intro"))
	intro.Wrapping = fyne.TextWrapWord
	v.standing = widget.NewLabel("")
	v.standing.Wrapping = fyne.TextWrapWord
	v.records = widget.NewLabel("")
	v.records.Wrapping = fyne.TextWrapWord
	v.addNDA = widget.NewButtonWithIcon(L("register.add_nda"), theme.ContentAddIcon(), v.askNDA)
	v.addTrain = widget.NewButtonWithIcon(L("register.add_training"), theme.ContentAddIcon(), v.askTraining)
	v.report = widget.NewButtonWithIcon(L("register.report"), theme.DocumentSaveIcon(), v.saveReport)
	v.stdBtn = widget.NewButtonWithIcon(L("standards.report"), theme.DocumentSaveIcon(), func() {
		v.a.saveTo(L("standards.report"), "standards.saved", v.writeStandards)
	})
	if !s.Role().Can(vault.PermChecklist) {
		v.addNDA.Disable()
		v.addTrain.Disable()
	}
	v.content = container.NewVScroll(container.NewVBox(
		widget.NewLabelWithStyle(L("register.title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		intro,
		container.NewHBox(v.addNDA, v.addTrain, v.report, v.stdBtn),
		widget.NewCard(L("register.standing"), "", v.standing),
		widget.NewCard(L("review.title"), L("review.subtitle"), v.reviewBox()),
		widget.NewCard("", "", v.records)))
	v.refresh()
	return v
}

func (v *registersView) reviewBox() fyne.CanvasObject {
	v.reviews = container.NewVBox()
	return v.reviews
}

// refreshReviews lists the periodic reviews with when each is due and a button to do it.
func (v *registersView) refreshReviews() {
	v.reviews.Objects = nil
	v.doReview = map[string]*widget.Button{}
	rs, err := v.s.Reviews(context.Background())
	if err != nil {
		v.reviews.Add(widget.NewLabel(describeOnly(err)))
		return
	}
	lang := currentLang()
	for _, r := range rs {
		last := L("review.never")
		if r.Last != nil {
			last = L("review.last", map[string]any{"When": r.Last.At.In(shanghai).Format("2006-01-02"), "Result": L("review.result." + r.Last.Result), "By": r.Last.By})
		}
		state := L("review.due_on", map[string]any{"Due": r.Due.String()})
		l := widget.NewLabel(r.Name[lang] + " · " + L("review.every", map[string]any{"N": r.Period}) + " · " + last + " · " + state + "\n" + r.What[lang])
		l.Wrapping = fyne.TextWrapWord
		switch {
		case r.Overdue:
			l.Importance = widget.DangerImportance
		case r.DueNow:
			l.Importance = widget.WarningImportance
		}
		id := r.ID
		b := widget.NewButtonWithIcon(L("review.do"), theme.ConfirmIcon(), func() { v.askReview(id) })
		if !v.s.Role().Can(vault.PermChecklist) {
			b.Disable()
		}
		v.doReview[id] = b
		v.reviews.Add(container.NewBorder(nil, nil, nil, b, l))
	}
	v.reviews.Refresh()
}

func (v *registersView) askReview(id string) {
	result := widget.NewRadioGroup([]string{L("review.result.pass"), L("review.result.fail")}, nil)
	result.SetSelected(L("review.result.pass"))
	note := newMultiLineEntry()
	file := newPathField(v.a, pathRequest{title: L("review.evidence"), filterName: L("checklist.evidence_files"), browse: L("register.choose_file")})
	d := newForm(L("review.do"), L("notice.save"), []*widget.FormItem{
		widget.NewFormItem(L("review.result"), result), widget.NewFormItem(L("checklist.note"), note),
		widget.NewFormItem(L("review.evidence"), file.content)}, func(ok bool) {
		if !ok {
			return
		}
		res := "pass"
		if result.Selected == L("review.result.fail") {
			res = "fail"
		}
		v.recordReview(id, res, note.Text, file.path())
	}, v.a.win)
	d.Resize(fyne.NewSize(560, 320))
	d.Show()
}

// recordReview records a review done, with the evidence file at path if any.
func (v *registersView) recordReview(id, result, note, path string) {
	if path == "" {
		_, err := v.s.DoReview(context.Background(), id, result, note, "", nil)
		v.finish(err)
		return
	}
	v.finish(withFile(path, func(name string, f io.Reader) error {
		_, err := v.s.DoReview(context.Background(), id, result, note, name, f)
		return err
	}))
}

func (v *registersView) refresh() {
	v.refreshReviews()
	ctx := context.Background()
	standings, err := v.s.Standings(ctx)
	if err != nil {
		v.standing.SetText(describeOnly(err))
		return
	}
	state := func(missing string) string {
		if missing == "" {
			return L("register.current")
		}
		return L("register.missing", map[string]any{"Reason": L("register.reason." + missing)})
	}
	var lines []string
	for _, o := range standings {
		lines = append(lines, L("register.standing_line", map[string]any{"Name": o.Name, "Role": roleName(vault.Role(o.Role)),
			"NDA": state(o.NDAMissing), "Training": state(o.TrainingMissing)}))
	}
	v.standing.SetText(strings.Join(lines, "\n"))
	ndas, trainings, err := v.s.Registers(ctx)
	if err != nil {
		v.records.SetText(describeOnly(err))
		return
	}
	lines = []string{L("register.ndas", map[string]any{"N": len(ndas)})}
	for _, n := range ndas {
		until, liab := n.Until.String(), L("register.yes")
		if until == "" {
			until = L("register.no_end")
		}
		if !n.Liability {
			liab = L("register.no")
		}
		lines = append(lines, "· "+L("register.nda_line", map[string]any{"Person": n.Person, "Version": n.Version, "Signed": n.Signed.String(),
			"Until": until, "Liability": liab, "Hash": n.SHA256[:16]}))
	}
	lines = append(lines, "", L("register.trainings", map[string]any{"N": len(trainings)}))
	for _, t := range trainings {
		score := "—"
		if t.Score != nil {
			score = strconv.Itoa(*t.Score)
		}
		lines = append(lines, "· "+L("register.training_line", map[string]any{"Person": t.Person, "Date": t.Date.String(), "Content": t.Content,
			"Trainer": t.Trainer, "Score": score, "Expires": t.Expires.String()}))
	}
	v.records.SetText(strings.Join(lines, "\n"))
}

// whoFields choose the person a record is for: an operator, or someone without an account.
type whoFields struct {
	pick *widget.Select
	name *formEntry
	ids  []string
}

func (v *registersView) newWho() *whoFields {
	w := &whoFields{name: newEntry()}
	var names []string
	if ops, err := v.s.Operators(context.Background()); err == nil {
		for _, o := range ops {
			names = append(names, o.Name+" · "+roleName(vault.Role(o.Role)))
			w.ids = append(w.ids, o.ID)
		}
	}
	names = append(names, L("register.who_other"))
	w.pick = widget.NewSelect(names, func(string) {
		if w.pick.SelectedIndex() == len(w.ids) {
			w.name.Enable()
		} else {
			w.name.Disable()
		}
	})
	w.pick.SetSelectedIndex(0)
	return w
}

func (w *whoFields) items() []*widget.FormItem {
	return []*widget.FormItem{widget.NewFormItem(L("register.who"), w.pick), widget.NewFormItem(L("register.person_name"), w.name)}
}

func (w *whoFields) operatorAndPerson() (string, string) {
	if i := w.pick.SelectedIndex(); i >= 0 && i < len(w.ids) {
		return w.ids[i], ""
	}
	return "", w.name.Text
}

func parseDay(e *formEntry, optional bool) (model.Date, error) {
	var d model.Date
	t := strings.TrimSpace(e.Text)
	if t == "" && optional {
		return d, nil
	}
	if d.UnmarshalText([]byte(t)) != nil {
		return d, errBadDate
	}
	return d, nil
}

func (v *registersView) askNDA() {
	who := v.newWho()
	version, scope, signed, until := newEntry(), newEntry(), newEntry(), newEntry()
	signed.SetPlaceHolder("2026-12-01")
	until.SetPlaceHolder("2027-12-31")
	liability := widget.NewCheck(L("register.liability"), nil)
	liability.SetChecked(true)
	file := newPathField(v.a, pathRequest{title: L("register.pick_file_title"), filterName: L("checklist.evidence_files"), browse: L("register.choose_file")})
	items := append(who.items(),
		widget.NewFormItem(L("register.version"), version), widget.NewFormItem(L("register.signed"), signed),
		widget.NewFormItem(L("register.until"), until), widget.NewFormItem(L("register.scope"), scope),
		widget.NewFormItem("", liability), widget.NewFormItem(L("register.file"), file.content))
	d := newForm(L("register.add_nda"), L("notice.save"), items, func(ok bool) {
		if !ok {
			return
		}
		r := vault.NDARecord{Version: version.Text, Scope: scope.Text, Liability: liability.Checked}
		r.Operator, r.Person = who.operatorAndPerson()
		var err error
		if r.Signed, err = parseDay(signed, false); err == nil {
			r.Until, err = parseDay(until, true)
		}
		if err != nil {
			v.finish(err)
			return
		}
		v.addNDAFile(r, file.path())
	}, v.a.win)
	d.Resize(fyne.NewSize(620, 520))
	d.Show()
}

// addNDAFile records an NDA with its signed copy read from path ("" refuses it).
func (v *registersView) addNDAFile(r vault.NDARecord, path string) {
	if path == "" {
		v.finish(vault.ErrRegisterFile)
		return
	}
	v.finish(withFile(path, func(name string, f io.Reader) error {
		_, err := v.s.AddNDA(context.Background(), r, name, f)
		return err
	}))
}

// withFile opens the file at path for fn, with its base name; a file that cannot be opened
// is reported by name.
func withFile(path string, fn func(name string, r io.Reader) error) error {
	f, err := os.Open(path)
	if err != nil {
		return &fileError{File: filepath.Base(path), Err: err}
	}
	defer f.Close()
	return fn(filepath.Base(path), f)
}

func (v *registersView) askTraining() {
	who := v.newWho()
	date, expires, content, trainer, score := newEntry(), newEntry(), newEntry(), newEntry(), newEntry()
	date.SetPlaceHolder("2026-12-01")
	expires.SetPlaceHolder("2027-12-31")
	items := append(who.items(),
		widget.NewFormItem(L("register.date"), date), widget.NewFormItem(L("register.content"), content),
		widget.NewFormItem(L("register.trainer"), trainer), widget.NewFormItem(L("register.score"), score),
		widget.NewFormItem(L("register.expires"), expires))
	d := newForm(L("register.add_training"), L("notice.save"), items, func(ok bool) {
		if !ok {
			return
		}
		r := vault.TrainingRecord{Content: content.Text, Trainer: trainer.Text}
		r.Operator, r.Person = who.operatorAndPerson()
		var err error
		if r.Date, err = parseDay(date, false); err == nil {
			r.Expires, err = parseDay(expires, false)
		}
		if t := strings.TrimSpace(score.Text); err == nil && t != "" {
			n, perr := strconv.Atoi(t)
			if perr != nil {
				err = vault.ErrRegisterScore
			}
			r.Score = &n
		}
		if err != nil {
			v.finish(err)
			return
		}
		_, err = v.s.AddTraining(context.Background(), r)
		v.finish(err)
	}, v.a.win)
	d.Resize(fyne.NewSize(620, 460))
	d.Show()
}

func (v *registersView) finish(err error) {
	v.lastErr = err
	if err != nil {
		showError(v.a.win, err)
	}
	v.refresh()
	v.done++
}

func (v *registersView) saveReport() {
	v.a.saveTo(L("register.report"), "register.report_saved", v.writeReport)
}

func (v *registersView) writeReport(dir string) (string, error) {
	pdf, err := v.s.RegistersReportPDF(context.Background(), currentLang())
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, "registers-"+v.s.Vault().Manifest().ID+".pdf")
	return path, atomicfile.Write(path, pdf, 0o600)
}

// writeStandards writes the standards map as PDF and CSV into dir.
func (v *registersView) writeStandards(dir string) (string, error) {
	pdf, table, err := v.s.StandardsReport(context.Background(), currentLang())
	if err != nil {
		return "", err
	}
	base := filepath.Join(dir, "standards-"+v.s.Vault().Manifest().ID)
	if err := atomicfile.Write(base+".pdf", pdf, 0o600); err != nil {
		return "", err
	}
	return base + ".pdf", atomicfile.Write(base+".csv", table, 0o600)
}
