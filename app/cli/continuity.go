package cli

import (
	"flag"

	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"handover/app/validate"
	"handover/app/vault"
	"handover/store/model"
)

// The business-continuity commands (docs/CONTINUITY.md): the change-over plan, the customers
// falling due after the cut-off, and the register of repayments forwarded to the transferee.

func continuityCommands() []*Cmd {
	return []*Cmd{continuityPlanCmd(), continuityDueCmd(), continuityPaymentAddCmd(), continuityPaymentForwardCmd(), continuityPaymentsCmd(), continuityReportCmd()}
}

func continuityPlanCmd() *Cmd {
	var closes, from, complaints, reporter, reportFrom string
	return &Cmd{Name: "continuity plan", Synopsis: "--vault DIR --old-account-closes DATE --new-account-from DATE --complaints TEXT --credit-reporting transferor|transferee --credit-reporting-from DATE [--json]",
		Vault: true, JSON: true, Required: []string{"old-account-closes", "new-account-from", "complaints", "credit-reporting", "credit-reporting-from"},
		Summary: "record the change-over both parties follow from the cut-off: when the old repayment account closes and the new one opens, who handles complaints, who reports to the credit reference system from when",
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&closes, "old-account-closes", "", "the day the transferor's account stops taking repayments (on or after the cut-off)")
			fs.StringVar(&from, "new-account-from", "", "the day the transferee's account takes them (on or before the cut-off)")
			fs.StringVar(&complaints, "complaints", "", "who handles complaints and disputes from the cut-off, and how they are passed on")
			fs.StringVar(&reporter, "credit-reporting", "", "which party reports to the credit reference system")
			fs.StringVar(&reportFrom, "credit-reporting-from", "", "from which day")
		},
		Run: func(c *Call) error {
			var p vault.ContinuityPlan
			for _, d := range []struct {
				flag, v string
				to      *model.Date
			}{{"old-account-closes", closes, &p.OldAccountCloses}, {"new-account-from", from, &p.NewAccountFrom}, {"credit-reporting-from", reportFrom, &p.CreditReportingFrom}} {
				day, err := parseDate(d.flag, d.v)
				if err != nil {
					return err
				}
				*d.to = day
			}
			p.Complaints, p.CreditReporter = complaints, reporter
			s, err := c.Session()
			if err != nil {
				return err
			}
			rec, err := s.SetContinuityPlan(c.Ctx, p)
			if err != nil {
				return err
			}
			return c.Print(rec, func(w io.Writer) error {
				c.Printf("continuity plan recorded: cut-off %s; old account closes %s, new account from %s; credit reporting by the %s from %s\n",
					rec.Cutoff, rec.OldAccountCloses, rec.NewAccountFrom, rec.CreditReporter, rec.CreditReportingFrom)
				return nil
			})
		}}
}

func continuityDueCmd() *Cmd {
	var days string
	return &Cmd{Name: "continuity due", Synopsis: "--vault DIR [--days 30,60,90] [--json]", Vault: true, JSON: true,
		Summary: "the customers with an instalment falling due within 30, 60 and 90 days of the cut-off (customer numbers, never values)",
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&days, "days", "30,60,90", "the windows after the cut-off, in days")
		},
		Run: func(c *Call) error {
			var windows []int
			for _, d := range strings.Split(days, ",") {
				n, err := strconv.Atoi(strings.TrimSpace(d))
				if err != nil || n < 1 || n > 3660 {
					return usagef("--days takes whole numbers of days, like 30,60,90")
				}
				windows = append(windows, n)
			}
			s, err := c.Session()
			if err != nil {
				return err
			}
			due, cut, err := s.ContinuityDue(c.Ctx, windows)
			if err != nil {
				return err
			}
			return c.Print(due, func(w io.Writer) error {
				for _, b := range due {
					c.Printf("within %d days of the cut-off %s: %d customers, %d instalments, ¥%s principal outstanding\n", b.Days, cut, b.Customers, b.Instalments, b.Outstanding.Yuan())
				}
				return nil
			})
		}}
}

// proofFile opens an optional evidence file.
func proofFile(path string) (string, *os.File, error) {
	if path == "" {
		return "", nil, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return "", nil, err
	}
	return filepath.Base(path), f, nil
}

func continuityPaymentAddCmd() *Cmd {
	var amount, received, forwarded, evidence string
	var customer uint64
	return &Cmd{Name: "continuity payment add", Synopsis: "--vault DIR --customer N --amount YUAN --received DATE [--forwarded DATE] [--evidence FILE] [--json]",
		Vault: true, JSON: true, Required: []string{"customer", "amount", "received"},
		Summary: "register a repayment the transferor received on or after the cut-off (and, if already done, its forwarding to the transferee)",
		Flags: func(fs *flag.FlagSet) {
			fs.Uint64Var(&customer, "customer", 0, "the customer's number")
			fs.StringVar(&amount, "amount", "", "the amount in yuan, e.g. 1234.56")
			fs.StringVar(&received, "received", "", "the day the transferor received it")
			fs.StringVar(&forwarded, "forwarded", "", "the day it was forwarded, if it was")
			fs.StringVar(&evidence, "evidence", "", "the bank slip (recorded by its SHA-256)")
		},
		Run: func(c *Call) error {
			fen, problem := validate.Amount(amount, false)
			if problem != nil {
				return usagef("--amount must be an amount in yuan with at most two decimals, like 1234.56")
			}
			rec, err := parseDate("received", received)
			if err != nil {
				return err
			}
			fwd, err := parseDate("forwarded", forwarded)
			if err != nil {
				return err
			}
			name, f, err := proofFile(evidence)
			if err != nil {
				return err
			}
			var r io.Reader
			if f != nil {
				defer f.Close()
				r = f
			}
			s, err := c.Session()
			if err != nil {
				return err
			}
			p, err := s.AddForwardedPayment(c.Ctx, model.CustomerNo(customer), fen, rec, fwd, name, r)
			if err != nil {
				return err
			}
			return c.Print(p, func(w io.Writer) error {
				c.Printf("registered %s: customer %d, ¥%s received %s\n", p.ID, p.Customer, p.Amount.Yuan(), p.Received)
				return nil
			})
		}}
}

func continuityPaymentForwardCmd() *Cmd {
	var id, date, evidence string
	return &Cmd{Name: "continuity payment forward", Synopsis: "--vault DIR --id ID --date DATE [--evidence FILE]", Vault: true, Required: []string{"id", "date"},
		Summary: "record that a registered repayment was forwarded to the transferee",
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&id, "id", "", "the repayment's ID in the register")
			fs.StringVar(&date, "date", "", "the day it was forwarded")
			fs.StringVar(&evidence, "evidence", "", "the transfer slip (recorded by its SHA-256)")
		},
		Run: func(c *Call) error {
			day, err := parseDate("date", date)
			if err != nil {
				return err
			}
			name, f, err := proofFile(evidence)
			if err != nil {
				return err
			}
			var r io.Reader
			if f != nil {
				defer f.Close()
				r = f
			}
			s, err := c.Session()
			if err != nil {
				return err
			}
			p, err := s.ForwardPayment(c.Ctx, id, day, name, r)
			if err != nil {
				return err
			}
			c.Printf("%s forwarded on %s (¥%s)\n", p.ID, p.Forwarded, p.Amount.Yuan())
			return nil
		}}
}

func continuityPaymentsCmd() *Cmd {
	return &Cmd{Name: "continuity payments", Synopsis: "--vault DIR [--json]", Vault: true, JSON: true,
		Summary: "the register of repayments received after the cut-off, with the totals received, forwarded and still to forward",
		Run: func(c *Call) error {
			s, err := c.Session()
			if err != nil {
				return err
			}
			r, err := s.ForwardedPayments(c.Ctx)
			if err != nil {
				return err
			}
			return c.Print(r, func(w io.Writer) error {
				for _, p := range r.Payments {
					fwd := "not forwarded"
					if !p.Forwarded.IsZero() {
						fwd = "forwarded " + p.Forwarded.String()
					}
					c.Printf("%s  customer %d  ¥%s  received %s  %s\n", p.ID, p.Customer, p.Amount.Yuan(), p.Received, fwd)
				}
				state := "reconciles"
				if !r.Reconciles {
					state = "does not reconcile"
				}
				c.Printf("received ¥%s, forwarded ¥%s, still to forward ¥%s: %s\n", r.Received.Yuan(), r.Forwarded.Yuan(), r.Outstanding.Yuan(), state)
				return nil
			})
		}}
}

func continuityReportCmd() *Cmd {
	return pdfReportCmd("continuity report", "", "the continuity report as a PDF: the plan, the customers falling due after the cut-off, the items both parties sign off, the register and its reconciliation", nil,
		func(c *Call, s *vault.Session, lang string) ([]byte, error) {
			return s.ContinuityReportPDF(c.Ctx, lang)
		})
}
