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
	"handover/app/validate"
	"handover/app/vault"
	"handover/store/atomicfile"
	"handover/store/model"
)

// continuityCard is the change-over (业务连续性) on the notices screen: the plan, the
// customers falling due after the cut-off, the register of repayments the transferor still
// receives and forwards, and the report.
type continuityCard struct {
	a       *App
	s       *vault.Session
	content fyne.CanvasObject

	summary *widget.Label
	planBtn *widget.Button
	addBtn  *widget.Button
	fwdBtn  *widget.Button
	report  *widget.Button
	// gen counts refreshes: a walk started by an earlier refresh that ends after a later
	// one must not put its older text back (it did, and the plan just saved vanished).
	gen int
}

func newContinuityCard(a *App, s *vault.Session) *continuityCard {
	c := &continuityCard{a: a, s: s}
	c.summary = widget.NewLabel(L("notice.loading"))
	c.summary.Wrapping = fyne.TextWrapWord
	c.planBtn = widget.NewButtonWithIcon(L("cont.plan"), theme.DocumentCreateIcon(), c.askPlan)
	c.addBtn = widget.NewButtonWithIcon(L("cont.add_payment"), theme.ContentAddIcon(), c.askPayment)
	c.fwdBtn = widget.NewButtonWithIcon(L("cont.forward"), theme.MailForwardIcon(), c.askForward)
	c.report = widget.NewButtonWithIcon(L("cont.report"), theme.DocumentSaveIcon(), c.saveReport)
	if !s.Role().Can(vault.PermChecklist) {
		for _, b := range []*widget.Button{c.planBtn, c.addBtn, c.fwdBtn} {
			b.Disable()
		}
	}
	c.content = widget.NewCard(L("cont.title"), "", container.NewVBox(c.summary, container.NewHBox(c.planBtn, c.addBtn, c.fwdBtn, c.report)))
	c.refresh()
	return c
}

// refresh reads the plan and the register at once and the customers falling due (a walk of
// the book) in the background.
func (c *continuityCard) refresh() {
	var b strings.Builder
	if p, err := c.s.ContinuityPlanOf(); err == nil {
		b.WriteString(L("cont.plan_is", map[string]any{"Cutoff": p.Cutoff.String(), "Closes": p.OldAccountCloses.String(), "From": p.NewAccountFrom.String(),
			"Reporter": L("cont.party." + p.CreditReporter), "ReportFrom": p.CreditReportingFrom.String()}) + "\n")
	} else {
		b.WriteString(describeOnly(err) + "\n")
	}
	if r, err := c.s.ForwardedPayments(context.Background()); err == nil {
		key := "cont.register_ok"
		if !r.Reconciles {
			key = "cont.register_open"
		}
		b.WriteString(L(key, map[string]any{"N": len(r.Payments), "Received": r.Received.Yuan(), "Forwarded": r.Forwarded.Yuan(), "Left": r.Outstanding.Yuan()}))
	}
	head := b.String()
	c.summary.SetText(head)
	c.gen++
	gen := c.gen
	go func() {
		due, _, err := c.s.ContinuityDue(context.Background(), []int{30, 60, 90})
		onUI(func() {
			if gen != c.gen {
				return // a later refresh has its own walk
			}
			if err != nil {
				return // no notice settings yet: the plan line says so
			}
			var parts []string
			for _, d := range due {
				parts = append(parts, L("cont.due_window", map[string]any{"Days": d.Days, "Customers": d.Customers}))
			}
			c.summary.SetText(head + "\n" + L("cont.due", map[string]any{"Windows": strings.Join(parts, L("list.sep"))}))
			c.content.Refresh()
		})
	}()
}

func (c *continuityCard) askPlan() {
	closes, from, reportFrom := newEntry(), newEntry(), newEntry()
	for _, e := range []*formEntry{closes, from, reportFrom} {
		e.SetPlaceHolder("2027-01-01")
	}
	complaints := newMultiLineEntry()
	complaints.SetPlaceHolder(L("cont.complaints_hint"))
	reporter := widget.NewRadioGroup([]string{L("cont.party.transferee"), L("cont.party.transferor")}, nil)
	reporter.SetSelected(L("cont.party.transferee"))
	if p, err := c.s.ContinuityPlanOf(); err == nil {
		closes.SetText(p.OldAccountCloses.String())
		from.SetText(p.NewAccountFrom.String())
		reportFrom.SetText(p.CreditReportingFrom.String())
		complaints.SetText(p.Complaints)
		reporter.SetSelected(L("cont.party." + p.CreditReporter))
	}
	d := newForm(L("cont.plan"), L("notice.save"), []*widget.FormItem{
		widget.NewFormItem(L("cont.new_from"), from), widget.NewFormItem(L("cont.old_closes"), closes),
		widget.NewFormItem(L("cont.complaints"), complaints), widget.NewFormItem(L("cont.reporter"), reporter),
		widget.NewFormItem(L("cont.report_from"), reportFrom)}, func(ok bool) {
		if !ok {
			return
		}
		var p vault.ContinuityPlan
		for _, f := range []struct {
			e  *formEntry
			to *model.Date
		}{{closes, &p.OldAccountCloses}, {from, &p.NewAccountFrom}, {reportFrom, &p.CreditReportingFrom}} {
			if f.to.UnmarshalText([]byte(strings.TrimSpace(f.e.Text))) != nil {
				showError(c.a.win, errBadDate)
				return
			}
		}
		p.Complaints = complaints.Text
		p.CreditReporter = checklist.KeeperTransferee
		if reporter.Selected == L("cont.party.transferor") {
			p.CreditReporter = checklist.KeeperTransferor
		}
		if _, err := c.s.SetContinuityPlan(context.Background(), p); err != nil {
			showError(c.a.win, err)
			return
		}
		c.refresh()
	}, c.a.win)
	d.Resize(fyne.NewSize(620, 440))
	d.Show()
}

// askPayment registers a repayment received after the cut-off, with its bank slip if the
// clerk has one.
func (c *continuityCard) askPayment() {
	no, amount, received := newEntry(), newEntry(), newEntry()
	amount.SetPlaceHolder("1234.56")
	received.SetPlaceHolder(model.DateOf(time.Now().In(shanghai)).String())
	newForm(L("cont.add_payment"), L("notice.save"), []*widget.FormItem{
		widget.NewFormItem(L("notice.customer_no"), no), widget.NewFormItem(L("cont.amount"), amount),
		widget.NewFormItem(L("cont.received"), received)}, func(ok bool) {
		if !ok {
			return
		}
		n, err := strconv.ParseUint(strings.TrimSpace(no.Text), 10, 64)
		if err != nil {
			showError(c.a.win, errBadCustomerNo)
			return
		}
		fen, problem := validate.Amount(amount.Text, false)
		if problem != nil {
			showError(c.a.win, errBadAmount)
			return
		}
		var day model.Date
		if day.UnmarshalText([]byte(strings.TrimSpace(received.Text))) != nil {
			showError(c.a.win, errBadDate)
			return
		}
		p, err := c.s.AddForwardedPayment(context.Background(), model.CustomerNo(n), fen, day, model.Date{}, "", nil)
		if err != nil {
			showError(c.a.win, err)
			return
		}
		dialog.ShowInformation(L("cont.add_payment"), L("cont.payment_added", map[string]any{"ID": p.ID}), c.a.win)
		c.refresh()
	}, c.a.win).Show()
}

// askForward records a registered repayment as forwarded, chosen from those still open.
func (c *continuityCard) askForward() {
	r, err := c.s.ForwardedPayments(context.Background())
	if err != nil {
		showError(c.a.win, err)
		return
	}
	var open []vault.ForwardedPayment
	var names []string
	for _, p := range r.Payments {
		if p.Forwarded.IsZero() {
			open = append(open, p)
			names = append(names, fmt.Sprintf("%s · %d · ¥%s · %s", p.ID, p.Customer, p.Amount.Yuan(), p.Received))
		}
	}
	if len(open) == 0 {
		dialog.ShowInformation(L("cont.forward"), L("cont.nothing_open"), c.a.win)
		return
	}
	sel := widget.NewSelect(names, nil)
	sel.SetSelectedIndex(0)
	day := newEntry()
	day.SetText(model.DateOf(time.Now().In(shanghai)).String())
	d := newForm(L("cont.forward"), L("notice.save"), []*widget.FormItem{
		widget.NewFormItem(L("cont.payment"), sel), widget.NewFormItem(L("cont.forwarded"), day)}, func(ok bool) {
		if !ok || sel.SelectedIndex() < 0 {
			return
		}
		var dt model.Date
		if dt.UnmarshalText([]byte(strings.TrimSpace(day.Text))) != nil {
			showError(c.a.win, errBadDate)
			return
		}
		if _, err := c.s.ForwardPayment(context.Background(), open[sel.SelectedIndex()].ID, dt, "", nil); err != nil {
			showError(c.a.win, err)
			return
		}
		c.refresh()
	}, c.a.win)
	d.Resize(fyne.NewSize(620, 220))
	d.Show()
}

func (c *continuityCard) saveReport() {
	c.a.saveTo(L("cont.report"), "cont.report_saved", func(dir string) (string, error) {
		pdf, err := c.s.ContinuityReportPDF(context.Background(), currentLang())
		if err != nil {
			return "", err
		}
		path := filepath.Join(dir, "continuity-"+model.DateOf(time.Now().In(shanghai)).String()+".pdf")
		return path, atomicfile.Write(path, pdf, 0o644)
	})
}
