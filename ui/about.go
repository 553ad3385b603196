package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"handover/app/version"
	"handover/assets"
)

func newAbout(a *App) fyne.CanvasObject {
	icon := canvas.NewImageFromResource(IconResource)
	icon.SetMinSize(fyne.NewSize(64, 64))
	icon.FillMode = canvas.ImageFillContain
	text := widget.NewLabel(L("about.text"))
	text.Wrapping = fyne.TextWrapWord
	vaultPath := ""
	if a.vault != nil {
		vaultPath = a.vault.Path()
	}
	// The font's licence is long and in English: a line says what it is, a button shows it.
	font := widget.NewLabel(L("about.font_line"))
	font.Wrapping = fyne.TextWrapWord
	showLicense := widget.NewButtonWithIcon(L("about.font_license"), theme.DocumentIcon(), func() {
		text := container.NewVScroll(widget.NewLabel(assets.FontLicense))
		text.SetMinSize(fyne.NewSize(560, 380))
		d := dialog.NewCustom(L("about.font"), L("OK"), text, a.win)
		closeOnKeys(d, a.win)
		d.Show()
	})
	return container.NewVScroll(container.NewVBox(
		container.NewHBox(icon, container.NewVBox(
			widget.NewLabelWithStyle(L("app.title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
			widget.NewLabel(version.String()))),
		text,
		widget.NewForm(widget.NewFormItem(L("about.vault"), widget.NewLabel(vaultPath))),
		widget.NewCard(L("about.font"), "", container.NewVBox(font, container.NewHBox(showLicense))),
	))
}
