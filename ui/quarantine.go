package ui

import (
	"context"
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"handover/app/importer"
	"handover/app/vault"
	"handover/store/model"
)

// quarantineView is the validation report: every refused row, warning and refused column,
// filtered by state, reason and column, with an editor that corrects a row and validates it
// again, or dismisses it with a recorded reason.
type quarantineView struct {
	a       *App
	s       *vault.Session
	content fyne.CanvasObject

	state   *widget.Select
	reason  *widget.Select
	column  *widget.Select
	summary *widget.Label
	list    *widget.List

	all      []importer.Entry // every record, for the filter choices
	shown    []importer.Entry
	reasons  []string
	columns  []string
	selected int

	editor    *fyne.Container
	detail    *container.Scroll
	findings  *widget.Label
	entries   []*formEntry
	masked    map[int]bool           // columns shown masked: correct() keeps their stored value
	revealBts map[int]*widget.Button // the audited reveal of each masked column
	header    []string
	revalid   *widget.Button
	dismissBt *widget.Button
}

var quarantineStates = []string{"open", importer.ItemWarning, importer.ItemCorrected, importer.ItemDismissed, "all"}

// quarantineLimit caps the records the report holds at once; filters narrow a larger set.
const quarantineLimit = 20000

func newQuarantineView(a *App, s *vault.Session) *quarantineView {
	v := &quarantineView{a: a, s: s, selected: -1}
	names := make([]string, len(quarantineStates))
	for i, st := range quarantineStates {
		names[i] = L("qstate." + st)
	}
	v.state = widget.NewSelect(names, func(string) { v.reload() })
	v.reason = widget.NewSelect(nil, func(string) { v.filter() })
	v.column = widget.NewSelect(nil, func(string) { v.filter() })
	v.summary = widget.NewLabel("")
	v.list = widget.NewList(func() int { return len(v.shown) },
		func() fyne.CanvasObject {
			return widget.NewLabel("customers.csv 第 000000 行 · 身份证号 · 校验位错误")
		},
		func(i widget.ListItemID, o fyne.CanvasObject) { o.(*widget.Label).SetText(entryLine(v.shown[i])) })
	v.list.OnSelected = func(i widget.ListItemID) { v.selected = i; v.showEntry() }
	v.findings = widget.NewLabel("")
	v.findings.Wrapping = fyne.TextWrapWord
	v.revalid = widget.NewButton(L("quarantine.revalidate"), v.correct)
	v.revalid.Importance = widget.HighImportance
	v.dismissBt = widget.NewButton(L("quarantine.dismiss"), v.askDismiss)
	v.editor = container.NewVBox()
	filters := container.NewHBox(widget.NewLabel(L("quarantine.state")), v.state,
		widget.NewLabel(L("quarantine.reason")), v.reason, widget.NewLabel(L("quarantine.column")), v.column)
	left := container.NewBorder(container.NewVBox(filters, v.summary), nil, nil, nil, v.list)
	v.detail = container.NewVScroll(container.NewVBox(v.findings, widget.NewSeparator(), v.editor))
	right := container.NewBorder(nil, container.NewHBox(v.revalid, v.dismissBt), nil, nil, v.detail)
	split := container.NewHSplit(left, right)
	split.Offset = 0.5
	v.content = split
	v.state.SetSelectedIndex(0)
	return v
}

func entryLine(e importer.Entry) string {
	var cols, reasons []string
	for _, f := range e.Findings {
		if f.Column != "" {
			cols = append(cols, f.Column)
		}
		reasons = append(reasons, reasonName(f.Reason))
	}
	return L("quarantine.line", map[string]any{"File": e.File, "Row": e.Row}) + " · " +
		strings.Join(cols, "、") + " · " + strings.Join(reasons, "；")
}

// reload reads the records of the chosen state.
func (v *quarantineView) reload() {
	f := importer.Filter{}
	switch st := quarantineStates[max(0, v.state.SelectedIndex())]; st {
	case "open":
		f.States = []string{importer.ItemQuarantined, importer.ItemRefused}
	case "all":
	default:
		f.States = []string{st}
	}
	all, err := v.s.Quarantine(context.Background(), f, quarantineLimit)
	if err != nil {
		showError(v.a.win, err)
	}
	v.all = all
	reasons, columns := map[string]bool{}, map[string]bool{}
	for _, e := range all {
		for _, fd := range e.Findings {
			reasons[fd.Reason] = true
			if fd.Column != "" {
				columns[fd.Column] = true
			}
		}
	}
	v.reasons, v.columns = sortedKeys(reasons), sortedKeys(columns)
	rn := []string{L("quarantine.any")}
	for _, r := range v.reasons {
		rn = append(rn, reasonName(r))
	}
	v.reason.Options = rn
	v.reason.SetSelectedIndex(0)
	v.column.Options = append([]string{L("quarantine.any")}, v.columns...)
	v.column.SetSelectedIndex(0)
	v.filter()
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (v *quarantineView) filter() {
	if v.reason.SelectedIndex() < 0 || v.column.SelectedIndex() < 0 {
		return
	}
	reason, column := "", ""
	if i := v.reason.SelectedIndex(); i > 0 {
		reason = v.reasons[i-1]
	}
	if i := v.column.SelectedIndex(); i > 0 {
		column = v.columns[i-1]
	}
	v.shown = v.shown[:0]
	for _, e := range v.all {
		for _, f := range e.Findings {
			if (reason == "" || f.Reason == reason) && (column == "" || f.Column == column) {
				v.shown = append(v.shown, e)
				break
			}
		}
	}
	text := L("quarantine.count", map[string]any{"N": model.Group(int64(len(v.shown)))})
	if len(v.all) >= quarantineLimit {
		text += " " + L("quarantine.limited", map[string]any{"N": model.Group(quarantineLimit)})
	}
	v.summary.SetText(text)
	v.selected = -1
	v.list.UnselectAll()
	v.list.Refresh()
	v.showEntry()
}

// showEntry shows the selected record: its findings, and its values in editable fields
// when it is still open.
func (v *quarantineView) showEntry() {
	v.editor.Objects = nil
	v.entries = nil
	v.revalid.Disable()
	v.dismissBt.Disable()
	if v.selected < 0 || v.selected >= len(v.shown) {
		v.findings.SetText(L("quarantine.choose"))
		v.editor.Refresh()
		return
	}
	e := v.shown[v.selected]
	var lines []string
	for _, f := range e.Findings {
		kind := L("quarantine.error")
		if f.Warning {
			kind = L("quarantine.warning")
		}
		lines = append(lines, kind+" · "+f.Column+" · "+reasonName(f.Reason)+"\n"+findingMessage(f))
	}
	text := L("qstate."+e.State) + "\n" + strings.Join(lines, "\n")
	if e.Note != "" {
		text += "\n" + L("quarantine.note", map[string]any{"Note": e.Note})
	}
	v.findings.SetText(text)
	sum := v.summaryOf(e.Input)
	v.header = nil
	if sum != nil {
		v.header = sum.Header
	}
	open := e.State == importer.ItemQuarantined
	v.masked, v.revealBts = map[int]bool{}, map[int]*widget.Button{}
	form := widget.NewForm()
	for i, h := range v.header {
		entry := newEntry()
		val := ""
		if i < len(e.Values) {
			val = e.Values[i]
		}
		entry.SetText(val)
		if !open || e.Table == importer.Documents {
			entry.Disable()
		}
		v.entries = append(v.entries, entry)
		// Identifiers are masked as on the customer screen; showing one in full is the same
		// audited reveal, and only then can it be corrected.
		if m := columnMask(sum, i); m != model.MaskNone && val != "" {
			entry.SetText(model.Masked(m, val))
			entry.Disable()
			v.masked[i] = true
			col, key := i, e.Key
			var btn *widget.Button
			btn = widget.NewButtonWithIcon(L("detail.reveal"), theme.VisibilityIcon(), func() {
				full, err := v.s.RevealQuarantined(key, col)
				if err != nil {
					showError(v.a.win, err)
					return
				}
				entry.SetText(full)
				if open && e.Table != importer.Documents {
					entry.Enable()
				}
				v.masked[col] = false
				btn.Hide()
			})
			if !v.s.Role().Can(vault.PermReveal) {
				btn.Disable()
			}
			v.revealBts[i] = btn
			form.Append(h, container.NewBorder(nil, nil, nil, btn, entry))
			continue
		}
		form.Append(h, entry)
	}
	v.editor.Add(form)
	v.editor.Refresh()
	// A wrapped label knows its height only once it has a width: lay the panel out again.
	v.detail.Content.Refresh()
	v.detail.Refresh()
	if open && v.s.Role().Can(vault.PermImport) {
		if e.Table != importer.Documents {
			v.revalid.Enable()
		}
		v.dismissBt.Enable()
	}
}

func (v *quarantineView) summaryOf(input string) *importer.Summary {
	sums, err := v.s.ImportSummaries(context.Background())
	if err != nil {
		return nil
	}
	for i := range sums {
		if sums[i].ID == input {
			return &sums[i]
		}
	}
	return nil
}

// columnMask is how a column of an imported file is masked: by the field it was mapped
// to, or, for a column not imported whose header names an identifier, by name.
func columnMask(sum *importer.Summary, col int) model.Mask {
	if sum == nil || col >= len(sum.Header) {
		return model.MaskNone
	}
	for field, i := range sum.Mapping {
		if i != col {
			continue
		}
		table := string(sum.Table)
		if field == "id_number" {
			return model.MaskID
		}
		if f, ok := model.Field(table, field); ok {
			return f.Mask
		}
	}
	if importer.IsIdentifierColumn(sum.Header[col]) {
		return model.MaskName
	}
	return model.MaskNone
}

func (v *quarantineView) correct() {
	e := v.shown[v.selected]
	values := make([]string, len(v.entries))
	for i, en := range v.entries {
		values[i] = en.Text
		if v.masked[i] && i < len(e.Values) {
			values[i] = e.Values[i] // shown masked, not changed
		}
	}
	it, err := v.s.CorrectQuarantined(context.Background(), e.Key, values)
	if err != nil {
		showError(v.a.win, err)
		return
	}
	if it.State == importer.ItemCorrected {
		dialog.ShowInformation(L("quarantine.title"), L("quarantine.corrected"), v.a.win)
		v.reload()
		return
	}
	v.shown[v.selected].Item = *it
	v.showEntry()
}

func (v *quarantineView) askDismiss() {
	reason := newMultiLineEntry()
	reason.SetPlaceHolder(L("quarantine.dismiss_reason"))
	reason.Validator = func(s string) error {
		if strings.TrimSpace(s) == "" {
			return importer.ErrReasonRequired
		}
		return nil
	}
	newForm(L("quarantine.dismiss"), L("quarantine.dismiss"),
		[]*widget.FormItem{widget.NewFormItem(L("quarantine.dismiss_reason"), reason)}, func(ok bool) {
			if ok {
				v.dismiss(reason.Text)
			}
		}, v.a.win).Show()
}

func (v *quarantineView) dismiss(reason string) {
	e := v.shown[v.selected]
	if _, err := v.s.DismissQuarantined(e.Key, reason); err != nil {
		showError(v.a.win, err)
		return
	}
	v.reload()
}

// historyView lists every imported file with its counts and control totals.
type historyView struct {
	a       *App
	s       *vault.Session
	content fyne.CanvasObject
	table   *widget.Table
	sums    []importer.Summary
}

var historyCols = []string{"file", "table", "state", "rows", "accepted", "quarantined", "corrected", "dismissed", "open", "warnings", "totals", "totals_check"}

func newHistoryView(a *App, s *vault.Session) *historyView {
	v := &historyView{a: a, s: s}
	v.table = widget.NewTable(
		func() (int, int) { return len(v.sums) + 1, len(historyCols) },
		func() fyne.CanvasObject { return widget.NewLabel("repayments.csv") },
		v.update)
	widths := []float32{200, 70, 80, 90, 80, 80, 80, 80, 80, 70, 420, 240}
	for i, w := range widths {
		v.table.SetColumnWidth(i, w)
	}
	v.content = v.table
	return v
}

func (v *historyView) reload() {
	sums, err := v.s.ImportSummaries(context.Background())
	if err != nil {
		showError(v.a.win, err)
	}
	sort.Slice(sums, func(i, j int) bool { return sums[i].Started.Before(sums[j].Started) })
	v.sums = sums
	v.table.Refresh()
}

func (v *historyView) update(id widget.TableCellID, o fyne.CanvasObject) {
	l := o.(*widget.Label)
	if id.Row == 0 {
		l.TextStyle.Bold = true
		l.SetText(L("history." + historyCols[id.Col]))
		return
	}
	l.TextStyle.Bold = false
	s := v.sums[id.Row-1]
	n := func(x int64) string { return model.Group(x) }
	switch historyCols[id.Col] {
	case "file":
		l.SetText(s.File)
	case "table":
		l.SetText(L("table." + string(s.Table)))
	case "state":
		l.SetText(L("import.state." + s.State))
	case "rows":
		l.SetText(n(s.Rows))
	case "accepted":
		l.SetText(n(s.Accepted))
	case "quarantined":
		l.SetText(n(s.Quarantined))
	case "corrected":
		l.SetText(n(s.Corrected))
	case "dismissed":
		l.SetText(n(s.Dismissed))
	case "open":
		l.SetText(n(s.Open()))
	case "warnings":
		l.SetText(n(s.Warnings))
	case "totals":
		var parts []string
		for _, f := range importer.Fields(s.Table) {
			if t, ok := s.Totals[f]; ok {
				parts = append(parts, L("field."+string(s.Table)+"."+f)+" ¥"+t.Yuan())
			}
		}
		l.SetText(strings.Join(parts, "；"))
	case "totals_check":
		switch s.TotalsCheck() {
		case importer.TotalsEqual:
			l.SetText(L("history.totals_equal", map[string]any{"Row": s.TotalsRow}))
		case importer.TotalsDifferent:
			l.SetText(L("history.totals_different", map[string]any{"Row": s.TotalsRow}))
		default:
			l.SetText("—")
		}
	}
}

// findingMessage explains a finding in the interface's language.
func findingMessage(f importer.Finding) string {
	ref := ""
	if f.Ref != nil {
		if f.Ref.File != "" {
			ref = L("ref.row", map[string]any{"File": f.Ref.File, "Row": f.Ref.Row})
		} else {
			ref = L("ref.customer", map[string]any{"No": f.Ref.Customer})
		}
	}
	return L("reasonmsg."+f.Reason, map[string]any{"Ref": ref})
}
