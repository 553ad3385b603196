package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"handover/app/cert"
	"handover/crypto/identity"
	"handover/store"
)

// listFlag collects a repeated flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func readCards(paths []string) ([]identity.Card, error) {
	var out []identity.Card
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		c, err := identity.ParseCard(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		out = append(out, c)
	}
	return out, nil
}

func certNew(ctx context.Context, env Env, args []string) error {
	fs := newFlags("cert new", env)
	u := addUnlockFlags(fs)
	kind := fs.String("kind", "", "confirmation (移交确认书) or receipt (接收回执)")
	out := fs.String("out", "", "statement file to write (STATEMENT.json)")
	var signers listFlag
	fs.Var(&signers, "signer", "card of a person who must sign (repeat for each)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *kind != cert.KindConfirmation && *kind != cert.KindReceipt {
		return usagef("--kind must be confirmation or receipt")
	}
	if *out == "" || len(signers) == 0 {
		return usagef("--out and at least one --signer CARD are required")
	}
	if _, err := os.Stat(*out); err == nil {
		return fmt.Errorf("%s already exists: a statement is never overwritten", *out)
	}
	cards, err := readCards(signers)
	if err != nil {
		return err
	}
	s, err := u.unlock(env)
	if err != nil {
		return err
	}
	defer closeSession(s)
	st, err := s.NewStatement(ctx, *kind, cards)
	if err != nil {
		return err
	}
	if err := store.WriteFileAtomic(*out, st.Marshal(), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "statement %s written to %s; book digest %s\n", st.ID, *out, st.Figures.Digest)
	for _, sg := range st.Signers {
		fmt.Fprintf(env.Stdout, "  to be signed by %s (%s, %s)\n", sg.Name, sg.Role, sg.Organisation)
	}
	return nil
}

func certSign(_ context.Context, env Env, args []string) error {
	fs := newFlags("cert sign", env)
	idFile := fs.String("identity", "", "the signer's identity file")
	passFile := fs.String("identity-passphrase-file", "", "file holding the identity's passphrase (else HANDOVER_IDENTITY_PASSPHRASE)")
	files, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if *idFile == "" || len(files) != 1 {
		return usagef("give --identity FILE and one STATEMENT.json")
	}
	b, err := os.ReadFile(*idFile)
	if err != nil {
		return err
	}
	pass, err := secret(env, *passFile, "HANDOVER_IDENTITY_PASSPHRASE", "identity passphrase")
	if err != nil {
		return err
	}
	id, err := identity.Open(b, pass)
	if err != nil {
		return fmt.Errorf("%s: %w", *idFile, err)
	}
	statement, err := os.ReadFile(files[0])
	if err != nil {
		return err
	}
	sig, err := cert.Sign(statement, id)
	if err != nil {
		return fmt.Errorf("%s: %w", files[0], err)
	}
	path := cert.SignaturePath(files[0], id.Card.Fingerprint)
	if err := store.WriteFileAtomic(path, sig, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "signed by %s (%s); signature written to %s\n", id.Card.Name, id.Card.Grouped(), path)
	return nil
}

// errIncomplete makes cert verify exit 1 after printing its report.
var errIncomplete = errors.New("the certificate is not complete: see above")

func certVerify(_ context.Context, env Env, args []string) error {
	fs := newFlags("cert verify", env)
	var trust listFlag
	fs.Var(&trust, "trust", "card whose fingerprint was compared in person (repeat); without any, every listed signer's key is taken as given")
	files, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		return usagef("name one STATEMENT.json")
	}
	if strings.HasSuffix(strings.ToLower(files[0]), ".pdf") {
		return errors.New("PDF certificates are not implemented yet: verify the statement file and its .sig files")
	}
	cards, err := readCards(trust)
	if err != nil {
		return err
	}
	r, err := cert.VerifyFiles(files[0], cards)
	if err != nil {
		return err
	}
	st := r.Statement
	fmt.Fprintf(env.Stdout, "certificate %s (%s), issued %s on %s\nbook digest %s\n", st.ID, st.Kind,
		st.Issued.In(shanghai).Format("2006-01-02 15:04 MST"), st.Workstation, st.Figures.Digest)
	for _, c := range r.Checks {
		state := "signed"
		switch {
		case c.Err != nil:
			state = "INVALID SIGNATURE: " + c.Err.Error()
		case !c.Signed:
			state = "NOT SIGNED"
		}
		if !c.Trusted {
			state += ", NOT TRUSTED (card not among --trust)"
		}
		fmt.Fprintf(env.Stdout, "  %s (%s, %s) %s: %s\n", c.Signer.Name, c.Signer.Role, c.Signer.Organisation, c.Signer.Fingerprint[:16], state)
	}
	if !r.Complete() {
		return errIncomplete
	}
	fmt.Fprintln(env.Stdout, "complete: every required signer signed these exact bytes")
	return nil
}
