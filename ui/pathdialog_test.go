package ui

import (
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
)

// The path dialog says why, takes a typed path, refuses one that does not exist with the
// reason (keeping what was typed), and hands over one that does.
func TestPathDialog(t *testing.T) {
	a := newTestApp(t, "")
	a.ShowWelcome()
	got := ""
	req := pathRequest{title: L("export.where"), purpose: L("path.purpose.export"), folder: true, removable: true}
	a.askPath(req, func(p string) { got = p })
	top := a.win.Canvas().Overlays().Top()
	if !strings.Contains(findText(top), L("path.purpose.export")) {
		t.Fatalf("no purpose: %q", findText(top))
	}
	missing := filepath.Join(t.TempDir(), "not-inserted")
	usePath(t, a, missing)
	top = a.win.Canvas().Overlays().Top()
	snapshot(t, a, "path-dialog")
	if got != "" || !strings.Contains(findText(top), L("path.missing", map[string]any{"Path": missing})) {
		t.Fatalf("a missing folder: got %q, dialog %q", got, findText(top))
	}
	if es := entriesOf(top); es[len(es)-1].Text != missing {
		t.Fatal("the typed path was lost")
	}
	dir := t.TempDir()
	usePath(t, a, dir)
	if got != dir {
		t.Fatalf("got %q", got)
	}
}

// browseAndUse confirms the path dialog on top with what the (stubbed) native dialog
// chooses.
func browseAndUse(t *testing.T, a *App) {
	t.Helper()
	top := a.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no path dialog")
	}
	test.Tap(findButton(t, top, L("create.browse")))
	test.Tap(findButton(t, top, L("path.use")))
}
