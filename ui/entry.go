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

func newEntry() *formEntry { return makeEntry(false, false) }

// newPasswordEntry is newEntry for a passphrase: hidden, with the reveal button.
func newPasswordEntry() *formEntry { return makeEntry(true, false) }

// newMultiLineEntry is newEntry for a paragraph.
func newMultiLineEntry() *formEntry { return makeEntry(false, true) }

// makeEntry sets what Fyne's constructors set (the password reveal button comes with the
// renderer) and extends the base widget with the formEntry, so that its TypedKey is the one
// the canvas calls.
func makeEntry(password, multiLine bool) *formEntry {
	e := &formEntry{}
	e.Password, e.MultiLine = password, multiLine
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
