package ui

import (
	"context"
	"os"
	"path/filepath"

	"handover/app/checklist"
	"handover/app/demo"
	"handover/app/progress"
)

// DemoPassphrase is the passphrase of the demo vault that `make run` creates. It is shown on
// the unlock screen of that vault, which holds only synthetic data.
const DemoPassphrase = "handover-demo"

// DemoCustomers is the size of the first-run demo book: large enough to feel real, small
// enough to be made in a few seconds.
const DemoCustomers = 20000

// OpenDemo opens the demo vault at path, creating it first (behind a progress bar with
// Cancel) when it does not exist yet.
func (a *App) OpenDemo(path string) {
	if _, err := os.Stat(filepath.Join(path, "vault.json")); err == nil {
		if err := a.OpenVault(path); err != nil {
			a.ShowWelcome()
			a.unlock.setStatus(describeOnly(err))
		}
		return
	}
	a.ShowWelcome()
	_ = os.RemoveAll(path) // a half-made demo from a cancelled first run
	runWithProgress(a.win, L("demo.creating"), func(ctx context.Context, p progress.Reporter) error {
		s, err := demo.CreateVault(ctx, path, demo.Options{Customers: DemoCustomers, Seed: 1, Documents: true, DocumentLimit: 500, Deal: checklist.Equity,
			Passphrase: DemoPassphrase, Vault: a.vaultOpts}, p)
		if err != nil {
			return err
		}
		v := s.Vault()
		_ = s.Lock()
		return v.Close()
	}, func(err error) {
		if err != nil {
			_ = os.RemoveAll(path)
			showError(a.win, err)
			return
		}
		if err := a.OpenVault(path); err != nil {
			showError(a.win, err)
		}
	})
}
