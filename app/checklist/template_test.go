package checklist

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"handover/app/assess"
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

// The deal types differ where the law does: an equity transfer keeps the same handler, so it
// needs no customer notice and no destruction, and an impact assessment only when the data
// goes abroad; an assignment or a merger needs all three.
func TestDealTypesDiffer(t *testing.T) {
	ids := func(d *Deal) []string {
		tpl, err := Load(d.Type)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, st := range Evaluate(tpl, d, nil, Facts{}) {
			out = append(out, st.ID)
		}
		return out
	}
	equity := &Deal{Type: Equity, RecipientLocation: Mainland}
	for _, id := range []string{"pia_done", "customers_notified", "transferor_copy_destroyed", "notice_before_export"} {
		if slices.Contains(ids(equity), id) {
			t.Errorf("equity has %s", id)
		}
	}
	if !slices.Contains(ids(&Deal{Type: Equity, RecipientLocation: Abroad}), "pia_done") {
		t.Error("equity abroad has no impact assessment (PIPL Art. 55(4))")
	}
	for _, d := range []*Deal{{Type: LoanBook, RecipientLocation: Mainland}, {Type: Merger, Subtype: Absorption, RecipientLocation: Mainland}} {
		for _, id := range []string{"pia_done", "customers_notified", "transferor_copy_destroyed"} {
			if !slices.Contains(ids(d), id) {
				t.Errorf("%s lacks %s", d.Type, id)
			}
		}
	}
	if _, err := Load("lease"); err == nil {
		t.Error("an unknown deal type loaded")
	}
}

var update = flag.Bool("update", false, "rewrite the golden files")

// dealCases are every deal type and sub-type, at home and abroad.
func dealCases() []*Deal {
	var out []*Deal
	for _, dt := range DealTypes {
		subs := Subtypes[dt]
		if len(subs) == 0 {
			subs = []string{""}
		}
		for _, sub := range subs {
			for _, loc := range []string{Mainland, Abroad} {
				out = append(out, &Deal{Type: dt, Subtype: sub, RecipientLocation: loc})
			}
		}
	}
	return out
}

// TestWalkEveryDeal walks the checklist of every deal type and sub-type, at home and abroad:
// the law each item cites and the step it gates are in testdata/checklists.golden (rewrite
// with -update and read the diff as a lawyer would); and the rules that must hold whatever
// the wording: a loan book's export waits for the notice or a recorded basis, a merger
// never cites the assignment article, an equity transfer has no destruction step and says
// why, every deal waits for a backup, the registers and an incident plan before export.
func TestWalkEveryDeal(t *testing.T) {
	var golden strings.Builder
	for _, d := range dealCases() {
		tpl, err := Load(d.Type)
		if err != nil {
			t.Fatal(err)
		}
		name := d.Type + "/" + d.Subtype + "/" + d.RecipientLocation
		fmt.Fprintf(&golden, "== %s\n", name)
		statuses := Evaluate(tpl, d, nil, Facts{})
		for _, st := range statuses {
			fmt.Fprintf(&golden, "%-34s %-9s %-8s %s\n", st.ID, st.Kind, st.Gate, st.Law)
			if st.Law == "" || st.Source == "" {
				t.Errorf("%s: %s cites no law", name, st.ID)
			}
			if st.Counsel && !strings.Contains(st.Why["en"], "counsel") {
				t.Errorf("%s: %s is for counsel but does not say so", name, st.ID)
			}
		}
		export := Blocking(statuses, StepExport)
		for _, id := range []string{"nda_signed", "training_done", "incident_plan", "backup_verified", "data_validated"} {
			if !slices.Contains(export, id) {
				t.Errorf("%s: export does not wait for %s", name, id)
			}
		}
		if abroad := slices.Contains(export, "cross_border"); abroad != (d.RecipientLocation != Mainland) {
			t.Errorf("%s: cross_border gates export: %v", name, abroad)
		}
		raw, _ := json.Marshal(tpl)
		switch d.Type {
		case LoanBook:
			// Everything done but the notices: export waits for them, or a recorded basis.
			f := Facts{Imported: true, BackupVerified: time.Unix(1, 0), Now: time.Unix(2, 0), Registered: true, Workbooks: map[string]WorkbookFact{}}
			for _, id := range assess.IDs {
				f.Workbooks[id] = WorkbookFact{Answered: true, SignedOff: true}
			}
			recs := doneRecords(statuses)
			if got := Blocking(Evaluate(tpl, d, recs, f), StepExport); !slices.Equal(got, []string{"notice_before_export"}) {
				t.Errorf("%s: export with everything but the notice waits for %v", name, got)
			}
			f.NoticeBasis = true
			if got := Blocking(Evaluate(tpl, d, recs, f), StepExport); len(got) != 0 {
				t.Errorf("%s: export with a recorded basis waits for %v", name, got)
			}
			// An open finding of high severity blocks it, named.
			f.OpenHighFindings = []FindingRef{{ID: "F-1", Title: "x"}}
			if got := BlockingAll(Evaluate(tpl, d, recs, f), f, StepExport); !slices.Equal(got, []string{"finding:F-1"}) {
				t.Errorf("%s: export with an open high finding waits for %v", name, got)
			}
			for _, id := range []string{"guarantors_notified", "customers_notified", "retention_set", "package_received", "confirmation_signed"} {
				if !slices.Contains(Blocking(statuses, StepDestroy), id) {
					t.Errorf("%s: destruction does not wait for %s", name, id)
				}
			}
		case Merger:
			if strings.Contains(string(raw), "546") || strings.Contains(string(raw), "五百四十六") {
				t.Errorf("%s: a merger cites the assignment article (Civil Code Art. 546)", name)
			}
			liquidation := d.Subtype == Dissolution || d.Subtype == Bankruptcy
			ids := statusIDs(statuses)
			if slices.Contains(ids, "records_to_designated_institution") != liquidation || slices.Contains(ids, "liquidator_appointed") != liquidation ||
				slices.Contains(ids, "agreement_signed") == liquidation {
				t.Errorf("%s: liquidation items %v", name, ids)
			}
			if slices.Contains(ids, "division_scope") != (d.Subtype == Division) {
				t.Errorf("%s: division scope %v", name, ids)
			}
			if !slices.Contains(export, "successor_undertaking") {
				t.Errorf("%s: export does not wait for the successor's undertaking (PIPL Art. 22)", name)
			}
		case Equity:
			if len(Blocking(statuses, StepDestroy)) != 1 || tpl.NotRequired[StepDestroy]["zh-CN"] == "" {
				t.Errorf("%s: destruction gate %v, reason %q", name, Blocking(statuses, StepDestroy), tpl.NotRequired[StepDestroy]["zh-CN"])
			}
			for _, id := range statusIDs(statuses) {
				if id == "transferor_copy_destroyed" || id == "customers_notified" {
					t.Errorf("%s: equity has %s", name, id)
				}
			}
			if strings.Contains(string(raw), "Art. 22/23") {
				t.Errorf("%s: equity cites PIPL Art. 22/23", name)
			}
		}
	}
	path := filepath.Join("testdata", "checklists.golden")
	if *update {
		if err := os.WriteFile(path, []byte(golden.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(want) != golden.String() {
		t.Errorf("the checklists changed; run go test ./app/checklist -run TestWalkEveryDeal -update and read the diff:\n%s", golden.String())
	}
}

func statusIDs(sts []Status) []string {
	var out []string
	for _, st := range sts {
		out = append(out, st.ID)
	}
	return out
}

// doneRecords attests every manual and evidence item and signs off every dual item.
func doneRecords(sts []Status) map[string]*Record {
	recs := map[string]*Record{}
	for _, st := range sts {
		r := &Record{ID: st.ID, Completed: true, ConfirmedBy: "counsel", Evidence: []EvidenceRef{{ID: "e"}}, Basis: BasisSecurityAssessment,
			CrossBorder: &CrossBorder{Basis: BasisSecurityAssessment, Required: BasisSecurityAssessment, Destination: "SG", Filing: "f", Consent: "c"}}
		if st.Kind == Dual {
			r.SignOffs = []SignOff{{Side: SideTransferor}, {Side: SideTransferee}}
		}
		recs[st.ID] = r
	}
	return recs
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

// The 2024 thresholds, at their edges.
func TestCrossBorderRequired(t *testing.T) {
	th, err := LoadThresholds()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		individuals, sensitive int64
		ciio                   bool
		want                   string
	}{
		{99_999, 0, false, BasisExempt},
		{100_000, 0, false, BasisStandardContract},
		{999_999, 0, false, BasisStandardContract},
		{1_000_000, 0, false, BasisSecurityAssessment},
		{10, 1, false, BasisStandardContract},
		{9_999, 9_999, false, BasisStandardContract},
		{10_000, 10_000, false, BasisSecurityAssessment},
		{5, 0, true, BasisSecurityAssessment},
	} {
		if got := th.Required(c.individuals, c.sensitive, c.ciio); got != c.want {
			t.Errorf("%d individuals, %d sensitive, CIIO %v: %s, want %s", c.individuals, c.sensitive, c.ciio, got, c.want)
		}
	}
	if !Enough(BasisCertification, BasisStandardContract) || Enough(BasisStandardContract, BasisSecurityAssessment) || !Enough(BasisSecurityAssessment, BasisExempt) {
		t.Error("the order of the bases")
	}
}

// The deal types, their order, sub-types and party rules are the templates' data: adding a
// deal type is adding its template.
func TestDealTypesAreData(t *testing.T) {
	if !slices.Equal(DealTypes, []string{Equity, LoanBook, Merger}) {
		t.Fatalf("deal types %v", DealTypes)
	}
	for _, dt := range assets.ChecklistTypes() {
		if !slices.Contains(DealTypes, dt) {
			t.Errorf("template %s is not a deal type", dt)
		}
		tpl, _ := Load(dt)
		var subs []string
		for _, s := range tpl.Subtypes {
			subs = append(subs, s.ID)
		}
		if !slices.Equal(subs, Subtypes[dt]) {
			t.Errorf("%s: sub-types %v, template %v", dt, Subtypes[dt], subs)
		}
	}
	eq, _ := Load(Equity)
	lb, _ := Load(LoanBook)
	if !eq.Parties.Target || !eq.Parties.Persons || !eq.Parties.SameParty || lb.Parties != (PartyRules{}) {
		t.Errorf("party rules: equity %+v, loan book %+v", eq.Parties, lb.Parties)
	}
	for _, sub := range []string{Dissolution, Bankruptcy} {
		if d := (&Deal{Type: Merger, Subtype: sub}); !d.ActsThroughLiquidator() {
			t.Errorf("%s: no liquidator", sub)
		}
	}
	if d := (&Deal{Type: Merger, Subtype: Absorption}); d.ActsThroughLiquidator() {
		t.Error("an absorption acts through a liquidator")
	}
}
