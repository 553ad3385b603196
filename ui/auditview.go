package ui

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"handover/app/audit"
	"handover/app/progress"
	"handover/app/report"
	"handover/app/vault"
	"handover/store/atomicfile"
)

// auditView is the audit screen for auditors and administrators: events newest first,
// filtered by period, operator, action and customer, a page at a time (a million events page
// as fast as ten), and the log's verification, report and export.
type auditView struct {
	a       *App
	s       *vault.Session
	content fyne.CanvasObject

	from, to, customer *formEntry
	operator, action   *widget.Select
	apply              *widget.Button
	newer, older       *widget.Button
	verify, report     *widget.Button
	status             *widget.Label
	table              *widget.Table

	ops     []vault.Operator
	events  []audit.Event
	pages   []uint64 // the "before" of each page shown so far, for Newer
	filter  vault.AuditFilter
	lastErr error
	loading int // requests made
	loaded  int // pages shown, for tests
}

// auditPageSize is how many events a page shows.
const auditPageSize = 200

var auditActions = []string{audit.Unlock, audit.UnlockFailed, audit.UnlockFailuresAltered, audit.Lock, audit.AutoLock, audit.OperatorAdd, audit.OperatorRemove,
	audit.PassphraseChange, audit.CustomerView, audit.CustomerReveal, audit.Search, audit.DocumentOpen, audit.Import, audit.ImportFile,
	audit.QuarantineFix, audit.QuarantineClose, audit.CertNew, audit.CertSign, audit.TrustAdd, audit.AuditVerify, audit.AuditCheckpoint,
	audit.AuditReport, audit.AuditPrune, audit.CorruptionFound, audit.SettingsChange, audit.DemoGenerate, audit.VaultCreate,
	audit.DealInit, audit.ChecklistComplete, audit.ChecklistEvidence, audit.ChecklistSignOff, audit.ChecklistReopen, audit.Backup,
	audit.PackageExport, audit.PackageReceive, audit.PackageReceiveUndone, audit.PackageReceipt}

// newAuditView returns the screen, or a nil view and a notice for those who may not see it.
func newAuditView(a *App, s *vault.Session) (*auditView, fyne.CanvasObject) {
	if !s.Role().Can(vault.PermAudit) {
		l := widget.NewLabel(L("auditv.no_permission"))
		l.Wrapping = fyne.TextWrapWord
		return nil, container.NewPadded(l)
	}
	v := newAuditScreen(a, s)
	return v, v.content
}

func newAuditScreen(a *App, s *vault.Session) *auditView {
	v := &auditView{a: a, s: s}
	v.from, v.to, v.customer = newEntry(), newEntry(), newEntry()
	v.from.SetPlaceHolder("2026-11-01")
	v.to.SetPlaceHolder("2026-11-30")
	v.customer.SetPlaceHolder(L("auditv.customer_no"))
	v.ops, _ = s.Operators(context.Background())
	sort.Slice(v.ops, func(i, j int) bool { return v.ops[i].Name < v.ops[j].Name })
	opNames := []string{L("quarantine.any")}
	for _, o := range v.ops {
		opNames = append(opNames, o.Name)
	}
	v.operator = widget.NewSelect(opNames, nil)
	v.operator.SetSelectedIndex(0)
	actionNames := make([]string, len(auditActions))
	for i, a := range auditActions {
		actionNames[i] = audit.Name(a, currentLang())
	}
	v.action = widget.NewSelect(append([]string{L("quarantine.any")}, actionNames...), nil)
	v.action.SetSelectedIndex(0)
	v.apply = widget.NewButtonWithIcon(L("auditv.apply"), theme.SearchIcon(), v.applyFilter)
	v.newer = widget.NewButtonWithIcon(L("auditv.newer"), theme.NavigateBackIcon(), v.showNewer)
	v.older = widget.NewButtonWithIcon(L("auditv.older"), theme.NavigateNextIcon(), v.showOlder)
	v.verify = widget.NewButtonWithIcon(L("auditv.verify"), theme.ConfirmIcon(), v.runVerify)
	v.report = widget.NewButtonWithIcon(L("auditv.report"), theme.DocumentSaveIcon(), v.saveReport)
	v.status = widget.NewLabel("")
	v.table = widget.NewTable(func() (int, int) { return len(v.events) + 1, 6 },
		func() fyne.CanvasObject { return widget.NewLabel("customer.reveal") }, v.updateCell)
	for i, w := range []float32{70, 150, 170, 70, 140, 330} {
		v.table.SetColumnWidth(i, w)
	}
	filters := container.NewGridWithColumns(6,
		labeled(L("auditv.from"), v.from), labeled(L("auditv.to"), v.to), labeled(L("auditv.operator"), v.operator),
		labeled(L("auditv.action"), v.action), labeled(L("auditv.customer"), v.customer), container.NewVBox(widget.NewLabel(""), v.apply))
	bar := container.NewHBox(v.newer, v.older, v.status)
	tools := container.NewHBox(v.verify, v.report)
	v.content = container.NewBorder(container.NewVBox(filters, container.NewBorder(nil, nil, bar, tools)), nil, nil, nil, v.table)
	v.applyFilter()
	return v
}

func labeled(text string, o fyne.CanvasObject) fyne.CanvasObject {
	return container.NewVBox(widget.NewLabel(text), o)
}

func (v *auditView) operatorName(id string) string {
	for _, o := range v.ops {
		if o.ID == id {
			return o.Name
		}
	}
	return id
}

func (v *auditView) updateCell(id widget.TableCellID, o fyne.CanvasObject) {
	l := o.(*widget.Label)
	if id.Row == 0 {
		l.TextStyle.Bold = true
		l.SetText(L([]string{"auditv.seq", "auditv.time", "auditv.action", "auditv.outcome", "auditv.operator", "auditv.detail"}[id.Col]))
		return
	}
	l.TextStyle.Bold = false
	ev := v.events[id.Row-1]
	switch id.Col {
	case 0:
		l.SetText(fmt.Sprint(ev.Seq))
	case 1:
		l.SetText(ev.Time.In(shanghai).Format("2006-01-02 15:04:05"))
	case 2:
		l.SetText(audit.Name(ev.Action, currentLang()))
	case 3:
		l.SetText(audit.Name(ev.Outcome, currentLang()))
	case 4:
		l.SetText(v.operatorName(ev.Operator))
	case 5:
		var parts []string
		if ev.Target != "" {
			parts = append(parts, ev.Target)
		}
		keys := make([]string, 0, len(ev.Detail))
		for k := range ev.Detail {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			parts = append(parts, k+"="+ev.Detail[k])
		}
		l.SetText(strings.Join(parts, " "))
	}
}

var shanghai = func() *time.Location {
	if l, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return l
	}
	return time.FixedZone("CST", 8*3600)
}()

func parseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	return time.ParseInLocation("2006-01-02", s, shanghai)
}

func (v *auditView) applyFilter() {
	from, err1 := parseDate(v.from.Text)
	to, err2 := parseDate(v.to.Text)
	if err1 != nil || err2 != nil {
		showError(v.a.win, fmt.Errorf("%s", L("auditv.bad_date")))
		return
	}
	if !to.IsZero() {
		to = to.AddDate(0, 0, 1) // the whole last day
	}
	f := vault.AuditFilter{From: from, To: to, Customer: strings.TrimSpace(v.customer.Text)}
	if i := v.operator.SelectedIndex(); i > 0 {
		f.Operator = v.ops[i-1].ID
	}
	if i := v.action.SelectedIndex(); i > 0 {
		f.Action = auditActions[i-1]
	}
	v.filter = f
	v.pages = []uint64{0}
	v.load()
}

// load reads a page in the background: a filter that matches little may read the whole log
// (about 5 s for a million events), and the window must stay responsive meanwhile.
func (v *auditView) load() {
	v.loading++
	gen := v.loading
	v.status.SetText(L("auditv.loading"))
	f, before := v.filter, v.pages[len(v.pages)-1]
	go func() {
		evs, err := v.s.AuditPage(context.Background(), f, before, auditPageSize)
		onUI(func() {
			if gen != v.loading {
				return // a newer request replaced this one
			}
			v.show(evs, err)
		})
	}()
}

func (v *auditView) show(evs []audit.Event, err error) {
	defer func() { v.loaded++ }()
	v.lastErr = err
	if err != nil {
		showError(v.a.win, err)
		return
	}
	v.events = evs
	v.table.Refresh()
	v.status.SetText(L("auditv.page", map[string]any{"N": len(v.pages), "Count": len(evs)}))
	if len(v.pages) > 1 {
		v.newer.Enable()
	} else {
		v.newer.Disable()
	}
	if len(evs) == auditPageSize {
		v.older.Enable()
	} else {
		v.older.Disable()
	}
}

func (v *auditView) showOlder() {
	if len(v.events) == 0 {
		return
	}
	v.pages = append(v.pages, v.events[len(v.events)-1].Seq)
	v.load()
}

func (v *auditView) showNewer() {
	if len(v.pages) > 1 {
		v.pages = v.pages[:len(v.pages)-1]
		v.load()
	}
}

func (v *auditView) runVerify() {
	var rep *vault.AuditReport
	runWithProgress(v.a.win, L("auditv.verify"), func(ctx context.Context, _ progress.Reporter) error {
		var err error
		rep, err = v.s.VerifyAudit(ctx, nil)
		return err
	}, func(err error) {
		if err != nil {
			showError(v.a.win, err)
			return
		}
		msg := L("auditv.verified_ok", map[string]any{"N": rep.Events, "C": rep.Checkpoints})
		if rep.Problem != nil {
			msg = L("auditv.verified_bad", map[string]any{"Seq": rep.Problem.Seq, "Reason": L("auditv.reason." + rep.Problem.Reason),
				"Detail": rep.Problem.Detail})
		}
		dialog.ShowInformation(L("auditv.verify"), msg, v.a.win)
		v.applyFilter()
	})
}

func (v *auditView) saveReport() {
	v.a.saveTo(L("auditv.report"), "auditv.report_saved", v.writeReport)
}

func (v *auditView) writeReport(dir string) (string, error) {
	sum, err := v.s.AuditReport(context.Background(), v.filter.From, v.filter.To)
	if err != nil {
		return "", err
	}
	pdf, err := report.RenderAudit(sum, v.a.settings.Language)
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, "audit-report-"+sum.Issued.In(shanghai).Format("20060102-150405")+".pdf")
	return path, atomicfile.Write(path, pdf, 0o644)
}
