package ui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/skip2/go-qrcode"

	"handover/app/cert"
	"handover/app/doc"
	"handover/app/vault"
	"handover/crypto/identity"
	"handover/store/atomicfile"
)

// certView is the joint signing session: choose the kind and the signers' cards, issue the
// statement from the vault, look at its pages, and let each signer sign with their own
// identity file and passphrase, in any order, at this workstation or apart (export the
// statement, import the signature). The certificate is saved only when every required
// signer has signed.
type certView struct {
	a       *App
	s       *vault.Session
	content fyne.CanvasObject

	kind      *widget.Select
	addCard   *widget.Button
	newID     *widget.Button
	issue     *widget.Button
	signers   *widget.List
	status    *widget.Label
	export    *widget.Button
	importSig *widget.Button
	save      *widget.Button
	pages     *fyne.Container
	pageLabel *widget.Label

	cards     []identity.Card
	statement []byte
	st        *cert.Statement
	sigs      map[string]cert.Signed
	signBtns  map[string]*widget.Button
	signed    int   // signing attempts finished, for tests
	lastErr   error // of the last attempt
}

var certKinds = []string{cert.KindConfirmation, cert.KindReceipt, cert.KindDestruction}

func newCertView(a *App, s *vault.Session) *certView {
	v := &certView{a: a, s: s, sigs: map[string]cert.Signed{}, signBtns: map[string]*widget.Button{}}
	var names []string
	for _, k := range certKinds {
		names = append(names, L("cert.kind."+k))
	}
	v.kind = widget.NewSelect(names, func(string) { v.reset() })
	v.kind.SetSelectedIndex(0)
	v.addCard = widget.NewButtonWithIcon(L("cert.add_signer"), theme.ContentAddIcon(), v.chooseCard)
	v.newID = widget.NewButtonWithIcon(L("identity.new"), theme.AccountIcon(), v.askIdentity)
	v.issue = widget.NewButtonWithIcon(L("cert.issue"), theme.DocumentCreateIcon(), v.issueStatement)
	v.issue.Importance = widget.HighImportance
	v.status = widget.NewLabel(L("cert.start"))
	v.status.Wrapping = fyne.TextWrapWord
	v.export = widget.NewButtonWithIcon(L("cert.export"), theme.DownloadIcon(), v.exportStatement)
	v.importSig = widget.NewButtonWithIcon(L("cert.import_sig"), theme.UploadIcon(), v.chooseSignature)
	v.save = widget.NewButtonWithIcon(L("cert.save"), theme.DocumentSaveIcon(), v.saveCertificate)
	v.save.Importance = widget.HighImportance
	// Each signer on a row of their own, the fingerprint the clerk reads aloud in full
	// (it was cut off under the buttons), the buttons below it.
	v.signers = widget.NewList(func() int { return len(v.cards) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("王某某（负责人，某某小额贷款有限公司）\n9A16FA03 D318D788 776146D7 B6935FB5\nEC0B9F93 4056EC6 7898FB0B B943B264")
			l.Wrapping = fyne.TextWrapWord
			return container.NewVBox(l, container.NewHBox(
				widget.NewButtonWithIcon(L("cert.compare"), theme.VisibilityIcon(), nil), widget.NewButtonWithIcon(L("cert.sign"), theme.DocumentCreateIcon(), nil)))
		},
		v.updateSigner)
	v.pages = container.NewVBox()
	v.pageLabel = widget.NewLabel("")
	// The kind on a row of its own: beside the buttons its names were cut off.
	top := container.NewVBox(container.New(layout.NewFormLayout(), widget.NewLabel(L("cert.kind")), v.kind),
		container.NewHBox(v.addCard, v.issue), v.status)
	bottom := container.NewVBox(container.NewHBox(v.export, v.importSig, v.save), container.NewHBox(v.newID))
	left := container.NewBorder(top, bottom, nil, nil, v.signers)
	right := container.NewBorder(v.pageLabel, nil, nil, nil, container.NewVScroll(v.pages))
	split := container.NewHSplit(left, right)
	split.Offset = 0.42
	v.content = split
	v.refresh()
	return v
}

func (v *certView) kindCode() string { return certKinds[max(0, v.kind.SelectedIndex())] }

// reset drops an issued statement and its signatures: the cards or kind changed.
func (v *certView) reset() {
	v.statement, v.st = nil, nil
	v.sigs = map[string]cert.Signed{}
	if v.pages != nil {
		v.pages.Objects = nil
		v.pages.Refresh()
		v.refresh()
	}
}

func (v *certView) updateSigner(i widget.ListItemID, o fyne.CanvasObject) {
	c := v.cards[i]
	row := o.(*fyne.Container)
	label := row.Objects[0].(*widget.Label)
	state := ""
	if v.st != nil {
		if _, ok := v.sigs[c.Fingerprint]; ok {
			state = " · " + L("cert.signed")
		} else {
			state = " · " + L("cert.unsigned")
		}
	}
	label.SetText(fmt.Sprintf("%s（%s，%s）%s\n%s", c.Name, c.Role, c.Organisation, state, groupedLines(c.Grouped())))
	btns := row.Objects[1].(*fyne.Container)
	btns.Objects[0].(*widget.Button).OnTapped = func() { v.showFingerprint(c) }
	sign := btns.Objects[1].(*widget.Button)
	sign.OnTapped = func() { v.chooseIdentity(c) }
	v.signBtns[c.Fingerprint] = sign
	if _, done := v.sigs[c.Fingerprint]; v.st == nil || done {
		sign.Disable()
	} else {
		sign.Enable()
	}
}

func (v *certView) refresh() {
	v.signers.Refresh()
	switch {
	case v.st == nil && len(v.cards) == 0:
		v.status.SetText(L("cert.start"))
	case v.st == nil:
		v.status.SetText(L("cert.ready", map[string]any{"N": len(v.cards)}))
	default:
		var missing []string
		for _, sg := range v.st.Signers {
			if _, ok := v.sigs[sg.Fingerprint]; !ok && sg.Required {
				missing = append(missing, sg.Name)
			}
		}
		if len(missing) == 0 {
			v.status.SetText(L("cert.complete", map[string]any{"ID": v.st.ID}))
		} else {
			v.status.SetText(L("cert.waiting", map[string]any{"ID": v.st.ID, "Signed": len(v.sigs), "Total": len(v.st.Signers),
				"Missing": strings.Join(missing, "、")}))
		}
	}
	if len(v.cards) > 0 && v.st == nil {
		v.issue.Enable()
	} else {
		v.issue.Disable()
	}
	if v.st != nil {
		v.export.Enable()
		v.importSig.Enable()
	} else {
		v.export.Disable()
		v.importSig.Disable()
	}
	if v.complete() {
		v.save.Enable()
	} else {
		v.save.Disable()
	}
}

// complete says every required signer has signed.
func (v *certView) complete() bool {
	if v.st == nil {
		return false
	}
	for _, sg := range v.st.Signers {
		if _, ok := v.sigs[sg.Fingerprint]; sg.Required && !ok {
			return false
		}
	}
	return true
}

var cardExts = []string{"json"}

func (v *certView) chooseCard() {
	v.a.askPath(pathRequest{title: L("cert.add_signer"), purpose: L("path.purpose.signer_card"), filterName: L("cert.card_filter"), exts: cardExts}, func(p string) {
		if err := v.addCardFile(p); err != nil {
			showError(v.a.win, err)
		}
	})
}

// readCard reads an identity card file; a bad one is named.
func readCard(p string) (identity.Card, error) {
	b, err := os.ReadFile(p)
	if err != nil {
		return identity.Card{}, err
	}
	c, err := identity.ParseCard(b)
	if err != nil {
		return identity.Card{}, &fileError{File: filepath.Base(p), Err: err}
	}
	return c, nil
}

func (v *certView) addCardFile(p string) error {
	c, err := readCard(p)
	if err != nil {
		return err
	}
	for _, have := range v.cards {
		if have.Fingerprint == c.Fingerprint {
			return nil
		}
	}
	v.cards = append(v.cards, c)
	v.reset()
	v.refresh()
	return nil
}

// fileError names the file an error is about.
type fileError struct {
	File string
	Err  error
}

func (e *fileError) Error() string { return e.File + ": " + e.Err.Error() }
func (e *fileError) Unwrap() error { return e.Err }

// showFingerprint shows a card's fingerprint to compare with its owner and trust.
func (v *certView) showFingerprint(c identity.Card) { compareAndTrust(v.a, v.s, c, nil) }

// compareAndTrust shows a card's fingerprint as grouped hex and as a QR code, to compare
// with its owner in person, and records the comparison in the vault's trusted cards.
func compareAndTrust(a *App, s *vault.Session, c identity.Card, trusted func()) {
	png, err := qrcode.Encode("handover-card:"+c.Fingerprint, qrcode.Medium, 256)
	if err != nil {
		showError(a.win, err)
		return
	}
	img := canvas.NewImageFromReader(bytes.NewReader(png), "fingerprint.png")
	img.FillMode = canvas.ImageFillContain
	img.SetMinSize(fyne.NewSize(220, 220))
	how := newEntry()
	how.SetPlaceHolder(L("cert.how"))
	text := widget.NewLabel(fmt.Sprintf("%s（%s，%s）\n%s", c.Name, c.Role, c.Organisation, c.Grouped()))
	text.Wrapping = fyne.TextWrapWord
	dialog.ShowCustomConfirm(L("cert.fingerprint"), L("cert.trust"), L("action.close"),
		container.NewVBox(text, img, how), func(ok bool) {
			if !ok {
				return
			}
			if _, err := s.Trust(c, how.Text); err != nil {
				showError(a.win, err)
				return
			}
			if trusted != nil {
				trusted()
			}
			dialog.ShowInformation(L("cert.fingerprint"), L("cert.trusted", map[string]any{"Name": c.Name}), a.win)
		}, a.win)
}

func (v *certView) issueStatement() {
	var st *cert.Statement
	var err error
	if v.kindCode() == cert.KindDestruction {
		// The destruction certificate states the newest destruction that was verified.
		st, err = v.destructionStatement()
	} else {
		st, err = v.s.NewStatement(context.Background(), v.kindCode(), v.cards)
	}
	if err != nil {
		showError(v.a.win, err)
		return
	}
	v.st, v.statement = st, st.Marshal()
	v.sigs = map[string]cert.Signed{}
	v.render()
	v.refresh()
	var open int64
	for _, im := range st.Imports {
		open += im.Open
	}
	if open > 0 && st.Kind == cert.KindConfirmation {
		// Not refused: the parties may agree on the open rows; but nobody signs unaware.
		dialog.ShowInformation(L("cert.open_rows_title"), L("cert.open_rows", map[string]any{"N": open}), v.a.win)
	}
}

// render shows the certificate's pages as they will print.
func (v *certView) render() {
	imgs, err := cert.Preview(v.statement, v.sigs, v.a.settings.Language)
	if err != nil {
		showError(v.a.win, err)
		return
	}
	v.pages.Objects = nil
	for _, im := range imgs {
		v.pages.Add(pageImage(im))
	}
	v.pages.Refresh()
	v.pageLabel.SetText(L("cert.pages", map[string]any{"N": len(imgs)}))
}

func pageImage(im image.Image) fyne.CanvasObject {
	c := canvas.NewImageFromImage(im)
	c.FillMode = canvas.ImageFillContain
	c.SetMinSize(fyne.NewSize(595, 842)) // A4 at 72 dpi
	return c
}

var identityExts = []string{"identity", "age", "key"}

// chooseIdentity asks the signer for their identity file and passphrase.
func (v *certView) chooseIdentity(c identity.Card) {
	askIdentity(v.a, L("cert.sign_as", map[string]any{"Name": c.Name}), L("cert.sign"), func(p, passphrase string) {
		v.signWith(c, p, passphrase)
	})
}

// signWith opens the identity (scrypt: about a second) in the background and signs.
func (v *certView) signWith(c identity.Card, path, passphrase string) {
	b, err := os.ReadFile(path)
	if err != nil {
		showError(v.a.win, err)
		return
	}
	statement := v.statement
	busy := dialog.NewCustomWithoutButtons(L("cert.signing"), widget.NewProgressBarInfinite(), v.a.win)
	busy.Show()
	go func() {
		var signed cert.Signed
		id, err := identity.Open(b, passphrase)
		if err == nil && id.Card.Fingerprint != c.Fingerprint {
			err = errWrongIdentity
		}
		if err == nil {
			signed, err = cert.SignAs(statement, id, v.s.Vault().Workstation(), time.Now())
		}
		onUI(func() {
			busy.Hide()
			defer func() { v.lastErr = err; v.signed++ }()
			if err != nil {
				showError(v.a.win, err)
				return
			}
			v.sigs[c.Fingerprint] = signed
			v.s.RecordSignature(v.st.ID, c.Fingerprint, false)
			v.render()
			v.refresh()
		})
	}()
}

var errWrongIdentity = errors.New("this identity file belongs to someone else")

func (v *certView) exportStatement() {
	v.a.saveTo(L("cert.export"), "cert.exported", func(dir string) (string, error) {
		path := filepath.Join(dir, v.st.ID+".statement.json")
		return path, atomicfile.Write(path, v.statement, 0o644)
	})
}

// chooseSignature imports a signature made apart (`handover cert sign` on another
// workstation): it must verify against one of the statement's signers.
func (v *certView) chooseSignature() {
	v.a.askPath(pathRequest{title: L("cert.import_sig"), purpose: L("path.purpose.signature"), filterName: L("cert.sig_filter"), exts: []string{"sig"}}, func(p string) {
		if err := v.addSignature(p); err != nil {
			showError(v.a.win, err)
		}
	})
}

func (v *certView) addSignature(p string) error {
	fp, sg, err := cert.ReadSignature(v.statement, v.st, p)
	if err != nil {
		return err
	}
	v.sigs[fp] = sg
	v.s.RecordSignature(v.st.ID, fp, true)
	v.render()
	v.refresh()
	return nil
}

// saveCertificate writes the statement, each signature and note, and the PDF into a folder.
func (v *certView) saveCertificate() {
	v.a.askPath(pathRequest{title: L("cert.save"), purpose: L("path.purpose.certificate"), folder: true, removable: true}, v.saveCertificateIn)
}

func (v *certView) saveCertificateIn(dir string) {
	path, missing, err := v.writeCertificate(dir)
	if err != nil {
		showError(v.a.win, err)
		return
	}
	msg := L("cert.saved", map[string]any{"Path": path})
	if len(missing) > 0 {
		var cps []string
		for _, m := range missing {
			cps = append(cps, fmt.Sprintf("U+%04X", m.Rune))
		}
		msg += "\n\n" + L("cert.missing_glyphs", map[string]any{"Codes": strings.Join(cps, ", ")})
	}
	dialog.ShowInformation(L("cert.save"), msg, v.a.win)
}

func (v *certView) writeCertificate(dir string) (string, []doc.MissingGlyph, error) {
	return cert.Save(dir, v.statement, v.sigs, v.a.settings.Language)
}

// identityWorkFactor is the scrypt work factor of identity files made here (as the CLI's).
var identityWorkFactor = identity.DefaultWorkFactor

// askIdentity makes a person's identity.
func (v *certView) askIdentity() { makeIdentityDialog(v.a) }

// makeIdentityDialog makes a person's identity: their details and passphrase, then the
// folder on their own USB stick where the identity file and its card are written.
func makeIdentityDialog(a *App) {
	name, org, role := newEntry(), newEntry(), newEntry()
	pass, again := newPasswordEntry(), newPasswordEntry()
	items := []*widget.FormItem{widget.NewFormItem(L("identity.name"), name), widget.NewFormItem(L("identity.org"), org),
		widget.NewFormItem(L("identity.role"), role), widget.NewFormItem(L("identity.passphrase"), pass),
		widget.NewFormItem(L("identity.again"), again)}
	newForm(L("identity.new"), L("identity.create"), items, func(ok bool) {
		p, p2 := pass.Text, again.Text
		pass.SetText("")
		again.SetText("")
		if !ok {
			return
		}
		if p != p2 {
			showError(a.win, errPassphraseMismatch)
			return
		}
		n, o, r := name.Text, org.Text, role.Text
		a.askPath(pathRequest{title: L("identity.where"), purpose: L("path.purpose.identity"), folder: true, removable: true}, func(dir string) {
			// scrypt takes about a second: off the UI thread, behind a busy indicator.
			busy := dialog.NewCustomWithoutButtons(L("identity.new"), widget.NewProgressBarInfinite(), a.win)
			busy.Show()
			go func() {
				path, err := writeIdentity(n, o, r, p, p2, dir)
				onUI(func() {
					busy.Hide()
					if err != nil {
						showError(a.win, err)
						return
					}
					dialog.ShowInformation(L("identity.new"), L("identity.made", map[string]any{"Path": path}), a.win)
				})
			}()
		})
	}, a.win).Show()
}

var errPassphraseMismatch = errors.New("the two passphrases differ")

func writeIdentity(name, org, role, pass, again, dir string) (string, error) {
	if pass != again {
		return "", errPassphraseMismatch
	}
	_, path, err := cert.CreateIdentity(name, org, role, pass, identityWorkFactor, time.Now(),
		func(c identity.Card) string { return cert.IdentityPath(dir, c) })
	return path, err
}

func (v *certView) destructionStatement() (*cert.Statement, error) {
	plans, err := v.s.DestroyPlans(context.Background())
	if err != nil {
		return nil, err
	}
	for _, p := range plans {
		if p.Run != nil && p.Run.Verified != nil {
			return v.s.NewDestructionStatement(context.Background(), p.ID, v.cards, nil)
		}
	}
	return nil, vault.ErrNotVerified
}

// groupedLines puts a grouped fingerprint on two lines of four groups, as it is read aloud.
func groupedLines(g string) string {
	groups := strings.Fields(g)
	if len(groups) <= 4 {
		return g
	}
	return strings.Join(groups[:4], " ") + "\n" + strings.Join(groups[4:], " ")
}
