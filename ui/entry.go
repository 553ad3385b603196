package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// formEntry is the app's text entry: Fyne's Entry, plus Escape. A focused Entry takes every
// key, so Escape never reached the dialog it was in; a form dialog sets onEscape to cancel
// itself (newForm), as its Cancel button does.
type formEntry struct {
	widget.Entry
	onEscape func()
}

func newEntry() *formEntry {
	e := &formEntry{}
	e.Wrapping = fyne.TextWrap(fyne.TextTruncateClip)
	e.ExtendBaseWidget(e)
	return e
}

// newPasswordEntry is newEntry for a passphrase: hidden, with the reveal button.
func newPasswordEntry() *formEntry {
	e := &formEntry{}
	e.Password = true
	e.Wrapping = fyne.TextWrap(fyne.TextTruncateClip)
	e.ExtendBaseWidget(e)
	return e
}

// newMultiLineEntry is newEntry for a paragraph.
func newMultiLineEntry() *formEntry {
	e := &formEntry{}
	e.MultiLine = true
	e.Wrapping = fyne.TextWrap(fyne.TextTruncateClip)
	e.ExtendBaseWidget(e)
	return e
}

// TypedKey cancels the entry's dialog on Escape and leaves every other key to the Entry.
func (e *formEntry) TypedKey(k *fyne.KeyEvent) {
	if k.Name == fyne.KeyEscape && e.onEscape != nil {
		e.onEscape()
		return
	}
	e.Entry.TypedKey(k)
}
