package cli

import (
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
