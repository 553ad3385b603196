package vault

import (
	"errors"
	"strings"
	"testing"

	"handover/app/checklist"
)

// A law update is recorded with the rule sets it touches; the deal records the versions it
// was made under, and the report shows them against the built-in ones.
func TestLawUpdates(t *testing.T) {
	admin, _ := newVault(t)
	d, err := admin.InitDeal(testDeal(checklist.Mainland))
	if err != nil {
		t.Fatal(err)
	}
	if d.Rules["checklist"] != "equity v3" || d.Rules["thresholds"] != "2024-03-22" || d.Rules["retention"] == "" {
		t.Fatalf("rules recorded with the deal: %v", d.Rules)
	}
	if _, err := admin.AddLawUpdate(ctx, LawUpdate{Law: "促进和规范数据跨境流动规定", Article: "第八条", Summary: "x", Impact: []string{"weather"},
		Effective: admin.today()}); !errors.Is(err, ErrLawUpdate) {
		t.Fatalf("an unknown rule set: %v", err)
	}
	u, err := admin.AddLawUpdate(ctx, LawUpdate{Law: "促进和规范数据跨境流动规定", Article: "第七条、第八条", Summary: "出境门槛调整",
		Impact: []string{"thresholds"}, Effective: admin.today(), Actions: "更新 assets/crossborder.json", LedTo: "thresholds 2024-03-22"})
	if err != nil || u.ID == "" {
		t.Fatalf("law update: %+v %v", u, err)
	}
	vs, err := admin.RuleVersions(ctx)
	if err != nil || len(vs) != 4 || vs[0].Used != vs[0].Current {
		t.Fatalf("versions %+v %v", vs, err)
	}
	for _, lang := range []string{"zh-CN", "en"} {
		if pdf, err := admin.LawUpdateReportPDF(ctx, lang); err != nil || !strings.HasPrefix(string(pdf), "%PDF") {
			t.Fatal(err)
		}
	}
}
