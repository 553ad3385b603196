package ui

import (
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"handover/app/vault"
)

// settingsView edits the language and the idle lock, and manages the operators.
type settingsView struct {
	content   fyne.CanvasObject
	language  *widget.Select
	autoLock  *widget.Select
	operators *operatorsView
}

var autoLockChoices = []int{1, 5, 10, 15, 30}

func newSettingsView(a *App, s *vault.Session) *settingsView {
	v := &settingsView{}
	v.language = widget.NewSelect([]string{L("language.zh-CN"), L("language.en")}, nil)
	if a.settings.Language == "en" {
		v.language.SetSelectedIndex(1)
	} else {
		v.language.SetSelectedIndex(0)
	}
	v.language.OnChanged = func(string) {
		code := "zh-CN"
		if v.language.SelectedIndex() == 1 {
			code = "en"
		}
		s.RecordSettingChange("language", code)
		a.setLanguageAndRebuild(code)
	}
	names := make([]string, len(autoLockChoices))
	for i, m := range autoLockChoices {
		names[i] = L("settings.minutes", map[string]any{"N": strconv.Itoa(m)})
	}
	v.autoLock = widget.NewSelect(names, nil)
	for i, m := range autoLockChoices {
		if m == a.settings.AutoLockMinutes {
			v.autoLock.SetSelectedIndex(i)
		}
	}
	v.autoLock.OnChanged = func(string) {
		m := autoLockChoices[max(0, v.autoLock.SelectedIndex())]
		a.settings.AutoLockMinutes = m
		a.saveSettings()
		s.SetIdleTimeout(a.settings.AutoLock())
		s.RecordSettingChange("auto_lock_minutes", strconv.Itoa(m))
		s.Touch()
	}
	form := widget.NewForm(
		widget.NewFormItem(L("settings.language"), v.language),
		widget.NewFormItem(L("settings.autolock"), v.autoLock),
	)
	note := widget.NewLabel(L("settings.note"))
	note.Wrapping = fyne.TextWrapWord
	v.operators = newOperatorsView(a, s)
	v.content = container.NewVScroll(container.NewVBox(widget.NewCard(L("nav.settings"), "", container.NewVBox(form, note)), v.operators.content))
	return v
}
