package checklist

import (
	"errors"
	"slices"
	"testing"
)

// What each kind of item offers and refuses, state by state: the one table the vault, the
// app and the command line follow.
func TestActionsAndCheck(t *testing.T) {
	done := &Record{Completed: true}
	withFile := &Record{Evidence: []EvidenceRef{{Name: "a.pdf"}}}
	oneSide := &Record{SignOffs: []SignOff{{Side: SideTransferor}}}
	cases := []struct {
		name    string
		it      Status
		offers  []Action
		refused map[Action]error // action → the reason Check gives (nil: allowed)
		side    string
	}{
		{"manual open", Status{Item: Item{Kind: Manual}, State: Open}, []Action{ActComplete},
			map[Action]error{ActComplete: nil, ActAttach: ErrNoEvidenceItem, ActSignOff: ErrNotDual, ActReopen: ErrNotDone}, ""},
		{"manual done", Status{Item: Item{Kind: Manual}, State: Done, Rec: done}, []Action{ActReopen},
			map[Action]error{ActComplete: ErrAlreadyComplete, ActReopen: nil}, ""},
		{"evidence without a file", Status{Item: Item{Kind: Evidence}, State: Open}, []Action{ActAttach, ActComplete},
			map[Action]error{ActComplete: ErrNeedsEvidence, ActAttach: nil}, ""},
		{"evidence with a file", Status{Item: Item{Kind: Evidence}, State: Open, Rec: withFile}, []Action{ActAttach, ActComplete},
			map[Action]error{ActComplete: nil}, ""},
		{"dual, transferor signed, transferee acts", Status{Item: Item{Kind: Dual}, State: Partial, Rec: oneSide,
			Needs: []string{NeedSignOff(SideTransferee)}}, []Action{ActSignOff, ActReopen},
			map[Action]error{ActSignOff: nil, ActComplete: ErrNotDual}, SideTransferee},
		{"dual, transferor signs twice", Status{Item: Item{Kind: Dual}, State: Partial, Rec: oneSide,
			Needs: []string{NeedSignOff(SideTransferee)}}, []Action{ActSignOff, ActReopen},
			map[Action]error{ActSignOff: ErrAlreadySigned}, SideTransferor},
		{"dual, an administrator", Status{Item: Item{Kind: Dual}, State: Open, Needs: []string{NeedSignOff(SideTransferor)}},
			[]Action{ActSignOff}, map[Action]error{ActSignOff: ErrSignOffRole}, ""},
		{"automatic receipt open", Status{Item: Item{Kind: Automatic, FollowsFrom: FactReceipt}, State: Open},
			[]Action{ActReceive, ActTakeReceipt}, map[Action]error{ActComplete: ErrAutomaticItem, ActReopen: ErrAutomaticItem}, ""},
		{"automatic backup done", Status{Item: Item{Kind: Automatic, FollowsFrom: FactBackup}, State: Done},
			[]Action{ActBackup}, nil, ""},
		{"automatic export done", Status{Item: Item{Kind: Automatic, FollowsFrom: FactExport}, State: Done}, nil, nil, ""},
	}
	for _, c := range cases {
		if got := Actions(c.it); !slices.Equal(got, c.offers) {
			t.Errorf("%s: offers %v, want %v", c.name, got, c.offers)
		}
		for a, want := range c.refused {
			if err := Check(c.it, a, c.side); !errors.Is(err, want) || (want == nil) != (err == nil) {
				t.Errorf("%s: %s: %v, want %v", c.name, a, err, want)
			}
		}
	}
}

func TestCheckBasis(t *testing.T) {
	abroad, home := &Deal{RecipientLocation: Abroad}, &Deal{RecipientLocation: Mainland}
	item := Item{Kind: Manual, RequiresBasisWhenAbroad: true}
	for _, c := range []struct {
		it              Item
		d               *Deal
		given, recorded string
		want            error
	}{
		{item, abroad, "", "", ErrNeedsBasis},
		{item, abroad, BasisStandardContract, "", nil},
		{item, abroad, "", BasisCertification, nil},
		{item, abroad, "a handshake", "", ErrNeedsBasis},
		{item, home, "", "", nil},
		{Item{Kind: Manual}, abroad, "", "", nil},
	} {
		if err := CheckBasis(c.it, c.d, c.given, c.recorded); !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
			t.Errorf("%+v: %v, want %v", c, err, c.want)
		}
	}
}
