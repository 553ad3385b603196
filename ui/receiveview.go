package ui

import (
	"context"
	"errors"
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

// receiveView is the transferee's side of the handover, step by step on one screen: the
// identity the package is encrypted to, the sender's card trusted after comparing its
// fingerprint, the package received (verified whole, then committed), the deal the package
// carries confirmed, and the receipt signed. Each step says whether it is done and offers
// its action, so a clerk new to the program can follow it from the top.
type receiveView struct {
	a       *App
	s       *vault.Session
	content fyne.CanvasObject

	trusted *widget.Label  // step 2: the trusted senders
	trust   *widget.Button // step 2: choose a card, compare, trust
	start   *widget.Button // step 3
	status  *widget.Label
	result  *widget.Label
	deal    *widget.Label  // step 4: the deal the package carried
	accept  *widget.Button // step 4
	receipt *widget.Button // step 5
	regNote *widget.Label  // step 5: the registers the receipt waits for
	toRegs  *widget.Button
	lastRec *handoverpkg.Received
	lastErr error
	done    int // receives and confirmations finished, for tests
}

func newReceiveView(a *App, s *vault.Session) *receiveView {
	v := &receiveView{a: a, s: s}
	wrap := func(text string) *widget.Label {
		l := widget.NewLabel(text)
		l.Wrapping = fyne.TextWrapWord
		return l
	}
	identityBtn := widget.NewButtonWithIcon(L("receive.identity_new"), theme.AccountIcon(), func() { makeIdentityDialog(a) })
	v.trusted = wrap("")
	v.trust = widget.NewButtonWithIcon(L("receive.trust"), theme.VisibilityIcon(), v.chooseSenderCard)
	v.start = widget.NewButtonWithIcon(L("receive.start"), theme.UploadIcon(), v.choosePackage)
	v.start.Importance = widget.HighImportance
	v.status = wrap(L("receive.explain"))
	v.result = wrap("")
	v.result.Hide() // until there is an outcome: an empty label left a blank line
	v.deal = wrap("")
	v.accept = widget.NewButtonWithIcon(L("receive.accept_deal"), theme.ConfirmIcon(), v.acceptDeal)
	// An equal book is ready to confirm: the receipt is issued and signed on the
	// certificates screen, through the same renderer as every certificate.
	v.receipt = widget.NewButtonWithIcon(L("receive.receipt"), theme.DocumentCreateIcon(), v.toReceipt)
	v.regNote = wrap("")
	v.regNote.Importance = widget.WarningImportance
	v.toRegs = widget.NewButtonWithIcon(L("receive.to_registers"), theme.DocumentCreateIcon(), func() {
		if a.shell != nil {
			a.shell.show("registers")
		}
	})
	if !s.Role().Can(vault.PermReceive) {
		v.start.Disable()
		v.status.SetText(L("receive.no_permission"))
	}
	step := func(n int, title string, body ...fyne.CanvasObject) fyne.CanvasObject {
		return widget.NewCard("", L("receive.step", map[string]any{"N": n, "Title": title}), container.NewVBox(body...))
	}
	v.content = container.NewVScroll(container.NewVBox(
		bold(L("receive.title")), wrap(L("receive.intro")),
		step(1, L("receive.step_identity"), wrap(L("receive.identity_explain")), container.NewHBox(identityBtn)),
		step(2, L("receive.step_trust"), v.trusted, container.NewHBox(v.trust)),
		step(3, L("receive.step_receive"), v.status, container.NewHBox(v.start), v.result),
		step(4, L("receive.step_deal"), v.deal, container.NewHBox(v.accept)),
		step(5, L("receive.step_receipt"), wrap(L("receive.receipt_explain")), v.regNote, container.NewHBox(v.toRegs, v.receipt)),
	))
	v.refresh()
	return v
}

// refresh shows where each step stands, from the vault.
func (v *receiveView) refresh() {
	ts, err := v.s.TrustedCards(context.Background())
	switch {
	case err != nil:
		msg, _ := describe(err)
		v.trusted.SetText(msg)
	case len(ts) == 0:
		v.trusted.SetText(L("receive.trusted_none"))
	default:
		var names []string
		for _, t := range ts {
			names = append(names, fmt.Sprintf("%s（%s）", t.Card.Name, t.Card.Organisation))
		}
		v.trusted.SetText(L("receive.trusted", map[string]any{"Names": strings.Join(names, "、")}))
	}
	v.accept.Disable()
	offer, err := v.s.OfferedDeal()
	switch {
	case err == nil:
		v.deal.SetText(L("receive.deal_offered", map[string]any{"Package": offer.Package}) + "\n" + dealSummary(&offer.Deal))
		if v.s.Role().Can(vault.PermChecklist) {
			v.accept.Enable()
		}
	case errors.Is(err, vault.ErrNoOfferedDeal):
		if d, err := v.s.Deal(); err == nil {
			v.deal.SetText(L("receive.deal_recorded") + "\n" + dealSummary(d))
		} else {
			v.deal.SetText(L("receive.deal_waiting"))
		}
	default:
		msg, _ := describe(err)
		v.deal.SetText(msg)
	}
	if c, err := v.s.Counts(); err == nil && c.Customers > 0 {
		v.receipt.Enable()
	} else {
		v.receipt.Disable()
	}
	// Once the deal is recorded, issuing a certificate needs the operator's NDA and
	// training in the registers (PIPL Art. 51): said here, before the refusal.
	v.regNote.Hide()
	v.toRegs.Hide()
	if _, err := v.s.Deal(); err == nil {
		if missing := v.registersMissing(); missing != "" {
			v.regNote.SetText(missing)
			v.regNote.Show()
			v.toRegs.Show()
		}
	}
	// Wrapped labels changed height: the steps below move with them.
	v.content.Refresh()
}

// registersMissing says what the signed-in operator still lacks in the registers, or "".
func (v *receiveView) registersMissing() string {
	sts, err := v.s.Standings(context.Background())
	if err != nil {
		return ""
	}
	for _, st := range sts {
		if st.ID == v.s.Operator().ID && (st.NDAMissing != "" || st.TrainingMissing != "") {
			return L("receive.needs_registers", map[string]any{"Name": st.Name})
		}
	}
	return ""
}

// chooseSenderCard takes the sender's card file, shows its fingerprint to compare with
// the sender in person, and trusts it once confirmed.
func (v *receiveView) chooseSenderCard() {
	v.a.askPath(pathRequest{title: L("receive.trust"), purpose: L("path.purpose.sender_card"), filterName: L("cert.card_filter"), exts: cardExts}, func(p string) {
		c, err := readCard(p)
		if err != nil {
			showError(v.a.win, err)
			return
		}
		compareAndTrust(v.a, v.s, c, v.refresh)
	})
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
		v.result.Show()
		v.refresh()
	})
}

// acceptDeal records the deal the package carried as this vault's deal.
func (v *receiveView) acceptDeal() {
	_, err := v.s.AcceptOfferedDeal()
	v.lastErr = err
	v.done++
	if err != nil {
		showError(v.a.win, err)
		return
	}
	v.refresh()
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
