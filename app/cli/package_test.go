package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestExportAndVerifyCommands(t *testing.T) {
	dir := t.TempDir()
	v := filepath.Join(dir, "demo")
	pw := map[string]string{"HANDOVER_PASSPHRASE": "demo-passphrase"}
	if r := runCLI(pw, "demo", "--customers", "30", "--documents", "--deal", "equity", "--out", v); r.code != 0 {
		t.Fatal(r)
	}
	ids := map[string]string{}
	for _, who := range []string{"sender", "recipient"} {
		f := filepath.Join(dir, who+".identity")
		if r := runCLI(map[string]string{"HANDOVER_PASSPHRASE": "identity-" + who}, "identity", "new", "--out", f,
			"--name", who, "--org", who+" Ltd", "--role", "officer"); r.code != 0 {
			t.Fatal(r)
		}
		ids[who] = f
	}
	stick := filepath.Join(dir, "stick")
	os.Mkdir(stick, 0o755)
	env := map[string]string{"HANDOVER_PASSPHRASE": "demo-passphrase", "HANDOVER_IDENTITY_PASSPHRASE": "identity-sender"}
	r := runCLI(env, "export", "--vault", v, "--identity", ids["sender"], "--to", ids["recipient"]+".card.json",
		"--out", stick, "--split-size", "65536", "--json")
	var res PackageResult
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &res) != nil || len(res.Parts) < 2 || res.Sequence != 1 {
		t.Fatalf("export: %+v", r)
	}
	// The fixed cost and the rest, apart: keys scripts and make bench read.
	if res.Timing == nil || res.Timing.UnlockSeconds <= 0 || res.Timing.AfterUnlockSeconds <= 0 ||
		!strings.Contains(r.stdout, `"unlock_seconds"`) || !strings.Contains(r.stdout, `"after_unlock_seconds"`) {
		t.Fatalf("export's timing: %s", r.stdout)
	}
	rv := map[string]string{"HANDOVER_IDENTITY_PASSPHRASE": "identity-recipient"}
	r = runCLI(rv, "verify", "--identity", ids["recipient"], "--trust", ids["sender"]+".card.json", res.Dir)
	if r.code != 0 || !strings.Contains(r.stdout, "nothing was changed") {
		t.Fatalf("verify: %+v", r)
	}
	r = runCLI(rv, "verify", "--identity", ids["recipient"], "--trust", ids["recipient"]+".card.json", res.Dir)
	if r.code != 1 || !strings.Contains(r.stderr, "not among the trusted") {
		t.Fatalf("untrusted: %+v", r)
	}
	// The transferee receives it into a new vault, and gets a receipt to sign.
	rvault := filepath.Join(dir, "received")
	recv := map[string]string{"HANDOVER_PASSPHRASE": "receiver-passphrase", "HANDOVER_IDENTITY_PASSPHRASE": "identity-recipient"}
	if r := runCLI(recv, "vault", "init", "--vault", rvault, "--operator", "受让经办", "--role", "transferee"); r.code != 0 {
		t.Fatal(r)
	}
	receipts := filepath.Join(dir, "receipts")
	os.Mkdir(receipts, 0o755)
	r = runCLI(recv, "receive", "--vault", rvault, "--identity", ids["recipient"], "--trust", ids["sender"]+".card.json",
		"--receipt-dir", receipts, res.Dir, "--json")
	var got ReceiveResult
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &got) != nil || !got.Equal || got.Digest != res.Digest || got.Expected != res.Digest ||
		got.Figures.Customers != 30 || got.Sequence != 1 || got.Timing == nil || got.Timing.UnlockSeconds <= 0 {
		t.Fatalf("receive: %+v", r)
	}
	for _, f := range []string{got.Receipt, got.PDF} {
		if fi, err := os.Stat(f); err != nil || fi.Size() == 0 {
			t.Fatalf("receipt %s: %v", f, err)
		}
	}
	if b, _ := os.ReadFile(got.Receipt); !strings.Contains(string(b), `"kind": "receipt"`) || !strings.Contains(string(b), res.Package) {
		t.Fatalf("receipt statement: %s", b)
	}
	// The package carried the sender's deal: offered to the new vault, recorded on request.
	if got.DealState != "offered" || got.Deal == nil || got.Deal.Type != "equity" || got.Deal.Target == nil {
		t.Fatalf("the package's deal: %q %+v", got.DealState, got.Deal)
	}
	r = runCLI(recv, "deal", "accept", "--vault", rvault, "--json")
	var accepted struct {
		Type       string `json:"type"`
		Transferee struct {
			Name string `json:"name"`
		} `json:"transferee"`
	}
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &accepted) != nil || accepted.Type != "equity" || accepted.Transferee.Name != got.Deal.Transferee.Name {
		t.Fatalf("deal accept: %+v", r)
	}
	if r := runCLI(recv, "deal", "accept", "--vault", rvault); r.code != 1 || !strings.Contains(r.stderr, "no received package carries a deal") {
		t.Fatalf("deal accept twice: %+v", r)
	}
	if r := runCLI(recv, "checklist", "show", "--vault", rvault, "--json"); r.code != 0 || !strings.Contains(r.stdout, got.Deal.Transferor.Name) {
		t.Fatalf("the receiver's checklist after accepting the deal: %+v", r)
	}
	r = runCLI(recv, "receive", "--vault", rvault, "--identity", ids["recipient"], "--trust", ids["sender"]+".card.json", res.Dir)
	if r.code != 1 || !strings.Contains(r.stderr, "replay") {
		t.Fatalf("replay: %+v", r)
	}
	if r := runCLI(recv, "figures", "--vault", rvault, "--json"); r.code != 0 || !strings.Contains(r.stdout, res.Digest) {
		t.Fatalf("figures after receive: %+v", r)
	}
	r = runCLI(env, "export", "--vault", v, "--identity", ids["sender"], "--to", ids["recipient"]+".card.json", "--out", stick, "--json")
	if r.code != 0 || !strings.Contains(r.stdout, `"sequence": 2`) {
		t.Fatalf("second export: %+v", r)
	}
	// An open quarantined row closes the gate.
	csv := filepath.Join(dir, "bad.csv")
	os.WriteFile(csv, []byte("姓名,身份证号\n坏行,12345\n"), 0o600)
	if r := runCLI(pw, "import", "--vault", v, csv); r.code != 0 {
		t.Fatal(r)
	}
	r = runCLI(env, "export", "--vault", v, "--identity", ids["sender"], "--to", ids["recipient"]+".card.json", "--out", stick)
	if r.code != 1 || !strings.Contains(r.stderr, "data_validated (Data imported and validated, quarantine resolved)") {
		t.Fatalf("gate: %+v", r)
	}
}
