package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"handover/app/demo"
)

func TestAuditCommands(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	pw := map[string]string{"HANDOVER_PASSPHRASE": "demo-passphrase"}
	if r := runCLI(pw, "demo", "--customers", "20", "--out", dir); r.code != 0 {
		t.Fatal(r)
	}
	cp := filepath.Join(t.TempDir(), "checkpoint.txt")
	r := runCLI(pw, "audit", "checkpoint", "--vault", dir, "--out", cp)
	if r.code != 0 || !strings.Contains(r.stdout, "verifier key: handover.local/audit/") {
		t.Fatalf("checkpoint: %+v", r)
	}
	b, _ := os.ReadFile(cp)
	if lines := strings.Split(string(b), "\n"); len(lines) < 5 || !strings.HasPrefix(lines[4], "— handover.local/audit/") {
		t.Fatalf("checkpoint file:\n%s", b)
	}
	if r := runCLI(pw, "audit", "verify", "--vault", dir); r.code != 1 || !strings.Contains(r.stderr, "may not audit") {
		t.Fatalf("transferor verifying: %+v", r)
	}
	r = runCLI(pw, "audit", "verify", "--vault", dir, "--operator", demo.AuditorName, "--checkpoint", cp)
	if r.code != 0 || !strings.Contains(r.stdout, "ok:") {
		t.Fatalf("verify: %+v", r)
	}
	r = runCLI(pw, "audit", "list", "--vault", dir, "--operator", demo.AuditorName, "--json", "--action", "audit.checkpoint")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	var ev map[string]any
	if r.code != 0 || len(lines) != 1 || json.Unmarshal([]byte(lines[0]), &ev) != nil || ev["action"] != "audit.checkpoint" {
		t.Fatalf("list: %+v", r)
	}
	pdf := filepath.Join(t.TempDir(), "audit.pdf")
	r = runCLI(pw, "audit", "report", "--vault", dir, "--operator", demo.AuditorName, "--out", pdf)
	if r.code != 0 || !strings.Contains(r.stdout, "ok:") {
		t.Fatalf("report: %+v", r)
	}
	if os.Getenv("HANDOVER_KEEP_PDF") != "" {
		b, _ := os.ReadFile(pdf)
		os.WriteFile(os.Getenv("HANDOVER_KEEP_PDF"), b, 0o644)
	}
	jsonl := filepath.Join(t.TempDir(), "audit.jsonl")
	if r := runCLI(pw, "audit", "export", "--vault", dir, "--operator", demo.AuditorName, "--out", jsonl); r.code != 0 {
		t.Fatalf("export: %+v", r)
	}
	if b, _ := os.ReadFile(jsonl); strings.Count(string(b), "\n") < 5 || !strings.Contains(string(b), `"action":"vault.create"`) {
		t.Fatalf("export:\n%s", b)
	}
	if r := runCLI(pw, "audit", "list", "--vault", dir, "--operator", demo.AuditorName, "--since", "yesterday"); r.code != 2 {
		t.Fatalf("bad --since: %+v", r)
	}
}
