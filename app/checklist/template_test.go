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
	for name, breakIt := range map[string]func(it *Item){
		"unknown kind":                 func(it *Item) { it.Kind = "invented" },
		"automatic without a fact":     func(it *Item) { it.Kind = Automatic },
		"manual with a fact":           func(it *Item) { it.FollowsFrom = FactBackup },
		"unknown fact":                 func(it *Item) { it.Kind, it.FollowsFrom = Automatic, "weather" },
		"unknown gate":                 func(it *Item) { it.Gate = "lunch" },
		"basis on an evidence item":    func(it *Item) { it.RequiresBasisWhenAbroad = true },
		"no law":                       func(it *Item) { it.Law = "" },
		"the ID of another item twice": func(it *Item) { it.ID = "nda_signed" },
	} {
		tpl, _ = Load(Equity)
		breakIt(&tpl.Phases[0].Items[0]) // agreement_signed, an evidence item
		if err := tpl.Check(assets.Languages); err == nil {
			t.Errorf("%s passed", name)
		}
	}
	// A new manual item needs no code: an ID the program has never seen is fine.
	tpl, _ = Load(Equity)
	tpl.Phases[0].Items[0].ID, tpl.Phases[0].Items[0].Kind = "board_resolution", Manual
	if err := tpl.Check(assets.Languages); err != nil {
		t.Errorf("a new manual item was refused: %v", err)
	}
}
