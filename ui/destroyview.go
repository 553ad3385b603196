package ui

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"handover/app/checklist"
	"handover/app/progress"
	"handover/app/vault"
	"handover/store/atomicfile"
	"handover/store/model"
)

// destroyView is the end of the handover (保存与销毁): what must be kept and until when,
// legal holds, the storage-only state, and the destruction wizard: plan with its preview,
// two approvals, the run (Cancel only before the keys are erased), the verification.
type destroyView struct {
	a       *App
	s       *vault.Session
	content fyne.CanvasObject

	gen       int // refreshes: an older count must not overwrite a newer one
	retention *widget.Label
	holds     *widget.Label
	plan      *widget.Label
	scope     *widget.Select
	planBtn   *widget.Button
	approve   *widget.Button
	approveAs *widget.Button
	run       *widget.Button
	verify    *widget.Button
	holdBtn   *widget.Button
	restrict  *widget.Button
	keeper    *widget.Button
	report    *widget.Button

	current *vault.DestroyPlan
}

var destroyScopes = []string{vault.ScopeDue, vault.ScopeAll, vault.ScopeCustomers}

func newDestroyView(a *App, s *vault.Session) *destroyView {
	v := &destroyView{a: a, s: s}
	wrap := func(l *widget.Label) *widget.Label { l.Wrapping = fyne.TextWrapWord; return l }
	v.retention = wrap(widget.NewLabel(L("destroy.loading")))
	v.holds = wrap(widget.NewLabel(""))
	v.plan = wrap(widget.NewLabel(L("destroy.no_plan")))
	var names []string
	for _, sc := range destroyScopes {
		names = append(names, L("destroy.scope."+sc))
	}
	v.scope = widget.NewSelect(names, nil)
	v.scope.SetSelectedIndex(0)
	v.planBtn = widget.NewButtonWithIcon(L("destroy.plan"), theme.DocumentCreateIcon(), v.makePlan)
	v.approve = widget.NewButtonWithIcon(L("destroy.approve"), theme.ConfirmIcon(), func() { v.approveWith("", "") })
	v.approveAs = widget.NewButtonWithIcon(L("destroy.approve_as"), theme.AccountIcon(), v.askApprover)
	v.run = widget.NewButtonWithIcon(L("destroy.run"), theme.DeleteIcon(), v.confirmRun)
	v.run.Importance = widget.DangerImportance
	v.verify = widget.NewButtonWithIcon(L("destroy.verify"), theme.SearchIcon(), v.doVerify)
	v.holdBtn = widget.NewButtonWithIcon(L("destroy.hold_add"), theme.ContentAddIcon(), v.askHold)
	v.restrict = widget.NewButtonWithIcon(L("destroy.restrict"), theme.VisibilityOffIcon(), v.askRestrict)
	v.keeper = widget.NewButtonWithIcon(L("destroy.keeper"), theme.DocumentIcon(), v.askKeeper)
	v.report = widget.NewButtonWithIcon(L("destroy.report"), theme.DocumentSaveIcon(), v.saveReport)
	if !s.Role().Can(vault.PermChecklist) {
		v.keeper.Disable()
	}
	role := s.Role()
	if !role.Can(vault.PermDestroy) {
		for _, b := range []*widget.Button{v.planBtn, v.run, v.restrict} {
			b.Disable()
		}
	}
	if !role.Can(vault.PermHold) {
		v.holdBtn.Disable()
	}
	// The card's subtitle would not wrap and would widen the window: the steps are a label.
	var steps fyne.CanvasObject = wrap(widget.NewLabel(L("destroy.plan_about")))
	if !role.Can(vault.PermDestroy) {
		why := wrap(widget.NewLabel(L("destroy.need_role", map[string]any{"Roles": rolesWith(vault.PermDestroy)})))
		why.Importance = widget.WarningImportance
		steps = container.NewVBox(steps, why)
	}
	planBox := container.NewVBox(steps, container.NewHBox(widget.NewLabel(L("destroy.scope")),
		container.NewGridWrap(fyne.NewSize(320, v.scope.MinSize().Height), v.scope), v.planBtn), v.plan,
		container.NewHBox(v.approve, v.approveAs, v.run, v.verify))
	v.content = container.NewVScroll(container.NewVBox(
		widget.NewCard(L("destroy.retention_title"), "", container.NewVBox(v.retention, container.NewHBox(v.keeper, v.report))),
		widget.NewCard(L("destroy.holds_title"), "", container.NewVBox(v.holds, container.NewHBox(v.holdBtn, v.restrict))),
		widget.NewCard(L("destroy.plan_title"), "", planBox)))
	v.refresh()
	return v
}

// refresh reads the retention report (a walk of the book) in the background and the
// holds and plans at once.
func (v *destroyView) refresh() {
	lang := currentLang()
	v.gen++
	gen := v.gen
	go func() {
		today := model.DateOf(time.Now().In(shanghai))
		rep, err := v.s.Retention(context.Background(), today)
		onUI(func() {
			if gen != v.gen {
				return // a later refresh has its own count
			}
			if err != nil {
				v.retention.SetText(describeOnly(err))
				return
			}
			var b strings.Builder
			for _, c := range rep.Classes {
				fmt.Fprintf(&b, "%s: %s\n  %s\n", c.Name[lang], L("destroy.rule", map[string]any{"Years": c.Years, "Law": c.Law[lang]}), c.Note[lang])
				if c.Counsel {
					b.WriteString("  " + L("destroy.counsel") + "\n")
				}
				for _, r := range rep.Records {
					if r.Class == c.ID {
						b.WriteString("  " + L("destroy.class_counts", map[string]any{"Records": r.Records, "Open": r.Open, "Due": r.Due, "Kept": r.DueKept}) + "\n")
					}
				}
			}
			b.WriteString(L("destroy.counts", map[string]any{"Active": rep.Active, "Ended": rep.Ended, "Due": len(rep.Due), "Held": rep.Held}))
			if d, err := v.s.Deal(); err == nil && d.Retention != nil {
				b.WriteString("\n" + L("destroy.keeper_is", map[string]any{"Keeper": L("destroy.keeper." + d.Retention.Keeper),
					"Years": d.Retention.Years, "Who": d.Retention.ConfirmedBy}))
			}
			v.retention.SetText(b.String())
			if v.content != nil {
				v.content.Refresh() // the counts grew: what follows moves down
			}
			v.content.Refresh() // wrapped text changed height: lay the cards out again
		})
	}()
	holds, err := v.s.Holds(context.Background())
	if err != nil {
		v.holds.SetText(describeOnly(err))
	} else {
		var lines []string
		for _, h := range holds {
			state := L("destroy.hold_active")
			if h.Released != nil {
				state = L("destroy.hold_released", map[string]any{"Reason": h.Released.Reason})
			}
			scope := L("destroy.hold_all")
			if !h.All {
				scope = L("destroy.hold_n", map[string]any{"N": len(h.Customers)})
			}
			lines = append(lines, fmt.Sprintf("%s · %s · %s · %s", h.ID, h.Case, scope, state))
		}
		if len(lines) == 0 {
			lines = []string{L("destroy.no_holds")}
		}
		if r, _ := v.s.RestrictionOf(context.Background()); r != nil {
			lines = append([]string{L("destroy.restricted", map[string]any{"Since": r.At.In(shanghai).Format("2006-01-02"), "Reason": r.Reason})}, lines...)
		}
		v.holds.SetText(strings.Join(lines, "\n"))
	}
	if plans, err := v.s.DestroyPlans(context.Background()); err == nil && len(plans) > 0 && v.current == nil {
		v.current = &plans[0]
	}
	v.showPlan()
}

// showPlan shows the current plan and enables the next step.
func (v *destroyView) showPlan() {
	for _, b := range []*widget.Button{v.approve, v.approveAs, v.run, v.verify} {
		b.Disable()
	}
	p := v.current
	if p == nil {
		v.plan.SetText(L("destroy.no_plan"))
		return
	}
	d := p.Destroy
	text := L("destroy.preview", map[string]any{"ID": p.ID, "Scope": L("destroy.scope." + p.Scope), "Customers": d.Customers,
		"Loans": d.Loans, "Repayments": d.Repayments, "Documents": d.Documents})
	for _, k := range p.Kept {
		text += "\n" + L("destroy.kept", map[string]any{"N": k.Customers, "Case": k.Case})
	}
	for _, c := range p.Copies {
		text += "\n" + L("destroy.copy", map[string]any{"Kind": c.Kind, "ID": c.ID, "Where": c.Where})
	}
	var who []string
	for _, a := range p.Approvals {
		role := roleName(vault.Role(a.Role))
		if org, ok := strings.CutPrefix(a.Role, "party:"); ok {
			role = org // approved by identity signature, for their organisation
		}
		who = append(who, a.Name+"（"+role+"）")
	}
	text += "\n" + L("destroy.approvals", map[string]any{"N": len(p.Approvals), "Who": strings.Join(who, L("list.sep"))})
	switch {
	case p.Run == nil && len(p.Approvals) < 2:
		v.approve.Enable()
		v.approveAs.Enable()
	case p.Run == nil || p.Run.Status != "done":
		if v.s.Role().Can(vault.PermDestroy) {
			v.run.Enable()
		}
	default:
		text += "\n" + L("destroy.done", map[string]any{"Customers": p.Run.Removed.Customers})
		if c := p.Run.Verified; c != nil {
			key := "destroy.verified_bad"
			if c.OK {
				key = "destroy.verified_ok"
			}
			text += "\n" + L(key, map[string]any{"Keys": c.KeysLeft, "Records": c.RecordsLeft, "Remaining": c.Remaining})
		} else {
			v.verify.Enable()
		}
	}
	v.plan.SetText(text)
	if v.content != nil {
		v.content.Refresh()
	}
}

func (v *destroyView) makePlan() {
	scope := destroyScopes[max(0, v.scope.SelectedIndex())]
	if scope == vault.ScopeCustomers {
		v.a.askCustomerList(L("destroy.choose_list"), L("destroy.list_filter"), func(nos []model.CustomerNo) { v.planFor(scope, nos) })
		return
	}
	v.planFor(scope, nil)
}

func (v *destroyView) planFor(scope string, nos []model.CustomerNo) {
	p, err := v.s.PlanDestroy(context.Background(), scope, nos)
	if err != nil {
		showError(v.a.win, err)
		return
	}
	v.current = p
	v.refresh()
}

func (v *destroyView) approveWith(operator, pass string) {
	var p *vault.DestroyPlan
	var err error
	if operator == "" {
		p, err = v.s.ApproveDestroy(context.Background(), v.current.ID)
	} else {
		p, err = v.s.ApproveDestroyAs(context.Background(), v.current.ID, operator, pass)
	}
	if err != nil {
		showError(v.a.win, err)
		return
	}
	v.current = p
	v.showPlan()
}

// askApprover lets a second operator at the same desk approve with their own passphrase.
func (v *destroyView) askApprover() {
	ops, err := v.s.Operators(context.Background())
	if err != nil {
		showError(v.a.win, err)
		return
	}
	var names, ids []string
	for _, o := range ops {
		if o.ID != v.s.Operator().ID {
			names = append(names, o.Name+" · "+roleName(vault.Role(o.Role)))
			ids = append(ids, o.ID)
		}
	}
	who := widget.NewSelect(names, nil)
	pass := newPasswordEntry()
	d := newForm(L("destroy.approve_as"), L("destroy.approve"), []*widget.FormItem{
		widget.NewFormItem(L("destroy.approver"), who), widget.NewFormItem(L("checklist.signer_pass"), pass)}, func(ok bool) {
		p := pass.Text
		pass.SetText("")
		if ok && who.SelectedIndex() >= 0 {
			v.approveWith(ids[who.SelectedIndex()], p)
		}
	}, v.a.win)
	d.Resize(fyne.NewSize(520, 220))
	d.Show()
}

// confirmRun says what cannot be undone, then runs with a progress dialog whose Cancel
// works only until the keys are erased.
func (v *destroyView) confirmRun() {
	dialog.ShowConfirm(L("destroy.run"), L("destroy.run_confirm", map[string]any{"Customers": v.current.Destroy.Customers}), func(ok bool) {
		if ok {
			v.doRun()
		}
	}, v.a.win)
}

func (v *destroyView) doRun() {
	ctx, cancel := context.WithCancel(context.Background())
	line := widget.NewLabel(L("destroy.phase.count"))
	bar := widget.NewProgressBarInfinite()
	stop := widget.NewButton(L("action.cancel"), func() { cancel() })
	d := dialog.NewCustomWithoutButtons(L("destroy.run"), container.NewVBox(bar, line, stop), v.a.win)
	d.Resize(fyne.NewSize(480, 160))
	d.Show()
	id := v.current.ID
	go func() {
		p, err := v.s.RunDestroy(ctx, id, func(phase string) {
			onUI(func() {
				line.SetText(L("destroy.phase." + phase))
				if phase == "erase" || phase == "delete" || phase == "rewrite" {
					stop.Disable() // past the point of no return
				}
			})
		})
		cancel()
		onUI(func() {
			d.Hide()
			if err != nil {
				showError(v.a.win, err)
				return
			}
			v.current = p
			v.refresh() // the retention counts changed with the book
		})
	}()
}

func (v *destroyView) doVerify() {
	id := v.current.ID
	runWithProgress(v.a.win, L("destroy.verify"), func(ctx context.Context, _ progress.Reporter) error {
		_, err := v.s.VerifyDestroy(ctx, id)
		return err
	}, func(err error) {
		if err != nil {
			showError(v.a.win, err)
		}
		if p, err := v.s.DestroyPlanOf(context.Background(), id); err == nil {
			v.current = p
		}
		v.showPlan()
	})
}

func (v *destroyView) askHold() {
	caseText := newEntry()
	until := newEntry()
	until.SetPlaceHolder("2027-12-31")
	scope := widget.NewRadioGroup([]string{L("destroy.hold_all"), L("destroy.hold_list")}, nil)
	scope.SetSelected(L("destroy.hold_all"))
	d := newForm(L("destroy.hold_add"), L("destroy.hold_add"), []*widget.FormItem{
		widget.NewFormItem(L("destroy.hold_case"), caseText), widget.NewFormItem(L("destroy.hold_scope"), scope),
		widget.NewFormItem(L("destroy.hold_until"), until)}, func(ok bool) {
		if !ok {
			return
		}
		var end model.Date
		if strings.TrimSpace(until.Text) != "" {
			if err := end.UnmarshalText([]byte(strings.TrimSpace(until.Text))); err != nil {
				showError(v.a.win, errBadDate)
				return
			}
		}
		hold := func(nos []model.CustomerNo) {
			if _, err := v.s.AddHold(context.Background(), caseText.Text, nos == nil, nos, end); err != nil {
				showError(v.a.win, err)
				return
			}
			v.refresh()
		}
		if scope.Selected != L("destroy.hold_list") {
			hold(nil)
			return
		}
		v.a.askCustomerList(L("destroy.choose_list"), L("destroy.list_filter"), func(nos []model.CustomerNo) {
			if nos == nil {
				nos = []model.CustomerNo{}
			}
			hold(nos)
		})
	}, v.a.win)
	d.Resize(fyne.NewSize(560, 280))
	d.Show()
}

func (v *destroyView) askRestrict() {
	reason := newEntry()
	d := newForm(L("destroy.restrict"), L("destroy.restrict"), []*widget.FormItem{
		widget.NewFormItem(L("destroy.restrict_reason"), reason)}, func(ok bool) {
		if !ok {
			return
		}
		if _, err := v.s.Restrict(context.Background(), nil, reason.Text); err != nil {
			showError(v.a.win, err)
			return
		}
		v.refresh()
	}, v.a.win)
	d.Resize(fyne.NewSize(520, 180))
	d.Show()
}

// errBadDate refuses a date that is not YYYY-MM-DD.
var errBadDate = fmt.Errorf("the date must be like 2027-12-31")

var keepers = []string{checklist.KeeperTransferee, checklist.KeeperTransferor}

// askKeeper records who keeps the AML records after the handover and who confirmed it.
func (v *destroyView) askKeeper() {
	var names []string
	for _, k := range keepers {
		names = append(names, L("destroy.keeper."+k))
	}
	who := widget.NewSelect(names, nil)
	who.SetSelectedIndex(0)
	years := newEntry()
	years.SetText("10")
	confirmed := newEntry()
	d := newForm(L("destroy.keeper"), L("destroy.keeper_save"), []*widget.FormItem{
		widget.NewFormItem(L("destroy.keeper_who"), who), widget.NewFormItem(L("destroy.keeper_years"), years),
		widget.NewFormItem(L("destroy.keeper_confirmed"), confirmed)}, func(ok bool) {
		if !ok {
			return
		}
		n, err := strconv.Atoi(strings.TrimSpace(years.Text))
		if err != nil {
			showError(v.a.win, vault.ErrRetentionYears)
			return
		}
		if _, err := v.s.SetRetention(context.Background(), keepers[max(0, who.SelectedIndex())], n, confirmed.Text); err != nil {
			showError(v.a.win, err)
			return
		}
		v.refresh()
	}, v.a.win)
	d.Resize(fyne.NewSize(560, 260))
	d.Show()
}

// saveReport writes the retention report (PDF) into a chosen folder.
func (v *destroyView) saveReport() {
	v.a.saveTo(L("destroy.report"), "destroy.report_saved", func(dir string) (string, error) {
		day := model.DateOf(time.Now().In(shanghai))
		pdf, err := v.s.RetentionReportPDF(context.Background(), day, currentLang())
		if err != nil {
			return "", err
		}
		path := filepath.Join(dir, "retention-"+day.String()+".pdf")
		return path, atomicfile.Write(path, pdf, 0o644)
	})
}
