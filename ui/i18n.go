package ui

import (
	"os"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"handover/assets"
	_ "handover/ui/localeenv" // before Fyne reads the locale, in every binary that uses ui
)

// setLanguage makes every lang.L call answer in code ("zh-CN" or "en").
//
// Fyne picks its localizer from the system locale each time translations are added and has
// no call to choose a language. Handover's setting must win over the environment (and LANG=C
// must not break it), so the chosen file is registered under every tag the matcher could
// pick: both UI languages, Fyne's own Chinese tag, and the system's locale. The files also
// carry Fyne's own keys (Cancel, OK, …) so its dialogs follow the setting too.
func setLanguage(code string) error {
	data, err := assets.Translation(code)
	if err != nil {
		return err
	}
	pinLocaleEnv(code)
	uiLang = code
	tags := []fyne.Locale{"en", "zh", "zh-CN", "zh-Hans", "zh_Hans"}
	if sys := lang.SystemLocale(); sys != "" {
		tags = append(tags, sys, fyne.Locale(sys.LanguageString()))
	}
	for _, t := range tags {
		if err := lang.AddTranslationsForLocale(data, t); err != nil {
			return err
		}
	}
	return nil
}

// uiLang is the language setLanguage chose, for texts that carry their own translations
// (checklist templates).
var uiLang = "zh-CN"

// currentLang is "zh-CN" or "en".
func currentLang() string {
	if uiLang == "en" {
		return "en"
	}
	return "zh-CN"
}

// L translates a key; a shorthand that keeps screen code short.
func L(key string, data ...any) string { return lang.L(key, data...) }

// pinLocaleEnv points the process's message locale at the chosen language. Fyne (through
// go-locale) and GTK's native dialogs read it from the environment; LANG=C.UTF-8, common on
// servers and in CI, otherwise makes Fyne log "Error parsing user locale C" on every call.
func pinLocaleEnv(code string) {
	posix := strings.ReplaceAll(code, "-", "_")
	os.Unsetenv("LC_ALL")
	os.Setenv("LC_MESSAGES", posix+".UTF-8")
	os.Setenv("LANGUAGE", posix)
}
