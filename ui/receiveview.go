package ui

import (
	"context"
	"fmt"
	"os"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"handover/app/handoverpkg"
	"handover/app/progress"
	"handover/app/vault"
	"handover/crypto/identity"
)

// receiveView takes a handover package into the vault: the package folder on the stick
// through the native dialog, the receiver's identity and passphrase, then the receive behind
// a progress bar with Cancel, and the outcome: figures equal to the sender's, or the records
// that differ. The sender must be among the vault's trusted cards.
type receiveView struct {
	a       *App
	s       *vault.Session
	content fyne.CanvasObject

	start   *widget.Button
	status  *widget.Label
	result  *widget.Label
	receipt *widget.Button
	lastRec *handoverpkg.Received
	lastErr error
	done    int // receives finished, for tests
}

func newReceiveView(a *App, s *vault.Session) *receiveView {
	v := &receiveView{a: a, s: s}
	v.start = widget.NewButtonWithIcon(L("receive.start"), theme.UploadIcon(), v.choosePackage)
	v.start.Importance = widget.HighImportance
	v.status = widget.NewLabel(L("receive.explain"))
	v.status.Wrapping = fyne.TextWrapWord
	v.result = widget.NewLabel("")
	v.result.Wrapping = fyne.TextWrapWord
	// An equal book is ready to confirm: the receipt is issued and signed on the
	// certificates screen, through the same renderer as every certificate.
	v.receipt = widget.NewButtonWithIcon(L("receive.receipt"), theme.DocumentCreateIcon(), v.toReceipt)
	v.receipt.Hide()
	if !s.Role().Can(vault.PermReceive) {
		v.start.Disable()
		v.status.SetText(L("receive.no_permission"))
	}
	v.content = container.NewVBox(bold(L("receive.title")), v.status, v.start, v.result, v.receipt)
	return v
}

func (v *receiveView) choosePackage() {
	v.a.askPath(pathRequest{title: L("receive.where"), purpose: L("path.purpose.receive"), folder: true, removable: true}, func(dir string) {
		askIdentity(v.a, L("receive.identity"), L("receive.start"), func(idPath, passphrase string) {
			v.run(dir, idPath, passphrase)
		})
	})
}

// run receives behind a progress bar and shows the outcome.
func (v *receiveView) run(dir, idPath, passphrase string) {
	b, err := os.ReadFile(idPath)
	if err != nil {
		showError(v.a.win, err)
		return
	}
	ts, err := v.s.TrustedCards(context.Background())
	if err != nil {
		showError(v.a.win, err)
		return
	}
	var trusted []identity.Card
	for _, t := range ts {
		trusted = append(trusted, t.Card)
	}
	var rec *handoverpkg.Received
	status := func(s progress.Snapshot) string {
		return L("receive.progress", map[string]any{"Percent": fmt.Sprintf("%.0f", 100*s.Fraction()), "ETA": durationText(s.ETA)})
	}
	runWithStatus(v.a.win, L("receive.running"), func(ctx context.Context, p progress.Reporter) error {
		id, err := identity.Open(b, passphrase)
		if err != nil {
			return err
		}
		rec, err = v.s.Receive(ctx, dir, id, trusted, p)
		return err
	}, status, func(err error) {
		defer func() { v.lastRec, v.lastErr = rec, err; v.done++ }()
		if err != nil {
			showError(v.a.win, err)
			return
		}
		v.result.SetText(outcomeText(rec))
		if rec.Equal {
			v.receipt.Show()
			v.content.Refresh()
		}
	})
}

func outcomeText(rec *handoverpkg.Received) string {
	m := rec.Manifest
	if rec.Equal {
		return L("receive.equal", map[string]any{"ID": m.ID, "Sequence": m.Sequence, "Sender": rec.Sender.Name,
			"Customers": rec.Figures.Customers, "Digest": rec.Figures.Digest[:16]})
	}
	var b strings.Builder
	b.WriteString(L("receive.differs", map[string]any{"ID": m.ID, "Figures": strings.Join(rec.Diff.Figures, ", ")}))
	if len(rec.Diff.Missing) > 0 {
		b.WriteString("\n" + L("receive.missing", map[string]any{"List": numbers(rec.Diff.Missing)}))
	}
	if len(rec.Diff.Unexpected) > 0 {
		b.WriteString("\n" + L("receive.unexpected", map[string]any{"List": numbers(rec.Diff.Unexpected)}))
	}
	return b.String()
}

func numbers(ns []uint64) string {
	var parts []string
	for i, n := range ns {
		if i == 20 {
			parts = append(parts, L("receive.more", map[string]any{"N": len(ns) - 20}))
			break
		}
		parts = append(parts, fmt.Sprintf("#%d", n))
	}
	return strings.Join(parts, "、")
}

// toReceipt opens the certificates screen with the receipt chosen.
func (v *receiveView) toReceipt() {
	sh := v.a.shell
	if sh == nil {
		return
	}
	sh.show("certificates")
	if sh.certs != nil {
		sh.certs.kind.SetSelectedIndex(1) // certKinds: receipt
	}
}
