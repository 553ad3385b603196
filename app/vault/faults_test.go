package vault

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"handover/store"
)

// The vault's own files beside the database (store's suite flips those): one bit flipped at
// each of many positions of vault.json and of the operator's key slot. Every outcome is the
// same book or a refusal naming what is wrong; never another book, never a panic.
func TestFaultsManifestAndSlot(t *testing.T) {
	v, s, dir, id := transferorWithBook(t, 4)
	want, err := s.Figures(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s.Lock()
	v.Close()
	slot := filepath.Join("slots", id+".slot")
	for _, rel := range []string{"vault.json", slot} {
		orig, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil {
			t.Fatal(err)
		}
		step := max(1, len(orig)/40)
		for off := 0; off < len(orig); off += step {
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Errorf("%s @%d: panic: %v", rel, off, r)
					}
				}()
				b := append([]byte(nil), orig...)
				b[off] ^= 1 << (off % 8)
				os.WriteFile(filepath.Join(dir, rel), b, 0o600)
				defer os.WriteFile(filepath.Join(dir, rel), orig, 0o600)
				v, err := Open(dir, fast)
				if err != nil {
					if !errors.Is(err, ErrNotVault) {
						t.Errorf("%s @%d: open: %v", rel, off, err)
					}
					return
				}
				defer v.Close()
				s, err := v.Unlock(id, "operator-pass")
				if err != nil {
					if !errors.Is(err, ErrSlotDamaged) && !errors.Is(err, ErrWrongPassphrase) && !errors.Is(err, store.ErrNoOperator) {
						t.Errorf("%s @%d: unlock refused without saying why: %v", rel, off, err)
					}
					return
				}
				defer s.Lock()
				got, err := s.Figures(ctx)
				if err != nil {
					t.Errorf("%s @%d: figures: %v", rel, off, err)
					return
				}
				if got.Digest != want.Digest {
					t.Errorf("%s @%d: another book", rel, off)
				}
			}()
		}
	}
}
