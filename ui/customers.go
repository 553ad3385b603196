package ui

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"handover/app/vault"
	"handover/store/model"
)

// customersView is the virtualised customer list with search, and the detail of the
// selected customer. Rows are read on demand, so a million customers scroll as smoothly as
// ten: only the numbers (8 bytes each) are held, and a small cache of visible rows.
type customersView struct {
	a       *App
	s       *vault.Session
	content fyne.CanvasObject

	kind    *widget.Select
	query   *formEntry
	search  *widget.Button
	reset   *widget.Button
	summary *widget.Label
	list    *widget.List
	detail  *customerDetail

	nos      []model.CustomerNo // what the list shows: all customers or the hits
	all      []model.CustomerNo
	rowsMu   sync.Mutex
	rows     map[model.CustomerNo]model.Customer
	rowErr   map[model.CustomerNo]bool
	selected model.CustomerNo
}

// searchKinds are the choices of the search box; "" finds out what was typed.
var searchKinds = []vault.SearchKind{"", vault.ByNamePrefix, vault.ByIDNumber, vault.ByPhone, vault.ByContract}

func newCustomersView(a *App, s *vault.Session) *customersView {
	v := &customersView{a: a, s: s, rows: map[model.CustomerNo]model.Customer{}, rowErr: map[model.CustomerNo]bool{}}
	kinds := make([]string, len(searchKinds))
	for i, k := range searchKinds {
		if k == "" {
			kinds[i] = L("search.auto")
		} else {
			kinds[i] = L("search." + string(k))
		}
	}
	v.kind = widget.NewSelect(kinds, nil)
	v.kind.SetSelectedIndex(0)
	v.query = newEntry()
	v.query.SetPlaceHolder(L("search.placeholder"))
	v.query.OnSubmitted = func(string) { v.runSearch() }
	v.search = widget.NewButton(L("search.button"), v.runSearch)
	v.reset = widget.NewButton(L("search.reset"), v.showAll)
	v.summary = widget.NewLabel("")

	v.list = widget.NewList(
		func() int { return len(v.nos) },
		func() fyne.CanvasObject {
			return container.NewGridWithColumns(4, widget.NewLabel("000000"), widget.NewLabel("名名名名"),
				widget.NewLabel("0000**********0000"), widget.NewLabel("000****0000"))
		},
		v.updateRow)
	v.list.OnSelected = func(id widget.ListItemID) {
		if id < len(v.nos) {
			v.open(v.nos[id])
		}
	}
	v.detail = newCustomerDetail(a, s)
	bar := container.NewBorder(nil, nil, v.kind, container.NewHBox(v.search, v.reset), v.query)
	head := container.NewGridWithColumns(4, bold(L("col.no")), bold(L("col.name")), bold(L("col.id_number")), bold(L("col.phone")))
	left := container.NewBorder(container.NewVBox(bar, v.summary, head), nil, nil, nil, v.list)
	// The detail scrolls both ways: a customer with wide loan tables must not widen the
	// window (it grew past 1,024 px when a customer opened).
	split := container.NewHSplit(left, container.NewScroll(v.detail.content))
	split.Offset = 0.45
	v.content = split
	v.loadAll()
	return v
}

func bold(s string) *widget.Label {
	return widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

func (v *customersView) loadAll() {
	nos, err := v.s.CustomerNos(context.Background())
	if err != nil {
		v.summary.SetText(describeOnly(err))
		return
	}
	v.all = nos
	v.showAll()
}

func (v *customersView) showAll() {
	v.query.SetText("")
	v.nos = v.all
	v.summary.SetText(L("customers.count", map[string]any{"N": groupDigits(len(v.all))}))
	v.list.UnselectAll()
	v.list.Refresh()
}

func (v *customersView) runSearch() {
	q := v.query.Text
	if q == "" {
		v.showAll()
		return
	}
	kind := searchKinds[max(0, v.kind.SelectedIndex())]
	if kind == "" {
		kind = vault.DetectSearchKind(q)
	}
	// Whatever it finds, the customer shown before is not the answer to this search.
	v.selected = 0
	v.detail.clear()
	v.list.UnselectAll()
	if kind == vault.ByIDNumber {
		var se *vault.SearchIDError
		if err := vault.CheckSearchedID(q, time.Now()); errors.As(err, &se) {
			v.nos = nil
			v.list.Refresh()
			v.summary.SetText(L("search.bad_id", map[string]any{"Reason": reasonName(se.Reason)}))
			return
		}
	}
	hits, more, err := v.s.SearchCapped(context.Background(), kind, q)
	if err != nil {
		v.summary.SetText(describeOnly(err))
		return
	}
	seen := map[model.CustomerNo]bool{}
	v.nos = v.nos[:0:0]
	for _, h := range hits {
		if !seen[h.Customer] {
			seen[h.Customer] = true
			v.nos = append(v.nos, h.Customer)
		}
	}
	switch {
	case more:
		v.summary.SetText(L("customers.hits_capped", map[string]any{"N": groupDigits(len(v.nos)), "Kind": L("search." + string(kind))}))
	default:
		v.summary.SetText(L("customers.hits_of", map[string]any{"N": groupDigits(len(v.nos)), "Kind": L("search." + string(kind))}))
	}
	v.list.Refresh()
	if len(v.nos) == 1 {
		v.list.Select(0)
	}
}

func (v *customersView) updateRow(id widget.ListItemID, o fyne.CanvasObject) {
	if id >= len(v.nos) {
		return
	}
	no := v.nos[id]
	cells := o.(*fyne.Container).Objects
	cells[0].(*widget.Label).SetText(strconv.FormatUint(uint64(no), 10))
	c, bad := v.row(no)
	if bad {
		cells[1].(*widget.Label).SetText(L("customers.damaged"))
		cells[2].(*widget.Label).SetText("")
		cells[3].(*widget.Label).SetText("")
		return
	}
	cells[1].(*widget.Label).SetText(c.Name)
	cells[2].(*widget.Label).SetText(c.IDNumber)
	cells[3].(*widget.Label).SetText(c.Phone)
}

// row returns a masked list row, cached; the cache is dropped when it grows, which keeps it
// to a few screens' worth.
func (v *customersView) row(no model.CustomerNo) (model.Customer, bool) {
	v.rowsMu.Lock()
	defer v.rowsMu.Unlock()
	if c, ok := v.rows[no]; ok {
		return c, false
	}
	if v.rowErr[no] {
		return model.Customer{}, true
	}
	c, err := v.s.CustomerRow(no)
	if len(v.rows) > 2000 {
		clear(v.rows)
	}
	if err != nil {
		v.rowErr[no] = true
		return model.Customer{}, true
	}
	v.rows[no] = c
	return c, false
}

func (v *customersView) open(no model.CustomerNo) {
	v.selected = no
	v.detail.show(no)
}

func (v *customersView) clear() {
	v.rowsMu.Lock()
	clear(v.rows)
	v.rowsMu.Unlock()
	v.nos, v.all = nil, nil
	v.detail.clear()
}

func groupDigits(n int) string {
	return model.Fen(int64(n) * 100).Yuan()[:len(model.Fen(int64(n)*100).Yuan())-3]
}
