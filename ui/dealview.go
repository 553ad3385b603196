package ui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"handover/app/cert"
	"handover/app/checklist"
	"handover/app/handoverpkg"
	"handover/app/progress"
	"handover/app/report"
	"handover/app/vault"
	"handover/store/atomicfile"
)

// dealView is the landing screen: the setup wizard until a deal is recorded, then the
// dashboard (progress per phase, what blocks, the next action for this operator's role,
// recent activity) above the checklist with each item's actions.
type dealView struct {
	a        *App
	s        *vault.Session
	content  *fyne.Container
	form     *dealForm
	view     *vault.ChecklistView
	rows     map[string]*itemRow
	next     *widget.Label
	report   *widget.Button
	notices  *widget.Label // where the required notices stand
	scopeBtn *widget.Button

	lastErr error
	done    int // background actions finished, for tests
}

func newDealView(a *App, s *vault.Session) *dealView {
	v := &dealView{a: a, s: s, content: container.NewStack()}
	v.refresh()
	return v
}

// refresh reads the checklist again and rebuilds the screen.
func (v *dealView) refresh() {
	view, err := v.s.Checklist(context.Background())
	switch {
	case errors.Is(err, vault.ErrNoDeal) && v.s.Role().Can(vault.PermChecklist):
		v.view = nil
		v.form = newDealForm(v.saveDeal)
		v.content.Objects = []fyne.CanvasObject{v.form.content}
		if lead := v.receivingLead(); lead != nil {
			v.content.Objects = []fyne.CanvasObject{container.NewBorder(lead, nil, nil, nil, v.form.content)}
		}
	case errors.Is(err, vault.ErrNoDeal):
		l := widget.NewLabel(L("deal.none_yet"))
		l.Wrapping = fyne.TextWrapWord
		v.content.Objects = []fyne.CanvasObject{container.NewPadded(l)}
	case err != nil:
		msg, hint := describe(err)
		l := widget.NewLabel(msg + "\n" + hint)
		l.Wrapping = fyne.TextWrapWord
		v.content.Objects = []fyne.CanvasObject{container.NewPadded(l)}
	default:
		v.view = view
		// The dashboard is built again after every change; it keeps its place, or completing
		// an item far down the checklist threw the clerk back to the top.
		var offset fyne.Position
		var viewport fyne.Size
		if len(v.content.Objects) == 1 {
			if old, ok := v.content.Objects[0].(*container.Scroll); ok {
				offset, viewport = old.Offset, old.Size()
			}
		}
		board := v.dashboard()
		v.content.Objects = []fyne.CanvasObject{board}
		v.content.Refresh()
		if sc, ok := board.(*container.Scroll); ok && offset.Y > 0 {
			// Laid out first: an unsized scroll clamps any offset to zero.
			board.Resize(viewport)
			sc.Content.Resize(sc.Content.MinSize().Max(viewport))
			sc.Offset = offset
			sc.Refresh()
		}
		return
	}
	v.content.Refresh()
}

// receivingLead tells the receiving side that the deal comes with the package: a received
// package's deal is offered to confirm, and a transferee who has received nothing yet is
// sent to the receive steps instead of typing the deal in.
func (v *dealView) receivingLead() fyne.CanvasObject {
	offer, err := v.s.OfferedDeal()
	if err == nil {
		text := widget.NewLabel(L("receive.deal_offered", map[string]any{"Package": offer.Package}) + "\n" + dealSummary(&offer.Deal))
		text.Wrapping = fyne.TextWrapWord
		accept := widget.NewButtonWithIcon(L("receive.accept_deal"), theme.ConfirmIcon(), func() {
			_, err := v.s.AcceptOfferedDeal()
			v.lastErr = err
			if err != nil {
				showError(v.a.win, err)
				return
			}
			v.refresh()
		})
		accept.Importance = widget.HighImportance
		return widget.NewCard(L("receive.step_deal"), "", container.NewVBox(text, container.NewHBox(accept)))
	}
	if v.s.Role() != vault.Transferee {
		return nil
	}
	text := widget.NewLabel(L("deal.receiver_lead"))
	text.Wrapping = fyne.TextWrapWord
	toReceive := widget.NewButtonWithIcon(L("deal.to_receive"), theme.UploadIcon(), func() {
		if v.a.shell != nil {
			v.a.shell.show("export")
		}
	})
	toReceive.Importance = widget.HighImportance
	return container.NewVBox(text, container.NewHBox(toReceive), widget.NewSeparator())
}

func (v *dealView) saveDeal(d checklist.Deal) {
	if _, err := v.s.InitDeal(d); err != nil {
		v.lastErr = err
		v.form.showError(err)
		return
	}
	v.lastErr = nil
	v.refresh()
}

// dealTitle is a deal's headline: its type and its parties.
func dealTitle(d *checklist.Deal, t *checklist.Template) string {
	return L("dash.title", map[string]any{"Type": t.Name[currentLang()], "From": d.Transferor.Name, "To": d.Transferee.Name})
}

// dealFacts is what else identifies a deal: the parties' codes, the recipient's location,
// the planned dates, the sub-type, who acts for the transferor, the target company.
func dealFacts(d *checklist.Deal, t *checklist.Template) string {
	code := func(p checklist.Party) string {
		if p.Person {
			return L("deal.person_short")
		}
		return p.CreditCode
	}
	facts := L("dash.facts", map[string]any{"Location": L("deal.location." + d.RecipientLocation),
		"FromCode": code(d.Transferor), "ToCode": code(d.Transferee)})
	if d.PlannedStart != "" || d.PlannedEnd != "" {
		facts += " · " + L("dash.planned", map[string]any{"Start": d.PlannedStart, "End": d.PlannedEnd})
	}
	if d.Subtype != "" {
		sub, _ := t.Subtype(d.Subtype)
		facts += "\n" + L("dash.subtype", map[string]any{"Subtype": sub.Name[currentLang()]})
	}
	if d.ActingFor != "" {
		facts += " · " + L("dash.acting_for", map[string]any{"Name": d.ActingFor})
	}
	if d.Target != nil {
		facts += "\n" + L("dash.target", map[string]any{"Name": d.Target.Name, "Code": d.Target.CreditCode})
	}
	return facts
}

// dealSummary is a deal in a few lines, for the receiver to compare with the contract.
func dealSummary(d *checklist.Deal) string {
	t, err := checklist.Load(d.Type)
	if err != nil {
		t = &checklist.Template{}
	}
	return dealTitle(d, t) + "\n" + dealFacts(d, t)
}

func (v *dealView) dashboard() fyne.CanvasObject {
	d, lang := v.view.Deal, currentLang()
	title := widget.NewLabelWithStyle(dealTitle(d, v.view.Template), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.Wrapping = fyne.TextWrapWord
	facts := dealFacts(d, v.view.Template)
	about := widget.NewLabel(facts + "\n" + v.view.Template.About[lang])
	about.Wrapping = fyne.TextWrapWord

	bars := container.NewGridWithColumns(len(v.view.Progress))
	for _, p := range v.view.Progress {
		bar := widget.NewProgressBar()
		bar.Max = float64(p.Total)
		bar.SetValue(float64(p.Done))
		done, total := p.Done, p.Total
		bar.TextFormatter = func() string { return fmt.Sprintf("%d / %d", done, total) }
		bars.Add(container.NewVBox(widget.NewLabelWithStyle(v.view.Template.PhaseName(p.Phase, lang), fyne.TextAlignCenter, fyne.TextStyle{Bold: true}), bar))
	}
	gates := container.NewVBox()
	restriction, _ := v.s.RestrictionOf(context.Background())
	for _, step := range checklist.Steps {
		if step == checklist.StepExport && restriction != nil {
			l := widget.NewLabel(L("dash.export_restricted"))
			l.Importance = widget.WarningImportance
			gates.Add(l)
			continue
		}
		if why := v.view.Template.NotRequired[step][lang]; why != "" {
			l := widget.NewLabel(L("dash.not_required."+string(step), map[string]any{"Why": why}))
			l.Wrapping = fyne.TextWrapWord
			gates.Add(l)
			continue
		}
		missing := v.view.Blocking(step)
		l := widget.NewLabel(L("dash.gate_open." + string(step)))
		l.Importance = widget.SuccessImportance
		if len(missing) > 0 {
			l.SetText(L("dash.gate_closed."+string(step), map[string]any{"Items": v.titles(missing)}))
			l.Importance = widget.WarningImportance
		}
		l.Wrapping = fyne.TextWrapWord
		gates.Add(l)
	}
	gates.Add(v.noticeCounts())
	if rs, err := v.s.Reviews(context.Background()); err == nil {
		var due, overdue []string
		for _, r := range rs {
			switch {
			case r.Overdue:
				overdue = append(overdue, r.Name[lang])
			case r.DueNow:
				due = append(due, r.Name[lang])
			}
		}
		if len(due)+len(overdue) > 0 {
			var parts []string
			if len(overdue) > 0 {
				parts = append(parts, L("dash.reviews_overdue", map[string]any{"Reviews": strings.Join(overdue, L("list.sep"))}))
			}
			if len(due) > 0 {
				parts = append(parts, L("dash.reviews_due", map[string]any{"Reviews": strings.Join(due, L("list.sep"))}))
			}
			l := widget.NewLabel(L("dash.reviews", map[string]any{"Parts": strings.Join(parts, L("list.sep2"))}))
			l.Wrapping = fyne.TextWrapWord
			if len(overdue) > 0 {
				l.Importance = widget.WarningImportance
			}
			gates.Add(l)
		}
	}
	if ins, err := v.s.Incidents(context.Background()); err == nil {
		n, customers := 0, 0
		for _, in := range ins {
			if in.State != vault.IncidentClosed {
				n, customers = n+1, customers+len(in.Scope.Customers)
			}
		}
		if n > 0 {
			l := widget.NewLabel(L("dash.incidents", map[string]any{"N": n, "Customers": customers}))
			l.Importance = widget.DangerImportance
			l.Wrapping = fyne.TextWrapWord
			gates.Objects = append([]fyne.CanvasObject{l}, gates.Objects...)
		}
	}
	v.next = widget.NewLabel(v.nextAction())
	v.next.Wrapping = fyne.TextWrapWord
	v.next.Importance = widget.HighImportance
	v.report = widget.NewButtonWithIcon(L("dash.report"), theme.DocumentSaveIcon(), v.saveReport)
	recent := widget.NewLabel(v.recent())
	recent.Wrapping = fyne.TextWrapWord
	if restriction != nil {
		// The storage-only state is shown above everything: most actions are refused in it.
		key := "dash.restricted_customers"
		if restriction.All {
			key = "dash.restricted_vault"
		}
		banner := widget.NewLabel(L(key, map[string]any{"Since": restriction.At.In(shanghai).Format("2006-01-02"), "Reason": restriction.Reason, "N": len(restriction.Customers)}))
		banner.Importance = widget.DangerImportance
		banner.Wrapping = fyne.TextWrapWord
		gates.Objects = append([]fyne.CanvasObject{banner}, gates.Objects...)
	}
	summary := container.NewVBox(title, about, v.scopeLine(), bars, gates,
		container.NewBorder(nil, nil, widget.NewIcon(theme.NavigateNextIcon()), v.report, v.next),
		widget.NewCard("", L("dash.recent"), recent))

	v.rows = map[string]*itemRow{}
	list := container.NewVBox()
	phase := ""
	var box *fyne.Container
	for _, it := range v.view.Items {
		if it.Phase != phase {
			phase = it.Phase
			box = container.NewVBox()
			list.Add(widget.NewCard(v.view.Template.PhaseName(phase, lang), "", box))
		}
		r := v.newItemRow(it)
		v.rows[it.ID] = r
		if len(box.Objects) > 0 {
			box.Add(widget.NewSeparator())
		}
		box.Add(r.content)
	}
	return container.NewVScroll(container.NewVBox(summary, list))
}

// scopeLine says whether the whole book or a partial transfer's scope is handed over, with a
// button to record the scope until the first export.
func (v *dealView) scopeLine() fyne.CanvasObject {
	text := L("dash.scope_whole")
	sc, err := v.s.DealScopeOf()
	if err == nil && sc != nil {
		text = L("dash.scope", map[string]any{"N": len(sc.Customers)})
	}
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	v.scopeBtn = widget.NewButtonWithIcon(L("dash.set_scope"), theme.FileTextIcon(), v.chooseScope)
	if !v.s.Role().Can(vault.PermChecklist) || v.view.Facts.PackageExported {
		v.scopeBtn.Disable()
	}
	return container.NewBorder(nil, nil, nil, v.scopeBtn, l)
}

func (v *dealView) chooseScope() {
	v.a.askPath(pathRequest{title: L("dash.scope_file"), purpose: L("path.purpose.customer_list"), filterName: L("dash.scope_files"),
		exts: []string{"txt", "csv"}}, v.setScopeFile)
}

// setScopeFile records the scope from a file of customer numbers, one a line.
func (v *dealView) setScopeFile(path string) {
	nos, err := handoverpkg.ReadCustomerList(path)
	if err != nil {
		v.finish(&fileError{File: filepath.Base(path), Err: err})
		return
	}
	_, err = v.s.SetDealScope(context.Background(), nos)
	v.finish(err)
}

// noticeCounts is a line on where the required notices stand, read in the background (a walk
// of the deliveries); hidden when the deal type requires none.
func (v *dealView) noticeCounts() fyne.CanvasObject {
	l := widget.NewLabel("")
	l.Wrapping = fyne.TextWrapWord
	l.Hide()
	v.notices = l
	go func() {
		sums, err := v.s.NoticeStatus(context.Background())
		onUI(func() {
			if err != nil {
				return
			}
			var parts []string
			for _, sum := range sums {
				if sum.Required {
					parts = append(parts, L("dash.notices", map[string]any{"Reached": sum.Reached, "Customers": sum.Customers,
						"Pending": sum.Pending, "FollowUps": len(sum.FollowUps)}))
				}
			}
			if len(parts) > 0 {
				l.SetText(strings.Join(parts, "\n"))
				l.Show()
				// A label shown late: the dashboard lays out again, or it overlapped the next line.
				v.content.Refresh()
			}
		})
	}()
	return l
}

// titles names items in the UI language, joined.
func (v *dealView) titles(ids []string) string {
	var out []string
	for _, id := range ids {
		out = append(out, itemTitle(v.view, id))
	}
	return strings.Join(out, L("list.sep"))
}

func itemTitle(view *vault.ChecklistView, id string) string {
	if view != nil {
		if it, ok := view.Item(id); ok && it.Title[currentLang()] != "" {
			return it.Title[currentLang()]
		}
		for _, fd := range view.Facts.OpenHighFindings {
			if checklist.NeedFinding(fd.ID) == id {
				return L("gate.finding", map[string]any{"Title": fd.Title})
			}
		}
	}
	return checklistTitle(id)
}

// checklistTitle finds an item's title in any template (errors carry only IDs).
func checklistTitle(id string) string {
	if id == "deal" {
		return L("dash.item_deal")
	}
	for _, dt := range checklist.DealTypes {
		t, err := checklist.Load(dt)
		if err != nil {
			continue
		}
		for _, p := range t.Phases {
			for _, it := range p.Items {
				if it.ID == id {
					return it.Title[currentLang()]
				}
			}
		}
	}
	return id
}

// needsTitle are the needs that say nothing without the item's title ("附加证据文件").
var needsTitle = map[string]bool{"attestation": true, "evidence": true, "signoff_transferor": true, "signoff_transferee": true,
	"counsel_confirmation": true, "book_changed": true}

// nextAction is the first item, in order, that this operator's role can move forward.
func (v *dealView) nextAction() string {
	role := v.s.Role()
	for _, it := range v.view.Items {
		if !role.MovesForward(it) {
			continue
		}
		// When what is missing is the item's own action, that action is the next step: the
		// title and the need said the same twice ("已备份并在 24 小时内校验，还需：24 小时内完成
		// 并校验一次备份").
		own := len(it.Needs) > 0
		for _, n := range it.Needs {
			own = own && !strings.HasPrefix(n, "item:") && !needsTitle[n]
		}
		if own {
			return L("dash.next_do", map[string]any{"Role": roleName(role), "Need": needText(it.Needs)})
		}
		return L("dash.next", map[string]any{"Role": roleName(role), "Item": it.Title[currentLang()],
			"Need": needText(it.Needs)})
	}
	return L("dash.next_none", map[string]any{"Role": roleName(role)})
}

func needText(needs []string) string {
	var out []string
	for _, n := range needs {
		if id, ok := strings.CutPrefix(n, "item:"); ok {
			out = append(out, L("checklist.need.item", map[string]any{"Item": checklistTitle(id)}))
			continue
		}
		out = append(out, L("checklist.need."+n))
	}
	return strings.Join(out, L("list.sep"))
}

// recent lists the latest things done on the checklist, newest first.
func (v *dealView) recent() string {
	type line struct {
		at   time.Time
		text string
	}
	var lines []line
	for _, it := range v.view.Items {
		r := it.Rec
		if r == nil {
			continue
		}
		title := it.Title[currentLang()]
		if r.Completed {
			lines = append(lines, line{r.At, L("dash.act_completed", map[string]any{"Name": r.ByName, "Item": title})})
		}
		for _, e := range r.Evidence {
			lines = append(lines, line{e.At, L("dash.act_evidence", map[string]any{"File": e.Name, "Item": title})})
		}
		for _, so := range r.SignOffs {
			lines = append(lines, line{so.At, L("dash.act_signoff", map[string]any{"Name": so.Name, "Item": title})})
		}
		for _, ro := range r.Reopened {
			lines = append(lines, line{ro.At, L("dash.act_reopened", map[string]any{"Item": title, "Reason": ro.Reason})})
		}
	}
	if len(lines) == 0 {
		return L("dash.recent_none")
	}
	sort.SliceStable(lines, func(i, j int) bool { return lines[i].at.After(lines[j].at) })
	var out []string
	for i, l := range lines {
		if i == 5 {
			break
		}
		out = append(out, l.at.In(shanghai).Format("01-02 15:04")+"  "+l.text)
	}
	return strings.Join(out, "\n")
}

func (v *dealView) saveReport() { v.a.saveTo(L("dash.report"), "dash.report_saved", v.writeReport) }

func (v *dealView) writeReport(dir string) (string, error) {
	now := time.Now().UTC().Truncate(time.Second)
	pdf, err := report.RenderChecklist(v.view.Snapshot(), v.s.Vault().Manifest().ID, v.s.Vault().Workstation(), now, currentLang())
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, "checklist-"+now.In(shanghai).Format("20060102-150405")+".pdf")
	return path, atomicfile.Write(path, pdf, 0o644)
}

// backup writes a backup to a chosen folder (another disk or a stick) and reads it back.
func (v *dealView) backup() {
	v.a.askPath(pathRequest{title: L("checklist.backup"), purpose: L("path.purpose.backup"), folder: true, removable: true}, v.backupTo)
}

func (v *dealView) backupTo(dir string) {
	var info *vault.BackupInfo
	runWithProgress(v.a.win, L("checklist.backup"), func(ctx context.Context, _ progress.Reporter) error {
		var err error
		info, err = v.s.Backup(ctx, dir)
		return err
	}, func(err error) {
		v.finish(err)
		if err == nil {
			dialog.ShowInformation(L("checklist.backup"), L("checklist.backup_done", map[string]any{"Path": info.Path,
				"Hash": info.SHA256[:16]}), v.a.win)
		}
	})
}

// takeReceipt takes the receiver's signed receipt (接收回执) back into the sending vault:
// every signature beside the statement must verify, and the receipt must name a package
// this vault exported.
func (v *dealView) takeReceipt() {
	v.a.askPath(pathRequest{title: L("checklist.take_receipt"), purpose: L("path.purpose.receipt"), filterName: L("checklist.receipt_files"),
		exts: []string{"json"}, removable: true}, v.takeReceiptFile)
}

func (v *dealView) takeReceiptFile(path string) {
	r, err := cert.VerifyFiles(path, nil)
	if err != nil {
		v.finish(&fileError{File: filepath.Base(path), Err: err})
		return
	}
	for _, c := range r.Checks {
		if c.Signed && c.Err == nil {
			v.s.RecordSignature(r.Statement.ID, c.Signer.Fingerprint, true)
		}
	}
	v.finish(v.s.RecordReceipt(r.Statement, r.Complete()))
}

// attach stores a chosen file as evidence of an item, in the background.
func (v *dealView) attach(id string) {
	v.a.askPath(pathRequest{title: L("checklist.attach"), purpose: L("path.purpose.evidence"), filterName: L("checklist.evidence_files")},
		func(path string) { v.attachFile(id, path) })
}

func (v *dealView) attachFile(id, path string) {
	runWithProgress(v.a.win, L("checklist.attach"), func(ctx context.Context, _ progress.Reporter) error {
		f, err := os.Open(path)
		if err != nil {
			return &fileError{File: filepath.Base(path), Err: err}
		}
		defer f.Close()
		_, err = v.s.AttachEvidence(ctx, id, filepath.Base(path), f)
		return err
	}, v.finish)
}

// finish ends a background action: the error shown, the screen refreshed.
func (v *dealView) finish(err error) {
	v.lastErr = err
	if err != nil {
		showError(v.a.win, err)
	}
	v.refresh()
	v.done++
}

func (v *dealView) complete(id, note, basis string) {
	v.finish(v.s.CompleteItem(context.Background(), id, note, basis))
}

func (v *dealView) reopen(id, reason string) {
	v.finish(v.s.ReopenItem(context.Background(), id, reason))
}

// signOff checks the signer's passphrase (scrypt, about a second) off the UI thread.
