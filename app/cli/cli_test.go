package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"handover/app/demo"
	"handover/app/vault/vaulttest"
)

type result struct {
	code           int
	stdout, stderr string
}

func runCLI(env map[string]string, args ...string) result {
	return runCLIWithInput(env, "", args...)
}

// runCLIWithInput runs a command with stdin as its standard input.
func runCLIWithInput(env map[string]string, stdin string, args ...string) result {
	var out, errb bytes.Buffer
	code := Run(args, Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return env[k] },
		Vault: vaulttest.Options})
	return result{code, out.String(), errb.String()}
}

func TestVaultCommands(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "v")
	pw := map[string]string{"HANDOVER_PASSPHRASE": "first-passphrase"}
	steps := []struct {
		name   string
		env    map[string]string
		args   []string
		code   int
		stdout string // substring
		stderr string // substring
	}{
		{"init", pw, []string{"vault", "init", "--vault", dir, "--operator", "王管理", "--role", "admin"}, 0, "created vault", ""},
		{"init again", pw, []string{"vault", "init", "--vault", dir, "--operator", "王管理"}, 1, "", "already exist"},
		{"no passphrase", nil, []string{"vault", "info", "--vault", dir}, 2, "", "HANDOVER_PASSPHRASE"},
		{"passphrase as argument", pw, []string{"vault", "info", "--vault", dir, "--passphrase", "x"}, 2, "", "not defined"},
		{"bad role", pw, []string{"vault", "init", "--vault", dir + "2", "--operator", "x", "--role", "boss"}, 2, "", "unknown role"},
		{"wrong passphrase", map[string]string{"HANDOVER_PASSPHRASE": "nope-nope-nope"}, []string{"vault", "info", "--vault", dir}, 1, "", "wrong passphrase"},
		{"not a vault", pw, []string{"vault", "info", "--vault", t.TempDir()}, 1, "", "not a Handover vault"},
		{"add operator", map[string]string{"HANDOVER_PASSPHRASE": "first-passphrase", "HANDOVER_NEW_PASSPHRASE": "officer-passphrase"},
			[]string{"vault", "add-operator", "--vault", dir, "--name", "李经办", "--role", "transferor"}, 0, "added operator 李经办", ""},
		{"two operators need --operator", pw, []string{"vault", "info", "--vault", dir}, 2, "", "--operator"},
		{"passwd", map[string]string{"HANDOVER_PASSPHRASE": "first-passphrase", "HANDOVER_NEW_PASSPHRASE": "second-passphrase"},
			[]string{"vault", "passwd", "--vault", dir, "--operator", "王管理"}, 0, "changed", ""},
		{"old passphrase refused", pw, []string{"vault", "info", "--vault", dir, "--operator", "王管理"}, 1, "", "wrong passphrase"},
		{"unknown command", nil, []string{"frobnicate"}, 2, "", "unknown command"},
		{"version", nil, []string{"--version"}, 0, "Handover", ""},
	}
	for _, s := range steps {
		r := runCLI(s.env, s.args...)
		if r.code != s.code || !strings.Contains(r.stdout, s.stdout) || !strings.Contains(r.stderr, s.stderr) {
			t.Fatalf("%s: exit %d, stdout %q, stderr %q", s.name, r.code, r.stdout, r.stderr)
		}
		if s.code != 0 && strings.Count(strings.TrimSpace(r.stderr), "\n") > 0 && !strings.Contains(r.stderr, "Usage") {
			t.Errorf("%s: error is not one line: %q", s.name, r.stderr)
		}
	}
	pf := filepath.Join(t.TempDir(), "pass")
	os.WriteFile(pf, []byte("second-passphrase\n"), 0o600)
	r := runCLI(nil, "vault", "info", "--vault", dir, "--operator", "王管理", "--passphrase-file", pf, "--json")
	if r.code != 0 {
		t.Fatalf("info with passphrase file: %+v", r)
	}
	var info map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &info); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"customers", "loans", "repayments", "documents"} {
		if _, ok := info[k]; !ok {
			t.Errorf("vault info --json lacks %q", k)
		}
	}
}

// TestDemoLeavesNoPlaintext is the acceptance test: a demo book of 100,000 customers is
// reported by `vault info`, and no file of the vault holds any sampled customer's name,
// identity number or mobile number, in UTF-8 or in GBK.
func TestDemoLeavesNoPlaintext(t *testing.T) {
	n, args := 100000, []string{}
	switch {
	case raceEnabled:
		n = 500 // the race detector makes every byte of sealing ten times slower
	case testing.Short():
		// Small, with document scans (encoding 200,000 images would dominate the full run).
		n, args = 1000, []string{"--documents"}
	}
	dir := filepath.Join(t.TempDir(), "demo")
	env := map[string]string{"HANDOVER_PASSPHRASE": "demo-passphrase"}
	args = append([]string{"demo", "--customers", itoa(n), "--out", dir, "--seed", "3"}, args...)
	if r := runCLI(env, args...); r.code != 0 {
		t.Fatalf("demo: %+v", r)
	}
	r := runCLI(env, "vault", "info", "--vault", dir, "--json")
	var info Info
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &info) != nil || info.Customers != int64(n) {
		t.Fatalf("info: %+v", r)
	}
	g := &demo.Generator{Seed: 3}
	var needles [][]byte
	gbk := simplifiedchinese.GBK.NewEncoder()
	for i := 0; len(needles) < 6*40; i += n / 97 {
		c := g.Book(i).Customer
		if len([]rune(c.Name)) < 3 { // a 2-character name is 4 GBK bytes: chance matches in random data
			continue
		}
		for _, s := range []string{c.Name, c.IDNumber, c.Phone} {
			needles = append(needles, []byte(s))
			enc, err := gbk.Bytes([]byte(s))
			if err != nil {
				t.Fatal(err)
			}
			needles = append(needles, enc)
		}
	}
	files := 0
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files++
		for _, nd := range needles {
			if bytes.Contains(b, nd) {
				t.Errorf("%s holds a customer's data in plain text (%d bytes)", p, len(nd))
			}
		}
		return nil
	})
	if err != nil || files < 5 {
		t.Fatalf("walked %d files: %v", files, err)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestDemoExportCSV(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "csv")
	r := runCLI(nil, "demo", "--customers", "50", "--export-csv", dir)
	if r.code != 0 || !strings.Contains(r.stdout, "wrote 50 customers") {
		t.Fatalf("export: %+v", r)
	}
	for _, f := range demo.CSVFiles {
		if fi, err := os.Stat(filepath.Join(dir, f)); err != nil || fi.Size() < 100 {
			t.Fatalf("%s: %v", f, err)
		}
	}
	if r := runCLI(nil, "demo", "--customers", "5"); r.code != 2 {
		t.Fatalf("neither --out nor --export-csv: %+v", r)
	}
}
