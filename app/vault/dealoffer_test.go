package vault

import (
	"errors"
	"testing"

	"handover/app/audit"
	"handover/app/progress"
	"handover/crypto/identity"
)

// A package carries the sender's deal: a receiving vault without a deal keeps it as
// offered, records it once confirmed (audited with the package), and then offers nothing.
// A vault that has its own deal is offered nothing.
func TestReceivedDealIsOffered(t *testing.T) {
	f := newCrashFixture(t)
	s, err := f.unlock(f.receiver, f.transferee, "operator-pass")
	if err != nil {
		t.Fatal(err)
	}
	defer closeAll(s)
	if _, err := s.OfferedDeal(); !errors.Is(err, ErrNoOfferedDeal) {
		t.Fatalf("offered before any receive: %v", err)
	}
	if _, err := s.AcceptOfferedDeal(); !errors.Is(err, ErrNoOfferedDeal) {
		t.Fatalf("accepted before any receive: %v", err)
	}
	rec, err := s.Receive(ctx, f.pkgDir, f.identity(f.receiverID), []identity.Card{f.senderCard}, progress.Discard)
	if err != nil || !rec.Equal {
		t.Fatalf("receive: %v", err)
	}
	want := testDeal("mainland")
	o, err := s.OfferedDeal()
	if err != nil || o.Package != rec.Manifest.ID || o.Deal.Type != want.Type || o.Deal.Transferee.Name != want.Transferee.Name ||
		o.Deal.Target == nil || !o.Deal.Created.IsZero() {
		t.Fatalf("offered: %+v, %v", o, err)
	}
	if _, err := s.Deal(); !errors.Is(err, ErrNoDeal) {
		t.Fatalf("the offer became the deal before it was confirmed: %v", err)
	}
	d, err := s.AcceptOfferedDeal()
	if err != nil || d.Created.IsZero() || d.Transferor.CreditCode != want.Transferor.CreditCode {
		t.Fatalf("accept: %+v, %v", d, err)
	}
	if got, err := s.Deal(); err != nil || got.Transferee.Name != want.Transferee.Name {
		t.Fatalf("the vault's deal: %+v, %v", got, err)
	}
	if _, err := s.OfferedDeal(); !errors.Is(err, ErrNoOfferedDeal) {
		t.Fatalf("still offered after confirming: %v", err)
	}
	if _, err := s.AcceptOfferedDeal(); !errors.Is(err, ErrNoOfferedDeal) {
		t.Fatalf("accepted twice: %v", err)
	}
	found := false
	for _, ev := range events(t, s) {
		if ev.Action == audit.DealInit && ev.Outcome == audit.OK && ev.Detail["from_package"] == rec.Manifest.ID {
			found = true
		}
	}
	if !found {
		t.Fatalf("no deal.init event naming the package: %s", actions(events(t, s)))
	}

	// A vault that has its own deal (the sender's) is offered nothing.
	snd, err := f.unlock(f.sender, f.transferor, "operator-pass")
	if err != nil {
		t.Fatal(err)
	}
	defer closeAll(snd)
	if _, err := snd.OfferedDeal(); !errors.Is(err, ErrNoOfferedDeal) {
		t.Fatalf("a vault with its deal is offered one: %v", err)
	}
}
