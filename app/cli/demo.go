package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"handover/app/demo"
	"handover/app/progress"
)

func demoCmd(ctx context.Context, env Env, args []string) error {
	fs := newFlags("demo", env)
	n := fs.Int("customers", 1000, "number of customers to generate")
	out := fs.String("out", "", "folder of the new demo vault")
	seed := fs.Uint64("seed", 1, "seed: the same seed gives the same book")
	docs := fs.Bool("documents", false, "add two scanned-document images per customer")
	deal := fs.String("deal", "", "also record a demo deal of this type (equity, loan-book, merger) with its preparation done, so export is open")
	pf := fs.String("passphrase-file", "", "file holding the demo operators' passphrase (else HANDOVER_PASSPHRASE)")
	csvDir := fs.String("export-csv", "", "also (or only) write the book as customers.csv, loans.csv and repayments.csv into this folder")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *out == "" && *csvDir == "" {
		return usagef("--out or --export-csv is required")
	}
	if *n < 0 {
		return usagef("--customers must not be negative")
	}
	if *csvDir != "" {
		c := progress.NewCounter()
		stop := showProgress(env.Stderr, c, "customers to CSV")
		err := demo.ExportCSV(ctx, *csvDir, &demo.Generator{Seed: *seed}, *n, c)
		stop()
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "wrote %d customers as CSV to %s\n", *n, *csvDir)
		if *out == "" {
			return nil
		}
	}
	pass, err := secret(env, *pf, "HANDOVER_PASSPHRASE", "passphrase")
	if err != nil {
		return err
	}
	_, statErr := os.Stat(*out)
	fresh := os.IsNotExist(statErr)
	c := progress.NewCounter()
	stop := showProgress(env.Stderr, c, "customers")
	s, err := demo.CreateVault(ctx, *out, demo.Options{Customers: *n, Seed: *seed, Documents: *docs, Passphrase: pass, Vault: env.Vault, Deal: *deal}, c)
	stop()
	if err != nil {
		if fresh {
			os.RemoveAll(*out) // a half-made demo vault is of no use to anyone
		}
		return err
	}
	defer closeSession(s)
	counts, err := s.Counts()
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "created demo vault %s: %d customers, %d loans, %d repayments, %d documents\n",
		*out, counts.Customers, counts.Loans, counts.Repayments, counts.Documents)
	fmt.Fprintf(env.Stdout, "operators: %s (transferor), %s (auditor), %s (admin)\n",
		demo.OperatorName, demo.AuditorName, demo.AdminName)
	return nil
}

// showProgress prints a progress line every few seconds until stop is called.
func showProgress(w io.Writer, c *progress.Counter, unit string) (stop func()) {
	return everyFewSeconds(func() {
		if s := c.Snapshot(); s.Total > 0 {
			fmt.Fprintf(w, "  %d/%d %s (%.0f/s, about %s left)\n", s.Done, s.Total, unit, s.Rate, s.ETA.Round(time.Second))
		}
	})
}

// everyFewSeconds calls line every three seconds on its own goroutine until stop is called:
// long commands report progress on a ticker, never per item.
func everyFewSeconds(line func()) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(3 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				line()
			}
		}
	}()
	return func() { close(done); <-finished }
}
