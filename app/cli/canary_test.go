package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"handover/app/demo"
	"handover/app/idcard"
)

// TestNoCanaryInCommandOutput sweeps the error paths of every command: each flag in turn,
// and a positional argument, get a canary value (an identity number, a name, a mobile
// number) or a file holding canaries, on a real vault, with the passphrase right and wrong.
// No canary may appear in anything a command prints.
func TestNoCanaryInCommandOutput(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every command a few hundred times")
	}
	id := "11010519870704123"
	id += string(idcard.CheckDigit(id))
	canaries := []string{id, "金丝雀甲", "13912348765", "6222026666666666666"}
	dir := t.TempDir()
	canaryFile := filepath.Join(dir, "canary.txt")
	os.WriteFile(canaryFile, []byte(strings.Join(canaries, "\n")+"\n身份证号="+id+"\n"+id+",金丝雀甲\n"), 0o600)
	canaryCSV := filepath.Join(dir, "canary.csv")
	os.WriteFile(canaryCSV, []byte("姓名,身份证号,手机号码\n金丝雀甲,"+id+"0,13912348765\n"), 0o600)
	v := filepath.Join(dir, "v")
	pw := map[string]string{"HANDOVER_PASSPHRASE": "canary-passphrase", "HANDOVER_NEW_PASSPHRASE": "canary-passphrase-2"}
	if r := runCLI(pw, "demo", "--out", v, "--customers", "5", "--deal", "equity"); r.code != 0 {
		t.Fatalf("demo vault: %+v", r)
	}
	flagName := regexp.MustCompile(`(?m)^  -([a-z][a-z-]*)(?: (\w+))?\n\s+(.*)$`)
	check := func(what string, r result) {
		t.Helper()
		// A positional argument that names a file is repeated as that file's path.
		r.stderr = strings.ReplaceAll(r.stderr, "open "+id+": no such file", "")
		for _, c := range canaries {
			if strings.Contains(r.stdout, c) || strings.Contains(r.stderr, c) {
				t.Errorf("%s printed the canary %q:\nstdout %s\nstderr %s", what, c, r.stdout, r.stderr)
			}
		}
	}
	check("an unknown command", runCLI(pw, id))
	runs, unlocked := 0, 0
	for _, c := range commands() {
		if c.Name == "demo" || c.Name == "version" {
			continue
		}
		words := strings.Fields(c.Name)
		help := runCLI(nil, append(words, "-h")...)
		flags := flagName.FindAllStringSubmatch(help.stderr, -1)
		// A flag that names a file or folder is given a file of canaries (its path is
		// repeated on purpose, so the user knows which file); operator names (--operator,
		// --remove, --target of set-role and reset-passphrase) are staff's and shown on the
		// unlock screen anyway; every other flag is given a canary itself.
		pathLike := func(f []string) bool {
			return strings.Contains(f[3], "file") || strings.Contains(f[3], "FILE") || strings.Contains(f[3], "folder") ||
				strings.Contains(f[3], "directory") || f[1] == "vault" || f[1] == "operator" || f[1] == "name" || f[1] == "remove" ||
				f[1] == "target" && strings.Contains(f[3], "operator")
		}
		base := []string{}
		for _, f := range flags {
			if f[1] == "vault" {
				base = append(base, "--vault", v)
			} else if f[1] == "operator" {
				base = append(base, "--operator", demo.OperatorName)
			} else if pathLike(f) && f[2] != "" && !strings.Contains(f[1], "passphrase") {
				base = append(base, "--"+f[1], canaryFile)
			}
		}
		for _, f := range append(flags, nil) {
			args := append(append([]string{}, words...), base...)
			switch {
			case f == nil:
				args = append(args, id) // a positional argument
			case f[2] == "" || pathLike(f):
				continue // a boolean flag takes no value; files were given above
			default:
				args = append(args, "--"+f[1], id)
			}
			for _, env := range []map[string]string{pw, {"HANDOVER_PASSPHRASE": "wrong-passphrase-x"}} {
				r := runCLI(env, args...)
				if !strings.Contains(r.stderr, "no such operator") && !strings.Contains(r.stderr, "usage") && r.code != 2 {
					unlocked++
				}
				check(strings.Join(args, " "), r)
				check(strings.Join(args, " ")+" (stdin)", runCLIWithInput(env, "身份证号="+id+"\n", append(args, "--values", "-")...))
				runs += 2
			}
		}
		// Files of canaries where a command takes files.
		for _, file := range []string{canaryFile, canaryCSV} {
			args := append(append(append([]string{}, words...), base...), file)
			check(strings.Join(args, " "), runCLI(pw, args...))
			runs++
		}
	}
	t.Logf("%d runs, %d past parsing", runs, unlocked)
}
