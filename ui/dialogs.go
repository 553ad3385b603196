package ui

import (
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"handover/app/vault"
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
	a.askPath(pathRequest{title: title, purpose: L("path.purpose.save", map[string]any{"What": title}), folder: true}, func(dir string) {
		path, err := write(dir)
		if err != nil {
			showError(a.win, err)
			return
		}
		dialog.ShowInformation(title, L(savedKey, map[string]any{"Path": path}), a.win)
	})
}

// signerForm is a signature asked of one of several operators, with their own passphrase.
type signerForm struct {
	title      string
	confirm    string // the confirm button; the title when empty
	names, ids []string
	preselect  int                // the signer chosen when the dialog opens
	shown      []*widget.FormItem // what is being signed, above the signer
	note       *formEntry         // an optional note, kept across a wrong passphrase
	// run checks the passphrase and records the signature; it runs in the background
	// (scrypt takes about a second). done gets its outcome on the UI goroutine.
	run  func(id, passphrase string) error
	done func(error)
}

// askSigner asks which operator signs and their passphrase, clears the passphrase from
// its entry at once, and runs the signature. A wrong passphrase opens the dialog again
// with the signer and the note as they were, and says what went wrong.
func (a *App) askSigner(f signerForm) {
	who := widget.NewSelect(f.names, nil)
	who.SetSelectedIndex(f.preselect)
	pass := newPasswordEntry()
	wrong := widget.NewLabel(L("error.signer_passphrase"))
	wrong.Importance = widget.DangerImportance
	wrong.Wrapping = fyne.TextWrapWord
	failed := false
	var open func()
	open = func() {
		items := append([]*widget.FormItem{}, f.shown...)
		items = append(items, widget.NewFormItem(L("checklist.signer"), who), widget.NewFormItem(L("checklist.signer_pass"), pass))
		if f.note != nil {
			items = append(items, widget.NewFormItem(L("checklist.note"), f.note))
		}
		if failed {
			items = append(items, widget.NewFormItem("", wrong))
		}
		confirm := f.confirm
		if confirm == "" {
			confirm = f.title
		}
		newForm(f.title, confirm, items, func(ok bool) {
			p := pass.Text
			pass.SetText("")
			if !ok || who.SelectedIndex() < 0 {
				return
			}
			id := f.ids[who.SelectedIndex()]
			go func() {
				err := f.run(id, p)
				onUI(func() {
					if errors.Is(err, vault.ErrWrongPassphrase) {
						failed = true
						open()
						return
					}
					f.done(err)
				})
			}()
		}, a.win).Show()
	}
	open()
}
