package doc

import (
	"fmt"
	"regexp"
	"sort"
	"sync"
)

// Labels are a document's wording: language → key → text. They live with the documents, not
// in the UI's translations, because a document must render the same on any machine.
type Labels map[string]map[string]string

var (
	labelsMu sync.RWMutex
	labels   = Labels{"zh-CN": {}, "en": {}}
)

// Register adds a document's labels. Documents call it from an init function; a key
// registered twice with different wording is a programming error and panics at start-up.
func Register(l Labels) {
	labelsMu.Lock()
	defer labelsMu.Unlock()
	for lang, m := range l {
		if labels[lang] == nil {
			labels[lang] = map[string]string{}
		}
		for k, v := range m {
			if old, ok := labels[lang][k]; ok && old != v {
				panic(fmt.Sprintf("doc: label %s/%s registered twice with different wording", lang, k))
			}
			labels[lang][k] = v
		}
	}
}

// Label is key's wording in lang; the key itself when none is registered (the label tests
// make sure that never reaches a document).
func Label(lang, key string) string {
	labelsMu.RLock()
	defer labelsMu.RUnlock()
	if s, ok := labels[lang][key]; ok {
		return s
	}
	return key
}

// Registered returns a copy of every registered label, for the tests that check both
// languages are complete.
func Registered() Labels {
	labelsMu.RLock()
	defer labelsMu.RUnlock()
	out := Labels{}
	for lang, m := range labels {
		out[lang] = map[string]string{}
		for k, v := range m {
			out[lang][k] = v
		}
	}
	return out
}

var labelUse = regexp.MustCompile(`\.L\("([a-z_.]+)"\)`)

// LabelProblems lists what would print a bare key in a document: a key registered in one
// language but not the other, and a key that the Go sources given use (`.L("key")`) but no
// document registered. Each document package's tests call it with their own files.
func LabelProblems(sources ...[]byte) []string {
	all := Registered()
	var out []string
	for _, pair := range [][2]string{{"zh-CN", "en"}, {"en", "zh-CN"}} {
		for k := range all[pair[0]] {
			if all[pair[1]][k] == "" {
				out = append(out, pair[1]+" lacks "+k)
			}
		}
	}
	for _, src := range sources {
		for _, m := range labelUse.FindAllSubmatch(src, -1) {
			if all["zh-CN"][string(m[1])] == "" {
				out = append(out, "used but not registered: "+string(m[1]))
			}
		}
	}
	sort.Strings(out)
	return out
}
