package vault

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"handover/app/audit"
	"handover/store"
	"handover/store/model"
)

// Errors of legal holds, meant for the user.
var (
	ErrHoldCase     = errors.New("name the case the hold is for")
	ErrHoldScope    = errors.New("a hold covers the whole book or a list of customers, not both and not neither")
	ErrHoldReleased = errors.New("this hold is already released")
	ErrNoHold       = errors.New("no hold with this ID")
)

const metaHoldPrefix = "hold/"

// Hold is a legal hold (诉讼保全、监管调查): the customers it covers may not be destroyed
// until it is released or its end date passes.
type Hold struct {
	ID        string             `json:"id"`
	Case      string             `json:"case"`
	All       bool               `json:"all,omitempty"`
	Customers []model.CustomerNo `json:"customers,omitempty"` // sorted
	Until     model.Date         `json:"until,omitzero"`
	By        string             `json:"by"` // operator name
	At        time.Time          `json:"at"`
	Released  *HoldRelease       `json:"released,omitempty"`
}

// HoldRelease records who released a hold, when and why.
type HoldRelease struct {
	By     string    `json:"by"`
	At     time.Time `json:"at"`
	Reason string    `json:"reason"`
}

// Active says whether the hold binds on day (Asia/Shanghai).
func (h *Hold) Active(day model.Date) bool {
	return h.Released == nil && (h.Until.IsZero() || !h.Until.Before(day))
}

// Covers says whether the hold covers customer no.
func (h *Hold) Covers(no model.CustomerNo) bool {
	if h.All {
		return true
	}
	_, ok := slices.BinarySearch(h.Customers, no)
	return ok
}

// AddHold places a hold on the whole book (all) or on the customers listed, until the date
// (zero: until released). Administrators and auditors place holds.
func (s *Session) AddHold(ctx context.Context, caseText string, all bool, customers []model.CustomerNo, until model.Date) (*Hold, error) {
	caseText = strings.TrimSpace(caseText)
	h := &Hold{Case: caseText, All: all, Customers: slices.Compact(slices.Sorted(slices.Values(customers))), Until: until}
	var rnd [4]byte
	_, _ = rand.Read(rnd[:])
	h.ID = "HOLD-" + strings.ToUpper(hex.EncodeToString(rnd[:]))
	detail := map[string]string{"hold": h.ID, "case": caseText, "customers": strconv.Itoa(len(h.Customers))}
	if all {
		detail["customers"] = "all"
	}
	if !until.IsZero() {
		detail["until"] = until.String()
	}
	err := s.doMeta(PermHold, audit.HoldAdd, "", detail, func(st *store.Store) ([]store.MetaChange, error) {
		switch {
		case caseText == "":
			return nil, ErrHoldCase
		case all == (len(h.Customers) > 0):
			return nil, ErrHoldScope
		}
		for _, no := range h.Customers {
			if _, err := st.Customer(no); err != nil {
				return nil, fmt.Errorf("customer %d: %w", no, err)
			}
		}
		h.By, h.At = s.op.Name, s.v.opts.Now().UTC()
		return []store.MetaChange{{Name: metaHoldPrefix + h.ID, Value: h}}, nil
	})
	if err != nil {
		return nil, err
	}
	return h, nil
}

// ReleaseHold releases a hold with a reason.
func (s *Session) ReleaseHold(ctx context.Context, id, reason string) error {
	reason = strings.TrimSpace(reason)
	return s.doMeta(PermHold, audit.HoldRelease, "", map[string]string{"hold": id, "reason": reason}, func(st *store.Store) ([]store.MetaChange, error) {
		if reason == "" {
			return nil, ErrReasonRequired
		}
		var h Hold
		if err := st.GetMeta(metaHoldPrefix+id, &h); errors.Is(err, store.ErrNotFound) {
			return nil, ErrNoHold
		} else if err != nil {
			return nil, err
		}
		if h.Released != nil {
			return nil, ErrHoldReleased
		}
		h.Released = &HoldRelease{By: s.op.Name, At: s.v.opts.Now().UTC(), Reason: reason}
		return []store.MetaChange{{Name: metaHoldPrefix + id, Value: h}}, nil
	})
}

// Holds lists every hold, released ones too, oldest first.
func (s *Session) Holds(ctx context.Context) ([]Hold, error) {
	st, err := s.gate(PermView)
	if err != nil {
		return nil, err
	}
	return loadHolds(ctx, st)
}

func loadHolds(ctx context.Context, st *store.Store) ([]Hold, error) {
	var out []Hold
	err := st.MetaPrefix(ctx, metaHoldPrefix, func(_ string, b []byte) (bool, error) {
		var h Hold
		if err := json.Unmarshal(b, &h); err != nil {
			return false, &store.CorruptError{What: "hold"}
		}
		out = append(out, h)
		return true, nil
	})
	slices.SortFunc(out, func(a, b Hold) int { return a.At.Compare(b.At) })
	return out, err
}
