package ui

// Chooser opens native file dialogs. The desktop build uses sqweek/dialog; tests use a
// stub, since native dialogs need cgo and a display.
type Chooser interface {
	// ChooseFolder asks for a folder; ok is false when the user cancelled.
	ChooseFolder(title string) (path string, ok bool, err error)
	// ChooseFile asks for an existing file of one of the extensions (without dots).
	ChooseFile(title, filterName string, exts []string) (path string, ok bool, err error)
}
