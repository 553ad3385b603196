package ui

import (
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"handover/app/handoverpkg"
	"handover/app/workstation"
	"handover/store/model"
)

// pathRequest is a file or folder the app asks for. The purpose is said in the app before
// anything is chosen (the native dialogs on Linux show neither a title nor Chinese), the
// path can be typed when no dialog works, and the chosen path stays on screen until it is
// confirmed.
type pathRequest struct {
	title      string // what is chosen, the dialog's title
	purpose    string // why, in a sentence
	folder     bool   // a folder, not a file
	filterName string // files: the kind, for the native dialog
	exts       []string
	removable  bool   // a destination for a package: USB sticks are offered first
	initial    string // a path to start from
	browse     string // pathField: the Browse button's label, when not "Browse…"
}

// askPath asks for a path as the request says and hands it to then once confirmed.
func (a *App) askPath(req pathRequest, then func(path string)) {
	path := newEntry()
	path.SetText(req.initial)
	path.SetPlaceHolder(L("path.placeholder"))
	browse := widget.NewButtonWithIcon(L("create.browse"), theme.FolderOpenIcon(), func() {
		if p, ok := a.browse(req); ok {
			path.SetText(p)
		}
	})
	purpose := widget.NewLabel(req.purpose)
	purpose.Wrapping = fyne.TextWrapWord
	box := container.NewVBox(purpose)
	if req.removable {
		drives := workstation.RemovableDrives()
		if len(drives) == 0 {
			box.Add(widget.NewLabel(L("path.no_stick")))
		}
		for _, d := range drives {
			d := d
			box.Add(widget.NewButtonWithIcon(L("path.stick", map[string]any{"Path": d}), theme.StorageIcon(), func() { path.SetText(d) }))
		}
	}
	box.Add(container.NewBorder(nil, nil, nil, browse, path))
	items := []*widget.FormItem{widget.NewFormItem("", box)}
	d := newForm(req.title, L("path.use"), items, func(ok bool) {
		if !ok {
			return
		}
		p := strings.TrimSpace(path.Text)
		if msg := checkPath(p, req.folder); msg != "" {
			a.askPathAgain(req, p, msg, then)
			return
		}
		then(filepath.Clean(p))
	}, a.win)
	d.Show()
}

// askCustomerList asks for a file of customer numbers, one a line, and hands them over
// once read; a file that cannot be read is said in words.
func (a *App) askCustomerList(title, filterName string, then func([]model.CustomerNo)) {
	a.askPath(pathRequest{title: title, purpose: L("path.purpose.customer_list"), filterName: filterName, exts: []string{"txt", "csv"}}, func(path string) {
		nos, err := handoverpkg.ReadCustomerList(path)
		if err != nil {
			showError(a.win, &fileError{File: filepath.Base(path), Err: err})
			return
		}
		then(nos)
	})
}

// browse opens the native dialog the request asks for.
func (a *App) browse(req pathRequest) (string, bool) {
	if req.folder {
		return a.chooseFolder(req.title)
	}
	return a.chooseFile(req.title, req.filterName, req.exts)
}

// askPathAgain opens the request again with the path as typed and what is wrong with it.
func (a *App) askPathAgain(req pathRequest, typed, msg string, then func(string)) {
	req.initial = typed
	req.purpose = msg + "\n\n" + req.purpose
	a.askPath(req, then)
}

// checkPath says what is wrong with a typed path, in words ("" when it will do).
func checkPath(p string, folder bool) string {
	if p == "" {
		return L("path.empty")
	}
	fi, err := os.Stat(p)
	switch {
	case err != nil:
		return L("path.missing", map[string]any{"Path": p})
	case folder && !fi.IsDir():
		return L("path.not_folder", map[string]any{"Path": p})
	case !folder && fi.IsDir():
		return L("path.not_file", map[string]any{"Path": p})
	}
	return ""
}
