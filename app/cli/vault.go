package cli

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"handover/app/vault"
)

// operatorFlags describe an operator to create: name, role and where their passphrase is.
type operatorFlags struct {
	name, role, passFile string
	nameFlag, passEnv    string
	what                 string // "passphrase" or "new passphrase", for messages
}

func (o *operatorFlags) add(fs *flag.FlagSet, nameFlag, roleDefault, what, passEnv string) {
	o.nameFlag, o.passEnv, o.what = nameFlag, passEnv, what
	fs.StringVar(&o.name, nameFlag, "", "name of the operator to create")
	fs.StringVar(&o.role, "role", roleDefault, "role: transferor, transferee, witness, auditor, admin")
	fs.StringVar(&o.passFile, strings.ReplaceAll(what, " ", "-")+"-file", "", "file holding that operator's "+what+" (else "+passEnv+")")
}

func (o *operatorFlags) read(env Env) (vault.NewOperator, error) {
	if o.name == "" || o.role == "" {
		return vault.NewOperator{}, usagef("--%s and --role are required", o.nameFlag)
	}
	r, err := vault.ParseRole(o.role)
	if err != nil {
		return vault.NewOperator{}, usageError{err.Error()}
	}
	pass, err := secret(env, o.passFile, o.passEnv, o.what)
	return vault.NewOperator{Name: o.name, Role: r, Passphrase: pass}, err
}

func vaultInitCmd() *Cmd {
	var dir string
	var of operatorFlags
	return &Cmd{Name: "vault init", Synopsis: "--vault DIR --operator NAME --role ROLE", Required: []string{"vault"},
		Summary: "create a vault with its first operator",
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&dir, "vault", "", "folder of the new vault (must not exist or be empty)")
			of.add(fs, "operator", "admin", "passphrase", "HANDOVER_PASSPHRASE")
		},
		Run: func(c *Call) error {
			op, err := of.read(c.Env)
			if err != nil {
				return err
			}
			s, err := vault.Create(dir, op, "", c.Env.Vault)
			if err != nil {
				return err
			}
			defer closeSession(s)
			c.Printf("created vault %s with operator %s (%s, id %s)\n", dir, op.Name, op.Role, s.Operator().ID)
			if vault.AloneWithoutAudit(op.Role) {
				c.Warnf("note: no operator of this vault may read its audit log, and none may add one who can (roles auditor and admin); create vaults with --role admin and add the %s as a second operator\n", op.Role)
			}
			return nil
		}}
}

func pickOperator(v *vault.Vault, name string) (string, error) {
	if name != "" {
		return v.OperatorByName(name)
	}
	ops, err := v.Operators()
	if err != nil {
		return "", err
	}
	if len(ops) == 1 {
		return ops[0].Operator, nil
	}
	if v.Manifest().DemoPassphrase != "" {
		for _, o := range ops {
			if o.Role == string(vault.Transferor) {
				return o.Operator, nil
			}
		}
	}
	return "", usagef("the vault has %d operators: choose one with --operator NAME", len(ops))
}

func closeSession(s *vault.Session) {
	v := s.Vault()
	s.Lock()
	v.Close()
}

// Info is the JSON of `vault info --json`. The keys are a contract with users' scripts.
type Info struct {
	ID            string         `json:"id"`
	Path          string         `json:"path"`
	Created       string         `json:"created"`
	Demo          bool           `json:"demo"`
	Customers     int64          `json:"customers"`
	Loans         int64          `json:"loans"`
	Repayments    int64          `json:"repayments"`
	Documents     int64          `json:"documents"`
	DocumentBytes int64          `json:"document_bytes"`
	Operators     []InfoOperator `json:"operators"`
	// Restricted is the storage-only state in force, if any.
	Restricted *vault.Restriction `json:"restricted,omitempty"`
}

// InfoOperator is one operator in Info.
type InfoOperator struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Role string `json:"role"`
}

func vaultInfoCmd() *Cmd {
	return &Cmd{Name: "vault info", Synopsis: "--vault DIR [--operator NAME] [--json]", Vault: true, JSON: true,
		Summary: "show a vault's counts and operators",
		Run: func(c *Call) error {
			s, err := c.Session()
			if err != nil {
				return err
			}
			cn, err := s.Counts()
			if err != nil {
				return err
			}
			m := s.Vault().Manifest()
			info := Info{ID: m.ID, Path: s.Vault().Path(), Created: m.Created.UTC().Format("2006-01-02T15:04:05Z"),
				Demo: m.DemoPassphrase != "", Customers: cn.Customers, Loans: cn.Loans, Repayments: cn.Repayments,
				Documents: cn.Documents, DocumentBytes: cn.DocumentBytes, Operators: []InfoOperator{}}
			ops, err := s.Operators(c.Ctx)
			if err != nil {
				return err
			}
			for _, o := range ops {
				info.Operators = append(info.Operators, InfoOperator{o.ID, o.Name, o.Role})
			}
			if info.Restricted, err = s.RestrictionOf(c.Ctx); err != nil {
				return err
			}
			return c.Print(info, func(w io.Writer) error {
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintf(tw, "vault\t%s\nfolder\t%s\ncreated\t%s\n", info.ID, info.Path, info.Created)
				fmt.Fprintf(tw, "customers\t%d\nloans\t%d\nrepayments\t%d\ndocuments\t%d (%d bytes)\n",
					info.Customers, info.Loans, info.Repayments, info.Documents, info.DocumentBytes)
				for _, o := range info.Operators {
					fmt.Fprintf(tw, "operator\t%s\t%s\t%s\n", o.Name, o.Role, o.ID)
				}
				if r := info.Restricted; r != nil {
					scope := "the whole vault"
					if !r.All {
						scope = fmt.Sprintf("%d customers", len(r.Customers))
					}
					fmt.Fprintf(tw, "restricted\t%s, storage only since %s: %s\n", scope, r.At.In(shanghai).Format("2006-01-02"), r.Reason)
				}
				return tw.Flush()
			})
		}}
}

func vaultPasswdCmd() *Cmd {
	var nf string
	return &Cmd{Name: "vault passwd", Synopsis: "--vault DIR --operator NAME", Vault: true,
		Summary: "change an operator's passphrase (the new one from --new-passphrase-file or HANDOVER_NEW_PASSPHRASE)",
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&nf, "new-passphrase-file", "", "file holding the new passphrase (else HANDOVER_NEW_PASSPHRASE)")
		},
		Run: func(c *Call) error {
			newPass, err := secret(c.Env, nf, "HANDOVER_NEW_PASSPHRASE", "new passphrase")
			if err != nil {
				return err
			}
			s, err := c.Session()
			if err != nil {
				return err
			}
			if err := s.ChangePassphrase(c.SessionPassphrase(), newPass); err != nil {
				return err
			}
			c.Printf("passphrase of %s changed\n", s.Operator().Name)
			return nil
		}}
}

func vaultAddOperatorCmd() *Cmd {
	var of operatorFlags
	return &Cmd{Name: "vault add-operator", Synopsis: "--vault DIR --operator ADMIN --name NAME --role ROLE", Vault: true,
		Summary: "add an operator (needs an administrator)",
		Flags:   func(fs *flag.FlagSet) { of.add(fs, "name", "", "new passphrase", "HANDOVER_NEW_PASSPHRASE") },
		Run: func(c *Call) error {
			n, err := of.read(c.Env)
			if err != nil {
				return err
			}
			s, err := c.Session()
			if err != nil {
				return err
			}
			op, err := s.AddOperator(n)
			if err != nil {
				return err
			}
			c.Printf("added operator %s (%s, id %s)\n", op.Name, op.Role, op.ID)
			return nil
		}}
}

func vaultRemoveOperatorCmd() *Cmd {
	var target string
	return &Cmd{Name: "vault remove-operator", Synopsis: "--vault DIR --operator ADMIN --remove NAME", Vault: true,
		Required: []string{"remove"}, Summary: "remove an operator (needs an administrator)",
		Flags: func(fs *flag.FlagSet) { fs.StringVar(&target, "remove", "", "name or id of the operator to remove") },
		Run: func(c *Call) error {
			s, id, err := sessionAndOperator(c, target)
			if err != nil {
				return err
			}
			if err := s.RemoveOperator(c.Ctx, id); err != nil {
				return err
			}
			c.Printf("removed operator %s\n", target)
			return nil
		}}
}

func vaultSetRoleCmd() *Cmd {
	var target, role string
	return &Cmd{Name: "vault set-role", Synopsis: "--vault DIR --operator ADMIN --target NAME --role ROLE", Vault: true,
		Required: []string{"target", "role"}, Summary: "give an operator another role (needs an administrator)",
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&target, "target", "", "name or id of the operator whose role changes")
			fs.StringVar(&role, "role", "", "the new role: transferor, transferee, witness, auditor or admin")
		},
		Run: func(c *Call) error {
			r, err := vault.ParseRole(role)
			if err != nil {
				return usagef("--role: %v", err)
			}
			s, id, err := sessionAndOperator(c, target)
			if err != nil {
				return err
			}
			if err := s.SetOperatorRole(c.Ctx, id, r); err != nil {
				return err
			}
			c.Printf("%s is now %s\n", target, r)
			return nil
		}}
}

func vaultResetPassphraseCmd() *Cmd {
	var target, nf string
	return &Cmd{Name: "vault reset-passphrase", Synopsis: "--vault DIR --operator ADMIN --target NAME", Vault: true,
		Required: []string{"target"},
		Summary:  "give an operator who forgot theirs a new passphrase, from --new-passphrase-file or HANDOVER_NEW_PASSPHRASE (needs an administrator)",
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&target, "target", "", "name or id of the operator whose passphrase is reset")
			fs.StringVar(&nf, "new-passphrase-file", "", "file holding the new passphrase (else HANDOVER_NEW_PASSPHRASE)")
		},
		Run: func(c *Call) error {
			newPass, err := secret(c.Env, nf, "HANDOVER_NEW_PASSPHRASE", "new passphrase")
			if err != nil {
				return err
			}
			s, id, err := sessionAndOperator(c, target)
			if err != nil {
				return err
			}
			if err := s.ResetPassphrase(c.Ctx, id, newPass); err != nil {
				return err
			}
			c.Printf("passphrase of %s reset; they should change it with 'vault passwd'\n", target)
			return nil
		}}
}

// sessionAndOperator opens the command's session and finds the operator it acts on.
func sessionAndOperator(c *Call, target string) (*vault.Session, string, error) {
	s, err := c.Session()
	if err != nil {
		return nil, "", err
	}
	id, err := s.Vault().OperatorByName(target)
	return s, id, err
}

// vaultRepairCmd opens a vault whose logs were refused as damaged, as the database would
// after a crash (a power cut can leave unwritten pages that look like damage), keeping the
// logs as they were in a folder of the vault, and then reads the whole book and verifies
// the log. It unlocks the vault its own way, so it takes the vault's flags but no session.
func vaultRepairCmd() *Cmd {
	return &Cmd{Name: "vault repair", Synopsis: "--vault DIR [--operator NAME] [--json]", Vault: true, JSON: true,
		Required: []string{"vault"},
		Summary:  "open a vault refused as damaged after a power cut, as the database would, keeping the logs as they were, then read it whole (needs an administrator)",
		Run: func(c *Call) error {
			pass, err := c.Passphrase()
			if err != nil {
				return err
			}
			v, err := vault.Open(c.VaultDir(), c.Env.Vault)
			if err != nil {
				return err
			}
			defer v.Close()
			id, err := pickOperator(v, c.Operator())
			if err != nil {
				return err
			}
			rep, err := v.Repair(c.Ctx, id, pass)
			if rep == nil {
				return err
			}
			if perr := c.Print(rep, func(w io.Writer) error {
				c.Printf("the logs as they were are kept in %s\n", rep.Kept)
				if rep.Figures != nil {
					c.Printf("the book reads whole: %d customers, digest %s\n", rep.Figures.Customers, rep.Figures.Digest)
				}
				if rep.AuditOK {
					c.Printf("the audit log verifies; compare the figures with your last certificate or backup before going on\n")
				}
				return nil
			}); perr != nil {
				return perr
			}
			return err
		}}
}
