package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"handover/app/idcard"
)

// TestImportCommands runs the command lines and checks the JSON keys that users'
// scripts rely on.
func TestImportCommands(t *testing.T) {
	dir := t.TempDir()
	v := filepath.Join(dir, "v")
	pw := map[string]string{"HANDOVER_PASSPHRASE": "import-passphrase"}
	if r := runCLI(pw, "vault", "init", "--vault", v, "--operator", "李经办", "--role", "transferor"); r.code != 0 {
		t.Fatalf("init: %+v", r)
	}
	good := "11010519491231002"
	good += string(idcard.CheckDigit(good))
	csv := filepath.Join(dir, "客户.csv")
	os.WriteFile(csv, []byte("姓名,身份证号,手机号码,密码\n张三,"+good+",13812345678,123456\n李四,3.70102E+17,,\n"), 0o600)
	loans := filepath.Join(dir, "loans.csv")
	os.WriteFile(loans, []byte("合同编号,身份证号码,借款金额\nHT-1,"+good+",\"1,000.50\"\n"), 0o600)

	r := runCLI(pw, "import", "--vault", v, "--json", loans, csv) // flags before and files in any order
	if r.code != 0 {
		t.Fatalf("import: %+v", r)
	}
	var res []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil || len(res) != 2 {
		t.Fatalf("import --json: %v: %s", err, r.stdout)
	}
	for _, k := range []string{"file", "rows", "accepted", "quarantined", "warnings"} {
		if _, ok := res[0][k]; !ok {
			t.Errorf("import --json lacks %q", k)
		}
	}
	if res[0]["file"] != "客户.csv" || res[0]["rows"] != 2.0 || res[0]["accepted"] != 1.0 || res[0]["quarantined"] != 1.0 || res[1]["accepted"] != 1.0 {
		t.Fatalf("results %v", res)
	}
	if strings.Contains(r.stdout+r.stderr, good) || strings.Contains(r.stdout+r.stderr, "123456") {
		t.Fatal("a value was printed")
	}

	r = runCLI(pw, "quarantine", "list", "--vault", v, "--json")
	var rows []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil || r.code != 0 {
		t.Fatalf("quarantine list: %v %+v", err, r)
	}
	reasons := map[string]bool{}
	for _, row := range rows {
		for _, k := range []string{"file", "row", "column", "reason"} {
			if _, ok := row[k]; !ok {
				t.Errorf("quarantine list --json lacks %q", k)
			}
		}
		reasons[row["reason"].(string)] = true
	}
	if !reasons["c3_forbidden"] || !reasons["id_excel_scientific"] || len(rows) != 2 {
		t.Fatalf("quarantine %v", rows)
	}

	// Idempotent, and said so.
	r = runCLI(pw, "import", "--vault", v, csv)
	if r.code != 0 || !strings.Contains(r.stdout, "already imported") {
		t.Fatalf("second import: %+v", r)
	}

	// Correct the scientific-notation row from the command line.
	var key string
	for _, row := range rows {
		if row["reason"] == "id_excel_scientific" {
			key = row["key"].(string)
		}
	}
	other := "32010619820304123"
	other += string(idcard.CheckDigit(other))
	// An identity number is never taken as an argument (process list, shell history).
	r = runCLI(pw, "quarantine", "correct", "--vault", v, "--key", key, "--set", "身份证号="+other)
	if r.code != 2 || !strings.Contains(r.stderr, "--values") || strings.Contains(r.stderr, other) {
		t.Fatalf("correct with the value as an argument: %+v", r)
	}
	r = runCLIWithInput(pw, "身份证号="+other+"\n", "quarantine", "correct", "--vault", v, "--key", key, "--values", "-")
	if r.code != 0 || !strings.Contains(r.stdout, "corrected") {
		t.Fatalf("correct: %+v", r)
	}
	r = runCLI(pw, "quarantine", "dismiss", "--vault", v, "--key", key, "--reason", "x")
	if r.code != 1 || !strings.Contains(r.stderr, "already") {
		t.Fatalf("dismiss a corrected row: %+v", r)
	}
	r = runCLI(pw, "vault", "info", "--vault", v, "--json")
	var info Info
	json.Unmarshal([]byte(r.stdout), &info)
	if info.Customers != 2 || info.Loans != 1 {
		t.Fatalf("info %+v", info)
	}

	r = runCLI(pw, "figures", "--vault", v, "--json")
	var fig map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &fig); err != nil || fig["customers"] != 2.0 || fig["principal"] != 100050.0 || len(fig["digest"].(string)) != 64 {
		t.Fatalf("figures: %v %+v", err, r)
	}

	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"import", "--vault", v}, 2, "at least one file"},
		{[]string{"import", "--vault", v, "--table", "people", csv}, 2, "--table"},
		{[]string{"import", "--vault", v, "--encoding", "latin1", csv}, 2, "--encoding"},
		{[]string{"import", "--vault", v, filepath.Join(dir, "missing.csv")}, 1, "missing.csv"},
		{[]string{"quarantine", "dismiss", "--vault", v, "--key", "zz"}, 2, "--key"},
	} {
		r := runCLI(pw, tc.args...)
		if r.code != tc.code || !strings.Contains(r.stderr, tc.msg) {
			t.Errorf("%v: %+v", tc.args, r)
		}
	}
}
