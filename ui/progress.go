package ui

import (
	"context"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"handover/app/progress"
)

// runWithProgress runs work in the background behind a modal progress dialog with Cancel.
// The bar is refreshed from the counter on a timer, never per item, so a million rows cost
// the UI nothing. done runs on the UI thread with work's error.
func runWithProgress(win fyne.Window, title string, work func(ctx context.Context, p progress.Reporter) error, done func(error)) {
	runWithStatus(win, title, work, func(s progress.Snapshot) string {
		return L("progress.status", map[string]any{
			"Done": fmt.Sprint(s.Done), "Total": fmt.Sprint(s.Total),
			"Rate": fmt.Sprintf("%.0f", s.Rate), "ETA": durationText(s.ETA)})
	}, done)
}

// runWithStatus is runWithProgress with the status line written by status.
func runWithStatus(win fyne.Window, title string, work func(ctx context.Context, p progress.Reporter) error, status func(progress.Snapshot) string, done func(error)) {
	ctx, cancel := context.WithCancel(context.Background())
	c := progress.NewCounter()
	bar := widget.NewProgressBar()
	line := widget.NewLabel(L("progress.starting"))
	var d dialog.Dialog
	cancelBtn := widget.NewButton(L("action.cancel"), func() {
		line.SetText(L("progress.cancelling"))
		cancel()
	})
	d = dialog.NewCustomWithoutButtons(title, container.NewVBox(bar, line, cancelBtn), win)
	d.Resize(fyne.NewSize(460, 160))
	d.Show()
	// The bar follows the counter on a timer, never per item.
	stop := progress.Every(200*time.Millisecond, func() {
		s := c.Snapshot()
		onUI(func() {
			bar.SetValue(s.Fraction())
			if s.Total > 0 && ctx.Err() == nil {
				line.SetText(status(s))
			}
		})
	})
	go func() {
		err := work(ctx, c)
		stop()
		cancel()
		onUI(func() {
			d.Hide()
			done(err)
		})
	}()
}

// showError shows an error with its hint.
func showError(win fyne.Window, err error) {
	msg, hint := describe(err)
	text := msg
	if hint != "" {
		text += "\n\n" + hint
	}
	body := widget.NewLabel(text)
	body.Wrapping = fyne.TextWrapWord
	content := container.NewVBox(body)
	if unmapped(err) {
		// The technical detail, for whoever helps the clerk: hidden until asked for.
		detail := widget.NewLabel(err.Error())
		detail.Wrapping = fyne.TextWrapWord
		detail.TextStyle.Monospace = true
		detail.Hide()
		var more *widget.Button
		more = widget.NewButton(L("error.show_detail"), func() { detail.Show(); more.Hide() })
		content.Add(more)
		content.Add(detail)
	}
	d := dialog.NewCustom(L("error.title"), L("OK"),
		container.NewBorder(nil, nil, container.NewVBox(widget.NewIcon(theme.ErrorIcon())), nil, content), win)
	closeOnKeys(d, win)
	d.Resize(fyne.NewSize(min(520, max(320, win.Canvas().Size().Width-40)), d.MinSize().Height))
	d.Show()
}

// closeOnKeys lets Return, Enter or Escape close a dialog that only informs, as its OK
// button would.
func closeOnKeys(d dialog.Dialog, win fyne.Window) {
	prev := win.Canvas().OnTypedKey()
	win.Canvas().SetOnTypedKey(func(k *fyne.KeyEvent) {
		switch k.Name {
		case fyne.KeyReturn, fyne.KeyEnter, fyne.KeyEscape:
			d.Hide()
		default:
			if prev != nil {
				prev(k)
			}
		}
	})
	d.SetOnClosed(func() { win.Canvas().SetOnTypedKey(prev) })
}

// durationText says how long in the interface's language: "1 分 23 秒", "1 min 23 s",
// rather than Go's "1m23s".
func durationText(d time.Duration) string {
	d = d.Round(time.Second)
	h, m, s := int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60
	switch {
	case h > 0:
		return L("duration.hm", map[string]any{"H": h, "M": m})
	case m > 0:
		return L("duration.ms", map[string]any{"M": m, "S": s})
	}
	return L("duration.s", map[string]any{"S": s})
}
