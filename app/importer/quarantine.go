package importer

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"handover/crypto/blind"
	"handover/store"
	"handover/store/model"
)

// Errors of quarantine decisions.
var (
	ErrDecided        = errors.New("this row was already corrected or dismissed")
	ErrReasonRequired = errors.New("a dismissal needs a reason")
	ErrNotQuarantined = errors.New("no such quarantined row")
)

// Entry is a quarantine record with its key.
type Entry struct {
	Key store.QuarantineKey
	Item
}

// Filter selects quarantine records.
type Filter struct {
	States []string // empty: every state
	Reason string
	Column string
	Input  string // a Summary ID
}

func (f Filter) keep(it *Item) bool {
	if len(f.States) > 0 {
		ok := false
		for _, s := range f.States {
			ok = ok || s == it.State
		}
		if !ok {
			return false
		}
	}
	if f.Input != "" && it.Input != f.Input {
		return false
	}
	if f.Reason == "" && f.Column == "" {
		return true
	}
	for _, fd := range it.Findings {
		if (f.Reason == "" || fd.Reason == f.Reason) && (f.Column == "" || fd.Column == f.Column) {
			return true
		}
	}
	return false
}

// List returns the quarantine records that f keeps, at most limit (0: all), in file and row
// order.
func List(ctx context.Context, st *store.Store, f Filter, limit int) ([]Entry, error) {
	var out []Entry
	var file *[8]byte
	if f.Input != "" {
		k := fileKey(f.Input)
		file = &k
	}
	err := st.Quarantine(ctx, file, func(k store.QuarantineKey, b []byte) (bool, error) {
		var e Entry
		if err := json.Unmarshal(b, &e.Item); err != nil {
			return false, &store.CorruptError{What: "quarantine"}
		}
		e.Key = k
		if f.keep(&e.Item) {
			out = append(out, e)
		}
		return limit <= 0 || len(out) < limit, nil
	})
	return out, err
}

// storeRefs looks things up in the vault's blind index, for one row at a time.
type storeRefs struct {
	ctx context.Context
	st  *store.Store
}

func (s storeRefs) customer(id string) (model.CustomerNo, bool) {
	hits, err := s.st.Find(s.ctx, blind.IDNumber, id)
	if err != nil || len(hits) == 0 {
		return 0, false
	}
	return hits[0].Customer, true
}

func (s storeRefs) customerByNumber(n string) (model.CustomerNo, bool) {
	hits, err := s.st.Find(s.ctx, blind.CustomerNumber, n)
	if err != nil || len(hits) == 0 {
		return 0, false
	}
	return hits[0].Customer, true
}

func (s storeRefs) contract(c string) (loanRef, bool) {
	hits, err := s.st.Find(s.ctx, blind.Contract, c)
	if err != nil || len(hits) == 0 {
		return 0, false
	}
	return makeRef(hits[0].Customer, hits[0].Loan), true
}

func (s storeRefs) nextLoan(no model.CustomerNo) uint32 {
	loans, _ := s.st.Loans(s.ctx, no)
	return uint32(len(loans)) + 1
}

func (storeRefs) addCustomer(model.CustomerNo, string, string, string) {}
func (storeRefs) addLoan(model.CustomerNo, uint32, string)             {}
func (storeRefs) committed() error                                     { return nil }
func (s storeRefs) describe(st *store.Store, no model.CustomerNo) Ref {
	return describe(st, no, nil)
}

// decision loads a quarantined row and its summary for a decision.
func decision(st *store.Store, k store.QuarantineKey) (*Item, *Summary, error) {
	var it Item
	if err := st.QuarantineRecord(k, &it); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, nil, ErrNotQuarantined
		}
		return nil, nil, err
	}
	if it.State != ItemQuarantined {
		return nil, nil, ErrDecided
	}
	sum, err := loadSummary(st, it.Input)
	if err != nil {
		return nil, nil, err
	}
	if sum == nil {
		return nil, nil, &store.CorruptError{What: "import summary"}
	}
	return &it, sum, nil
}

// Value is one value of a quarantined row, by column; "" when the row has no such value.
func Value(st *store.Store, k store.QuarantineKey, column int) (string, error) {
	var it Item
	if err := st.QuarantineRecord(k, &it); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return "", ErrNotQuarantined
		}
		return "", err
	}
	if column < 0 || column >= len(it.Values) {
		return "", nil
	}
	return it.Values[column], nil
}

// Correct re-validates a quarantined row with corrected values. If the row now passes, it
// is stored like any imported row and the record is marked corrected (its values are
// dropped: they now live, sealed, with the customer); otherwise the record keeps the new
// values and findings. Either way the result is returned.
func Correct(ctx context.Context, st *store.Store, k store.QuarantineKey, values []string, who string, now time.Time) (*Item, error) {
	it, sum, err := decision(st, k)
	if err != nil {
		return nil, err
	}
	if sum.Table == Documents {
		return nil, errors.New("an unmatched document is corrected by importing it again with a list that names its customer")
	}
	r := &run{st: st, lk: storeRefs{ctx, st}, key: k.File, sum: sum, refuse: map[int]bool{}, groups: newRepaymentGroups()}
	for _, i := range ForbiddenColumns(sum.Header) {
		r.refuse[i] = true
	}
	r.cv = &converter{table: sum.Table, header: sum.Header, m: sum.Mapping, now: now, source: sum.File}
	row := Row{Line: it.Row, Fields: make([]string, len(values))}
	for i, v := range values {
		if r.refuse[i] {
			continue
		}
		row.Fields[i] = strings.TrimSpace(v)
		if strings.ContainsRune(v, utf8.RuneError) {
			row.Invalid = append(row.Invalid, i)
		}
	}
	c := r.cv.convert(row)
	if !c.failed {
		r.resolve(c)
	}
	r.w = st.NewImportWriter()
	defer r.w.Abort()
	if c.failed {
		it.Findings, it.Values = c.findings, r.values(row)
	} else {
		if err := r.store(c); err != nil {
			return nil, err
		}
		if err := r.groups.flush(r.w); err != nil {
			return nil, err
		}
		sum.Corrected++
		r.addTotals(c, &sum.Totals)
		it.State, it.Findings, it.Values = ItemCorrected, c.findings, nil
		it.DecidedBy, it.DecidedAt = who, now.UTC()
		if err := r.w.PutMeta(summaryName(sum.ID), sum); err != nil {
			return nil, err
		}
	}
	if err := r.w.PutQuarantine(k.File, k.Row, it); err != nil {
		return nil, err
	}
	if err := r.w.Close(); err != nil {
		return nil, err
	}
	return it, st.Sync()
}

// Dismiss closes a quarantined row without importing it; the reason is recorded.
func Dismiss(st *store.Store, k store.QuarantineKey, reason, who string, now time.Time) (*Item, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, ErrReasonRequired
	}
	it, sum, err := decision(st, k)
	if err != nil {
		return nil, err
	}
	it.State, it.Note, it.DecidedBy, it.DecidedAt = ItemDismissed, reason, who, now.UTC()
	sum.Dismissed++
	w := st.NewImportWriter()
	defer w.Abort()
	if err := w.PutMeta(summaryName(sum.ID), sum); err != nil {
		return nil, err
	}
	if err := w.PutQuarantine(k.File, k.Row, it); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return it, st.Sync()
}
