package ui

import (
	"context"
	"errors"
	"os"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"handover/app/vault"
)

// errPathNotUsable carries checkPath's words as an error, so showError shows them.
type errPathNotUsable struct{ msg string }

func (e *errPathNotUsable) Error() string { return e.msg }

// askNoticeBasis records a legal basis for providing the data without each customer's
// consent (PIPL Art. 13, 23): what the basis is, who decided it, and the document that
// shows it, kept in the vault like checklist evidence. It opens the export gate's notice
// item instead of a completed notification.
func askNoticeBasis(a *App, s *vault.Session, done func(error)) {
	basis := newMultiLineEntry()
	basis.SetPlaceHolder(L("notice.basis_example"))
	basis.SetMinRowsVisible(3)
	basis.Wrapping = fyne.TextWrapWord
	decided := newEntry()
	decided.SetPlaceHolder(L("notice.decided_example"))
	file := newPathField(a, pathRequest{title: L("notice.basis_file"), filterName: L("checklist.evidence_files")})
	explain := widget.NewLabel(L("notice.basis_explain"))
	explain.Wrapping = fyne.TextWrapWord
	items := []*widget.FormItem{widget.NewFormItem("", explain), widget.NewFormItem(L("notice.basis"), basis),
		widget.NewFormItem(L("notice.decided_by"), decided), widget.NewFormItem(L("notice.basis_file"), file.content)}
	newForm(L("notice.basis_title"), L("notice.save"), items, func(ok bool) {
		if !ok {
			return
		}
		err := func() error {
			if msg := file.check(false); msg != "" {
				return &errPathNotUsable{msg}
			}
			f, err := os.Open(file.path())
			if err != nil {
				return err
			}
			defer f.Close()
			_, err = s.RecordNoticeBasis(context.Background(), basis.Text, decided.Text, filepath.Base(file.path()), f)
			return err
		}()
		if err != nil {
			showError(a.win, err)
		} else {
			dialog.ShowInformation(L("notice.basis_title"), L("notice.basis_recorded"), a.win)
		}
		if done != nil {
			done(err)
		}
	}, a.win).Show()
}

// basisText says whether a basis is recorded, and which.
func basisText(s *vault.Session) string {
	b, err := s.NoticeBasis()
	switch {
	case errors.Is(err, vault.ErrNotFound):
		return L("notice.basis_none")
	case err != nil:
		msg, _ := describe(err)
		return msg
	}
	return L("notice.basis_is", map[string]any{"Basis": b.Basis, "DecidedBy": b.DecidedBy, "File": b.EvidenceName,
		"By": b.By, "When": b.At.In(shanghai).Format("2006-01-02 15:04")})
}
