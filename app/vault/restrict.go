package vault

import (
	"context"
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

// The restricted (storage-only) state, PIPL Art. 47 ¶2: when a law still requires the data
// to be kept, the handler may only store it and keep it secure. After the handover the
// transferor's vault, or chosen customers, can be restricted: whatever uses the data
// (reveal, document views, searches by value, import, correction, export, receive) is
// refused with a message naming the restriction, while backup, audit, verification,
// retention reports and destruction still work. Lifting it takes two operators of different
// roles.

// RestrictedError refuses an operation on restricted data.
type RestrictedError struct {
	Action string
	Since  time.Time
	All    bool
}

func (e *RestrictedError) Error() string {
	scope := "these customers are"
	if e.All {
		scope = "this vault is"
	}
	what := restrictedActions[e.Action]
	return fmt.Sprintf("%s restricted to storage only since %s (PIPL Art. 47): %s is refused; backup, audit, retention and destruction still work",
		scope, e.Since.In(shanghai).Format("2006-01-02"), what)
}

// ErrNotRestricted refuses lifting a restriction that is not in force.
var ErrNotRestricted = errors.New("the vault is not restricted")

// ErrLiftNeedsTwo asks for a second operator, of another role, to lift a restriction.
var ErrLiftNeedsTwo = errors.New("lifting the restriction needs a second operator of another role, with their own passphrase")

const metaRestriction = "restriction"

// Restriction is the storage-only state in force.
type Restriction struct {
	All       bool               `json:"all"`
	Customers []model.CustomerNo `json:"customers,omitempty"` // sorted
	Reason    string             `json:"reason"`
	By        string             `json:"by"`
	At        time.Time          `json:"at"`
}

// Covers says whether customer no is restricted.
func (r *Restriction) Covers(no model.CustomerNo) bool {
	if r.All {
		return true
	}
	_, ok := slices.BinarySearch(r.Customers, no)
	return ok
}

// restrictedActions are the uses of the data a restriction refuses. A customer-level
// restriction refuses those with that customer as their target; export, import, receive and
// bulk writes are refused by any restriction.
var restrictedActions = map[string]string{
	audit.CustomerReveal: "revealing an identifier", audit.DocumentOpen: "opening a document", audit.Search: "searching by value",
	audit.QuarantineFix: "correcting a quarantined row", audit.Import: "importing", audit.PackageExport: "exporting",
	audit.PackageReceive: "receiving a package", audit.DemoGenerate: "adding customers",
	audit.NoticeGenerate: "writing letters or SMS", audit.NoticePreview: "drawing a letter",
}

// checkRestriction refuses action when the restriction covers it.
func checkRestriction(st *store.Store, action, target string) error {
	if restrictedActions[action] == "" {
		return nil
	}
	var r Restriction
	if err := st.GetMeta(metaRestriction, &r); errors.Is(err, store.ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	refuse := &RestrictedError{Action: action, Since: r.At, All: r.All}
	if r.All {
		return refuse
	}
	if no, ok := strings.CutPrefix(target, "customer:"); ok {
		if n, err := strconv.ParseUint(no, 10, 64); err == nil && !r.Covers(model.CustomerNo(n)) {
			return nil
		}
		return refuse
	}
	if action == audit.Search {
		return nil // the hits of restricted customers are left out (Search)
	}
	return refuse
}

// RestrictionOf returns the restriction in force, or nil.
func (s *Session) RestrictionOf(ctx context.Context) (*Restriction, error) {
	st, err := s.read(PermView)
	if err != nil {
		return nil, err
	}
	return metaRecord[Restriction](st, metaRestriction, nil)
}

// Restrict puts the whole vault (customers nil) or the customers listed into the
// storage-only state. An administrator does it.
func (s *Session) Restrict(ctx context.Context, customers []model.CustomerNo, reason string) (*Restriction, error) {
	r := &Restriction{All: len(customers) == 0, Customers: slices.Compact(slices.Sorted(slices.Values(customers))),
		Reason: strings.TrimSpace(reason)}
	detail := map[string]string{"customers": "all", "reason": r.Reason}
	if !r.All {
		detail["customers"] = strconv.Itoa(len(r.Customers))
	}
	err := s.doMeta(PermDestroy, audit.Restrict, "", detail, func(st *store.Store) ([]store.MetaChange, error) {
		if r.Reason == "" {
			return nil, ErrReasonRequired
		}
		r.By, r.At = s.op.Name, s.v.opts.Now().UTC()
		return []store.MetaChange{{Name: metaRestriction, Value: r}}, nil
	})
	if err != nil {
		return r, err
	}
	return r, s.syncRestrictedFlag(ctx)
}

// LiftRestriction ends the storage-only state. The signed-in operator and a second operator
// of another role, proven by their own passphrase, must both agree.
func (s *Session) LiftRestriction(ctx context.Context, second, passphrase, reason string) error {
	reason = strings.TrimSpace(reason)
	detail := map[string]string{"second": second, "reason": reason}
	err := s.doMeta(PermDestroy, audit.RestrictLift, "", detail, func(st *store.Store) ([]store.MetaChange, error) {
		if reason == "" {
			return nil, ErrReasonRequired
		}
		var r Restriction
		if err := st.GetMeta(metaRestriction, &r); errors.Is(err, store.ErrNotFound) {
			return nil, ErrNotRestricted
		} else if err != nil {
			return nil, err
		}
		op, err := st.Operator(second)
		if err != nil {
			return nil, err
		}
		if op.ID == s.op.ID || op.Role == s.op.Role {
			return nil, ErrLiftNeedsTwo
		}
		if err := s.v.checkPassphrase(op.ID, passphrase); err != nil {
			return nil, err
		}
		return []store.MetaChange{{Name: metaRestriction, Delete: true}}, nil
	})
	if err != nil {
		return err
	}
	return s.syncRestrictedFlag(ctx)
}

// syncRestrictedFlag makes vault.json's flag, which the unlock screen reads, say what the
// sealed restriction says. The restriction and its audit event commit first; a crash before
// the flag is written is corrected at the next unlock.
func (s *Session) syncRestrictedFlag(ctx context.Context) error {
	st, err := s.store()
	if err != nil {
		return err
	}
	var r Restriction
	var since time.Time
	if err := st.GetMeta(metaRestriction, &r); err == nil && r.All {
		since = r.At
	} else if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if s.v.dir.Manifest.RestrictedSince.Equal(since) {
		return nil
	}
	return s.v.dir.SetRestricted(since)
}
