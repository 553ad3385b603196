package cli

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"handover/app/handoverpkg"
	"handover/app/vault"
	"handover/store/atomicfile"
	"handover/store/model"
)

// parseDate reads a date flag (YYYY-MM-DD, Asia/Shanghai); "" is the zero date.
func parseDate(flagName, s string) (model.Date, error) {
	if s == "" {
		return model.Date{}, nil
	}
	var d model.Date
	if err := d.UnmarshalText([]byte(s)); err != nil {
		return d, usagef("--%s must be a date like 2026-12-31", flagName)
	}
	return d, nil
}

func today() model.Date { return model.DateOf(time.Now().In(shanghai)) }

func holdAddCmd() *Cmd {
	var caseText, customers, until string
	var all bool
	return &Cmd{Name: "hold add", Synopsis: "--vault DIR --case TEXT (--customers FILE | --all) [--until DATE]", Vault: true, JSON: true,
		Summary: "place a legal hold: the customers it covers cannot be destroyed (administrator or auditor)", Required: []string{"case"},
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&caseText, "case", "", "the case or inquiry the hold is for (recorded)")
			fs.StringVar(&customers, "customers", "", "file of the customer numbers held, one a line")
			fs.BoolVar(&all, "all", false, "hold the whole book")
			fs.StringVar(&until, "until", "", "last day of the hold (default: until released)")
		},
		Run: func(c *Call) error {
			if all == (customers != "") {
				return usagef("give --customers FILE or --all")
			}
			end, err := parseDate("until", until)
			if err != nil {
				return err
			}
			var nos []model.CustomerNo
			if customers != "" {
				if nos, err = handoverpkg.ReadCustomerList(customers); err != nil {
					return err
				}
			}
			s, err := c.Session()
			if err != nil {
				return err
			}
			h, err := s.AddHold(c.Ctx, caseText, all, nos, end)
			if err != nil {
				return err
			}
			return c.Print(h, func(w io.Writer) error {
				c.Printf("hold %s placed for %s\n", h.ID, h.Case)
				return nil
			})
		}}
}

func holdReleaseCmd() *Cmd {
	var id, reason string
	return &Cmd{Name: "hold release", Synopsis: "--vault DIR --case ID --reason TEXT", Vault: true, Required: []string{"case", "reason"},
		Summary: "release a legal hold, with the reason (administrator or auditor)",
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&id, "case", "", "the hold's ID (HOLD-…, from 'hold list')")
			fs.StringVar(&reason, "reason", "", "why the hold ends (recorded)")
		},
		Run: func(c *Call) error {
			s, err := c.Session()
			if err != nil {
				return err
			}
			if err := s.ReleaseHold(c.Ctx, id, reason); err != nil {
				return err
			}
			c.Printf("hold %s released\n", id)
			return nil
		}}
}

func holdListCmd() *Cmd {
	return &Cmd{Name: "hold list", Synopsis: "--vault DIR [--json]", Vault: true, JSON: true,
		Summary: "the vault's legal holds, released ones too",
		Run: func(c *Call) error {
			s, err := c.Session()
			if err != nil {
				return err
			}
			hs, err := s.Holds(c.Ctx)
			if err != nil {
				return err
			}
			if hs == nil {
				hs = []vault.Hold{}
			}
			return c.Print(hs, func(w io.Writer) error {
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "id\tcase\tcustomers\tuntil\tplaced by\tstate")
				for _, h := range hs {
					scope, state, until := fmt.Sprint(len(h.Customers)), "active", h.Until.String()
					if h.All {
						scope = "all"
					}
					if h.Released != nil {
						state = "released " + h.Released.At.In(shanghai).Format("2006-01-02") + ": " + h.Released.Reason
					}
					if until == "" {
						until = "until released"
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", h.ID, h.Case, scope, until, h.By, state)
				}
				return tw.Flush()
			})
		}}
}

func retentionShowCmd() *Cmd {
	var asOf string
	return &Cmd{Name: "retention show", Synopsis: "--vault DIR [--as-of DATE] [--json]", Vault: true, JSON: true,
		Summary: "what must be kept, for how long and why: per class, how many records fall due when; customers due by year",
		Flags:   func(fs *flag.FlagSet) { fs.StringVar(&asOf, "as-of", "", "the day to count from (default: today)") },
		Run: func(c *Call) error {
			rep, err := retentionReport(c, asOf)
			if err != nil {
				return err
			}
			return c.Print(rep, func(w io.Writer) error {
				for _, cl := range rep.Classes {
					counsel := ""
					if cl.Counsel {
						counsel = " (confirm with counsel)"
					}
					c.Printf("%s: %d years from the %s; %s%s\n  %s\n", cl.ID, cl.Years, strings.ReplaceAll(cl.From, "_", " "), cl.Law["en"], counsel, cl.Note["en"])
				}
				c.Printf("records by class (due by %s):\n", rep.AsOf)
				for _, r := range rep.Records {
					c.Printf("  %s: %d records, %d not yet counting (open), %d due", r.Class, r.Records, r.Open, r.Due)
					if r.DueKept > 0 {
						c.Printf(" (%d of them kept with a customer not yet due)", r.DueKept)
					}
					c.Printf("\n")
					for y := rep.AsOf.Y + 1; y <= rep.AsOf.Y+10; y++ {
						if n := r.ByYear[y]; n > 0 {
							c.Printf("    falling due in %d: %d\n", y, n)
						}
					}
				}
				c.Printf("customers: %d with a record not yet counting (a loan open), %d ended, %d due by %s, %d under a hold\n", rep.Active, rep.Ended, len(rep.Due), rep.AsOf, rep.Held)
				for y := rep.AsOf.Y; y <= rep.AsOf.Y+10; y++ {
					if n := rep.ByYear[y]; n > 0 {
						c.Printf("  falling due in %d: %d\n", y, n)
					}
				}
				return nil
			})
		}}
}

func retentionDueCmd() *Cmd {
	var by string
	return &Cmd{Name: "retention due", Synopsis: "--vault DIR [--by DATE] [--json]", Vault: true, JSON: true,
		Summary: "the customer numbers whose retention has ended by a date (never their values)",
		Flags:   func(fs *flag.FlagSet) { fs.StringVar(&by, "by", "", "the day (default: today)") },
		Run: func(c *Call) error {
			rep, err := retentionReport(c, by)
			if err != nil {
				return err
			}
			return c.Print(rep.Due, func(w io.Writer) error {
				for _, no := range rep.Due {
					c.Printf("%d\n", no)
				}
				return nil
			})
		}}
}

func retentionReport(c *Call, day string) (*vault.RetentionReport, error) {
	d, err := parseDate("as-of", day)
	if err != nil {
		return nil, err
	}
	if d.IsZero() {
		d = today()
	}
	s, err := c.Session()
	if err != nil {
		return nil, err
	}
	return s.Retention(c.Ctx, d)
}

func destroyPlanCmd() *Cmd {
	var scope, customers, out, evidence string
	return &Cmd{Name: "destroy plan", Synopsis: "--vault DIR --scope all|due|customers [FILE] [--evidence ID,…] --out PLAN.json", Vault: true,
		Summary: "plan a destruction: what goes, what is kept and why, copies outside the vault (administrator)",
		MaxArgs: 1, Required: []string{"scope", "out"}, ArgsHelp: "name at most one customer list FILE (with --scope customers)",
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&scope, "scope", "", "all (the whole book), due (retention ended) or customers (the numbers in FILE)")
			fs.StringVar(&customers, "customers", "", "with --scope customers: file of customer numbers, one a line")
			fs.StringVar(&out, "out", "", "plan file to write (PLAN.json)")
			fs.StringVar(&evidence, "evidence", "", "checklist evidence files (IDs, comma-separated, as the plan lists them) that name these customers: destroyed with them")
		},
		Run: func(c *Call) error {
			if len(c.Args) == 1 {
				customers = c.Args[0]
			}
			if (scope == vault.ScopeCustomers) != (customers != "") {
				return usagef("--scope customers takes a FILE of customer numbers; the other scopes take none")
			}
			if _, err := os.Stat(out); err == nil {
				return fmt.Errorf("%s already exists: a plan file is never overwritten", out)
			}
			var nos []model.CustomerNo
			if customers != "" {
				var err error
				if nos, err = handoverpkg.ReadCustomerList(customers); err != nil {
					return err
				}
			}
			s, err := c.Session()
			if err != nil {
				return err
			}
			var ids []string
			for _, id := range strings.Split(evidence, ",") {
				if id = strings.TrimSpace(id); id != "" {
					ids = append(ids, id)
				}
			}
			p, err := s.PlanDestroyWith(c.Ctx, scope, nos, ids)
			if err != nil {
				return err
			}
			if err := writePlan(out, p); err != nil {
				return err
			}
			c.Printf("plan %s written to %s: %d customers, %d loans, %d repayments, %d documents go, with %d quarantined rows holding their numbers\n", p.ID, out,
				p.Destroy.Customers, p.Destroy.Loans, p.Destroy.Repayments, p.Destroy.Documents, p.QuarantineRows)
			for _, k := range p.Kept {
				c.Printf("  kept: %d under hold %s (%s)\n", k.Customers, k.Hold, k.Case)
			}
			for _, cp := range p.Copies {
				c.Printf("  outside the vault: %s %s at %s (%s)\n", cp.Kind, cp.ID, cp.Where, cp.At.In(shanghai).Format("2006-01-02 15:04"))
			}
			kept := 0
			for _, e := range p.Evidence {
				if e.Goes {
					c.Printf("  evidence destroyed with them: %s %s\n", e.ID, e.Name)
				} else {
					kept++
				}
			}
			if kept > 0 {
				c.Printf("  evidence kept: %d checklist evidence files (listed in the plan file); this program does not read them: if one names these customers, plan again with --evidence ID\n", kept)
			}
			c.Printf("next: two approvals by operators of different roles ('handover destroy approve'), then 'handover destroy run'\n")
			return nil
		}}
}

func writePlan(path string, p *vault.DestroyPlan) error {
	var b strings.Builder
	if err := printJSON(&b, p); err != nil {
		return err
	}
	return atomicfile.Write(path, []byte(b.String()), 0o644)
}

// readPlan reads a plan file and checks it against the plan the vault recorded.
func readPlan(c *Call, s *vault.Session) (*vault.DestroyPlan, error) {
	b, err := os.ReadFile(c.Args[0])
	if err != nil {
		return nil, err
	}
	p, err := s.CheckPlanFile(c.Ctx, b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.Args[0], err)
	}
	return p, nil
}

func destroyApproveCmd() *Cmd {
	return &Cmd{Name: "destroy approve", Synopsis: "--vault DIR [--identity FILE] PLAN.json", Vault: true, MinArgs: 1, MaxArgs: 1,
		Identity: signerPassphrase, ArgsHelp: "name one PLAN.json",
		Summary: "approve a destruction plan as the signed-in operator, or with --identity as a person of the other party whose card the vault trusts (two approvals, of different roles or parties, are needed)",
		Run: func(c *Call) error {
			s, err := c.Session()
			if err != nil {
				return err
			}
			p, err := readPlan(c, s)
			if err != nil {
				return err
			}
			who := s.Operator().Name
			if c.IdentityFile() != "" {
				id, err := c.OpenIdentity()
				if err != nil {
					return err
				}
				sig, err := id.Sign(vault.ApprovalNamespace, p.ApprovalMessage())
				if err != nil {
					return err
				}
				if p, err = s.ApproveDestroyBySignature(c.Ctx, p.ID, id.Card, sig); err != nil {
					return err
				}
				who = id.Card.Name + " (" + id.Card.Organisation + ")"
			} else if p, err = s.ApproveDestroy(c.Ctx, p.ID); err != nil {
				return err
			}
			c.Printf("plan %s approved by %s (%d of 2 approvals)\n", p.ID, who, len(p.Approvals))
			return writePlan(c.Args[0], p)
		}}
}

func destroyRunCmd() *Cmd {
	return &Cmd{Name: "destroy run", Synopsis: "--vault DIR PLAN.json [--json]", Vault: true, JSON: true, MinArgs: 1, MaxArgs: 1,
		ArgsHelp: "name one PLAN.json", Summary: "destroy the plan's customers: keys erased, records deleted, database rewritten (administrator)",
		Run: func(c *Call) error {
			s, err := c.Session()
			if err != nil {
				return err
			}
			p, err := readPlan(c, s)
			if err != nil {
				return err
			}
			phases := map[string]string{"count": "counting what goes", "erase": "erasing the customers' keys (from here on nothing can be undone)",
				"delete": "deleting their records and index entries", "rewrite": "rewriting the database without them"}
			p, err = s.RunDestroy(c.Ctx, p.ID, func(ph string) { c.Warnf("  %s\n", phases[ph]) })
			if err != nil {
				return err
			}
			if err := writePlan(c.Args[0], p); err != nil {
				return err
			}
			return c.Print(p.Run, func(w io.Writer) error {
				c.Printf("plan %s run: %d customers, %d loans, %d repayments, %d documents destroyed; check it with 'handover destroy verify'\n",
					p.ID, p.Run.Removed.Customers, p.Run.Removed.Loans, p.Run.Removed.Repayments, p.Run.Removed.Documents)
				return nil
			})
		}}
}

// errNotVerified makes destroy verify exit 1 after its report.
var errNotVerified = fmt.Errorf("the destruction does not verify: see above")

func destroyVerifyCmd() *Cmd {
	return &Cmd{Name: "destroy verify", Synopsis: "--vault DIR PLAN.json [--json]", Vault: true, JSON: true, MinArgs: 1, MaxArgs: 1,
		ArgsHelp: "name one PLAN.json", Summary: "check a destruction: no key, record or index entry of its customers left, the rest read whole",
		Run: func(c *Call) error {
			s, err := c.Session()
			if err != nil {
				return err
			}
			p, err := readPlan(c, s)
			if err != nil {
				return err
			}
			chk, err := s.VerifyDestroy(c.Ctx, p.ID)
			if err != nil {
				return err
			}
			if p, err = s.DestroyPlanOf(c.Ctx, p.ID); err == nil {
				err = writePlan(c.Args[0], p)
			}
			if err != nil {
				return err
			}
			if perr := c.Print(chk, func(w io.Writer) error {
				c.Printf("%d customers in the plan: %d keys and %d records or index entries left; %d customers remain and read whole (digest %s)\n",
					chk.Customers, chk.KeysLeft, chk.RecordsLeft, chk.Remaining, chk.Digest)
				return nil
			}); perr != nil {
				return perr
			}
			if !chk.OK {
				return errNotVerified
			}
			return nil
		}}
}

func vaultRestrictCmd() *Cmd {
	var customers, reason string
	return &Cmd{Name: "vault restrict", Synopsis: "--vault DIR --reason TEXT [--customers FILE]", Vault: true, Required: []string{"reason"},
		Summary: "restrict the vault, or the customers listed, to storage only (PIPL Art. 47): uses of the data are refused (administrator)",
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&reason, "reason", "", "why (recorded), e.g. the law that requires keeping the data")
			fs.StringVar(&customers, "customers", "", "file of customer numbers, one a line (default: the whole vault)")
		},
		Run: func(c *Call) error {
			var nos []model.CustomerNo
			if customers != "" {
				var err error
				if nos, err = handoverpkg.ReadCustomerList(customers); err != nil {
					return err
				}
			}
			s, err := c.Session()
			if err != nil {
				return err
			}
			r, err := s.Restrict(c.Ctx, nos, reason)
			if err != nil {
				return err
			}
			if r.All {
				c.Printf("the vault is restricted to storage only: reveal, search, import, export and receive are refused\n")
			} else {
				c.Printf("%d customers are restricted to storage only\n", len(r.Customers))
			}
			return nil
		}}
}

func vaultLiftRestrictionCmd() *Cmd {
	var second, passFile, reason string
	return &Cmd{Name: "vault lift-restriction", Synopsis: "--vault DIR --second-operator NAME --reason TEXT", Vault: true,
		Required: []string{"second-operator", "reason"},
		Summary:  "end the storage-only state: the signed-in administrator and a second operator of another role (their passphrase from --second-passphrase-file or HANDOVER_SECOND_PASSPHRASE)",
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&second, "second-operator", "", "name or id of the second operator, of another role")
			fs.StringVar(&passFile, "second-passphrase-file", "", "file holding the second operator's passphrase (else HANDOVER_SECOND_PASSPHRASE)")
			fs.StringVar(&reason, "reason", "", "why the restriction ends (recorded)")
		},
		Run: func(c *Call) error {
			pass, err := secret(c.Env, passFile, "HANDOVER_SECOND_PASSPHRASE", "second passphrase")
			if err != nil {
				return err
			}
			s, err := c.Session()
			if err != nil {
				return err
			}
			id, err := s.Vault().OperatorByName(second)
			if err != nil {
				return err
			}
			if err := s.LiftRestriction(c.Ctx, id, pass, reason); err != nil {
				return err
			}
			c.Printf("the storage-only state is lifted\n")
			return nil
		}}
}

func vaultArchiveCmd() *Cmd {
	var out string
	return &Cmd{Name: "vault archive", Synopsis: "--vault DIR --out DIR", Vault: true, Required: []string{"out"},
		Summary: "write the compliance archive (no personal data: audit log and checkpoints, checklist, certificates, plans, holds) and read it back (administrator)",
		Flags:   func(fs *flag.FlagSet) { fs.StringVar(&out, "out", "", "a new or empty folder for the archive") },
		Run: func(c *Call) error {
			s, err := c.Session()
			if err != nil {
				return err
			}
			if err := s.WriteArchive(c.Ctx, out); err != nil {
				return err
			}
			c.Printf("compliance archive written to %s and read back whole; check it any time with 'handover audit verify --archive %s'\n", out, out)
			return nil
		}}
}

func vaultDestroyCmd() *Cmd {
	var archive, confirm string
	return &Cmd{Name: "vault destroy", Synopsis: "--vault DIR --archive DIR --confirm VAULT_ID", Vault: true, Required: []string{"archive", "confirm"},
		Summary: "destroy the whole vault once its customers are destroyed: the compliance archive is written and read back, then every key slot and the key table are overwritten and every file removed (administrator)",
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&archive, "archive", "", "a new or empty folder for the compliance archive")
			fs.StringVar(&confirm, "confirm", "", "the vault's ID (vault info), typed to confirm")
		},
		Run: func(c *Call) error {
			s, err := c.Session()
			if err != nil {
				return err
			}
			dir := s.Vault().Path()
			if err := s.DestroyVault(c.Ctx, archive, confirm); err != nil {
				return err
			}
			c.Printf("the vault %s is destroyed: no file of it remains; its compliance archive is %s\n", dir, archive)
			return nil
		}}
}

func destroyMediaCmd() *Cmd {
	var what, how, evidence string
	return &Cmd{Name: "destroy media", Synopsis: "--vault DIR --what TEXT --how TEXT [--evidence FILE] PLAN.json", Vault: true,
		Required: []string{"what", "how"}, MinArgs: 1, MaxArgs: 1, ArgsHelp: "name one PLAN.json",
		Summary: "register a copy or medium outside the vault as destroyed (a package's or backup's ID from the plan, or paper files, a disk): how, and the evidence's SHA-256 (administrator)",
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&what, "what", "", "the copy's ID from the plan (a package or backup), or what the medium is")
			fs.StringVar(&how, "how", "", "how it was destroyed (e.g. stick shredded by a certified company)")
			fs.StringVar(&evidence, "evidence", "", "a file that proves it (photo, certificate): only its SHA-256 is recorded")
		},
		Run: func(c *Call) error {
			s, err := c.Session()
			if err != nil {
				return err
			}
			p, err := readPlan(c, s)
			if err != nil {
				return err
			}
			var m *vault.MediaRecord
			if evidence != "" {
				f, err := os.Open(evidence)
				if err != nil {
					return err
				}
				defer f.Close()
				m, err = s.RecordMedia(c.Ctx, p.ID, what, how, filepath.Base(evidence), f)
				if err != nil {
					return err
				}
			} else if m, err = s.RecordMedia(c.Ctx, p.ID, what, how, "", nil); err != nil {
				return err
			}
			if p, err = s.DestroyPlanOf(c.Ctx, p.ID); err == nil {
				err = writePlan(c.Args[0], p)
			}
			if err != nil {
				return err
			}
			c.Printf("registered: %s destroyed (%s)", m.What, m.How)
			if m.SHA256 != "" {
				c.Printf(", evidence %s SHA-256 %s", m.Evidence, m.SHA256)
			}
			c.Printf("\n")
			return nil
		}}
}

func retentionReportCmd() *Cmd {
	var asOf string
	return pdfReportCmd("retention report", "[--as-of DATE]", "the retention report as a PDF: rules and laws (readings for counsel marked), who keeps the AML records, records per class and customers by year due, holds",
		func(fs *flag.FlagSet) { fs.StringVar(&asOf, "as-of", "", "the day to count from (default: today)") },
		func(c *Call, s *vault.Session, lang string) ([]byte, error) {
			d, err := parseDate("as-of", asOf)
			if err != nil {
				return nil, err
			}
			if d.IsZero() {
				d = today()
			}
			return s.RetentionReportPDF(c.Ctx, d, lang)
		})
}

func retentionSetEndCmd() *Cmd {
	var customers, date, reason string
	return &Cmd{Name: "retention set-end", Synopsis: "--vault DIR --customers FILE --date DATE --reason TEXT", Vault: true,
		Required: []string{"customers", "date", "reason"},
		Summary:  "set the relationship end of listed customers by hand, with the reason (a loan written off, a settlement outside the book); their retention counts from it",
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&customers, "customers", "", "file of customer numbers, one a line")
			fs.StringVar(&date, "date", "", "the day the relationship ended (YYYY-MM-DD)")
			fs.StringVar(&reason, "reason", "", "why (recorded)")
		},
		Run: func(c *Call) error {
			d, err := parseDate("date", date)
			if err != nil {
				return err
			}
			nos, err := handoverpkg.ReadCustomerList(customers)
			if err != nil {
				return err
			}
			s, err := c.Session()
			if err != nil {
				return err
			}
			if err := s.SetRelationshipEnd(c.Ctx, nos, d, reason); err != nil {
				return err
			}
			c.Printf("the relationship of %d customers ended on %s; their retention counts from that day\n", len(nos), d)
			return nil
		}}
}
