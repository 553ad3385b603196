package ui

import (
	"context"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
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
			"Rate": fmt.Sprintf("%.0f", s.Rate), "ETA": s.ETA.Round(time.Second).String()})
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
	dialog.ShowInformation(L("error.title"), text, win)
}
