package ui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"handover/app/notice"
	"handover/app/progress"
	"handover/app/vault"
	"handover/store/atomicfile"
	"handover/store/model"
)

// noticeView is the customer notices (客户通知): the notice settings, a letter previewed for a
// real customer, batches of letters, SMS or mailing lists written with progress and Cancel,
// batches marked sent, gateway and postal reports read, and where the notices stand.
type noticeView struct {
	a       *App
	s       *vault.Session
	content fyne.CanvasObject

	settings  *widget.Label
	setupBtn  *widget.Button
	template  *widget.Select
	channel   *widget.Select
	preview   *widget.Button
	generate  *widget.Button
	sent      *widget.Button
	statusBtn *widget.Button
	resolve   *widget.Button
	report    *widget.Button
	status    *widget.Label
	basis     *widget.Label // the legal basis for providing without consent, if any
	basisBtn  *widget.Button

	templates  []*notice.Template
	continuity *continuityCard
	lastBatch  *vault.NoticeBatch
	lastReport *vault.StatusResult
	gen        int // refreshes: an older walk must not overwrite a newer one's counts
}

var noticeChannels = []string{vault.ChannelLetter, vault.ChannelSMS, vault.ChannelMail}

func newNoticeView(a *App, s *vault.Session) *noticeView {
	v := &noticeView{a: a, s: s}
	wrap := func(l *widget.Label) *widget.Label { l.Wrapping = fyne.TextWrapWord; return l }
	v.settings = wrap(widget.NewLabel(""))
	v.status = wrap(widget.NewLabel(L("notice.loading")))
	v.setupBtn = widget.NewButtonWithIcon(L("notice.setup"), theme.DocumentCreateIcon(), v.askSetup)
	v.template = widget.NewSelect(nil, nil)
	var chans []string
	for _, c := range noticeChannels {
		chans = append(chans, L("notice.channel."+c))
	}
	v.channel = widget.NewSelect(chans, nil)
	v.channel.SetSelectedIndex(0)
	v.preview = widget.NewButtonWithIcon(L("notice.preview"), theme.VisibilityIcon(), v.askPreview)
	v.generate = widget.NewButtonWithIcon(L("notice.generate"), theme.MailSendIcon(), v.doGenerate)
	v.sent = widget.NewButtonWithIcon(L("notice.mark_sent"), theme.ConfirmIcon(), v.askSent)
	v.statusBtn = widget.NewButtonWithIcon(L("notice.import_status"), theme.UploadIcon(), v.importStatus)
	v.resolve = widget.NewButtonWithIcon(L("notice.resolve"), theme.ContentRedoIcon(), v.askResolve)
	v.report = widget.NewButtonWithIcon(L("notice.report"), theme.DocumentSaveIcon(), v.saveReport)
	v.basis = wrap(widget.NewLabel(""))
	v.basisBtn = widget.NewButtonWithIcon(L("notice.basis_title")+"…", theme.DocumentCreateIcon(), func() {
		askNoticeBasis(a, s, func(error) { v.basis.SetText(basisText(s)) })
	})
	role := s.Role()
	if !role.Can(vault.PermChecklist) {
		v.basisBtn.Disable()
	}
	if !role.Can(vault.PermNotify) {
		for _, b := range []*widget.Button{v.generate, v.sent, v.statusBtn, v.resolve} {
			b.Disable()
		}
	}
	if !role.Can(vault.PermChecklist) {
		v.setupBtn.Disable()
	}
	about := wrap(widget.NewLabel(L("notice.about")))
	v.continuity = newContinuityCard(a, s)
	pick := container.NewGridWithColumns(2, v.template, v.channel)
	v.content = container.NewVScroll(container.NewVBox(
		widget.NewCard(L("notice.settings_title"), "", container.NewVBox(v.settings, container.NewHBox(v.setupBtn))),
		widget.NewCard(L("notice.generate_title"), "", container.NewVBox(about, pick, container.NewHBox(v.preview, v.generate))),
		widget.NewCard(L("notice.status_title"), "", container.NewVBox(v.status, container.NewHBox(v.sent, v.statusBtn, v.resolve, v.report))),
		widget.NewCard(L("notice.basis_title"), "", container.NewVBox(v.basis, container.NewHBox(v.basisBtn))),
		v.continuity.content))
	v.refresh()
	return v
}

// refresh reads the settings and templates at once and the tracking (a walk of the
// deliveries) in the background.
func (v *noticeView) refresh() {
	v.basis.SetText(basisText(v.s))
	if n, err := v.s.NoticeSettings(); err == nil {
		v.settings.SetText(L("notice.settings_are", map[string]any{"Cutoff": n.Cutoff.String(), "ReplyBy": n.ReplyBy.String(),
			"Hotline": n.Hotline, "Signature": n.SMSSignature, "Account": n.RepayAccountBank + " " + n.RepayAccountNo}))
	} else {
		v.settings.SetText(describeOnly(err))
	}
	ts, err := v.s.NoticeTemplates()
	if err != nil {
		v.status.SetText(describeOnly(err))
		return
	}
	v.templates = ts
	lang := currentLang()
	var names []string
	for _, t := range ts {
		req := L("notice.optional")
		if t.Required {
			req = L("notice.required")
		}
		names = append(names, t.Title[lang]+" · "+req)
	}
	v.template.SetOptions(names)
	if len(names) > 0 && v.template.SelectedIndex() < 0 {
		v.template.SetSelectedIndex(0)
	}
	v.gen++
	gen := v.gen
	go func() {
		sums, err := v.s.NoticeStatus(context.Background())
		onUI(func() {
			if gen != v.gen {
				return // a later refresh has its own walk
			}
			if err != nil {
				v.status.SetText(describeOnly(err))
				return
			}
			var b strings.Builder
			for _, sum := range sums {
				title := sum.Template
				for _, t := range ts {
					if t.ID == sum.Template {
						title = t.Title[lang]
					}
				}
				b.WriteString(L("notice.summary", map[string]any{"Title": title, "Customers": sum.Customers, "Reached": sum.Reached,
					"Pending": sum.Pending, "Consented": sum.Consented, "Objected": sum.Objected, "FollowUps": len(sum.FollowUps)}) + "\n")
				var nos []string
				for i, f := range sum.FollowUps {
					if i == 20 {
						nos = append(nos, "…")
						break
					}
					nos = append(nos, fmt.Sprintf("%d (%s)", f.Customer, L("notice.reason."+f.Reason)))
				}
				if len(nos) > 0 {
					b.WriteString("  " + L("notice.follow_ups", map[string]any{"List": strings.Join(nos, L("list.sep"))}) + "\n")
				}
			}
			v.status.SetText(strings.TrimSpace(b.String()))
			v.content.Refresh() // the status grew: what follows moves down
			v.content.Refresh()
		})
	}()
}

func (v *noticeView) selected() (*notice.Template, bool) {
	i := v.template.SelectedIndex()
	if i < 0 || i >= len(v.templates) {
		return nil, false
	}
	return v.templates[i], true
}

// askSetup is the notice settings form; every field is required.
func (v *noticeView) askSetup() {
	cur, _ := v.s.NoticeSettings()
	if cur == nil {
		cur = &vault.NoticeSetup{}
	}
	type field struct {
		key string
		val *string
	}
	cutoff, replyBy := cur.Cutoff.String(), cur.ReplyBy.String()
	if cur.Cutoff.IsZero() {
		cutoff, replyBy = "", ""
	}
	fields := []field{{"cutoff", &cutoff}, {"reply_by", &replyBy}, {"transferee_address", &cur.TransfereeAddress},
		{"transferee_phone", &cur.TransfereePhone}, {"repay_account_name", &cur.RepayAccountName}, {"repay_account_bank", &cur.RepayAccountBank},
		{"repay_account_no", &cur.RepayAccountNo}, {"repay_channels", &cur.RepayChannels}, {"servicing_phone", &cur.ServicingPhone},
		{"complaints_phone", &cur.ComplaintsPhone}, {"hotline", &cur.Hotline}, {"purpose", &cur.Purpose}, {"method", &cur.Method},
		{"categories", &cur.Categories}, {"sms_signature", &cur.SMSSignature}}
	var items []*widget.FormItem
	entries := make([]*formEntry, len(fields))
	for i, f := range fields {
		e := newEntry()
		e.SetText(*f.val)
		e.SetPlaceHolder(L("notice.hint." + f.key))
		entries[i] = e
		items = append(items, widget.NewFormItem(L("notice.field."+f.key), e))
	}
	d := newForm(L("notice.setup"), L("notice.save"), items, func(ok bool) {
		if !ok {
			return
		}
		for i, f := range fields {
			*f.val = strings.TrimSpace(entries[i].Text)
		}
		n := *cur
		for _, dt := range []struct {
			s *string
			d *model.Date
		}{{&cutoff, &n.Cutoff}, {&replyBy, &n.ReplyBy}} {
			*dt.d = model.Date{}
			if *dt.s != "" && dt.d.UnmarshalText([]byte(*dt.s)) != nil {
				showError(v.a.win, errBadDate)
				return
			}
		}
		if err := v.s.SetNoticeSetup(context.Background(), n); err != nil {
			showError(v.a.win, err)
			return
		}
		v.refresh()
	}, v.a.win)
	d.Resize(fyne.NewSize(680, 640))
	d.Show()
}

// askPreview draws one letter for a customer the clerk names, into a chosen folder.
func (v *noticeView) askPreview() {
	t, ok := v.selected()
	if !ok {
		return
	}
	no := newEntry()
	no.SetPlaceHolder("1")
	newForm(L("notice.preview"), L("notice.preview"), []*widget.FormItem{
		widget.NewFormItem(L("notice.customer_no"), no)}, func(ok bool) {
		if !ok {
			return
		}
		n, err := strconv.ParseUint(strings.TrimSpace(no.Text), 10, 64)
		if err != nil {
			showError(v.a.win, errBadCustomerNo)
			return
		}
		v.a.saveTo(L("notice.preview"), "notice.preview_saved", func(dir string) (string, error) {
			pdf, err := v.s.PreviewNotice(context.Background(), t.ID, model.CustomerNo(n), currentLang())
			if err != nil {
				return "", err
			}
			path := filepath.Join(dir, fmt.Sprintf("notice-preview-%s-%d.pdf", t.ID, n))
			return path, atomicfile.Write(path, pdf, 0o600)
		})
	}, v.a.win).Show()
}

var errBadCustomerNo = errors.New("a customer number is a whole number")

// doGenerate asks for the folder, warns that the files are personal data, and writes the
// batch with a progress bar and Cancel.
func (v *noticeView) doGenerate() {
	t, ok := v.selected()
	if !ok {
		return
	}
	channel := noticeChannels[max(v.channel.SelectedIndex(), 0)]
	v.a.askPath(pathRequest{title: L("notice.choose_folder"), purpose: L("path.purpose.notices"), folder: true}, func(dir string) {
		out := filepath.Join(dir, "notices-"+t.ID+"-"+channel)
		dialog.ShowConfirm(L("notice.generate"), L("notice.confirm_pii", map[string]any{"Dir": out}), func(ok bool) {
			if !ok {
				return
			}
			v.writeBatch(t.ID, channel, out)
		}, v.a.win)
	})
}

// writeBatch writes the batch with a progress bar and Cancel, then says what was written.
func (v *noticeView) writeBatch(template, channel, out string) {
	var b *vault.NoticeBatch
	runWithProgress(v.a.win, L("notice.generate"), func(ctx context.Context, p progress.Reporter) error {
		var err error
		b, err = v.s.GenerateNotices(ctx, vault.GenerateRequest{Template: template, Channel: channel, Out: out, Lang: "zh-CN",
			AllowTemporaryFolder: os.Getenv("HANDOVER_NOTICE_ALLOW_TMP") != ""}, p)
		return err
	}, func(err error) {
		if err != nil {
			os.Remove(out) // an empty folder left by a refused batch
			showError(v.a.win, err)
			return
		}
		v.lastBatch = b
		msg := L("notice.generated", map[string]any{"Count": b.Count, "Dir": b.Out, "Batch": b.ID, "Skipped": len(b.Skipped)})
		if b.Segments > 0 {
			msg += "\n" + L("notice.segments", map[string]any{"N": b.Segments})
		}
		dialog.ShowInformation(L("notice.generate"), msg, v.a.win)
		v.refresh()
	})
}

// chooseBatch asks which batch, newest first.
func (v *noticeView) chooseBatch(title string, then func(id string)) {
	batches, err := v.s.NoticeBatches(context.Background())
	if err != nil {
		showError(v.a.win, err)
		return
	}
	if len(batches) == 0 {
		dialog.ShowInformation(title, L("notice.no_batches"), v.a.win)
		return
	}
	var names []string
	for i := len(batches) - 1; i >= 0; i-- {
		b := batches[i]
		names = append(names, fmt.Sprintf("%s · %s · %d", b.ID, L("notice.channel."+b.Channel), b.Count))
	}
	sel := widget.NewSelect(names, nil)
	sel.SetSelectedIndex(0)
	d := newForm(title, L("notice.choose"), []*widget.FormItem{widget.NewFormItem(L("notice.batch"), sel)}, func(ok bool) {
		if ok && sel.SelectedIndex() >= 0 {
			then(batches[len(batches)-1-sel.SelectedIndex()].ID)
		}
	}, v.a.win)
	d.Resize(fyne.NewSize(620, 200))
	d.Show()
}

func (v *noticeView) askSent() { v.chooseBatch(L("notice.mark_sent"), v.markSent) }

func (v *noticeView) markSent(id string) {
	n, err := v.s.MarkSent(context.Background(), id, model.DateOf(time.Now().In(shanghai)))
	if err != nil {
		showError(v.a.win, err)
		return
	}
	dialog.ShowInformation(L("notice.mark_sent"), L("notice.marked_sent", map[string]any{"N": n}), v.a.win)
	v.refresh()
}

// importStatus reads a gateway or postal report; a report by mobile number answers one SMS
// batch, which the clerk picks.
func (v *noticeView) importStatus() {
	v.a.askPath(pathRequest{title: L("notice.import_status"), purpose: L("path.purpose.delivery_report"), filterName: L("notice.report_filter"),
		exts: []string{"csv", "txt"}}, func(path string) {
		v.chooseBatch(L("notice.import_status"), func(batch string) { v.readReport(path, batch) })
	})
}

// readReport applies a report and lists the rows it refused.
func (v *noticeView) readReport(path, batch string) {
	f, err := os.Open(path)
	if err != nil {
		showError(v.a.win, err)
		return
	}
	defer f.Close()
	res, err := v.s.ImportNoticeStatus(context.Background(), filepath.Base(path), f, batch)
	if err != nil {
		showError(v.a.win, &fileError{File: filepath.Base(path), Err: err})
		return
	}
	msg := L("notice.status_read", map[string]any{"Rows": res.Rows, "Applied": res.Applied, "Refused": len(res.Refused)})
	for i, r := range res.Refused {
		if i == 15 {
			msg += "\n…"
			break
		}
		msg += "\n" + L("notice.refused_row", map[string]any{"Row": r.Row, "Reason": L("notice.refused." + r.Reason)})
	}
	v.lastReport = res
	dialog.ShowInformation(L("notice.import_status"), msg, v.a.win)
	v.refresh()
}

func (v *noticeView) askResolve() {
	t, ok := v.selected()
	if !ok {
		return
	}
	no, reason := newEntry(), newMultiLineEntry()
	d := newForm(L("notice.resolve"), L("notice.resolve"), []*widget.FormItem{
		widget.NewFormItem(L("notice.customer_no"), no), widget.NewFormItem(L("notice.resolve_reason"), reason)}, func(ok bool) {
		if !ok {
			return
		}
		n, err := strconv.ParseUint(strings.TrimSpace(no.Text), 10, 64)
		if err != nil {
			showError(v.a.win, errBadCustomerNo)
			return
		}
		if err := v.s.ResolveFollowUp(context.Background(), t.ID, model.CustomerNo(n), reason.Text); err != nil {
			showError(v.a.win, err)
			return
		}
		v.refresh()
	}, v.a.win)
	d.Resize(fyne.NewSize(560, 280))
	d.Show()
}

func (v *noticeView) saveReport() {
	v.a.saveTo(L("notice.report"), "notice.report_saved", func(dir string) (string, error) {
		pdf, err := v.s.NoticeReportPDF(context.Background(), currentLang())
		if err != nil {
			return "", err
		}
		path := filepath.Join(dir, "notice-report-"+model.DateOf(time.Now().In(shanghai)).String()+".pdf")
		return path, atomicfile.Write(path, pdf, 0o644)
	})
}
