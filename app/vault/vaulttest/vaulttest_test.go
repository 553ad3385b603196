package vaulttest

import (
	"testing"

	"handover/app/vault"
)

func TestNewGivesTheLastRole(t *testing.T) {
	s, dir := New(t, vault.Transferor, vault.Transferee)
	if s.Role() != vault.Transferee || dir == "" {
		t.Fatalf("role %s, dir %q", s.Role(), dir)
	}
	ops, err := s.Operators(t.Context())
	if err != nil || len(ops) != 3 {
		t.Fatalf("%d operators (%v)", len(ops), err)
	}
	if a, _ := New(t); a.Role() != vault.Admin {
		t.Fatalf("no roles: %s", a.Role())
	}
}
