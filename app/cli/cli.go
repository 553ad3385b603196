// Package cli is Handover's command line: a thin layer that parses flags, reads
// passphrases from files or the environment, and calls app/vault. Every capability of the
// GUI is reachable here so it can be scripted and tested end to end.
package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"regexp"
	"strings"

	"handover/app/vault"
	"handover/app/version"
)

// Exit statuses.
const (
	ExitOK      = 0
	ExitFailure = 1
	ExitUsage   = 2
)

// Env is what a command sees of the world; tests replace it.
type Env struct {
	Stdin          io.Reader // nil reads nothing
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	// Vault adjusts vaults opened or created by commands. main leaves it zero (the real
	// scrypt work factor); tests lower the work factor through it, never through the
	// environment, so no setting outside the program can weaken a key slot.
	Vault vault.Options
}

// usageError makes Run exit with status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return usageError{fmt.Sprintf(format, a...)} }

// commands lists every command in the order `handover help` shows them. Each is made anew
// for every run, so its flag variables start empty.
func commands() []*Cmd {
	cmds := []*Cmd{
		vaultInitCmd(), vaultInfoCmd(), vaultPasswdCmd(), vaultAddOperatorCmd(), vaultRemoveOperatorCmd(), vaultSetRoleCmd(), vaultResetPassphraseCmd(), vaultRepairCmd(), vaultRestrictCmd(), vaultLiftRestrictionCmd(), vaultArchiveCmd(), vaultDestroyCmd(),
		importCmd(), quarantineListCmd(), quarantineCorrectCmd(), quarantineDismissCmd(),
		exportCmd(), verifyCmd(), receiveCmd(), figuresCmd(),
		certNewCmd(), certSignCmd(), certPDFCmd(), certVerifyCmd(),
		backupCreateCmd(), backupVerifyCmd(), backupRestoreCmd(),
		dealInitCmd(), dealAcceptCmd(), dealScopeCmd(), dealRetentionCmd(), checklistShowCmd(), checklistCompleteCmd(), checklistReopenCmd(), checklistGateCmd(), checklistReportCmd(),
		trustAddCmd(), trustListCmd(),
		holdAddCmd(), holdReleaseCmd(), holdListCmd(), retentionShowCmd(), retentionDueCmd(), retentionReportCmd(), retentionSetEndCmd(),
		destroyPlanCmd(), destroyApproveCmd(), destroyRunCmd(), destroyVerifyCmd(), destroyMediaCmd(),
	}
	cmds = append(cmds, noticeCommands()...)
	cmds = append(cmds, continuityCommands()...)
	cmds = append(cmds, registerCommands()...)
	cmds = append(cmds, assessCommands()...)
	cmds = append(cmds, incidentCommands()...)
	cmds = append(cmds, reviewCommands()...)
	cmds = append(cmds, standardsReportCmd())
	cmds = append(cmds, lawUpdateCommands()...)
	return append(cmds,
		auditVerifyCmd(), auditCheckpointCmd(), auditReportCmd(), auditExportCmd(), auditListCmd(),
		identityNewCmd(), identityCardCmd(), identityExportAgeCmd(), identityAllowedSignersCmd(),
		demoCmd(),
		&Cmd{Name: "version", Summary: "print the version", Run: func(c *Call) error {
			c.Printf("%s\n", version.String())
			return nil
		}})
}

// Run executes the command in args (without the program name) and returns the exit status.
func Run(args []string, env Env) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if len(args) == 1 && (args[0] == "--version" || args[0] == "-version") {
		args = []string{"version"}
	}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(env.Stdout)
		return ExitOK
	}
	for _, c := range commands() {
		words := strings.Fields(c.Name)
		if len(args) >= len(words) && strings.Join(args[:len(words)], " ") == c.Name {
			stopProfile := profileStart()
			err := c.run(ctx, env, args[len(words):])
			stopProfile()
			return exitCode(env, c.Name, err)
		}
	}
	// The words are repeated only when they look like a command: anything else may be
	// personal data typed in the wrong place.
	if plainWord.MatchString(args[0]) {
		fmt.Fprintf(env.Stderr, "handover: unknown command %q (see 'handover help')\n", args[0])
	} else {
		fmt.Fprintln(env.Stderr, "handover: unknown command (see 'handover help')")
	}
	return ExitUsage
}

func exitCode(env Env, name string, err error) int {
	var ue usageError
	switch {
	case err == nil:
		return ExitOK
	case errors.Is(err, flag.ErrHelp):
		return ExitOK
	case errors.As(err, &ue):
		fmt.Fprintf(env.Stderr, "handover %s: %s\n", name, ue.msg)
		return ExitUsage
	case errors.Is(err, context.Canceled):
		fmt.Fprintf(env.Stderr, "handover %s: cancelled\n", name)
		return ExitFailure
	}
	fmt.Fprintf(env.Stderr, "handover %s: %s\n", name, oneLine(err.Error()))
	return ExitFailure
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: handover [COMMAND] [FLAGS]")
	fmt.Fprintln(w, "Without a command, the desktop application opens.")
	fmt.Fprintln(w, "\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-24s %s\n", c.Name, c.Summary)
		if c.Synopsis != "" {
			fmt.Fprintf(w, "  %-24s   %s\n", "", c.Synopsis)
		}
	}
	fmt.Fprintln(w, "\nPassphrases are read from --passphrase-file FILE or HANDOVER_PASSPHRASE, never from an")
	fmt.Fprintln(w, "argument. Exit status: 0 success, 1 failure, 2 usage error.")
}

// newFlags makes a flag set that reports errors as usage errors instead of exiting.
// The flag package's own messages repeat the value given ("invalid value \"…\" for flag");
// the value may be an identity number typed in the wrong place, so it is printed by parse
// without the value, and only -h prints the flags.
func newFlags(name string, env Env) *flag.FlagSet {
	fs := flag.NewFlagSet("handover "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fmt.Fprintf(env.Stderr, "Usage of handover %s:\n", name)
		fs.SetOutput(env.Stderr)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	return fs
}

// plainWord is what a command or item name looks like.
var plainWord = regexp.MustCompile(`^[a-z][a-z_-]{0,31}$`)

// quotedValue is a value the flag package quotes in its error messages.
var quotedValue = regexp.MustCompile(`"[^"]*"`)

// secret reads a passphrase from a file (one trailing newline removed) or, when no file is
// given, from the environment variable.
func secret(env Env, file, envVar, what string) (string, error) {
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("reading the %s file: %w", what, err)
		}
		s := strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
		if s == "" {
			return "", fmt.Errorf("the %s file %s is empty", what, file)
		}
		return s, nil
	}
	if s := env.Getenv(envVar); s != "" {
		return s, nil
	}
	return "", usagef("no %s: give --%s-file FILE or set %s", what, strings.ReplaceAll(what, " ", "-"), envVar)
}

// printJSON prints v as indented JSON: every --json output of the command line.
func printJSON(w io.Writer, v any) error {
	e := json.NewEncoder(w)
	e.SetIndent("", "  ")
	return e.Encode(v)
}
