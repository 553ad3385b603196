// Package vaulttest makes vaults for tests of the packages above app/vault (the app, the
// command line, the demo): a low work factor so that a key slot opens in milliseconds, and
// a vault with the operators a test needs in one line. Never imported outside tests.
package vaulttest

import (
	"path/filepath"
	"testing"

	"handover/app/vault"
)

// Options are vault options for tests: a work factor of 2^10 (the product uses 2^18) and a
// fixed workstation name.
var Options = vault.Options{WorkFactor: 10, Workstation: "test-ws"}

// Passphrase is every test operator's passphrase.
const Passphrase = "test-passphrase"

// New creates a vault in a temporary folder with an administrator (名 "管理员") and one
// operator for each role given (named "经办-"+role), and returns the session of the last
// operator, unlocked; the vault is closed when the test ends. With no roles it returns the
// administrator's session.
func New(t testing.TB, roles ...vault.Role) (*vault.Session, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "vault")
	admin, err := vault.Create(dir, vault.NewOperator{Name: "管理员", Role: vault.Admin, Passphrase: Passphrase}, "", Options)
	if err != nil {
		t.Fatal(err)
	}
	s, last := admin, ""
	for _, r := range roles {
		op, err := admin.AddOperator(vault.NewOperator{Name: "经办-" + string(r), Role: r, Passphrase: Passphrase})
		if err != nil {
			t.Fatal(err)
		}
		last = op.ID
	}
	if last != "" {
		admin.Lock()
		if s, err = admin.Vault().Unlock(last, Passphrase); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		v := s.Vault()
		s.Lock()
		v.Close()
	})
	return s, dir
}
