package ui

import "fyne.io/fyne/v2/dialog"

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
