package vault

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"handover/app/checklist"
)

// The standards report renders in both languages and its CSV lists every control of the
// library with its evidence status.
func TestStandardsReport(t *testing.T) {
	admin, _ := newVault(t)
	if _, err := admin.InitDeal(testDeal(checklist.Mainland)); err != nil {
		t.Fatal(err)
	}
	controls, note, err := LoadControls()
	if err != nil || len(controls) < 15 || note["zh-CN"] == "" {
		t.Fatalf("controls: %d %v", len(controls), err)
	}
	for _, c := range controls {
		if c.Name["zh-CN"] == "" || c.Name["en"] == "" || len(c.ISO27001) == 0 || len(c.PIPL) == 0 || len(c.Evidence) == 0 {
			t.Errorf("control %s is incomplete", c.ID)
		}
	}
	cs, err := admin.Standards(ctx)
	if err != nil {
		t.Fatal(err)
	}
	status := map[string]string{}
	for _, c := range cs {
		status[c.ID] = c.Status
	}
	// Built into the product: met. The NDA register: missing until every operator has one.
	// Destruction on an equity transfer: not applicable.
	if status["C01"] != ControlMet || status["C04"] != ControlMissing || status["C10"] != ControlNotApplicable || status["C03"] != ControlPartly {
		t.Fatalf("statuses %v", status)
	}
	for _, lang := range []string{"zh-CN", "en"} {
		pdf, table, err := admin.StandardsReport(ctx, lang)
		if err != nil || !strings.HasPrefix(string(pdf), "%PDF") {
			t.Fatalf("%s: %v", lang, err)
		}
		rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(table, []byte("\ufeff")))).ReadAll()
		if err != nil || len(rows) != len(controls)+1 {
			t.Fatalf("CSV: %d rows for %d controls (%v)", len(rows), len(controls), err)
		}
		for i, c := range controls {
			if rows[i+1][0] != c.ID || rows[i+1][8] != status[c.ID] || rows[i+1][7] == "" {
				t.Errorf("CSV row %v", rows[i+1])
			}
		}
	}
}
