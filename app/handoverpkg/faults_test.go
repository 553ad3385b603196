package handoverpkg_test

import (
	"errors"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"handover/app/bag"
	. "handover/app/handoverpkg"
	"handover/crypto/identity"
)

// The package half of the fault-injection suite: one bit flipped at a stride of positions
// across every file of a package. Verify and receive must each refuse it, or take in the
// very book the sender described; never a different book with an "equal" result, never a
// panic, and a refused receive leaves the vault as it was.
func TestFaultsPackage(t *testing.T) {
	st := bookOf(t, 4, 2)
	sender, recipient, _ := people(t)
	dir, m := export(t, st, sender, recipient.Card, 24<<10)
	per := 24
	if testing.Short() {
		per = 6
	}
	if os.Getenv("HANDOVER_FAULTS_LONG") != "" {
		per = 200
	}
	names, _ := filepath.Glob(filepath.Join(dir, "*"))
	sort.Strings(names)
	tally := map[string]int{}
	for _, path := range names {
		orig, _ := os.ReadFile(path)
		name := filepath.Base(path)
		for i, off := range stride(len(orig), per) {
			outcome := func() (outcome string) {
				defer func() {
					if r := recover(); r != nil {
						t.Errorf("%s @%d: panic: %v", name, off, r)
						outcome = "panic"
					}
				}()
				d := copyPackage(t, dir)
				b := append([]byte(nil), orig...)
				b[off] ^= 1 << (i % 8)
				os.WriteFile(filepath.Join(d, name), b, 0o644)
				_, verr := Verify(d, recipient, []identity.Card{sender.Card}, bag.DefaultLimits)
				r := newReceiver(t)
				rec, rerr := r.receive(d, recipient, sender.Card)
				defer os.RemoveAll(d)
				switch {
				case rerr != nil:
					r.unchanged(t)
					if !isPackageError(rerr) {
						t.Errorf("%s @%d: receive refused without naming the package's fault: %v", name, off, rerr)
					}
					if verr == nil {
						t.Errorf("%s @%d: verify passed what receive refused: %v", name, off, rerr)
					}
					return "refused"
				case !rec.Equal:
					r.unchanged(t)
					return "differs, not kept"
				case rec.Figures.Digest != m.Figures.Digest:
					t.Errorf("%s @%d: a different book was received as equal", name, off)
					return "different"
				}
				if verr != nil {
					t.Errorf("%s @%d: verify refused what receive took whole: %v", name, off, verr)
				}
				return "same"
			}()
			tally[outcome]++
		}
	}
	t.Logf("outcomes over %d files: %v", len(names), tally)
}

// stride picks about per positions in a file of n bytes, both ends included.
func stride(n, per int) []int {
	if n == 0 {
		return nil
	}
	step := max(1, n/per)
	out := []int{0}
	for p := step / 3; p < n; p += step {
		if p > 0 {
			out = append(out, p)
		}
	}
	if out[len(out)-1] != n-1 {
		out = append(out, n-1)
	}
	return out
}

// isPackageError says err names a fault of the package (not of the receiving vault).
func isPackageError(err error) bool {
	var pe *PartError
	var re *RecordError
	var be *bag.BadEntryError
	return errors.As(err, &pe) || errors.As(err, &re) || errors.As(err, &be) ||
		errors.Is(err, ErrNotPackage) || errors.Is(err, ErrBadSignature) || errors.Is(err, ErrUntrusted) ||
		errors.Is(err, ErrNotRecipient) || errors.Is(err, bag.ErrInvalid)
}
