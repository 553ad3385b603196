package checklist

import (
	"testing"

	"handover/assets"
)

// Every template: every item has zh-CN and English text, a source section, a kind and a known
// ID; no phase is empty; the four phases are there in order.
func TestTemplates(t *testing.T) {
	for _, dt := range DealTypes {
		tpl, err := Load(dt)
		if err != nil {
			t.Fatal(err)
		}
		if err := tpl.Check(assets.Languages); err != nil {
			t.Error(err)
		}
		var phases []string
		for _, p := range tpl.Phases {
			phases = append(phases, p.ID)
		}
		if len(phases) != 4 || phases[0] != "prepare" || phases[3] != "followup" || tpl.DealType != dt {
			t.Errorf("%s: phases %v", dt, phases)
		}
	}
}

// The deal types differ where the law does: an equity transfer changes no controller, so it
// needs no impact assessment for providing data, no customer notice and no destruction.
func TestDealTypesDiffer(t *testing.T) {
	has := func(dt, id string) bool {
		tpl, err := Load(dt)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range tpl.Phases {
			for _, it := range p.Items {
				if it.ID == id {
					return true
				}
			}
		}
		return false
	}
	for _, id := range []string{"pia_done", "customers_notified", "transferor_copy_destroyed"} {
		if has(Equity, id) || !has(LoanBook, id) || !has(Merger, id) {
			t.Errorf("%s: equity %v, loan-book %v, merger %v", id, has(Equity, id), has(LoanBook, id), has(Merger, id))
		}
	}
	if _, err := Load("lease"); err == nil {
		t.Error("an unknown deal type loaded")
	}
}

// A broken template is caught.
func TestCheckCatches(t *testing.T) {
	tpl, _ := Load(Equity)
	tpl.Phases[0].Items[0].Why = Text{"zh-CN": "只有中文"}
	if err := tpl.Check(assets.Languages); err == nil {
		t.Error("a missing English reason passed")
	}
	tpl, _ = Load(Equity)
	tpl.Phases[1].Items = nil
	if err := tpl.Check(assets.Languages); err == nil {
		t.Error("an empty phase passed")
	}
	tpl, _ = Load(Equity)
	tpl.Phases[0].Items[0].ID = "invented"
	if err := tpl.Check(assets.Languages); err == nil {
		t.Error("an unknown item passed")
	}
}
