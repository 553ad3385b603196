package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"handover/app/vault/vaulttest"
)

// TestScripts runs the scripts in testdata/script: the main flows written as the commands a
// user types (`handover …`), with what each prints. A reader sees a handover there as it
// happens at the table. Run one with -run TestScripts/NAME.
func TestScripts(t *testing.T) {
	if testing.Short() {
		t.Skip("the scripts build vaults and packages")
	}
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			// handover runs the command line in this process, with the test work factor.
			"handover": func(ts *testscript.TestScript, neg bool, args []string) {
				code := Run(args, Env{Stdin: strings.NewReader(""), Stdout: ts.Stdout(), Stderr: ts.Stderr(),
					Getenv: ts.Getenv, Vault: vaulttest.Options})
				if neg != (code != ExitOK) {
					ts.Fatalf("handover %s: exit status %d", strings.Join(args, " "), code)
				}
			},
			// replace OLD NEW FILE edits a file in place, as someone tampering with it would.
			"replace": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 3 {
					ts.Fatalf("usage: replace OLD NEW FILE")
				}
				b, err := os.ReadFile(ts.MkAbs(args[2]))
				ts.Check(err)
				if !strings.Contains(string(b), args[0]) {
					ts.Fatalf("%s does not contain %q", args[2], args[0])
				}
				ts.Check(os.WriteFile(ts.MkAbs(args[2]), []byte(strings.Replace(string(b), args[0], args[1], 1)), 0o644))
			},
			// jsonvar KEY VAR sets VAR to the string KEY of the JSON object the last command printed.
			"jsonvar": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 2 {
					ts.Fatalf("usage: jsonvar KEY VAR")
				}
				var m map[string]any
				ts.Check(json.Unmarshal([]byte(ts.ReadFile("stdout")), &m))
				v, ok := m[args[0]].(string)
				if !ok {
					ts.Fatalf("the last output has no string %q", args[0])
				}
				ts.Setenv(args[1], v)
			},
			// onlydir DIR VAR sets VAR to the one folder inside DIR (a package on a stick).
			"onlydir": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 2 {
					ts.Fatalf("usage: onlydir DIR VAR")
				}
				entries, err := os.ReadDir(ts.MkAbs(args[0]))
				ts.Check(err)
				if len(entries) != 1 || !entries[0].IsDir() {
					ts.Fatalf("%s holds %d entries, not one folder", args[0], len(entries))
				}
				ts.Setenv(args[1], filepath.Join(ts.MkAbs(args[0]), entries[0].Name()))
			},
		},
	})
}
