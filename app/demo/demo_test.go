package demo

import (
	"bytes"
	"context"
	"errors"
	"image/jpeg"
	"reflect"
	"strings"
	"testing"
	"time"

	"handover/app/idcard"
	"handover/app/progress"
	"handover/app/validate"
	"handover/app/vault"
	"handover/store/model"
)

func TestDeterministic(t *testing.T) {
	a := &Generator{Seed: 42, Documents: true}
	b := &Generator{Seed: 42, Documents: true}
	for _, i := range []int{0, 1, 999, 123456} {
		if !reflect.DeepEqual(a.Book(i), b.Book(i)) {
			t.Fatalf("customer %d differs between two generators with the same seed", i)
		}
	}
	if reflect.DeepEqual((&Generator{Seed: 1}).Book(0), (&Generator{Seed: 2}).Book(0)) {
		t.Fatal("different seeds give the same customer")
	}
}

func TestRealistic(t *testing.T) {
	g := &Generator{Seed: 7}
	now := time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)
	var loans, reps, compound, twoChar int
	classes := map[model.Class]int{}
	for i := range 5000 {
		b := g.Book(i)
		c := b.Customer
		if err := idcard.Validate(c.IDNumber, now); err != nil {
			t.Fatalf("customer %d: invalid identity number: %v", i, err)
		}
		if len(c.Phone) != 11 || c.Phone[0] != '1' || c.Phone[1] < '3' {
			t.Fatalf("customer %d: bad mobile %s", i, c.Phone)
		}
		if !luhnOK(c.BankCard) {
			t.Fatalf("customer %d: card fails Luhn", i)
		}
		r := []rune(c.Name)
		if len(r) < 2 || len(r) > 4 {
			t.Fatalf("customer %d: odd name length %d", i, len(r))
		}
		if len(r) == 2 {
			twoChar++
		}
		for _, s := range []string{"欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "慕容", "令狐"} {
			if strings.HasPrefix(c.Name, s) {
				compound++
			}
		}
		for li, l := range b.Loans {
			loans++
			if l.Principal <= 0 || l.Outstanding < 0 || l.Outstanding > l.Principal {
				t.Fatalf("customer %d loan %d: principal %d outstanding %d", i, li, l.Principal, l.Outstanding)
			}
			var paid model.Fen
			for _, rp := range b.Repayments {
				if rp.Loan == uint32(li+1) {
					paid += rp.Principal
				}
			}
			if paid+l.Outstanding != l.Principal {
				t.Fatalf("customer %d loan %d: repayments %d + outstanding %d != principal %d", i, li, paid, l.Outstanding, l.Principal)
			}
			if l.Class != model.ClassForOverdue(l.OverdueDays) {
				t.Fatalf("class %s for %d days overdue", l.Class, l.OverdueDays)
			}
			classes[l.Class]++
		}
		reps += len(b.Repayments)
	}
	if compound == 0 || twoChar == 0 {
		t.Fatalf("name variety: %d compound surnames, %d two-character names", compound, twoChar)
	}
	if len(classes) != 5 {
		t.Fatalf("not every five-tier class occurs: %v", classes)
	}
	perLoan := float64(reps) / float64(loans)
	if lpc := float64(loans) / 5000; lpc < 1.1 || lpc > 1.3 || perLoan < 6 || perLoan > 9 {
		t.Fatalf("shape: %.2f loans per customer, %.2f repayments per loan", lpc, perLoan)
	}
}

func luhnOK(s string) bool {
	sum := 0
	for i := len(s) - 1; i >= 0; i-- {
		d := int(s[i] - '0')
		if (len(s)-1-i)%2 == 1 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

func TestCreateVaultCancelled(t *testing.T) {
	dir := t.TempDir() + "/demo"
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := CreateVault(ctx, dir, Options{Customers: 5000, Seed: 1, Passphrase: "demo-passphrase",
		Vault: vault.Options{WorkFactor: 10}}, progress.Discard)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled demo: %v", err)
	}
	// The folder is released: it can be opened again at once.
	v, err := vault.Open(dir, vault.Options{})
	if err != nil {
		t.Fatalf("vault still held after cancel: %v", err)
	}
	v.Close()
}

// Every scan is a valid JPEG of an identity card's size, and no two are the same file.
func TestScansAreDistinctJPEGs(t *testing.T) {
	g := &Generator{Seed: 3, Documents: true}
	seen := map[string]bool{}
	for i := range 50 {
		for _, d := range g.Book(i).Documents {
			img, err := jpeg.Decode(bytes.NewReader(d.Content))
			if err != nil || img.Bounds().Dx() != 428 {
				t.Fatalf("customer %d %s: %v", i, d.Meta.Name, err)
			}
			if seen[d.Meta.SHA256] {
				t.Fatalf("customer %d %s: the same file as another document", i, d.Meta.Name)
			}
			seen[d.Meta.SHA256] = true
		}
	}
}

// Every customer of a book has their own identity, mobile and card number, and the
// numbers pass the importer's checks, at any size: a random draw collided (8 identity
// numbers in 100,000), which the importer rightly refuses as duplicate customers.
func TestNumbersAreUnique(t *testing.T) {
	n := 200_000
	if testing.Short() {
		n = 20_000
	}
	g := &Generator{Seed: 42}
	ids, phones, cards := map[string]bool{}, map[string]bool{}, map[string]bool{}
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		_, birth, id := g.identity(i)
		phone := g.mobile(i)
		card, _ := g.card(i)
		if ids[id] || phones[phone] || cards[card] {
			t.Fatalf("customer %d repeats a number", i)
		}
		ids[id], phones[phone], cards[card] = true, true, true
		if i < 2000 {
			if _, p := validate.IDNumber(id, now); p != nil || id[6:14] != birth.String()[:4]+birth.String()[5:7]+birth.String()[8:10] {
				t.Fatalf("customer %d: identity number %v", i, p)
			}
			if _, p := validate.Phone(phone); p != nil {
				t.Fatalf("customer %d: mobile %v", i, p)
			}
			if _, p := validate.BankCard(card); p != nil {
				t.Fatalf("customer %d: card %v", i, p)
			}
		}
	}
}
