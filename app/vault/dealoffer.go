package vault

import (
	"encoding/json"
	"errors"
	"time"

	"handover/app/audit"
	"handover/app/checklist"
	"handover/store"
)

// metaDealOffered is the deal a received package carried, kept until the receiver confirms
// it: the transferee's clerk checks the sender's record of the deal instead of typing it
// again, and a mistyped party name cannot make the two vaults disagree about the deal.
const metaDealOffered = "deal/offered"

// ErrNoOfferedDeal: no received package carried a deal to confirm, or the vault already has
// its deal.
var ErrNoOfferedDeal = errors.New("no received package carries a deal to confirm")

// OfferedDeal is the deal a received package carried, as its sender recorded it.
type OfferedDeal struct {
	Package  string         `json:"package"`
	Received time.Time      `json:"received"`
	Deal     checklist.Deal `json:"deal"`
}

// offeredDealChange is the record that keeps a received package's deal for the receiver to
// confirm, or nil when there is nothing to offer: the package carried no deal (older
// senders), or this vault already has one.
func offeredDealChange(st *store.Store, pkg string, snapshot []byte, at time.Time) (*store.MetaChange, error) {
	if len(snapshot) == 0 {
		return nil, nil
	}
	var snap checklist.Snapshot
	if json.Unmarshal(snapshot, &snap) != nil || snap.Deal == nil {
		return nil, nil
	}
	if _, err := loadDeal(st); !errors.Is(err, ErrNoDeal) {
		return nil, err
	}
	d := *snap.Deal
	d.Created, d.Rules = time.Time{}, nil // set again when the receiver confirms
	return &store.MetaChange{Name: metaDealOffered, Value: OfferedDeal{Package: pkg, Received: at.UTC(), Deal: d}}, nil
}

// OfferedDeal returns the deal a received package carried, while the vault has no deal of
// its own; ErrNoOfferedDeal otherwise.
func (s *Session) OfferedDeal() (*OfferedDeal, error) {
	st, err := s.read(PermView)
	if err != nil {
		return nil, err
	}
	return loadOfferedDeal(st)
}

func loadOfferedDeal(st *store.Store) (*OfferedDeal, error) {
	if _, err := loadDeal(st); !errors.Is(err, ErrNoDeal) {
		if err == nil {
			return nil, ErrNoOfferedDeal
		}
		return nil, err
	}
	return metaRecord[OfferedDeal](st, metaDealOffered, ErrNoOfferedDeal)
}

// AcceptOfferedDeal records the deal the received package carried as this vault's deal,
// checked by the same rules as one typed in (InitDeal). The audit event names the package.
func (s *Session) AcceptOfferedDeal() (*checklist.Deal, error) {
	var d checklist.Deal
	detail := map[string]string{}
	err := s.doMeta(PermChecklist, audit.DealInit, "", detail, func(st *store.Store) ([]store.MetaChange, error) {
		o, err := loadOfferedDeal(st)
		if err != nil {
			return nil, err
		}
		d = o.Deal
		detail["type"], detail["from_package"] = d.Type, o.Package
		if err := s.prepareDeal(&d, detail); err != nil {
			return nil, err
		}
		// Recorded with the audit event, in one transaction, and the offer gone with it.
		return []store.MetaChange{{Name: metaDeal, Value: d}, {Name: metaDealOffered, Delete: true}}, nil
	})
	if err != nil {
		return nil, err
	}
	return &d, nil
}
