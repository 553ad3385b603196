package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
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
	license := container.NewVScroll(widget.NewLabel(assets.FontLicense))
	license.SetMinSize(fyne.NewSize(0, 220))
	return container.NewVScroll(container.NewVBox(
		container.NewHBox(icon, container.NewVBox(
			widget.NewLabelWithStyle(L("app.title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
			widget.NewLabel(version.String()))),
		text,
		widget.NewForm(widget.NewFormItem(L("about.vault"), widget.NewLabel(vaultPath))),
		widget.NewCard(L("about.font"), "", license),
	))
}
