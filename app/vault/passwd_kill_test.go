package vault

import (
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// The child half of TestPassphraseChangeSurvivesKill: change the passphrase, slowly enough
// (real scrypt work, a real Badger session) that a kill can land anywhere in it.
func init() {
	dir := os.Getenv("HANDOVER_TEST_PASSWD_CHILD")
	if dir == "" {
		return
	}
	v, err := Open(dir, Options{WorkFactor: 14, Workstation: "child"})
	if err != nil {
		os.Exit(3)
	}
	id, _ := v.OperatorByName("管理员甲")
	s, err := v.Unlock(id, os.Getenv("OLD"))
	if err != nil {
		os.Exit(4)
	}
	if err := s.ChangePassphrase(os.Getenv("OLD"), os.Getenv("NEW")); err != nil {
		os.Exit(5)
	}
	s.Lock()
	v.Close()
	os.Exit(0)
}

// TestPassphraseChangeSurvivesKill kills a passphrase change at 20 random instants: each
// time, the old or the new passphrase must open the vault.
func TestPassphraseChangeSurvivesKill(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns 20 processes")
	}
	dir := filepath.Join(t.TempDir(), "vault")
	s, err := Create(dir, NewOperator{Name: "管理员甲", Role: Admin, Passphrase: "passphrase-0"}, "", Options{WorkFactor: 14})
	if err != nil {
		t.Fatal(err)
	}
	id := s.Operator().ID
	s.Lock()
	s.Vault().Close()

	// How long one uninterrupted change takes, to spread the kills over it.
	start := time.Now()
	run(t, dir, "passphrase-0", "passphrase-1", -1)
	full := time.Since(start)
	current := "passphrase-1"
	r := rand.New(rand.NewPCG(7, 7))
	changed := 0
	for i := range 20 {
		next := "passphrase-" + string(rune('a'+i))
		delay := time.Duration(r.Int64N(int64(full)))
		run(t, dir, current, next, delay)
		v, err := Open(dir, Options{})
		if err != nil {
			t.Fatalf("kill %d at %v: vault does not open: %v", i, delay, err)
		}
		var opened string
		var errs []error
		for _, p := range []string{current, next} {
			s, err := v.Unlock(id, p)
			if err == nil {
				opened = p
				s.Lock()
				break
			}
			errs = append(errs, err)
		}
		v.Close()
		if opened == "" {
			t.Fatalf("kill %d at %v of %v: neither the old nor the new passphrase opens the vault: %v", i, delay, full, errs)
		}
		if opened == next {
			changed++
		}
		current = opened
	}
	t.Logf("20 kills over %v: %d after the change, %d before", full, changed, 20-changed)
}

func run(t *testing.T, dir, oldPass, newPass string, killAfter time.Duration) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "HANDOVER_TEST_PASSWD_CHILD="+dir, "OLD="+oldPass, "NEW="+newPass)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if killAfter < 0 {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("uninterrupted change failed: %v", err)
		}
		return
	}
	time.Sleep(killAfter)
	cmd.Process.Kill()
	cmd.Wait()
}
