package vault

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"handover/app/audit"
	"handover/store"
	"handover/store/model"
)

// A partial transfer's scope (docs/LEGAL.md): the customers the deal hands over, recorded
// once before the first export. The export, the notices and the destruction of the
// transferor's copy all take it: a package outside it is refused, customers outside it are
// neither notified nor counted by customers_notified, and the plan that destroys it is the
// transferor's copy.
const metaDealScope = "deal/scope"

// DealScope is the customers a partial transfer hands over.
type DealScope struct {
	Customers []model.CustomerNo `json:"customers"` // sorted, each once
	By        string             `json:"by"`
	At        time.Time          `json:"at"`
}

// Errors of the deal's scope, meant for the user.
var (
	ErrScopeEmpty    = errors.New("name at least one customer for the transfer's scope")
	ErrScopeExported = errors.New("the scope cannot change after a package was exported")
	ErrOutsideScope  = errors.New("a customer outside the deal's scope was named")
)

func loadScope(st *store.Store) (*DealScope, error) {
	return metaRecord[DealScope](st, metaDealScope, nil)
}

func (sc *DealScope) has(no model.CustomerNo) bool {
	_, ok := slices.BinarySearch(sc.Customers, no)
	return ok
}

// DealScopeOf returns the deal's scope, or nil when the whole book is handed over.
func (s *Session) DealScopeOf() (*DealScope, error) {
	st, err := s.read(PermView)
	if err != nil {
		return nil, err
	}
	return loadScope(st)
}

// SetDealScope records the customers a partial transfer hands over. Every one must be in
// the book; the scope may change until the first export.
func (s *Session) SetDealScope(ctx context.Context, customers []model.CustomerNo) (*DealScope, error) {
	var out *DealScope
	detail := map[string]string{}
	err := s.doMeta(PermChecklist, audit.DealScope, "", detail, func(st *store.Store) ([]store.MetaChange, error) {
		if _, err := loadDeal(st); err != nil {
			return nil, err
		}
		var ft factTime
		if st.GetMeta(metaFactExported, &ft) == nil {
			return nil, ErrScopeExported
		}
		nos := slices.Clone(customers)
		slices.Sort(nos)
		nos = slices.Compact(nos)
		if len(nos) == 0 {
			return nil, ErrScopeEmpty
		}
		for _, no := range nos {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			if _, err := st.Customer(no); err != nil {
				return nil, fmt.Errorf("customer %d: %w", no, err)
			}
		}
		out = &DealScope{Customers: nos, By: s.op.Name, At: s.v.opts.Now().UTC()}
		detail["customers"] = strconv.Itoa(len(nos))
		return []store.MetaChange{{Name: metaDealScope, Value: out}}, nil
	})
	return out, err
}

// exportScope applies the deal's scope to an export's selection: none given means the
// scope; one given must lie inside it.
func exportScope(st *store.Store, selected []model.CustomerNo) ([]model.CustomerNo, error) {
	sc, err := loadScope(st)
	if err != nil || sc == nil {
		return selected, err
	}
	if selected == nil {
		return slices.Clone(sc.Customers), nil
	}
	for _, no := range selected {
		if !sc.has(no) {
			return nil, fmt.Errorf("customer %d: %w", no, ErrOutsideScope)
		}
	}
	return selected, nil
}

// coversScope says whether a plan of these customers destroys the whole transfer of a
// scoped deal: then it is the transferor's copy, gated and counted like a plan of scope all.
func coversScope(st *store.Store, customers []model.CustomerNo) (bool, error) {
	sc, err := loadScope(st)
	if err != nil || sc == nil {
		return false, err
	}
	in := map[model.CustomerNo]bool{}
	for _, no := range customers {
		in[no] = true
	}
	for _, no := range sc.Customers {
		if !in[no] {
			return false, nil
		}
	}
	return true, nil
}
