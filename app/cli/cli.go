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

type command struct {
	name, summary string
	run           func(ctx context.Context, env Env, args []string) error
}

func commands() []command {
	return []command{
		{"vault init", "create a vault with its first operator", vaultInit},
		{"vault info", "show a vault's counts and operators", vaultInfo},
		{"vault passwd", "change an operator's passphrase", vaultPasswd},
		{"vault add-operator", "add an operator (needs an administrator)", vaultAddOperator},
		{"vault remove-operator", "remove an operator (needs an administrator)", vaultRemoveOperator},
		{"vault repair", "open a vault refused as damaged after a power cut, as the database would, keeping the logs as they were, then read it whole (needs an administrator)", vaultRepair},
		{"import", "import CSV/TSV/.xlsx files or a folder of scans: --vault DIR [--table T] [--encoding E] [--mapping FILE] [--json] FILE…", importCmd},
		{"quarantine list", "list quarantined rows: --vault DIR [--state S] [--reason R] [--column C] [--json]", quarantineList},
		{"quarantine correct", "correct a quarantined row and validate it again: --key K --set COLUMN=VALUE…", quarantineCorrect},
		{"quarantine dismiss", "dismiss a quarantined row with a reason: --key K --reason TEXT", quarantineDismiss},
		{"export", "write the book as an encrypted, signed handover package: --vault DIR --identity FILE --to CARD… --out DIR [--split-size BYTES] [--json]", exportCmd},
		{"verify", "check a handover package completely, changing nothing: --identity FILE --trust CARD PACKAGE_DIR", verifyCmd},
		{"receive", "take a handover package into a new vault, whole or not at all, and write the receipt: --vault DIR --identity FILE --trust CARD PACKAGE_DIR [--json]", receiveCmd},
		{"figures", "the book's figures and digest, as both parties compare them: --vault DIR [--json]", figuresCmd},
		{"cert new", "issue a certificate statement from the vault: --vault DIR --kind confirmation|receipt --out STATEMENT.json --signer CARD…", certNew},
		{"cert sign", "sign a statement: --identity FILE STATEMENT.json (writes the signature beside it)", certSign},
		{"cert pdf", "render a statement and the signatures beside it as a PDF: STATEMENT.json --out FILE.pdf [--lang zh-CN|en]", certPDF},
		{"cert verify", "verify a certificate PDF, or a statement and the signatures beside it: FILE [--trust CARD]…", certVerify},
		{"backup create", "write a backup of the vault and read it back whole: --vault DIR --out DIR [--json]", backupCreate},
		{"backup verify", "check that a backup file is whole: FILE [--json]", backupVerify},
		{"backup restore", "make a new vault from a backup: --from FILE --vault NEWDIR --operator NAME", backupRestore},
		{"deal init", "record the vault's deal: --vault DIR --type equity|loan-book|merger --transferor ORG --transferor-credit-code CODE --transferee ORG --transferee-credit-code CODE [--recipient-location mainland|hmt|abroad] [--json]", dealInit},
		{"checklist show", "the deal's checklist: every item's state and what it still needs: --vault DIR [--json]", checklistShow},
		{"checklist complete", "complete an item (attest, attach evidence, or sign off for your party): --vault DIR ITEM_ID [--note TEXT] [--evidence FILE]… [--basis B]", checklistComplete},
		{"checklist reopen", "open a completed item again: --vault DIR ITEM_ID --reason TEXT", checklistReopen},
		{"checklist gate", "whether a step is open, naming the items it waits for (exit 1 if not): --vault DIR export|destroy", checklistGate},
		{"checklist report", "the checklist report as a PDF: --vault DIR --out FILE.pdf [--lang zh-CN|en]", checklistReport},
		{"trust add", "record that a card's fingerprint was compared with its owner: --vault DIR --how TEXT CARD", trustAdd},
		{"trust list", "the vault's trusted cards, with who compared them and when: --vault DIR [--json]", trustList},
		{"audit verify", "verify the audit log's Merkle tree against the vault's and the given checkpoints: --vault DIR [--checkpoint FILE]…", auditVerify},
		{"audit checkpoint", "issue a signed checkpoint of the audit log (C2SP tlog-checkpoint): --vault DIR [--out FILE]", auditCheckpoint},
		{"audit report", "the audit report as a PDF: --vault DIR --out FILE.pdf [--since D] [--until D] [--lang zh-CN|en]", auditReport},
		{"audit export", "every audit event as JSON Lines: --vault DIR --out FILE.jsonl", auditExport},
		{"audit list", "list audit events: --vault DIR [--json] [--since T] [--action A]", auditList},
		{"identity new", "make a person's identity: --out FILE --name NAME --org ORG --role ROLE (FILE.card.json is its public card)", identityNew},
		{"identity card", "print the card of a card or identity file, with its fingerprint", identityCard},
		{"identity export-age", "print an identity's age key (AGE-SECRET-KEY-1…) for the age tool", identityExportAge},
		{"identity allowed-signers", "print cards as OpenSSH allowed_signers lines for ssh-keygen -Y verify", identityAllowedSigners},
		{"demo", "create a demo vault with a synthetic loan book", demoCmd},
		{"version", "print the version", func(_ context.Context, env Env, _ []string) error {
			fmt.Fprintln(env.Stdout, version.String())
			return nil
		}},
	}
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
		words := strings.Fields(c.name)
		if len(args) >= len(words) && strings.Join(args[:len(words)], " ") == c.name {
			err := c.run(ctx, env, args[len(words):])
			return exitCode(env, c.name, err)
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
		fmt.Fprintf(w, "  %-24s %s\n", c.name, c.summary)
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

func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{quotedValue.ReplaceAllString(err.Error(), "(value not repeated)")}
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument after the flags (argument %d; its value is not repeated)", len(args)-fs.NArg()+1)
	}
	return nil
}

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
