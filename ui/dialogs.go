package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

// Chooser opens native file dialogs. The desktop build uses sqweek/dialog; tests use a
// stub, since native dialogs need cgo and a display.
type Chooser interface {
	// ChooseFolder asks for a folder; ok is false when the user cancelled.
	ChooseFolder(title string) (path string, ok bool, err error)
	// ChooseFile asks for an existing file of one of the extensions (without dots).
	ChooseFile(title, filterName string, exts []string) (path string, ok bool, err error)
}

// chooseFolder asks for a folder: a dialog that fails is reported, Cancel is silent.
func (a *App) chooseFolder(title string) (string, bool) {
	dir, ok, err := a.chooser.ChooseFolder(title)
	if err != nil {
		showError(a.win, err)
	}
	return dir, err == nil && ok
}

// chooseFile is chooseFolder for an existing file.
func (a *App) chooseFile(title, filterName string, exts []string) (string, bool) {
	path, ok, err := a.chooser.ChooseFile(title, filterName, exts)
	if err != nil {
		showError(a.win, err)
	}
	return path, err == nil && ok
}

// saveTo asks for a folder, lets write put a file there, and tells where it went (savedKey
// is a translation taking {{.Path}}).
func (a *App) saveTo(title, savedKey string, write func(dir string) (string, error)) {
	dir, ok := a.chooseFolder(title)
	if !ok {
		return
	}
	path, err := write(dir)
	if err != nil {
		showError(a.win, err)
		return
	}
	dialog.ShowInformation(title, L(savedKey, map[string]any{"Path": path}), a.win)
}

// askSigner asks which of the operators named signs and their own passphrase (with an
// optional note), then hands them to then; the passphrase is cleared from the entry at once.
func (a *App) askSigner(title string, names, ids []string, note *widget.Entry, then func(id, passphrase string)) {
	who := widget.NewSelect(names, nil)
	who.SetSelectedIndex(0)
	pass := widget.NewPasswordEntry()
	items := []*widget.FormItem{widget.NewFormItem(L("checklist.signer"), who), widget.NewFormItem(L("checklist.signer_pass"), pass)}
	if note != nil {
		items = append(items, widget.NewFormItem(L("checklist.note"), note))
	}
	d := dialog.NewForm(title, title, L("action.cancel"), items, func(ok bool) {
		p := pass.Text
		pass.SetText("")
		if ok && who.SelectedIndex() >= 0 {
			then(ids[who.SelectedIndex()], p)
		}
	}, a.win)
	d.Resize(fyne.NewSize(560, 260))
	d.Show()
}
