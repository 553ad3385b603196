package ui

import (
	"context"
	"fmt"
	"os"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"handover/app/handoverpkg"
	"handover/app/progress"
	"handover/app/vault"
	"handover/crypto/identity"
	"handover/store/model"
)

// exportView writes a handover package: recipients chosen from the vault's trusted cards,
// the sender's identity file and passphrase, the destination folder (the stick) through
// the native dialog, then the export behind a progress bar in MB/s with Cancel.
type exportView struct {
	a       *App
	s       *vault.Session
	content fyne.CanvasObject

	checks    []*widget.Check
	cards     []identity.Card
	scope     *widget.RadioGroup
	customers []model.CustomerNo // the selection; nil for the whole book
	start     *widget.Button
	status    *widget.Label
	lastDir   string
	lastErr   error
	done      int // exports finished, for tests
}

func newExportView(a *App, s *vault.Session) *exportView {
	v := &exportView{a: a, s: s}
	ts, err := s.TrustedCards(context.Background())
	if err != nil {
		showError(a.win, err)
	}
	list := container.NewVBox()
	for _, t := range ts {
		c := widget.NewCheck(fmt.Sprintf("%s（%s，%s）  %s", t.Card.Name, t.Card.Role, t.Card.Organisation, t.Card.Grouped()[:17]), nil)
		v.checks = append(v.checks, c)
		v.cards = append(v.cards, t.Card)
		list.Add(c)
	}
	if len(ts) == 0 {
		l := widget.NewLabel(L("export.no_trusted"))
		l.Wrapping = fyne.TextWrapWord
		list.Add(l)
	}
	v.scope = widget.NewRadioGroup([]string{L("export.scope_whole"), L("export.scope_file")}, nil)
	v.scope.SetSelected(L("export.scope_whole"))
	v.start = widget.NewButtonWithIcon(L("export.start"), theme.DownloadIcon(), v.chooseScope)
	v.start.Importance = widget.HighImportance
	v.status = widget.NewLabel(L("export.explain"))
	v.status.Wrapping = fyne.TextWrapWord
	if !s.Role().Can(vault.PermExport) {
		v.start.Disable()
		v.status.SetText(L("export.no_permission"))
	}
	v.content = container.NewBorder(container.NewVBox(bold(L("export.recipients")), list, bold(L("export.scope")), v.scope),
		container.NewVBox(v.status, v.start), nil, nil)
	return v
}

func (v *exportView) recipients() []identity.Card {
	var out []identity.Card
	for i, c := range v.checks {
		if c.Checked {
			out = append(out, v.cards[i])
		}
	}
	return out
}

// chooseScope asks for the list of customers when a selection is to be exported.
func (v *exportView) chooseScope() {
	v.customers = nil
	if v.scope.Selected == L("export.scope_file") {
		v.a.askCustomerList(L("export.scope_choose"), L("export.scope_filter"), func(nos []model.CustomerNo) {
			v.customers = nos
			v.chooseIdentity()
		})
		return
	}
	v.chooseIdentity()
}

func (v *exportView) chooseIdentity() {
	if len(v.recipients()) == 0 {
		showError(v.a.win, handoverpkg.ErrNoRecipients)
		return
	}
	askIdentity(v.a, L("export.sender_identity"), L("export.start"), func(idPath, passphrase string) {
		v.a.askPath(pathRequest{title: L("export.where"), purpose: L("path.purpose.export"), folder: true, removable: true},
			func(dir string) { v.run(idPath, passphrase, dir) })
	})
}

// run opens the identity and exports behind a progress bar; the result is reported and
// kept for tests.
func (v *exportView) run(idPath, passphrase, dir string) {
	b, err := os.ReadFile(idPath)
	if err != nil {
		showError(v.a.win, err)
		return
	}
	recipients := v.recipients()
	var out string
	status := func(s progress.Snapshot) string {
		return L("export.progress", map[string]any{"MB": fmt.Sprintf("%.0f", float64(s.Done)/(1<<20)),
			"Rate": fmt.Sprintf("%.1f", s.Rate/(1<<20)), "ETA": durationText(s.ETA)})
	}
	runWithStatus(v.a.win, L("export.running"), func(ctx context.Context, p progress.Reporter) error {
		id, err := identity.Open(b, passphrase)
		if err != nil {
			return err
		}
		out, _, err = v.s.Export(ctx, handoverpkg.Options{Out: dir, Sender: id, Recipients: recipients, Customers: v.customers}, p)
		return err
	}, status, func(err error) {
		defer func() { v.lastDir, v.lastErr = out, err; v.done++ }()
		if err != nil {
			showError(v.a.win, err)
			return
		}
		v.status.SetText(L("export.done", map[string]any{"Dir": out}))
	})
}

// askIdentity asks for an identity file (typed, or through the native dialog) and its
// passphrase in one form, then calls next; the passphrase entry is emptied as soon as it is
// read. A path that is not there is said in words, with the form opened again.
func askIdentity(a *App, title, confirm string, next func(idPath, passphrase string)) {
	askIdentityFrom(a, title, confirm, "", next)
}

func askIdentityFrom(a *App, title, confirm, initial string, next func(idPath, passphrase string)) {
	file := newPathField(a, pathRequest{title: title, filterName: L("cert.identity_filter"), exts: identityExts, initial: initial})
	pass := newPasswordEntry()
	purpose := widget.NewLabel(L("path.purpose.identity_file"))
	purpose.Wrapping = fyne.TextWrapWord
	newForm(title, confirm,
		[]*widget.FormItem{widget.NewFormItem("", purpose), widget.NewFormItem(L("cert.identity_file"), file.content),
			widget.NewFormItem(L("cert.passphrase"), pass)}, func(ok bool) {
			text := pass.Text
			pass.SetText("")
			if !ok {
				return
			}
			if msg := file.check(false); msg != "" {
				showError(a.win, &errPathNotUsable{msg})
				return
			}
			next(file.path(), text)
		}, a.win).Show()
}
