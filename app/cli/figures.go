package cli

import (
	"fmt"
	"io"
	"text/tabwriter"

	"handover/store/model"
)

func figuresCmd() *Cmd {
	return &Cmd{Name: "figures", Synopsis: "--vault DIR [--json]", Vault: true, JSON: true,
		Summary: "the book's figures and digest, as both parties compare them (--json: the keys of the certificate statement)",
		Run: func(c *Call) error {
			s, err := c.Session()
			if err != nil {
				return err
			}
			f, err := s.Figures(c.Ctx)
			if err != nil {
				return err
			}
			return c.Print(f, func(w io.Writer) error {
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
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
				for _, cl := range model.Classes {
					row("  class "+string(cl), f.OutstandingByClass[cl].Yuan())
				}
				for _, b := range f.Overdue {
					row("  overdue "+b.Label+" days", fmt.Sprintf("%s loans, %s", model.Group(b.Loans), b.Outstanding.Yuan()))
				}
				row("repaid", f.Repaid.Yuan())
				row("book digest", f.Digest)
				return tw.Flush()
			})
		}}
}
