package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"handover/assets"
)

// fontResource is the bundled CJK font: without it every Chinese character is an empty box
// on a workstation that has no Chinese fonts installed.
var fontResource = fyne.NewStaticResource("wqy-microhei.ttf", assets.Font)

// IconResource is the application icon.
var IconResource = fyne.NewStaticResource("icon.png", assets.Icon)

// handoverTheme overrides the default theme's fonts and primary colour only.
type handoverTheme struct{ fyne.Theme }

func newTheme() fyne.Theme { return &handoverTheme{Theme: theme.DefaultTheme()} }

func (t *handoverTheme) Font(s fyne.TextStyle) fyne.Resource {
	if s.Monospace || s.Symbol {
		return t.Theme.Font(s)
	}
	return fontResource
}

func (t *handoverTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	if n == theme.ColorNamePrimary {
		return color.NRGBA{R: 0x1d, G: 0x4f, B: 0x91, A: 0xff}
	}
	return t.Theme.Color(n, v)
}
