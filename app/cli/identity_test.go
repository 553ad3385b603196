package cli

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"handover/crypto/identity"
)

func TestIdentityCommands(t *testing.T) {
	dir := t.TempDir()
	idFile := filepath.Join(dir, "wangmin.identity")
	pw := map[string]string{"HANDOVER_PASSPHRASE": "identity-passphrase"}
	r := runCLI(pw, "identity", "new", "--out", idFile, "--name", "王敏", "--org", "甲小额贷款有限公司", "--role", "出让方负责人")
	if r.code != 0 || !strings.Contains(r.stdout, "fingerprint") {
		t.Fatalf("new: %+v", r)
	}
	if r := runCLI(pw, "identity", "new", "--out", idFile, "--name", "x", "--org", "y", "--role", "z"); r.code != 1 || !strings.Contains(r.stderr, "never overwritten") {
		t.Fatalf("overwrite: %+v", r)
	}
	if r := runCLI(map[string]string{"HANDOVER_PASSPHRASE": "short"}, "identity", "new", "--out", idFile+"2", "--name", "x", "--org", "y", "--role", "z"); r.code != 2 {
		t.Fatalf("short passphrase: %+v", r)
	}
	card := idFile + ".card.json"
	r1 := runCLI(nil, "identity", "card", card)
	r2 := runCLI(pw, "identity", "card", idFile)
	if r1.code != 0 || r1.stdout != r2.stdout || !strings.Contains(r1.stdout, "王敏") {
		t.Fatalf("card: %+v / %+v", r1, r2)
	}
	if r := runCLI(map[string]string{"HANDOVER_PASSPHRASE": "wrong-passphrase"}, "identity", "card", idFile); r.code != 1 || !strings.Contains(r.stderr, "wrong passphrase") {
		t.Fatalf("wrong passphrase: %+v", r)
	}
	r = runCLI(pw, "identity", "export-age", idFile)
	if r.code != 0 || !strings.Contains(r.stdout, "AGE-SECRET-KEY-1") {
		t.Fatalf("export-age: %+v", r)
	}
	r = runCLI(nil, "identity", "allowed-signers", card)
	if r.code != 0 || !strings.Contains(r.stdout, "namespaces=\"handover-certificate@v1,handover-package@v1\" ssh-ed25519 ") {
		t.Fatalf("allowed-signers: %+v", r)
	}
	// The line works with ssh-keygen for a signature made with the identity.
	if _, err := exec.LookPath("ssh-keygen"); err == nil {
		b, _ := os.ReadFile(idFile)
		id, err := identity.Open(b, "identity-passphrase")
		if err != nil {
			t.Fatal(err)
		}
		sig, _ := id.Sign("handover-package@v1", []byte("manifest"))
		os.WriteFile(filepath.Join(dir, "allowed"), []byte(r.stdout), 0o600)
		os.WriteFile(filepath.Join(dir, "m.sig"), sig, 0o600)
		cmd := exec.Command("ssh-keygen", "-Y", "verify", "-f", filepath.Join(dir, "allowed"), "-I", id.Card.Principal(),
			"-n", "handover-package@v1", "-s", filepath.Join(dir, "m.sig"))
		cmd.Stdin = bytes.NewReader([]byte("manifest"))
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("ssh-keygen: %v %s", err, out)
		}
	}
	edited, _ := os.ReadFile(card)
	os.WriteFile(card, bytes.Replace(edited, []byte("王敏"), []byte("王明"), 1), 0o644)
	if r := runCLI(nil, "identity", "allowed-signers", card); r.code != 1 || !strings.Contains(r.stderr, "fingerprint") {
		t.Fatalf("edited card: %+v", r)
	}
}
