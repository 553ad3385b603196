package cli

import (
	"errors"
	"flag"
	"fmt"
	"handover/app/workstation"
	"handover/store/atomicfile"
	"os"
	"strings"
	"time"

	"handover/app/cert"
	"handover/crypto/identity"
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

func certNewCmd() *Cmd {
	var kind, out, plan string
	var signers, witnesses listFlag
	return &Cmd{Name: "cert new", Synopsis: "--vault DIR --kind confirmation|receipt|destruction --out STATEMENT.json [--plan PLAN.json] [--signer CARD]… [--witness CARD]…",
		Summary: "issue a certificate statement from the vault", Vault: true, Required: []string{"out"},
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&kind, "kind", "", "confirmation (移交确认书), receipt (接收回执) or destruction (销毁证明)")
			fs.StringVar(&plan, "plan", "", "for --kind destruction: the destruction plan file (PLAN.json), run and verified")
			fs.StringVar(&out, "out", "", "statement file to write (STATEMENT.json)")
			fs.Var(&signers, "signer", "card of a person who must sign (repeat for each; default: every card the vault trusts)")
			fs.Var(&witnesses, "witness", "card of a witness who may sign (repeat for each)")
		},
		Run: func(c *Call) error { return certNew(c, kind, out, plan, signers, witnesses) }}
}

func certNew(c *Call, kind, out, plan string, signers, witnesses []string) error {
	ctx, env := c.Ctx, c.Env
	if kind != cert.KindConfirmation && kind != cert.KindReceipt && kind != cert.KindDestruction {
		return usagef("--kind must be confirmation, receipt or destruction")
	}
	if (kind == cert.KindDestruction) != (plan != "") {
		return usagef("--plan PLAN.json goes with --kind destruction, and only with it")
	}
	if _, err := os.Stat(out); err == nil {
		return &cert.ExistsError{Path: out}
	}
	cards, err := readCards(signers)
	if err != nil {
		return err
	}
	wcards, err := readCards(witnesses)
	if err != nil {
		return err
	}
	s, err := c.Session()
	if err != nil {
		return err
	}
	if len(cards) == 0 {
		ts, err := s.TrustedCards(ctx)
		if err != nil {
			return err
		}
		for _, t := range ts {
			cards = append(cards, t.Card)
		}
		if len(cards) == 0 {
			return usagef("the vault trusts no card yet: add signers with --signer CARD, or trust their cards with 'handover trust add'")
		}
	}
	var st *cert.Statement
	if plan != "" {
		b, err := os.ReadFile(plan)
		if err != nil {
			return err
		}
		p, err := s.CheckPlanFile(ctx, b)
		if err != nil {
			return fmt.Errorf("%s: %w", plan, err)
		}
		st, err = s.NewDestructionStatement(ctx, p.ID, cards, wcards)
		if err != nil {
			return err
		}
	} else if st, err = s.NewStatementWithWitnesses(ctx, kind, cards, wcards); err != nil {
		return err
	}
	if err := cert.WriteStatement(out, st); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "statement %s written to %s; book digest %s\n", st.ID, out, st.Figures.Digest)
	for _, sg := range st.Signers {
		who := "to be signed by"
		if !sg.Required {
			who = "witness (optional):"
		}
		fmt.Fprintf(env.Stdout, "  %s %s (%s, %s)\n", who, sg.Name, sg.Role, sg.Organisation)
	}
	return nil
}

func certSignCmd() *Cmd {
	return &Cmd{Name: "cert sign", Synopsis: "--identity FILE STATEMENT.json", Identity: signerPassphrase,
		Summary: "sign a statement (writes the signature beside it)", Required: []string{"identity"},
		MinArgs: 1, MaxArgs: 1, ArgsHelp: "give --identity FILE and one STATEMENT.json",
		Run: certSign}
}

func certSign(c *Call) error {
	env, files := c.Env, c.Args
	id, err := c.OpenIdentity()
	if err != nil {
		return err
	}
	statement, err := os.ReadFile(files[0])
	if err != nil {
		return err
	}
	signed, err := cert.SignAs(statement, id, workstationOf(env), time.Now())
	if err != nil {
		return fmt.Errorf("%s: %w", files[0], err)
	}
	if err := cert.WriteSigned(files[0], map[string]cert.Signed{id.Card.Fingerprint: signed}); err != nil {
		return err
	}
	path := cert.SignaturePath(files[0], id.Card.Fingerprint)
	fmt.Fprintf(env.Stdout, "signed by %s (%s); signature written to %s\n", id.Card.Name, id.Card.Grouped(), path)
	return nil
}

// errIncomplete makes cert verify exit 1 after printing its report.
var errIncomplete = errors.New("the certificate is not complete: see above")

func certVerifyCmd() *Cmd {
	var trust listFlag
	return &Cmd{Name: "cert verify", Synopsis: "FILE.pdf|STATEMENT.json [--trust CARD]… [--vault DIR]", Vault: true,
		Summary: "verify a certificate PDF, or a statement and the signatures beside it",
		MinArgs: 1, MaxArgs: 1, ArgsHelp: "name one STATEMENT.json",
		Flags: func(fs *flag.FlagSet) {
			fs.Lookup("vault").Usage = "also record the valid signatures in this vault, which issued the statement (the checklist's confirmation item follows from them)"
			fs.Var(&trust, "trust", "card whose fingerprint was compared in person (repeat); without any, every listed signer's key is taken as given")
		},
		Run: func(c *Call) error { return certVerify(c, trust) }}
}

func certVerify(c *Call, trust []string) error {
	env, files := c.Env, c.Args
	cards, err := readCards(trust)
	if err != nil {
		return err
	}
	var r *cert.Report
	if strings.HasSuffix(strings.ToLower(files[0]), ".pdf") {
		b, err := os.ReadFile(files[0])
		if err != nil {
			return err
		}
		pr, err := cert.VerifyPDF(b, cards)
		if err != nil && pr == nil {
			return fmt.Errorf("%s: %w", files[0], err)
		}
		if err != nil {
			// The signatures may all hold, but the PDF does not show the statement they sign:
			// no "complete" verdict is printed for it.
			printChecks(env, &pr.Report)
			return fmt.Errorf("%s: %w", files[0], err)
		}
		r = &pr.Report
	} else if r, err = cert.VerifyFiles(files[0], cards); err != nil {
		return err
	}
	if c.VaultDir() != "" {
		s, err := c.Session()
		if err != nil {
			return err
		}
		for _, ch := range r.Checks {
			if ch.Signed && ch.Err == nil {
				s.RecordSignature(r.Statement.ID, ch.Signer.Fingerprint, true)
			}
		}
		// The receiver's receipt, brought back: the package arrived whole.
		if r.Statement.Kind == cert.KindReceipt && r.Complete() {
			if err := s.RecordReceipt(r.Statement, true); err != nil {
				return err
			}
			fmt.Fprintln(env.Stdout, "receipt recorded: the checklist's package_received item is done")
		}
	}
	return printReport(env, r)
}

func printReport(env Env, r *cert.Report) error {
	printChecks(env, r)
	if !r.Complete() {
		return errIncomplete
	}
	fmt.Fprintln(env.Stdout, "complete: every required signer signed these exact bytes")
	return nil
}

// printChecks prints the statement and each signer's check, without a verdict.
func printChecks(env Env, r *cert.Report) {
	st := r.Statement
	fmt.Fprintf(env.Stdout, "certificate %s (%s), issued %s on %s\nbook digest %s\n", st.ID, st.Kind,
		st.Issued.In(shanghai).Format("2006-01-02 15:04 MST"), st.Workstation, st.Figures.Digest)
	for _, c := range r.Checks {
		state := "signed"
		if c.Signed && c.Note != nil {
			state = "signed at " + c.Note.SignedAt.In(shanghai).Format("2006-01-02 15:04 MST") + " (signer's clock)"
		}
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
}

func certPDFCmd() *Cmd {
	var out, lang string
	return &Cmd{Name: "cert pdf", Synopsis: "STATEMENT.json --out FILE.pdf [--lang zh-CN|en]",
		Summary: "render a statement and the signatures beside it as a PDF", MinArgs: 1, MaxArgs: 1,
		ArgsHelp: "give --out FILE.pdf and one STATEMENT.json", Required: []string{"out"},
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&out, "out", "", "PDF file to write")
			fs.StringVar(&lang, "lang", "zh-CN", "language of the certificate: zh-CN or en")
		},
		Run: func(c *Call) error { return certPDF(c, out, lang) }}
}

func certPDF(c *Call, out, lang string) error {
	env, files := c.Env, c.Args
	if err := checkLang(lang); err != nil {
		return err
	}
	statement, err := os.ReadFile(files[0])
	if err != nil {
		return err
	}
	st, err := cert.Parse(statement)
	if err != nil {
		return fmt.Errorf("%s: %w", files[0], err)
	}
	sigs, err := cert.ReadSigned(files[0], st)
	if err != nil {
		return err
	}
	if err := cert.CheckSigned(statement, st, sigs); err != nil {
		return fmt.Errorf("%s: %w", files[0], err)
	}
	pdf, missing, err := cert.Render(statement, sigs, lang)
	if err != nil {
		return err
	}
	for _, m := range missing {
		fmt.Fprintf(env.Stderr, "warning: the bundled font cannot draw %s; it is printed as its code point\n", m)
	}
	if err := atomicfile.Write(out, pdf, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "certificate %s written to %s (%d of %d signatures)\n", st.ID, out, len(sigs), len(st.Signers))
	return nil
}

// workstationOf names this machine in signature notes, as the app and audit events do.
func workstationOf(env Env) string {
	if env.Vault.Workstation != "" {
		return env.Vault.Workstation
	}
	return workstation.ID()
}

// checkLang refuses a document language other than zh-CN and en.
func checkLang(lang string) error {
	if lang != "zh-CN" && lang != "en" {
		return usagef("--lang must be zh-CN or en")
	}
	return nil
}
