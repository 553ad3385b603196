package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// A form opens with its first entry focused; Escape in a focused entry cancels the form
// (a focused Fyne Entry kept Escape to itself), also from an entry inside a row; Enter in
// a one-line entry submits.
func TestFormKeys(t *testing.T) {
	a := newTestApp(t, "")
	a.ShowWelcome()
	open := func() (*formDialog, *formEntry, *formEntry, *[]bool) {
		name, path := newEntry(), newEntry()
		var got []bool
		d := newForm("t", "ok", []*widget.FormItem{widget.NewFormItem("name", name),
			widget.NewFormItem("path", container.NewBorder(nil, nil, nil, widget.NewButton("…", nil), path))},
			func(ok bool) { got = append(got, ok) }, a.win)
		d.Show()
		return d, name, path, &got
	}
	_, name, _, got := open()
	if a.win.Canvas().Focused() != name {
		t.Fatal("the first entry is not focused")
	}
	a.win.Canvas().Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if len(*got) != 1 || (*got)[0] || a.win.Canvas().Overlays().Top() != nil {
		t.Fatalf("Escape: %v, overlay %v", *got, a.win.Canvas().Overlays().Top())
	}
	_, _, path, got := open()
	a.win.Canvas().Focus(path)
	path.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if len(*got) != 1 || (*got)[0] {
		t.Fatalf("Escape in a row's entry: %v", *got)
	}
	_, name, _, got = open()
	name.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if len(*got) != 1 || !(*got)[0] {
		t.Fatalf("Enter: %v", *got)
	}
}
