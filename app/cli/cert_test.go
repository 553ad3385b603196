package cli

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCertificateStatement: issue, sign apart by two people, verify; ssh-keygen checks the
// same files; one changed byte fails, naming the signatures it breaks.
func TestCertificateStatement(t *testing.T) {
	dir := t.TempDir()
	v := filepath.Join(dir, "v")
	pw := map[string]string{"HANDOVER_PASSPHRASE": "vault-passphrase"}
	if r := runCLI(pw, "vault", "init", "--vault", v, "--operator", "经办", "--role", "transferor"); r.code != 0 {
		t.Fatal(r)
	}
	csv := filepath.Join(dir, "c.csv")
	os.WriteFile(csv, []byte("姓名,身份证号\n张三,11010519491231002X\n"), 0o600)
	if r := runCLI(pw, "import", "--vault", v, csv); r.code != 0 {
		t.Fatal(r)
	}
	ids := map[string]string{}
	for _, who := range []string{"甲", "乙"} {
		f := filepath.Join(dir, who+".identity")
		if r := runCLI(map[string]string{"HANDOVER_PASSPHRASE": "identity-pass-" + who}, "identity", "new", "--out", f,
			"--name", who+"某", "--org", who+"公司", "--role", "负责人"); r.code != 0 {
			t.Fatal(r)
		}
		ids[who] = f
	}
	st := filepath.Join(dir, "statement.json")
	r := runCLI(pw, "cert", "new", "--vault", v, "--kind", "confirmation", "--out", st,
		"--signer", ids["甲"]+".card.json", "--signer", ids["乙"]+".card.json")
	if r.code != 0 || !strings.Contains(r.stdout, "HC-") {
		t.Fatalf("cert new: %+v", r)
	}
	b, _ := os.ReadFile(st)
	if !bytes.Contains(b, []byte(`"digest"`)) || !bytes.Contains(b, []byte(`"c.csv"`)) || bytes.Contains(b, []byte("张三")) {
		t.Fatalf("statement: %s", b)
	}
	sign := func(who string) result {
		return runCLI(map[string]string{"HANDOVER_IDENTITY_PASSPHRASE": "identity-pass-" + who}, "cert", "sign", "--identity", ids[who], st)
	}
	if r := sign("甲"); r.code != 0 {
		t.Fatalf("sign: %+v", r)
	}
	if r := runCLI(nil, "cert", "verify", st); r.code != 1 || !strings.Contains(r.stdout, "NOT SIGNED") {
		t.Fatalf("one of two signatures: %+v", r)
	}
	if r := sign("乙"); r.code != 0 {
		t.Fatalf("sign: %+v", r)
	}
	if r := runCLI(nil, "cert", "verify", st, "--trust", ids["甲"]+".card.json", "--trust", ids["乙"]+".card.json"); r.code != 0 || !strings.Contains(r.stdout, "complete") {
		t.Fatalf("verify: %+v", r)
	}
	if r := runCLI(nil, "cert", "verify", st, "--trust", ids["甲"]+".card.json"); r.code != 1 || !strings.Contains(r.stdout, "NOT TRUSTED") {
		t.Fatalf("untrusted signer: %+v", r)
	}
	// ssh-keygen verifies the same files with allowed_signers from the cards.
	if _, err := exec.LookPath("ssh-keygen"); err == nil {
		allowed := runCLI(nil, "identity", "allowed-signers", ids["甲"]+".card.json", ids["乙"]+".card.json").stdout
		os.WriteFile(filepath.Join(dir, "allowed"), []byte(allowed), 0o600)
		sigs, _ := filepath.Glob(st + ".*.sig")
		if len(sigs) != 2 {
			t.Fatalf("signatures %v", sigs)
		}
		for _, s := range sigs {
			principal := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(s), "statement.json."), ".sig")
			cmd := exec.Command("ssh-keygen", "-Y", "verify", "-f", filepath.Join(dir, "allowed"), "-I", principal, "-n", "handover-certificate@v1", "-s", s)
			cmd.Stdin = bytes.NewReader(b)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("ssh-keygen %s: %v %s", principal, err, out)
			}
		}
	}
	// The PDF: rendered twice byte-identical, verified, and any change to it fails.
	pdf := filepath.Join(dir, "cert.pdf")
	if r := runCLI(nil, "cert", "pdf", st, "--out", pdf); r.code != 0 {
		t.Fatalf("cert pdf: %+v", r)
	}
	first, _ := os.ReadFile(pdf)
	if r := runCLI(nil, "cert", "pdf", st, "--out", pdf+"2"); r.code != 0 {
		t.Fatal(r)
	}
	if second, _ := os.ReadFile(pdf + "2"); !bytes.Equal(first, second) {
		t.Fatal("the same statement and signatures gave different PDFs")
	}
	if os.Getenv("HANDOVER_KEEP_PDF") != "" {
		os.WriteFile(os.Getenv("HANDOVER_KEEP_PDF"), first, 0o644)
	}
	if r := runCLI(nil, "cert", "verify", pdf, "--trust", ids["甲"]+".card.json", "--trust", ids["乙"]+".card.json"); r.code != 0 || !strings.Contains(r.stdout, "signed at") {
		t.Fatalf("verify pdf: %+v", r)
	}
	i := bytes.Index(first, []byte("/Producer"))
	changed := append([]byte(nil), first...)
	changed[i+12] ^= 1
	os.WriteFile(pdf, changed, 0o644)
	if r := runCLI(nil, "cert", "verify", pdf); r.code != 1 || !strings.Contains(r.stderr, "differs from the rendering") || strings.Contains(r.stdout, "complete") {
		t.Fatalf("changed pdf: %+v", r)
	}
	en := filepath.Join(dir, "cert-en.pdf")
	if r := runCLI(nil, "cert", "pdf", st, "--out", en, "--lang", "en"); r.code != 0 {
		t.Fatal(r)
	}
	if r := runCLI(nil, "cert", "verify", en); r.code != 0 {
		t.Fatalf("verify the English pdf: %+v", r)
	}
	if _, err := exec.LookPath("pdftotext"); err == nil {
		out, err := exec.Command("pdftotext", filepath.Join(dir, "cert.pdf2"), "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"客户资料移交确认书", "甲某", "乙公司", "三、账目数据", "第 1 页 共", "c.csv"} {
			if !strings.Contains(string(out), want) {
				t.Errorf("pdftotext lacks %q", want)
			}
		}
		if out, err := exec.Command("qpdf", "--check", filepath.Join(dir, "cert.pdf2")).CombinedOutput(); err != nil {
			t.Fatalf("qpdf --check: %v\n%s", err, out)
		}
		fonts, _ := exec.Command("pdffonts", filepath.Join(dir, "cert.pdf2")).Output()
		if !strings.Contains(string(fonts), "yes") {
			t.Fatalf("no embedded font:\n%s", fonts)
		}
	}

	// One byte changed: both signatures fail, and verify says so.
	os.WriteFile(st, bytes.Replace(b, []byte(`"rows": 1`), []byte(`"rows": 2`), 1), 0o644)
	if r := runCLI(nil, "cert", "verify", st); r.code != 1 || strings.Count(r.stdout, "INVALID SIGNATURE") != 2 {
		t.Fatalf("changed statement: %+v", r)
	}
	// The vault's list of trusted cards.
	if r := runCLI(pw, "trust", "add", "--vault", v, ids["甲"]+".card.json"); r.code != 2 {
		t.Fatalf("trust without --how: %+v", r)
	}
	if r := runCLI(pw, "trust", "add", "--vault", v, "--how", "当面核对，朗读指纹", ids["甲"]+".card.json"); r.code != 0 {
		t.Fatalf("trust add: %+v", r)
	}
	if r := runCLI(pw, "trust", "list", "--vault", v, "--json"); r.code != 0 || !strings.Contains(r.stdout, "当面核对") || !strings.Contains(r.stdout, `"compared_by"`) {
		t.Fatalf("trust list: %+v", r)
	}

	// Without --signer, the vault's trusted cards sign; a witness is optional.
	st2 := filepath.Join(dir, "receipt.json")
	r = runCLI(pw, "cert", "new", "--vault", v, "--kind", "receipt", "--out", st2, "--witness", ids["乙"]+".card.json")
	if r.code != 0 || !strings.Contains(r.stdout, "to be signed by 甲某") || !strings.Contains(r.stdout, "witness (optional): 乙某") {
		t.Fatalf("cert new from trusted cards: %+v", r)
	}
	if r := sign("甲"); r.code != 0 {
		t.Fatal(r)
	}
	if r := runCLI(map[string]string{"HANDOVER_IDENTITY_PASSPHRASE": "identity-pass-甲"}, "cert", "sign", "--identity", ids["甲"], st2); r.code != 0 {
		t.Fatal(r)
	}
	if r := runCLI(nil, "cert", "verify", st2); r.code != 0 || !strings.Contains(r.stdout, "NOT SIGNED") {
		t.Fatalf("a receipt without its optional witness is complete: %+v", r)
	}

	// A stranger cannot sign.
	stranger := filepath.Join(dir, "丙.identity")
	runCLI(map[string]string{"HANDOVER_PASSPHRASE": "identity-pass-丙"}, "identity", "new", "--out", stranger, "--name", "丙", "--org", "丙", "--role", "x")
	if r := runCLI(map[string]string{"HANDOVER_IDENTITY_PASSPHRASE": "identity-pass-丙"}, "cert", "sign", "--identity", stranger, st); r.code != 1 || !strings.Contains(r.stderr, "not one of") {
		t.Fatalf("stranger: %+v", r)
	}
}
