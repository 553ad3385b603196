package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"handover/app/settings"
	"handover/app/vault"
)

// unlockScreen asks who is signing in and their passphrase. Without an open vault it offers
// to open or create one.
type unlockScreen struct {
	a         *App
	content   fyne.CanvasObject
	operators []vault.SlotHeader
	operator  *widget.Select
	pass      *formEntry
	unlockBtn *widget.Button
	status    *widget.Label
	busy      *widget.Activity
	language  *widget.Select
}

func newUnlockScreen(a *App) *unlockScreen {
	u := &unlockScreen{a: a}
	title := canvas.NewText(L("app.title"), theme.Color(theme.ColorNameForeground))
	title.TextSize = 28
	title.TextStyle.Bold = true
	subtitle := widget.NewLabel(L("app.subtitle"))
	icon := canvas.NewImageFromResource(IconResource)
	icon.SetMinSize(fyne.NewSize(72, 72))
	icon.FillMode = canvas.ImageFillContain

	u.status = widget.NewLabel("")
	u.status.Wrapping = fyne.TextWrapWord
	u.status.Importance = widget.DangerImportance
	u.busy = widget.NewActivity()

	openBtn := widget.NewButtonWithIcon(L("unlock.open_other"), theme.FolderOpenIcon(), u.chooseVault)
	createBtn := widget.NewButtonWithIcon(L("unlock.create"), theme.ContentAddIcon(), a.showCreate)
	receiveBtn := widget.NewButtonWithIcon(L("unlock.receive"), theme.UploadIcon(), a.showReceiveSetup)

	langNames := []string{L("language.zh-CN"), L("language.en")}
	u.language = widget.NewSelect(langNames, func(s string) {
		if s == L("language.en") {
			a.setLanguageAndRebuild("en")
		} else {
			a.setLanguageAndRebuild("zh-CN")
		}
	})
	if a.settings.Language == "en" {
		u.language.SetSelectedIndex(1)
	} else {
		u.language.SetSelectedIndex(0)
	}

	var form fyne.CanvasObject
	if a.vault == nil {
		// A first start: besides opening or creating a vault, one can look around a demo
		// vault of synthetic customers first, as `handover gui --demo` does.
		demoBtn := widget.NewButtonWithIcon(L("unlock.try_demo"), theme.MediaPlayIcon(), func() {
			p, err := settings.DemoVaultPath()
			if err != nil {
				u.setStatus(describeOnly(err))
				return
			}
			a.OpenDemo(p)
		})
		demoBtn.Importance = widget.HighImportance
		form = container.NewVBox(
			widget.NewLabelWithStyle(L("unlock.no_vault"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
			widget.NewLabel(L("unlock.no_vault_hint")),
			demoBtn,
		)
	} else {
		form = u.unlockForm()
	}
	header := container.NewHBox(icon, container.NewVBox(title, subtitle))
	card := widget.NewCard("", "", container.NewVBox(
		form,
		// The message takes the card's width: in an HBox a wrapping label gets its minimum
		// width and a long message stood one character a line.
		container.NewBorder(nil, nil, u.busy, nil, u.status),
		widget.NewSeparator(),
		container.NewHBox(openBtn, createBtn, receiveBtn, layout.NewSpacer(), u.language),
	))
	offline := widget.NewLabelWithStyle(L("unlock.offline_note"), fyne.TextAlignCenter, fyne.TextStyle{Italic: true})
	body := container.NewVBox(header, card, offline)
	u.content = container.NewCenter(container.New(layout.NewGridWrapLayout(fyne.NewSize(640, 560)), body))
	return u
}

func (u *unlockScreen) unlockForm() fyne.CanvasObject {
	a := u.a
	var err error
	u.operators, err = a.vault.Operators()
	if err != nil {
		u.setStatus(describeOnly(err))
	}
	names := make([]string, len(u.operators))
	for i, o := range u.operators {
		names[i] = o.Name + "（" + roleName(vault.Role(o.Role)) + "）"
	}
	u.operator = widget.NewSelect(names, nil)
	u.operator.PlaceHolder = L("unlock.choose_operator")
	if len(names) > 0 {
		u.operator.SetSelectedIndex(u.defaultOperator())
	}
	u.pass = newPasswordEntry()
	u.pass.SetPlaceHolder(L("unlock.passphrase_placeholder"))
	u.pass.OnSubmitted = func(string) { u.submit() }
	u.unlockBtn = widget.NewButtonWithIcon(L("unlock.button"), theme.LoginIcon(), u.submit)
	u.unlockBtn.Importance = widget.HighImportance

	items := []fyne.CanvasObject{
		widget.NewLabelWithStyle(L("unlock.vault")+"  "+a.vault.Path(), fyne.TextAlignLeading, fyne.TextStyle{Monospace: false}),
	}
	if demo := a.vault.Manifest().DemoPassphrase; demo != "" {
		banner := widget.NewLabel(L("unlock.demo_banner", map[string]any{"Passphrase": demo}))
		banner.Wrapping = fyne.TextWrapWord
		banner.Importance = widget.WarningImportance
		items = append(items, widget.NewCard("", "", container.NewBorder(nil, nil, widget.NewIcon(theme.InfoIcon()), nil, banner)))
	}
	if since := a.vault.Manifest().RestrictedSince; !since.IsZero() {
		banner := widget.NewLabel(L("unlock.restricted", map[string]any{"Since": since.In(shanghai).Format("2006-01-02")}))
		banner.Wrapping = fyne.TextWrapWord
		banner.Importance = widget.DangerImportance
		items = append(items, banner)
	}
	items = append(items,
		widget.NewForm(
			widget.NewFormItem(L("unlock.operator"), u.operator),
			widget.NewFormItem(L("unlock.passphrase"), u.pass),
		),
		u.unlockBtn,
	)
	return container.NewVBox(items...)
}

// defaultOperator picks the transferor officer in a demo vault, else the first operator.
func (u *unlockScreen) defaultOperator() int {
	for i, o := range u.operators {
		if o.Role == string(vault.Transferor) {
			return i
		}
	}
	return 0
}

func (u *unlockScreen) focus() {
	if u.pass != nil {
		u.a.win.Canvas().Focus(u.pass)
	}
}

func (u *unlockScreen) setStatus(s string) { u.status.SetText(s) }

func (u *unlockScreen) selectOperator(name string) {
	for i, o := range u.operators {
		if o.Name == name {
			u.operator.SetSelectedIndex(i)
		}
	}
}

// submit unlocks in the background: scrypt takes a noticeable fraction of a second.
func (u *unlockScreen) submit() {
	i := u.operator.SelectedIndex()
	if i < 0 {
		u.setStatus(L("unlock.choose_operator"))
		return
	}
	op := u.operators[i].Operator
	pass := u.pass.Text
	if pass == "" {
		u.setStatus(L("unlock.passphrase_empty"))
		return
	}
	u.setStatus("")
	u.unlockBtn.Disable()
	u.busy.Start()
	v := u.a.vault
	go func() {
		s, err := v.Unlock(op, pass)
		onUI(func() {
			u.busy.Stop()
			u.unlockBtn.Enable()
			if err != nil {
				u.pass.SetText("") // never leave a wrong passphrase in the field
				msg, hint := describe(err)
				u.setStatus(msg + " " + hint)
				return
			}
			u.pass.SetText("")
			u.a.signedIn(s)
		})
	}()
}

func (u *unlockScreen) chooseVault() {
	if u.a.chooser == nil {
		return
	}
	u.a.askPath(pathRequest{title: L("unlock.open_other"), purpose: L("path.purpose.vault"), folder: true}, func(path string) {
		if err := u.a.OpenVault(path); err != nil {
			u.setStatus(describeOnly(err))
		}
	})
}

func describeOnly(err error) string {
	msg, hint := describe(err)
	if hint != "" {
		return msg + " " + hint
	}
	return msg
}
