package ui

import (
	"encoding/json"
	"os"
	"strings"
	"unicode"

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
	if code == "zh-CN" {
		if data, err = tightenCJKJSON(data); err != nil {
			return err
		}
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

// tightenCJKJSON removes the spaces the Chinese texts have between Chinese and Latin or digits
// ("至少 8 个字符"). Fyne's word wrapping breaks lines at spaces first, so such a space made a
// wrapped line end in "8" with "个字符" on the next, or "C2" apart from "级"; Chinese needs
// no space there, and without one a line breaks where it is full, between any two Chinese
// characters. Done once, when the translations are loaded, so it holds for every text.
func tightenCJKJSON(data []byte) ([]byte, error) {
	var m map[string]string
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, err
	}
	for k, v := range m {
		m[k] = tightenCJK(v)
	}
	return json.Marshal(m)
}

// tightenCJK drops each run of spaces that has a Chinese character or Chinese punctuation
// on either side.
func tightenCJK(s string) string {
	if !strings.Contains(s, " ") {
		return s
	}
	rs := []rune(s)
	out := make([]rune, 0, len(rs))
	for i := 0; i < len(rs); i++ {
		if rs[i] != ' ' {
			out = append(out, rs[i])
			continue
		}
		j := i
		for j < len(rs) && rs[j] == ' ' {
			j++
		}
		prev, next := rune(0), rune(0)
		if len(out) > 0 {
			prev = out[len(out)-1]
		}
		if j < len(rs) {
			next = rs[j]
		}
		if isCJK(prev) || isCJK(next) {
			i = j - 1
			continue
		}
		out = append(out, rs[i:j]...)
		i = j - 1
	}
	return string(out)
}

func isCJK(r rune) bool {
	return unicode.Is(unicode.Han, r) || r >= 0x3000 && r <= 0x303F || r >= 0xFF00 && r <= 0xFFEF
}
