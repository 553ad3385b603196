package cli

import (
	"context"
	"fmt"
	"text/tabwriter"

	"handover/store/model"
)

func figuresCmd(ctx context.Context, env Env, args []string) error {
	fs := newFlags("figures", env)
	u := addUnlockFlags(fs)
	asJSON := fs.Bool("json", false, "print JSON (the keys of the certificate statement)")
	if err := parse(fs, args); err != nil {
		return err
	}
	s, err := u.unlock(env)
	if err != nil {
		return err
	}
	defer closeSession(s)
	f, err := s.Figures(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(env.Stdout, f)
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	row := func(k string, v any) { fmt.Fprintf(tw, "%s\t%v\t\n", k, v) }
	row("customers", model.Group(f.Customers))
	row("loans", model.Group(f.Loans))
	row("repayments", model.Group(f.Repayments))
	row("documents", fmt.Sprintf("%s (%s bytes)", model.Group(f.Documents), model.Group(f.DocumentBytes)))
	row("principal", f.Principal.Yuan())
	row("outstanding", f.Outstanding.Yuan())
	for _, st := range []model.LoanStatus{model.StatusNormal, model.StatusOverdue, model.StatusSettled} {
		row("  status "+string(st), f.OutstandingByState[st].Yuan())
	}
	for _, c := range model.Classes {
		row("  class "+string(c), f.OutstandingByClass[c].Yuan())
	}
	for _, b := range f.Overdue {
		row("  overdue "+b.Label+" days", fmt.Sprintf("%s loans, %s", model.Group(b.Loans), b.Outstanding.Yuan()))
	}
	row("repaid", f.Repaid.Yuan())
	row("book digest", f.Digest)
	return tw.Flush()
}
