package cli

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"

	"handover/app/vault"
)

// operatorFlags describe an operator to create: name, role and where their passphrase is.
type operatorFlags struct {
	name, role, passFile *string
	nameFlag, passEnv    string
	what                 string // "passphrase" or "new passphrase", for messages
}

func addOperatorFlags(fs *flag.FlagSet, nameFlag, roleDefault, what, passEnv string) operatorFlags {
	file := strings.ReplaceAll(what, " ", "-") + "-file"
	return operatorFlags{
		name:     fs.String(nameFlag, "", "name of the operator to create"),
		role:     fs.String("role", roleDefault, "role: transferor, transferee, witness, auditor, admin"),
		passFile: fs.String(file, "", "file holding that operator's "+what+" (else "+passEnv+")"),
		nameFlag: nameFlag, passEnv: passEnv, what: what,
	}
}

func (o operatorFlags) read(env Env) (vault.NewOperator, error) {
	if *o.name == "" || *o.role == "" {
		return vault.NewOperator{}, usagef("--%s and --role are required", o.nameFlag)
	}
	r, err := vault.ParseRole(*o.role)
	if err != nil {
		return vault.NewOperator{}, usageError{err.Error()}
	}
	pass, err := secret(env, *o.passFile, o.passEnv, o.what)
	return vault.NewOperator{Name: *o.name, Role: r, Passphrase: pass}, err
}

func vaultInit(_ context.Context, env Env, args []string) error {
	fs := newFlags("vault init", env)
	dir := fs.String("vault", "", "folder of the new vault (must not exist or be empty)")
	of := addOperatorFlags(fs, "operator", "admin", "passphrase", "HANDOVER_PASSPHRASE")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *dir == "" {
		return usagef("--vault is required")
	}
	op, err := of.read(env)
	if err != nil {
		return err
	}
	s, err := vault.Create(*dir, op, "", env.Vault)
	if err != nil {
		return err
	}
	defer s.Vault().Close()
	defer s.Lock()
	fmt.Fprintf(env.Stdout, "created vault %s with operator %s (%s, id %s)\n", *dir, op.Name, op.Role, s.Operator().ID)
	if vault.AloneWithoutAudit(op.Role) {
		fmt.Fprintf(env.Stderr, "note: no operator of this vault may read its audit log, and none may add one who can (roles auditor and admin); create vaults with --role admin and add the %s as a second operator\n", op.Role)
	}
	return nil
}

// unlockFlags are the flags every command that unlocks a vault shares.
type unlockFlags struct {
	dir, operator, passFile *string
}

func addUnlockFlags(fs *flag.FlagSet) unlockFlags {
	return unlockFlags{
		dir:      fs.String("vault", "", "vault folder"),
		operator: fs.String("operator", "", "operator name or id (may be omitted when the vault has one operator, or for a demo vault)"),
		passFile: fs.String("passphrase-file", "", "file holding the operator's passphrase (else HANDOVER_PASSPHRASE)"),
	}
}

func (u unlockFlags) unlock(env Env) (*vault.Session, error) {
	s, _, err := u.unlockWithPassphrase(env)
	return s, err
}

// unlockWithPassphrase also returns the passphrase, for a command that proves it again (a
// checklist sign-off).
func (u unlockFlags) unlockWithPassphrase(env Env) (*vault.Session, string, error) {
	if *u.dir == "" {
		return nil, "", usagef("--vault is required")
	}
	pass, err := secret(env, *u.passFile, "HANDOVER_PASSPHRASE", "passphrase")
	if err != nil {
		return nil, "", err
	}
	v, err := vault.Open(*u.dir, env.Vault)
	if err != nil {
		return nil, "", err
	}
	id, err := pickOperator(v, *u.operator)
	if err != nil {
		v.Close()
		return nil, "", err
	}
	s, err := v.Unlock(id, pass)
	if err != nil {
		v.Close()
		return nil, "", err
	}
	return s, pass, nil
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
}

// InfoOperator is one operator in Info.
type InfoOperator struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Role string `json:"role"`
}

func vaultInfo(ctx context.Context, env Env, args []string) error {
	fs := newFlags("vault info", env)
	u := addUnlockFlags(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	s, err := u.unlock(env)
	if err != nil {
		return err
	}
	defer closeSession(s)
	c, err := s.Counts()
	if err != nil {
		return err
	}
	m := s.Vault().Manifest()
	info := Info{ID: m.ID, Path: s.Vault().Path(), Created: m.Created.UTC().Format("2006-01-02T15:04:05Z"),
		Demo: m.DemoPassphrase != "", Customers: c.Customers, Loans: c.Loans, Repayments: c.Repayments,
		Documents: c.Documents, DocumentBytes: c.DocumentBytes, Operators: []InfoOperator{}}
	ops, err := s.Operators(ctx)
	if err != nil {
		return err
	}
	for _, o := range ops {
		info.Operators = append(info.Operators, InfoOperator{o.ID, o.Name, o.Role})
	}
	if *asJSON {
		return printJSON(env.Stdout, info)
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "vault\t%s\nfolder\t%s\ncreated\t%s\n", info.ID, info.Path, info.Created)
	fmt.Fprintf(tw, "customers\t%d\nloans\t%d\nrepayments\t%d\ndocuments\t%d (%d bytes)\n",
		info.Customers, info.Loans, info.Repayments, info.Documents, info.DocumentBytes)
	for _, o := range info.Operators {
		fmt.Fprintf(tw, "operator\t%s\t%s\t%s\n", o.Name, o.Role, o.ID)
	}
	return tw.Flush()
}

func vaultPasswd(_ context.Context, env Env, args []string) error {
	fs := newFlags("vault passwd", env)
	u := addUnlockFlags(fs)
	nf := fs.String("new-passphrase-file", "", "file holding the new passphrase (else HANDOVER_NEW_PASSPHRASE)")
	if err := parse(fs, args); err != nil {
		return err
	}
	newPass, err := secret(env, *nf, "HANDOVER_NEW_PASSPHRASE", "new passphrase")
	if err != nil {
		return err
	}
	s, err := u.unlock(env)
	if err != nil {
		return err
	}
	defer closeSession(s)
	oldPass, _ := secret(env, *u.passFile, "HANDOVER_PASSPHRASE", "passphrase")
	if err := s.ChangePassphrase(oldPass, newPass); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "passphrase of %s changed\n", s.Operator().Name)
	return nil
}

func vaultAddOperator(_ context.Context, env Env, args []string) error {
	fs := newFlags("vault add-operator", env)
	u := addUnlockFlags(fs)
	of := addOperatorFlags(fs, "name", "", "new passphrase", "HANDOVER_NEW_PASSPHRASE")
	if err := parse(fs, args); err != nil {
		return err
	}
	n, err := of.read(env)
	if err != nil {
		return err
	}
	s, err := u.unlock(env)
	if err != nil {
		return err
	}
	defer closeSession(s)
	op, err := s.AddOperator(n)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "added operator %s (%s, id %s)\n", op.Name, op.Role, op.ID)
	return nil
}

func vaultRemoveOperator(ctx context.Context, env Env, args []string) error {
	fs := newFlags("vault remove-operator", env)
	u := addUnlockFlags(fs)
	target := fs.String("remove", "", "name or id of the operator to remove")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *target == "" {
		return usagef("--remove is required")
	}
	s, err := u.unlock(env)
	if err != nil {
		return err
	}
	defer closeSession(s)
	id, err := s.Vault().OperatorByName(*target)
	if err != nil {
		return err
	}
	if err := s.RemoveOperator(ctx, id); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "removed operator %s\n", *target)
	return nil
}

// vaultRepair opens a vault whose logs were refused as damaged, as the database would after a
// crash (a power cut can leave unwritten pages that look like damage), keeping the logs as
// they were in a folder of the vault, and then reads the whole book and verifies the log.
func vaultRepair(ctx context.Context, env Env, args []string) error {
	fs := newFlags("vault repair", env)
	u := addUnlockFlags(fs)
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *u.dir == "" {
		return usagef("--vault is required")
	}
	pass, err := secret(env, *u.passFile, "HANDOVER_PASSPHRASE", "passphrase")
	if err != nil {
		return err
	}
	v, err := vault.Open(*u.dir, env.Vault)
	if err != nil {
		return err
	}
	defer v.Close()
	id, err := pickOperator(v, *u.operator)
	if err != nil {
		return err
	}
	rep, err := v.Repair(ctx, id, pass)
	if rep != nil {
		if *asJSON {
			if perr := printJSON(env.Stdout, rep); perr != nil {
				return perr
			}
		} else {
			fmt.Fprintf(env.Stdout, "the logs as they were are kept in %s\n", rep.Kept)
			if rep.Figures != nil {
				fmt.Fprintf(env.Stdout, "the book reads whole: %d customers, digest %s\n", rep.Figures.Customers, rep.Figures.Digest)
			}
			if rep.AuditOK {
				fmt.Fprintln(env.Stdout, "the audit log verifies; compare the figures with your last certificate or backup before going on")
			}
		}
	}
	return err
}
