package cli

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"handover/app/cert"
	"handover/app/doc"
	"handover/crypto/identity"
)

// identityWorkFactor is the scrypt work factor of identity files (2^18, as key slots): an
// identity file travels on a USB stick and may be lost, so guessing must stay slow.
const identityWorkFactor = identity.DefaultWorkFactor

func identityNewCmd() *Cmd {
	var out *string
	var name *string
	var org *string
	var role *string
	var passFile *string
	return &Cmd{Name: "identity new", Synopsis: "--out FILE --name NAME --org ORG --role ROLE", Summary: "make a person's identity",
		Flags: func(fs *flag.FlagSet) {
			out = fs.String("out", "", "identity file to write (the card is written beside it as FILE.card.json)")
			name = fs.String("name", "", "the person's name")
			org = fs.String("org", "", "their organisation")
			role = fs.String("role", "", "their role in the handover (e.g. 出让方负责人)")
			passFile = fs.String("passphrase-file", "", "file holding the identity's passphrase (else HANDOVER_PASSPHRASE)")
		},
		Run: func(c *Call) error {
			env := c.Env
			if *out == "" || *name == "" || *org == "" || *role == "" {
				return usagef("--out, --name, --org and --role are required")
			}
			pass, err := secret(env, *passFile, "HANDOVER_PASSPHRASE", "passphrase")
			if err != nil {
				return err
			}
			cardPath := *out + ".card.json"
			for _, p := range []string{*out, cardPath} {
				if _, err := os.Stat(p); err == nil { // before the slow key derivation
					return &cert.ExistsError{Path: p}
				}
			}
			wf := identityWorkFactor
			if env.Vault.WorkFactor > 0 {
				wf = env.Vault.WorkFactor // tests
			}
			id, _, err := cert.CreateIdentity(*name, *org, *role, pass, wf, time.Now(), func(identity.Card) string { return *out })
			if errors.Is(err, identity.ErrWeakPassphrase) {
				return usageError{err.Error()}
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "identity written to %s, card to %s\nfingerprint %s\n", *out, cardPath, id.Card.Grouped())
			return nil
		}}
}

// readCard reads a card file, or the card inside an identity file (which needs the
// passphrase).
func readCard(env Env, path, passFile string) (identity.Card, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return identity.Card{}, err
	}
	if c, err := identity.ParseCard(b); err == nil {
		return c, nil
	} else if err == identity.ErrTampered {
		return identity.Card{}, fmt.Errorf("%s: %w", path, err)
	}
	id, err := openIdentity(env, path, passFile, ownPassphrase)
	if err != nil {
		return identity.Card{}, err
	}
	return id.Card, nil
}

// Where an identity's passphrase comes from: the identity commands take it like any
// passphrase; commands that also unlock a vault take it from its own flag and variable.
const (
	ownPassphrase    = "HANDOVER_PASSPHRASE"
	signerPassphrase = "HANDOVER_IDENTITY_PASSPHRASE"
)

// openIdentity reads and decrypts an identity file; the passphrase comes from passFile or
// the environment variable envVar.
func openIdentity(env Env, path, passFile, envVar string) (*identity.Identity, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	what := "passphrase"
	if envVar == signerPassphrase {
		what = "identity passphrase"
	}
	pass, err := secret(env, passFile, envVar, what)
	if err != nil {
		return nil, err
	}
	id, err := identity.Open(b, pass)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return id, nil
}

func identityCardCmd() *Cmd {
	var passFile *string
	return &Cmd{Name: "identity card", Synopsis: "FILE [--json]", Summary: "print the card of a card or identity file, with its fingerprint", JSON: true, MaxArgs: -1,
		Flags: func(fs *flag.FlagSet) {
			passFile = fs.String("passphrase-file", "", "for an identity file: its passphrase (else HANDOVER_PASSPHRASE)")
		},
		Run: func(c *Call) error {
			env := c.Env
			files := c.Args
			if len(files) != 1 {
				return usagef("name one card or identity file")
			}
			card, err := readCard(env, files[0], *passFile)
			if err != nil {
				return err
			}
			if c.JSON {
				_, err := env.Stdout.Write(card.Marshal())
				return err
			}
			fmt.Fprintf(env.Stdout, "name          %s\norganisation  %s\nrole          %s\ncreated       %s\nsigning key   %s\nage recipient %s\nfingerprint   %s\n",
				card.Name, card.Organisation, card.Role, card.Created.In(shanghai).Format("2006-01-02 15:04 MST"), card.SigningKey, card.AgeRecipient, card.Grouped())
			return nil
		}}
}

func identityExportAgeCmd() *Cmd {
	var passFile *string
	return &Cmd{Name: "identity export-age", Synopsis: "FILE", Summary: "print an identity's age key (AGE-SECRET-KEY-1…) for the age tool", MaxArgs: -1,
		Flags: func(fs *flag.FlagSet) {
			passFile = fs.String("passphrase-file", "", "the identity's passphrase (else HANDOVER_PASSPHRASE)")
		},
		Run: func(c *Call) error {
			env := c.Env
			files := c.Args
			if len(files) != 1 {
				return usagef("name one identity file")
			}
			id, err := openIdentity(env, files[0], *passFile, ownPassphrase)
			if err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "# Handover identity of %s (%s), fingerprint %s\n# public key: %s\n%s\n",
				oneLine(id.Card.Name), oneLine(id.Card.Organisation), id.Card.Grouped(), id.Card.AgeRecipient, id.AgeSecret())
			return nil
		}}
}

func identityAllowedSignersCmd() *Cmd {
	return &Cmd{Name: "identity allowed-signers", Synopsis: "CARD…", Summary: "print cards as OpenSSH allowed_signers lines for ssh-keygen -Y verify", MaxArgs: -1,
		Run: func(c *Call) error {
			env := c.Env
			files := c.Args
			if len(files) == 0 {
				return usagef("name one or more card files")
			}
			for _, f := range files {
				b, err := os.ReadFile(f)
				if err != nil {
					return err
				}
				c, err := identity.ParseCard(b)
				if err != nil {
					return fmt.Errorf("%s: %w", f, err)
				}
				fmt.Fprintf(env.Stdout, "# %s, %s, %s\n%s", oneLine(c.Name), oneLine(c.Organisation), oneLine(c.Role),
					strings.TrimRight(c.AllowedSigners(), "\n")+"\n")
			}
			return nil
		}}
}

// shanghai is the zone times are shown in, as in the app and the documents.
var shanghai = doc.Shanghai
