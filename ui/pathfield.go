package ui

import (
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// pathField is a file or folder chosen inside a form: the path can be typed or filled by
// the native dialog (Browse), and stays visible as chosen. check says what is wrong with
// it in words before the form's action runs.
type pathField struct {
	req     pathRequest
	entry   *formEntry
	content fyne.CanvasObject
}

func newPathField(a *App, req pathRequest) *pathField {
	f := &pathField{req: req, entry: newEntry()}
	f.entry.SetPlaceHolder(L("path.placeholder"))
	f.entry.SetText(req.initial)
	label := req.browse
	if label == "" {
		label = L("create.browse")
	}
	browse := widget.NewButtonWithIcon(label, theme.FolderOpenIcon(), func() {
		if p, ok := a.browse(req); ok {
			f.entry.SetText(p)
		}
	})
	f.content = container.NewBorder(nil, nil, nil, browse, f.entry)
	return f
}

// path is the chosen path, cleaned; "" when none.
func (f *pathField) path() string {
	p := strings.TrimSpace(f.entry.Text)
	if p == "" {
		return ""
	}
	return filepath.Clean(p)
}

// check says what is wrong with the path, or "" when it will do; an empty optional field
// will do.
func (f *pathField) check(optional bool) string {
	p := f.path()
	if p == "" && optional {
		return ""
	}
	return checkPath(p, f.req.folder)
}
