// Package desktop starts the real desktop application: Fyne's GLFW driver and the
// operating system's native file dialogs. It is kept apart from package ui because both
// need cgo and a display, which ui's tests must not.
package desktop

import (
	"errors"
	"flag"
	"fmt"
	"os"

	"fyne.io/fyne/v2/app"
	"github.com/sqweek/dialog"

	"handover/app/settings"
	"handover/app/version"
	"handover/ui"
)

// nativeChooser uses the operating system's file and folder dialogs.
type nativeChooser struct{}

func (nativeChooser) ChooseFolder(title string) (string, bool, error) {
	p, err := dialog.Directory().Title(title).Browse()
	if errors.Is(err, dialog.ErrCancelled) {
		return "", false, nil
	}
	return p, err == nil, err
}

func (nativeChooser) ChooseFile(title, filterName string, exts []string) (string, bool, error) {
	p, err := dialog.File().Title(title).Filter(filterName, exts...).Load()
	if errors.Is(err, dialog.ErrCancelled) {
		return "", false, nil
	}
	return p, err == nil, err
}

// Main runs the GUI; args are what follows `handover gui` (or nothing).
func Main(args []string) int {
	fs := flag.NewFlagSet("handover gui", flag.ContinueOnError)
	demo := fs.Bool("demo", false, "open the demo vault, creating it on first run")
	vaultDir := fs.String("vault", "", "open this vault")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	setPath, err := settings.Path()
	if err != nil {
		fmt.Fprintln(os.Stderr, "handover:", err)
		return 1
	}
	a := ui.New(ui.Config{App: app.NewWithID(version.AppID), Chooser: nativeChooser{}, SettingsPath: setPath})
	st, _ := settings.Load(setPath)
	switch {
	case *vaultDir != "":
		if err := a.OpenVault(*vaultDir); err != nil {
			a.ShowWelcome()
		}
	case *demo:
		p, err := settings.DemoVaultPath()
		if err != nil {
			fmt.Fprintln(os.Stderr, "handover:", err)
			return 1
		}
		a.OpenDemo(p)
	case st.LastVault != "":
		if err := a.OpenVault(st.LastVault); err != nil {
			a.ShowWelcome()
		}
	default:
		a.ShowWelcome()
	}
	a.Window().ShowAndRun()
	return 0
}
