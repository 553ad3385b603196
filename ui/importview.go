package ui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"handover/app/importer"
	"handover/app/progress"
	"handover/app/vault"
	"handover/store/atomicfile"
)

// importView is the import wizard and what follows it: the files to import with their
// detected encoding and table, the mapping editor, a preview of the first rows as they will
// be stored, the run behind a progress bar, and then the validation report (quarantine) and
// the history of imports.
type importView struct {
	a       *App
	s       *vault.Session
	content fyne.CanvasObject
	tabs    *container.AppTabs

	inputs   []*wizardInput
	selected int

	fileList  *widget.List
	addFile   *widget.Button
	addFolder *widget.Button
	addScans  *widget.Button
	clearBtn  *widget.Button
	encoding  *widget.Select
	profile   *widget.Select
	saveProf  *widget.Button
	startBtn  *widget.Button
	status    *widget.Label
	table     *widget.Select
	headerRow *widget.Select
	headerAt  *widget.Label
	mapBox    *fyne.Container
	mapSelect map[string]*widget.Select
	preview   *widget.Table
	prevRows  []importer.PreviewRow
	prevCols  []string
	results   *widget.Label
	toReport  *widget.Button // after a run with quarantined rows: the validation report

	quarantine *quarantineView
	history    *historyView
}

// wizardInput is a file (or sheet, or scans folder) chosen for import, with its mapping.
type wizardInput struct {
	path string
	in   importer.Input
	err  error
	m    importer.Mapping
}

var encodings = []string{importer.EncAuto, importer.EncUTF8, importer.EncGBK, importer.EncGB18030, importer.EncUTF16}
var tables = []importer.Table{importer.Customers, importer.Loans, importer.Repayments}

func newImportView(a *App, s *vault.Session) *importView {
	v := &importView{a: a, s: s, selected: -1, mapSelect: map[string]*widget.Select{}}
	v.addFile = widget.NewButtonWithIcon(L("import.add_file"), theme.FileIcon(), v.chooseFile)
	v.addFolder = widget.NewButtonWithIcon(L("import.add_folder"), theme.FolderOpenIcon(), v.chooseFolder)
	v.addScans = widget.NewButtonWithIcon(L("import.add_scans"), theme.FolderIcon(), v.chooseScans)
	v.clearBtn = widget.NewButtonWithIcon(L("import.clear"), theme.ContentClearIcon(), func() {
		v.inputs, v.selected = nil, -1
		v.refresh()
	})
	encNames := make([]string, len(encodings))
	for i, e := range encodings {
		encNames[i] = L("encoding." + e)
	}
	v.encoding = widget.NewSelect(encNames, func(string) { v.reinspect() })
	v.encoding.SetSelectedIndex(0)
	v.profile = widget.NewSelect(nil, func(string) { v.applyProfile() })
	v.saveProf = widget.NewButtonWithIcon(L("import.save_profile"), theme.DocumentSaveIcon(), v.askProfileName)
	v.startBtn = widget.NewButtonWithIcon(L("import.start"), theme.UploadIcon(), v.start)
	v.startBtn.Importance = widget.HighImportance
	v.status = widget.NewLabel(L("import.empty"))
	v.status.Wrapping = fyne.TextWrapWord
	v.results = widget.NewLabel("")
	v.results.Wrapping = fyne.TextWrapWord

	v.fileList = widget.NewList(func() int { return len(v.inputs) },
		func() fyne.CanvasObject {
			return container.NewBorder(nil, nil, widget.NewIcon(theme.FileIcon()), nil, widget.NewLabel("file.csv"))
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			c := o.(*fyne.Container)
			c.Objects[0].(*widget.Label).SetText(v.inputLine(v.inputs[i]))
			icon := theme.FileIcon()
			if v.inputs[i].err != nil {
				icon = theme.ErrorIcon()
			} else if v.inputs[i].in.Table == importer.Documents {
				icon = theme.FolderIcon()
			}
			c.Objects[1].(*widget.Icon).SetResource(icon)
		})
	v.fileList.OnSelected = func(i widget.ListItemID) { v.selected = i; v.showSelected() }

	tableNames := make([]string, len(tables))
	for i, t := range tables {
		tableNames[i] = L("table." + string(t))
	}
	v.table = widget.NewSelect(tableNames, func(name string) { v.setTable(name) })
	v.table.PlaceHolder = L("import.choose_table")
	rowNames := make([]string, headerRowChoices)
	for i := range rowNames {
		rowNames[i] = L("import.row_n", map[string]any{"N": i + 1})
	}
	v.headerRow = widget.NewSelect(rowNames, func(string) { v.setHeaderRow(v.headerRow.SelectedIndex() + 1) })
	v.headerRow.PlaceHolder = "—" // Fyne's own placeholder is English
	v.headerAt = widget.NewLabel("")
	v.headerAt.Wrapping = fyne.TextWrapWord
	v.mapBox = container.NewVBox()
	v.preview = widget.NewTable(
		func() (int, int) { return len(v.prevRows) + 1, len(v.prevCols) + 1 },
		func() fyne.CanvasObject { return widget.NewLabel("0000**********0000") },
		v.updatePreviewCell)

	// Two buttons a row and a form for the options: the left pane is about 420 px wide in
	// a 1024 px window, narrower than the four buttons side by side.
	buttons := container.NewGridWithColumns(2, v.addFile, v.addFolder, v.addScans, v.clearBtn)
	options := container.New(layout.NewFormLayout(),
		widget.NewLabel(L("import.encoding")), v.encoding,
		widget.NewLabel(L("import.profile")), container.NewBorder(nil, nil, nil, v.saveProf, v.profile))
	// The results of a run may take several lines (titles, totals checks): they scroll.
	results := container.NewVScroll(v.results)
	results.SetMinSize(fyne.NewSize(0, 96))
	v.toReport = widget.NewButtonWithIcon(L("import.to_report"), theme.WarningIcon(), func() { v.tabs.SelectIndex(1) })
	v.toReport.Hide()
	left := container.NewBorder(container.NewVBox(buttons, options), container.NewVBox(v.status, v.startBtn, results, v.toReport), nil, nil, v.fileList)
	mapping := container.NewBorder(container.NewVBox(
		container.New(layout.NewFormLayout(), widget.NewLabel(L("import.table")), v.table,
			widget.NewLabel(L("import.header_row")), v.headerRow),
		v.headerAt), nil, nil, nil,
		container.NewVScroll(v.mapBox))
	right := container.NewVSplit(mapping, container.NewBorder(bold(L("import.preview")), nil, nil, nil, v.preview))
	right.Offset = 0.45
	wizard := container.NewHSplit(left, right)
	wizard.Offset = 0.42

	v.quarantine = newQuarantineView(a, s)
	v.history = newHistoryView(a, s)
	v.tabs = container.NewAppTabs(
		container.NewTabItem(L("import.tab.wizard"), wizard),
		container.NewTabItem(L("import.tab.report"), v.quarantine.content),
		container.NewTabItem(L("import.tab.history"), v.history.content))
	v.tabs.OnSelected = func(t *container.TabItem) {
		switch t.Content {
		case v.quarantine.content:
			v.quarantine.reload()
		case v.history.content:
			v.history.reload()
		}
	}
	v.content = v.tabs
	v.loadProfiles()
	v.profile.SetSelectedIndex(0)
	v.refresh()
	return v
}

func (v *importView) inputLine(w *wizardInput) string {
	name := filepath.Base(w.path)
	if w.in.Sheet != "" {
		name += " · " + w.in.Sheet
	}
	switch {
	case w.err != nil:
		msg, _ := describe(w.err)
		return name + " — " + msg
	case w.in.Table == importer.Documents:
		return name + " — " + L("table.documents")
	case w.in.Table == "":
		return name + " — " + L("import.no_table")
	}
	line := name + " — " + L("table."+string(w.in.Table)) + " · " + L("encoding."+w.in.Encoding)
	if miss := w.m.Missing(w.in.Table); len(miss) > 0 {
		line += " · " + L("import.missing", map[string]any{"Fields": fieldNames(w.in.Table, miss)})
	}
	return line
}

// fieldNames names required fields; "a|b" (either will do) reads "a或b".
func fieldNames(t importer.Table, fs []string) string {
	out := make([]string, len(fs))
	for i, f := range fs {
		alts := strings.Split(f, "|")
		for j, a := range alts {
			alts[j] = L("field." + string(t) + "." + a)
		}
		out[i] = strings.Join(alts, L("import.or"))
	}
	return strings.Join(out, "、")
}

// Workbooks (also Excel 97–2003), CSV and Excel's "Unicode text" are what old systems export.
var importExts = []string{"csv", "tsv", "txt", "xlsx", "xlsm", "xls"}

// headerRowChoices is how far down the header row can be chosen in the wizard.
const headerRowChoices = 30

// setHeaderRow reads the selected file (or sheet) again with its header on another row.
func (v *importView) setHeaderRow(row int) {
	w := v.current()
	if w == nil || w.in.Table == importer.Documents || row == w.in.HeaderRow || row < 1 {
		return
	}
	ins, err := importer.InspectAt(w.path, v.currentEncoding(), row)
	w.err = err
	for _, in := range ins {
		if in.Sheet == w.in.Sheet {
			w.in = in
			w.m = nil
			if in.Table != "" {
				w.m = importer.MappingFor(in.Table, in.Header, v.currentProfile())
			}
		}
	}
	v.refresh()
	v.showSelected()
}

func (v *importView) chooseFile() {
	v.a.askPath(pathRequest{title: L("import.add_file"), purpose: L("path.purpose.import_file"), filterName: L("import.filter"), exts: importExts}, v.add)
}

func (v *importView) chooseFolder() {
	v.a.askPath(pathRequest{title: L("import.add_folder"), purpose: L("path.purpose.import_folder"), folder: true}, v.addFolderFiles)
}

// addFolderFiles adds every file of a folder the import reads.
func (v *importView) addFolderFiles(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		showError(v.a.win, err)
		return
	}
	added := 0
	for _, e := range entries {
		ext := strings.TrimPrefix(strings.ToLower(filepath.Ext(e.Name())), ".")
		for _, x := range importExts {
			if ext == x && e.Type().IsRegular() && !strings.HasPrefix(e.Name(), ".") {
				v.add(filepath.Join(dir, e.Name()))
				added++
			}
		}
	}
	if added == 0 {
		dialog.ShowInformation(L("import.add_folder"), L("import.folder_empty"), v.a.win)
	}
}

func (v *importView) chooseScans() {
	v.a.askPath(pathRequest{title: L("import.add_scans"), purpose: L("path.purpose.scans"), folder: true}, v.add)
}

func (v *importView) currentEncoding() string {
	if i := v.encoding.SelectedIndex(); i > 0 {
		return encodings[i]
	}
	return importer.EncAuto
}

// add inspects a path: its encoding and header rows, or a folder's documents.
func (v *importView) add(path string) {
	for _, w := range v.inputs {
		if w.path == path {
			return // already chosen
		}
	}
	v.inputs = append(v.inputs, inspect(path, v.currentEncoding(), v.currentProfile())...)
	v.selected = len(v.inputs) - 1
	v.refresh()
	v.fileList.Select(v.selected)
}

func inspect(path, enc string, prof *importer.Profile) []*wizardInput {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		ins, err := importer.Plan([]string{path}, importer.Options{})
		if err != nil {
			return []*wizardInput{{path: path, err: err}}
		}
		return []*wizardInput{{path: path, in: ins[0]}}
	}
	ins, err := importer.Inspect(path, enc)
	if err != nil {
		return []*wizardInput{{path: path, err: err}}
	}
	var out []*wizardInput
	for _, in := range ins {
		w := &wizardInput{path: path, in: in}
		if in.Table != "" {
			w.m = importer.MappingFor(in.Table, in.Header, prof)
		}
		out = append(out, w)
	}
	return out
}

// reinspect reads every file again after the encoding changed.
func (v *importView) reinspect() {
	if len(v.inputs) == 0 {
		return
	}
	var paths []string
	for _, w := range v.inputs {
		if len(paths) == 0 || paths[len(paths)-1] != w.path {
			paths = append(paths, w.path)
		}
	}
	v.inputs = nil
	for _, p := range paths {
		v.inputs = append(v.inputs, inspect(p, v.currentEncoding(), v.currentProfile())...)
	}
	v.refresh()
	v.showSelected()
}

func (v *importView) setTable(name string) {
	w := v.current()
	if w == nil || w.in.Table == importer.Documents {
		return
	}
	for _, t := range tables {
		if L("table."+string(t)) == name && w.in.Table != t {
			w.in.Table = t
			w.m = importer.MappingFor(t, w.in.Header, v.currentProfile())
			v.refresh()
			v.showSelected()
		}
	}
}

func (v *importView) current() *wizardInput {
	if v.selected < 0 || v.selected >= len(v.inputs) {
		return nil
	}
	return v.inputs[v.selected]
}

// refresh updates the file list and whether the import can start.
func (v *importView) refresh() {
	v.fileList.Refresh()
	ready, problems := 0, 0
	for _, w := range v.inputs {
		switch {
		case w.err != nil, w.in.Table == "":
			problems++
		case w.in.Table != importer.Documents && len(w.m.Missing(w.in.Table)) > 0:
			problems++
		default:
			ready++
		}
	}
	switch {
	case !v.s.Role().Can(vault.PermImport):
		// Say why the start button stays grey: the role, not the files.
		v.status.SetText(L("import.need_role", map[string]any{"Roles": rolesWith(vault.PermImport)}))
	case len(v.inputs) == 0:
		v.status.SetText(L("import.empty"))
	case problems > 0:
		v.status.SetText(L("import.problems", map[string]any{"N": problems}))
	default:
		v.status.SetText(L("import.ready", map[string]any{"N": ready}))
	}
	if ready > 0 && problems == 0 && v.s.Role().Can(vault.PermImport) {
		v.startBtn.Enable()
	} else {
		v.startBtn.Disable()
	}
}

// showSelected fills the mapping editor and the preview for the selected input.
func (v *importView) showSelected() {
	w := v.current()
	v.mapBox.Objects = nil
	v.mapSelect = map[string]*widget.Select{}
	v.prevRows, v.prevCols = nil, nil
	v.showHeaderRow(w)
	if w == nil || w.err != nil || w.in.Table == importer.Documents {
		v.table.ClearSelected()
		v.table.Disable()
		if w != nil && w.in.Table == importer.Documents {
			v.mapBox.Add(widget.NewLabel(L("import.scans_help")))
		}
		v.mapBox.Refresh()
		v.preview.Refresh()
		return
	}
	v.table.Enable()
	if w.in.Table == "" {
		v.table.ClearSelected()
		v.mapBox.Refresh()
		v.preview.Refresh()
		return
	}
	v.table.SetSelected(L("table." + string(w.in.Table)))
	options := append([]string{L("import.not_imported")}, w.in.Header...)
	forbidden := map[int]bool{}
	for _, i := range importer.ForbiddenColumns(w.in.Header) {
		forbidden[i] = true
	}
	form := widget.NewForm()
	for _, f := range importer.Fields(w.in.Table) {
		field := f
		sel := widget.NewSelect(options, nil)
		if i, ok := w.m[field]; ok && i >= 0 {
			sel.SetSelectedIndex(i + 1)
		} else {
			sel.SetSelectedIndex(0)
		}
		sel.OnChanged = func(string) {
			i := sel.SelectedIndex() - 1
			if i >= 0 && forbidden[i] {
				dialog.ShowInformation(L("import.title"), L("reason.c3_forbidden"), v.a.win)
				sel.SetSelectedIndex(0)
				return
			}
			w.m[field] = i
			v.refresh()
			v.loadPreview(w)
		}
		v.mapSelect[field] = sel
		form.Append(L("field."+string(w.in.Table)+"."+field), sel)
	}
	v.mapBox.Add(form)
	if len(forbidden) > 0 {
		warn := widget.NewLabel(L("import.c3_columns", map[string]any{"Columns": forbiddenNames(w.in.Header)}))
		warn.Importance = widget.WarningImportance
		warn.Wrapping = fyne.TextWrapWord
		v.mapBox.Add(warn)
	}
	v.mapBox.Refresh()
	v.loadPreview(w)
}

// showHeaderRow says which row the column names were read from, and why rows above it
// are not imported.
func (v *importView) showHeaderRow(w *wizardInput) {
	if w == nil || w.in.Table == importer.Documents || w.in.HeaderRow == 0 {
		v.headerRow.ClearSelected()
		v.headerRow.Disable()
		v.headerAt.SetText("")
		return
	}
	v.headerRow.Enable()
	if w.in.HeaderRow <= headerRowChoices {
		v.headerRow.SetSelectedIndex(w.in.HeaderRow - 1)
	}
	if w.in.HeaderRow > 1 {
		v.headerAt.SetText(L("import.header_found", map[string]any{"Row": w.in.HeaderRow}))
	} else {
		v.headerAt.SetText("")
	}
}

func forbiddenNames(header []string) string {
	var out []string
	for _, i := range importer.ForbiddenColumns(header) {
		out = append(out, header[i])
	}
	return strings.Join(out, "、")
}

func (v *importView) loadPreview(w *wizardInput) {
	rows, err := importer.Preview(w.in, w.m, 8, time.Now())
	if err != nil {
		showError(v.a.win, err)
	}
	v.prevRows = rows
	v.prevCols = nil
	for _, f := range importer.Fields(w.in.Table) {
		if i, ok := w.m[f]; ok && i >= 0 {
			v.prevCols = append(v.prevCols, f)
		}
	}
	v.preview.Refresh()
	for c, f := range v.prevCols {
		w, ok := previewWidth[f]
		if !ok {
			w = 110
		}
		v.preview.SetColumnWidth(c, w)
	}
	v.preview.SetColumnWidth(len(v.prevCols), 420)
}

// previewWidth fits each field's widest usual value; unlisted fields get 110.
var previewWidth = map[string]float32{"name": 90, "id_number": 190, "phone": 130, "bank_card": 210,
	"address": 170, "contract": 150, "principal": 120, "outstanding": 120, "interest": 110, "disbursed": 110,
	"maturity": 110, "paid": 110, "due": 110, "gender": 60, "status": 90, "class": 90}

func (v *importView) updatePreviewCell(id widget.TableCellID, o fyne.CanvasObject) {
	l := o.(*widget.Label)
	w := v.current()
	if w == nil {
		l.SetText("")
		return
	}
	if id.Row == 0 {
		l.TextStyle.Bold = true
		if id.Col < len(v.prevCols) {
			l.SetText(L("field." + string(w.in.Table) + "." + v.prevCols[id.Col]))
		} else {
			l.SetText(L("import.check"))
		}
		return
	}
	l.TextStyle.Bold = false
	r := v.prevRows[id.Row-1]
	if id.Col < len(v.prevCols) {
		l.SetText(r.Values[v.prevCols[id.Col]])
		return
	}
	if r.Totals {
		l.SetText(L("import.totals_row"))
		return
	}
	l.SetText(findingText(r.Findings))
}

func findingText(fs []importer.Finding) string {
	if len(fs) == 0 {
		return "✓"
	}
	var parts []string
	for _, f := range fs {
		parts = append(parts, reasonName(f.Reason))
	}
	return strings.Join(parts, "；")
}

func reasonName(code string) string { return L("reason." + code) }

// start runs the import behind a progress bar with rows per second, time left and Cancel.
func (v *importView) start() {
	var inputs []importer.Input
	for _, w := range v.inputs {
		in := w.in
		if in.Table != importer.Documents {
			in.Mapping = w.m
		}
		inputs = append(inputs, in)
	}
	importer.Order(inputs)
	var results []importer.Result
	stats := &importer.Stats{}
	status := func(s progress.Snapshot) string {
		rows := stats.Rows.Load()
		return L("import.progress", map[string]any{"Rows": fmt.Sprint(rows),
			"Rate":    fmt.Sprintf("%.0f", float64(rows)/max(s.Elapsed.Seconds(), 0.001)),
			"Percent": fmt.Sprintf("%.0f", 100*s.Fraction()), "ETA": durationText(s.ETA)})
	}
	runWithStatus(v.a.win, L("import.running"), func(ctx context.Context, p progress.Reporter) error {
		var err error
		results, err = v.s.Import(ctx, inputs, importer.Options{Encoding: v.currentEncoding()}, p, stats)
		return err
	}, status, func(err error) {
		v.results.SetText(resultsText(results))
		if err != nil {
			showError(v.a.win, err)
			return
		}
		v.inputs, v.selected = nil, -1
		v.refresh()
		v.showSelected()
		v.results.SetText(resultsText(results))
		// Rows set aside are the next thing to look at: one step to them.
		v.toReport.Hide()
		for _, r := range results {
			if r.Quarantined > 0 {
				v.toReport.Show()
			}
		}
	})
}

func resultsText(results []importer.Result) string {
	var b strings.Builder
	for _, r := range results {
		name := r.File
		key := "import.result"
		switch {
		case r.AlreadyImported:
			key = "import.result_again"
		case r.Resumed:
			key = "import.result_resumed"
		}
		b.WriteString(L(key, map[string]any{"File": name, "Rows": r.Rows, "Accepted": r.Accepted,
			"Quarantined": r.Quarantined, "Warnings": r.Warnings}))
		b.WriteString("\n")
		if r.HeaderRow > 1 {
			b.WriteString("  " + L("import.header_found", map[string]any{"Row": r.HeaderRow}) + "\n")
		}
		switch r.TotalsCheck {
		case importer.TotalsEqual:
			b.WriteString("  " + L("import.totals_equal", map[string]any{"Row": r.TotalsRow}) + "\n")
		case importer.TotalsDifferent:
			var diffs []string
			for _, f := range importer.AmountFields(r.Table) {
				if want, ok := r.FileTotals[f]; ok && want != r.TotalsRead[f] {
					diffs = append(diffs, L("import.totals_diff", map[string]any{"Field": L("field." + string(r.Table) + "." + f),
						"File": want.Yuan(), "Read": r.TotalsRead[f].Yuan()}))
				}
			}
			b.WriteString("  " + L("import.totals_different", map[string]any{"Row": r.TotalsRow, "Diffs": strings.Join(diffs, "；")}) + "\n")
		}
	}
	return strings.TrimSpace(b.String())
}

// Mapping profiles live beside the settings file, one JSON file each.
func (v *importView) profileDir() string {
	return filepath.Join(filepath.Dir(v.a.setPath), "profiles")
}

func (v *importView) loadProfiles() {
	names := []string{L("import.no_profile")}
	entries, _ := os.ReadDir(v.profileDir())
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".json") {
			names = append(names, strings.TrimSuffix(e.Name(), ".json"))
		}
	}
	sort.Strings(names[1:])
	v.profile.Options = names
	v.profile.Refresh()
}

func (v *importView) currentProfile() *importer.Profile {
	if v.profile.SelectedIndex() <= 0 {
		return nil
	}
	p, err := importer.LoadProfile(filepath.Join(v.profileDir(), v.profile.Selected+".json"))
	if err != nil {
		showError(v.a.win, err)
		return nil
	}
	return p
}

func (v *importView) applyProfile() {
	p := v.currentProfile()
	if p != nil && p.Encoding != "" {
		for i, e := range encodings {
			if e == p.Encoding {
				v.encoding.SetSelectedIndex(i) // reinspects
			}
		}
	}
	for _, w := range v.inputs {
		if w.err == nil && w.in.Table != "" && w.in.Table != importer.Documents {
			w.m = importer.MappingFor(w.in.Table, w.in.Header, p)
		}
	}
	v.refresh()
	v.showSelected()
}

func (v *importView) askProfileName() {
	name := newEntry()
	name.SetPlaceHolder(L("import.profile_name"))
	newForm(L("import.save_profile"), L("Save"),
		[]*widget.FormItem{widget.NewFormItem(L("import.profile_name"), name)}, func(ok bool) {
			if ok {
				if err := v.saveProfile(name.Text); err != nil {
					showError(v.a.win, err)
				}
			}
		}, v.a.win).Show()
}

// saveProfile writes the mappings of the chosen files as a named profile.
func (v *importView) saveProfile(name string) error {
	name = strings.TrimSpace(name)
	if name == "" || strings.ContainsAny(name, `/\:*?"<>|`) || strings.HasPrefix(name, ".") {
		return fmt.Errorf("%s", L("import.profile_bad_name"))
	}
	p := &importer.Profile{Name: name, Tables: map[importer.Table]map[string]string{}}
	if e := v.currentEncoding(); e != importer.EncAuto {
		p.Encoding = e
	}
	for _, w := range v.inputs {
		if w.err == nil && w.in.Table != "" && w.in.Table != importer.Documents {
			p.Tables[w.in.Table] = importer.ProfileFrom(w.m, w.in.Header)
		}
	}
	if err := os.MkdirAll(v.profileDir(), 0o700); err != nil {
		return err
	}
	if err := p.Save(filepath.Join(v.profileDir(), name+".json"), func(path string, b []byte) error {
		return atomicfile.Write(path, b, 0o600)
	}); err != nil {
		return err
	}
	v.s.RecordProfileSave(name)
	v.loadProfiles()
	v.profile.SetSelected(name)
	return nil
}
