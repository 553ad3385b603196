package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

// formWidth is the width of every form dialog: a passphrase, a reason or a name must be
// readable while it is typed (an unsized form dialog squeezed its entries to about 60 px).
const formWidth = 560

// formDialog is a form dialog that behaves the same everywhere: wide enough to read what
// is typed, its first entry focused when it opens, Enter in a one-line entry submits it.
type formDialog struct {
	*dialog.FormDialog
	win   fyne.Window
	first fyne.Focusable
}

// newForm makes a form dialog with a Cancel button; Show opens it.
func newForm(title, confirm string, items []*widget.FormItem, callback func(bool), win fyne.Window) *formDialog {
	d := &formDialog{FormDialog: dialog.NewForm(title, confirm, L("action.cancel"), items, callback, win), win: win}
	for _, it := range items {
		// Every entry of the form, also inside a row (a path and its Browse button): Escape
		// cancels; Enter in a one-line entry submits; the first is focused.
		eachEntry(it.Widget, func(e *formEntry) {
			e.onEscape = d.Hide
			if e.Disabled() {
				return
			}
			if d.first == nil {
				d.first = e
			}
			if !e.MultiLine && e.OnSubmitted == nil {
				e.OnSubmitted = func(string) { d.Submit() }
			}
		})
	}
	width := float32(formWidth)
	if cs := win.Canvas().Size(); cs.Width > 80 {
		width = min(width, cs.Width-40)
	}
	d.Resize(fyne.NewSize(max(width, d.MinSize().Width), d.MinSize().Height))
	return d
}

// Show opens the dialog with the first entry focused.
func (d *formDialog) Show() {
	d.FormDialog.Show()
	if d.first != nil {
		d.win.Canvas().Focus(d.first)
	}
}

// eachEntry calls fn for every formEntry in o, looking into containers.
func eachEntry(o fyne.CanvasObject, fn func(*formEntry)) {
	switch w := o.(type) {
	case *formEntry:
		fn(w)
	case *fyne.Container:
		for _, c := range w.Objects {
			eachEntry(c, fn)
		}
	}
}
