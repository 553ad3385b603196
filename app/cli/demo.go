package cli

import (
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"handover/app/demo"
	"handover/app/progress"
)

func demoCmd() *Cmd {
	var n int
	var out, deal, pf, csvDir string
	var seed uint64
	var docs bool
	return &Cmd{Name: "demo", Synopsis: "--customers N --out DIR [--seed S] [--documents] [--deal equity|loan-book|merger] [--export-csv DIR]",
		Summary: "create a demo vault with a synthetic loan book",
		Flags: func(fs *flag.FlagSet) {
			fs.IntVar(&n, "customers", 1000, "number of customers to generate")
			fs.StringVar(&out, "out", "", "folder of the new demo vault")
			fs.Uint64Var(&seed, "seed", 1, "seed: the same seed gives the same book")
			fs.BoolVar(&docs, "documents", false, "add two scanned-document images per customer")
			fs.StringVar(&deal, "deal", "", "also record a demo deal of this type (equity, loan-book, merger) with its preparation done, so export is open")
			fs.StringVar(&pf, "passphrase-file", "", "file holding the demo operators' passphrase (else HANDOVER_PASSPHRASE)")
			fs.StringVar(&csvDir, "export-csv", "", "also (or only) write the book as customers.csv, loans.csv and repayments.csv into this folder")
		},
		Run: func(c *Call) error {
			if out == "" && csvDir == "" {
				return usagef("--out or --export-csv is required")
			}
			if n < 0 {
				return usagef("--customers must not be negative")
			}
			if csvDir != "" {
				cnt := progress.NewCounter()
				stop := showProgress(c.Env.Stderr, cnt, "customers to CSV")
				err := demo.ExportCSV(c.Ctx, csvDir, &demo.Generator{Seed: seed}, n, cnt)
				stop()
				if err != nil {
					return err
				}
				c.Printf("wrote %d customers as CSV to %s\n", n, csvDir)
				if out == "" {
					return nil
				}
			}
			pass, err := secret(c.Env, pf, "HANDOVER_PASSPHRASE", "passphrase")
			if err != nil {
				return err
			}
			_, statErr := os.Stat(out)
			fresh := os.IsNotExist(statErr)
			cnt := progress.NewCounter()
			stop := showProgress(c.Env.Stderr, cnt, "customers")
			s, err := demo.CreateVault(c.Ctx, out, demo.Options{Customers: n, Seed: seed, Documents: docs, Passphrase: pass, Vault: c.Env.Vault, Deal: deal}, cnt)
			stop()
			if err != nil {
				if fresh {
					os.RemoveAll(out) // a half-made demo vault is of no use to anyone
				}
				return err
			}
			defer closeSession(s)
			counts, err := s.Counts()
			if err != nil {
				return err
			}
			c.Printf("created demo vault %s: %d customers, %d loans, %d repayments, %d documents\n",
				out, counts.Customers, counts.Loans, counts.Repayments, counts.Documents)
			c.Printf("operators: %s (transferor), %s (auditor), %s (admin)\n",
				demo.OperatorName, demo.AuditorName, demo.AdminName)
			return nil
		}}
}

// showProgress prints a progress line every few seconds until stop is called.
func showProgress(w io.Writer, c *progress.Counter, unit string) (stop func()) {
	return everyFewSeconds(func() {
		if s := c.Snapshot(); s.Total > 0 {
			fmt.Fprintf(w, "  %d/%d %s (%.0f/s, about %s left)\n", s.Done, s.Total, unit, s.Rate, s.ETA.Round(time.Second))
		}
	})
}

// everyFewSeconds prints progress lines on a ticker, never per item.
func everyFewSeconds(line func()) (stop func()) { return progress.Every(3*time.Second, line) }
