package report

import (
	"handover/app/checklist"
	"handover/app/doc"
)

// The deal types' names come from their templates, so that a deal type added as data is
// named in every report (the built-in ones are also in app/doc's common labels, with the
// same wording).
func init() {
	l := doc.Labels{"zh-CN": {}, "en": {}}
	for _, dt := range checklist.DealTypes {
		t, err := checklist.Load(dt)
		if err != nil {
			continue
		}
		for lang := range l {
			if t.Name[lang] != "" {
				l[lang]["deal."+dt] = t.Name[lang]
			}
		}
	}
	doc.Register(l)
}
