package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"handover/app/vault"
	"handover/crypto/identity"
)

// Cmd is one command, declared as data. The runner parses its flags and arguments, refuses
// missing required flags, unlocks the vault when the command first asks for its session,
// closes it afterwards, prints --json output, and maps errors to exit statuses; a command
// is the function of its inputs that is left.
type Cmd struct {
	Name     string // its words, e.g. "checklist show"
	Synopsis string // its flags and arguments exactly as the README's table shows them
	Summary  string // one line for `handover help`
	// Vault adds --vault, --operator and --passphrase-file; Call.Session unlocks with them.
	Vault bool
	// JSON adds --json; Call.Print honours it.
	JSON bool
	// Identity adds --identity FILE and --identity-passphrase-file FILE for the person whose
	// identity the command uses; without the file, the passphrase comes from this
	// environment variable (signerPassphrase). "": the command takes no identity.
	Identity string
	// Required lists flags that must be given (without dashes).
	Required []string
	// MinArgs and MaxArgs bound the positional arguments (MaxArgs -1: no bound); ArgsHelp is
	// the usage message when their count is wrong.
	MinArgs, MaxArgs int
	ArgsHelp         string
	// Flags declares the command's own flags into variables its Run reads.
	Flags func(fs *flag.FlagSet)
	Run   func(c *Call) error
}

// Call is one run of a command: its context, environment, arguments and the session.
type Call struct {
	Ctx  context.Context
	Env  Env
	Args []string // positional arguments
	JSON bool     // --json was given

	cmd                      *Cmd
	vaultDir, operator, pass string // --vault, --operator, --passphrase-file
	identityFile, idPassFile string
	session                  *vault.Session
	passphrase               string
	started, unlocked        time.Time // when the command began and its key derivations ended
}

// VaultDir is the --vault folder.
func (c *Call) VaultDir() string { return c.vaultDir }

// Operator is the --operator name or id ("" when not given).
func (c *Call) Operator() string { return c.operator }

// Passphrase reads the operator's passphrase (--passphrase-file or HANDOVER_PASSPHRASE).
func (c *Call) Passphrase() (string, error) {
	return secret(c.Env, c.pass, "HANDOVER_PASSPHRASE", "passphrase")
}

// Session opens and unlocks the vault the first time it is asked for; the runner locks and
// closes it when the command returns. Commands validate their other inputs first, so that
// a usage error never costs an unlock.
func (c *Call) Session() (*vault.Session, error) {
	if c.session != nil {
		return c.session, nil
	}
	if c.vaultDir == "" {
		return nil, usagef("--vault is required")
	}
	pass, err := c.Passphrase()
	if err != nil {
		return nil, err
	}
	v, err := vault.Open(c.vaultDir, c.Env.Vault)
	if err != nil {
		return nil, err
	}
	id, err := pickOperator(v, c.operator)
	if err != nil {
		v.Close()
		return nil, err
	}
	s, err := v.Unlock(id, pass)
	if err != nil {
		v.Close()
		return nil, err
	}
	c.session, c.passphrase = s, pass
	return s, nil
}

// SessionPassphrase is the passphrase the session was unlocked with, for an operation that
// proves it again (a sign-off, a passphrase change).
func (c *Call) SessionPassphrase() string { return c.passphrase }

func (c *Call) close() {
	if c.session != nil {
		v := c.session.Vault()
		c.session.Lock()
		v.Close()
		c.session = nil
	}
}

// IdentityFile is the --identity path.
func (c *Call) IdentityFile() string { return c.identityFile }

// OpenIdentity reads and decrypts the --identity file.
func (c *Call) OpenIdentity() (*identity.Identity, error) {
	if c.identityFile == "" {
		return nil, usagef("--identity is required")
	}
	return openIdentity(c.Env, c.identityFile, c.idPassFile, c.cmd.Identity)
}

// Timing is how long a command has taken so far, its key derivations apart: those are
// passphrase-hardened (scrypt at 2^18, about a second on an office PC) by design, and what
// comes after them is what the user waits for at the table (issue 21).
type Timing struct {
	UnlockSeconds      float64 `json:"unlock_seconds"`       // reading the cards, the identity and the vault's key derivations
	AfterUnlockSeconds float64 `json:"after_unlock_seconds"` // everything after, up to the result
}

// markUnlocked records that the command's key derivations are done.
func (c *Call) markUnlocked() { c.unlocked = time.Now() }

// Timing says how long the command took, up to now.
func (c *Call) Timing() *Timing {
	now := time.Now()
	u := c.unlocked
	if u.IsZero() {
		u = c.started
	}
	return &Timing{UnlockSeconds: round3(u.Sub(c.started)), AfterUnlockSeconds: round3(now.Sub(u))}
}

func round3(d time.Duration) float64 {
	return float64(d.Round(time.Millisecond)) / float64(time.Second)
}

// Print writes v as indented JSON with --json, else calls text.
func (c *Call) Print(v any, text func(w io.Writer) error) error {
	if c.JSON {
		return printJSON(c.Env.Stdout, v)
	}
	if text == nil {
		return nil
	}
	return text(c.Env.Stdout)
}

// Printf writes a line of text to standard output.
func (c *Call) Printf(format string, a ...any) { fmt.Fprintf(c.Env.Stdout, format, a...) }

// Warnf writes a line to standard error.
func (c *Call) Warnf(format string, a ...any) { fmt.Fprintf(c.Env.Stderr, format, a...) }

// run parses args for the command and runs it.
func (cmd *Cmd) run(ctx context.Context, env Env, args []string) error {
	c := &Call{Ctx: ctx, Env: env, cmd: cmd, started: time.Now()}
	fs := newFlags(cmd.Name, env)
	if cmd.Vault {
		fs.StringVar(&c.vaultDir, "vault", "", "vault folder")
		fs.StringVar(&c.operator, "operator", "", "operator name or id (may be omitted when the vault has one operator, or for a demo vault)")
		fs.StringVar(&c.pass, "passphrase-file", "", "file holding the operator's passphrase (else HANDOVER_PASSPHRASE)")
	}
	if cmd.Identity != "" {
		fs.StringVar(&c.identityFile, "identity", "", "the identity file of the person acting")
		fs.StringVar(&c.idPassFile, "identity-passphrase-file", "", "file holding the identity's passphrase (else "+cmd.Identity+")")
	}
	if cmd.JSON {
		fs.BoolVar(&c.JSON, "json", false, "print JSON")
	}
	if cmd.Flags != nil {
		cmd.Flags(fs)
	}
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if err := cmd.checkRequired(fs); err != nil {
		return err
	}
	if len(pos) < cmd.MinArgs || cmd.MaxArgs >= 0 && len(pos) > cmd.MaxArgs {
		if cmd.MaxArgs == 0 {
			return usagef("unexpected argument (its value is not repeated): this command takes flags only")
		}
		return usageError{cmd.ArgsHelp}
	}
	c.Args = pos
	defer c.close()
	return cmd.Run(c)
}

func (cmd *Cmd) checkRequired(fs *flag.FlagSet) error {
	var missing []string
	for _, name := range cmd.Required {
		if f := fs.Lookup(name); f == nil || f.Value.String() == "" {
			missing = append(missing, "--"+name)
		}
	}
	switch len(missing) {
	case 0:
		return nil
	case 1:
		return usagef("%s is required", missing[0])
	}
	return usagef("%s and %s are required", strings.Join(missing[:len(missing)-1], ", "), missing[len(missing)-1])
}

// parseInterleaved parses flags that may come before, between or after the positional
// arguments ("--" ends the flags). The flag package's own messages repeat the value given
// ("invalid value \"…\" for flag"); the value may be an identity number typed in the wrong
// place, so it is never repeated, and only -h prints the flags.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usageError{quotedValue.ReplaceAllString(err.Error(), "(value not repeated)")}
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}
