// Package assets holds what the program ships inside its binary: the bundled font (used
// by the GUI and, later, every PDF), the translations and the icon. It is plain Go with no
// GUI dependency so that the core can use the font too.
package assets

import (
	"embed"
	"encoding/json"
	"fmt"
	"strings"
)

// Font is WenQuanYi Micro Hei (Apache-2.0, see fonts/LICENSE-wqy-microhei.txt), converted
// from Debian's .ttc to a single-face .ttf: Fyne's theme crashes on collections and gofpdf
// refuses them, and it has both CJK and Latin glyphs, unlike Droid Sans Fallback.
//
//go:embed fonts/wqy-microhei.ttf
var Font []byte

// FontLicense is the font's licence text, shown in the About screen.
//
//go:embed fonts/LICENSE-wqy-microhei.txt
var FontLicense string

// Icon is the application icon (PNG, 512×512).
//
//go:embed icon.png
var Icon []byte

//go:embed translations/*.json
var translations embed.FS

// Languages are the UI languages, the default first.
var Languages = []string{"zh-CN", "en"}

// Translation returns the raw JSON translation file of a language.
func Translation(lang string) ([]byte, error) {
	b, err := translations.ReadFile("translations/" + lang + ".json")
	if err != nil {
		return nil, fmt.Errorf("no translation for %q", lang)
	}
	return b, nil
}

// Messages returns a language's messages as a map, for tests and tools.
func Messages(lang string) (map[string]string, error) {
	b, err := Translation(lang)
	if err != nil {
		return nil, err
	}
	m := map[string]string{}
	return m, json.Unmarshal(b, &m)
}

//go:embed checklists/*.json
var checklists embed.FS

// Checklist returns the raw JSON checklist template of a deal type (app/checklist reads it).
func Checklist(dealType string) ([]byte, error) {
	b, err := checklists.ReadFile("checklists/" + dealType + ".json")
	if err != nil {
		return nil, fmt.Errorf("no checklist template for deal type %q", dealType)
	}
	return b, nil
}

// Retention is the retention rules (JSON; app/retention reads them).
//
//go:embed retention.json
var Retention []byte

//go:embed notices/*.json
var notices embed.FS

// NoticeTemplates returns the built-in notice templates (JSON; app/notice reads them), by
// file name.
func NoticeTemplates() (map[string][]byte, error) {
	entries, err := notices.ReadDir("notices")
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	for _, e := range entries {
		b, err := notices.ReadFile("notices/" + e.Name())
		if err != nil {
			return nil, err
		}
		out[e.Name()] = b
	}
	return out, nil
}

// CrossBorder is the thresholds of the rules on providing personal information abroad
// (JSON; app/checklist reads them), with their source and effective date, so that a change
// of rules is a change of data.
//
//go:embed crossborder.json
var CrossBorder []byte

//go:embed workbooks/*.json
var workbooks embed.FS

// Workbook returns the raw JSON template of an assessment workbook (app/assess reads it).
func Workbook(id string) ([]byte, error) {
	b, err := workbooks.ReadFile("workbooks/" + id + ".json")
	if err != nil {
		return nil, fmt.Errorf("no workbook %q", id)
	}
	return b, nil
}

// ChecklistTypes lists the deal types that have a checklist template: adding a deal type is
// adding its template.
func ChecklistTypes() []string {
	entries, _ := checklists.ReadDir("checklists")
	var out []string
	for _, e := range entries {
		if name, ok := strings.CutSuffix(e.Name(), ".json"); ok {
			out = append(out, name)
		}
	}
	return out
}

// Reviews is the periodic reviews with their periods (JSON; app/vault reads them).
//
//go:embed reviews.json
var Reviews []byte

// Controls is the control library mapped to the standards (JSON; app/vault reads it).
//
//go:embed controls.json
var Controls []byte
