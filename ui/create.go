package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"handover/app/vault"
)

// createScreen makes a new vault with its first operator.
type createScreen struct {
	a         *App
	receiving bool // the receiving side: the first operator is the transferee's clerk
	content   fyne.CanvasObject
	path      *formEntry
	name      *formEntry
	role      *widget.Select
	pass      *formEntry
	confirm   *formEntry
	status    *widget.Label
	createBt  *widget.Button
}

func newCreateScreen(a *App, receiving bool) *createScreen {
	c := &createScreen{a: a, receiving: receiving}
	c.path = newEntry()
	c.path.SetPlaceHolder(L("create.folder_placeholder"))
	browse := widget.NewButtonWithIcon(L("create.browse"), theme.FolderOpenIcon(), func() {
		if a.chooser == nil {
			return
		}
		if p, ok := a.chooseFolder(L("create.folder")); ok {
			c.path.SetText(p)
		}
	})
	c.name = newEntry()
	roles := make([]string, len(vault.Roles))
	for i, r := range vault.Roles {
		roles[i] = roleName(r)
	}
	c.role = widget.NewSelect(roles, nil)
	c.role.SetSelectedIndex(len(roles) - 1) // administrator: can add the others
	if receiving {
		c.role.SetSelected(roleName(vault.Transferee))
	}
	c.pass = newPasswordEntry()
	c.confirm = newPasswordEntry()
	c.status = widget.NewLabel("")
	c.status.Importance = widget.DangerImportance
	c.status.Wrapping = fyne.TextWrapWord
	c.createBt = widget.NewButtonWithIcon(L("create.button"), theme.ConfirmIcon(), c.submit)
	c.createBt.Importance = widget.HighImportance
	back := widget.NewButtonWithIcon(L("action.back"), theme.NavigateBackIcon(), a.showUnlock)
	form := widget.NewForm(
		widget.NewFormItem(L("create.folder"), container.NewBorder(nil, nil, nil, browse, c.path)),
		widget.NewFormItem(L("create.operator"), c.name),
		widget.NewFormItem(L("create.role"), c.role),
		widget.NewFormItem(L("create.passphrase"), c.pass),
		widget.NewFormItem(L("create.confirm"), c.confirm),
	)
	hint := widget.NewLabel(L("create.hint", map[string]any{"N": vault.MinPassphraseLen}))
	title := L("create.title")
	if receiving {
		hint.SetText(L("create.receive_hint", map[string]any{"N": vault.MinPassphraseLen}))
		title = L("create.receive_title")
	}
	hint.Wrapping = fyne.TextWrapWord
	card := widget.NewCard(title, "", container.NewVBox(form, hint, c.status,
		container.NewHBox(back, layout.NewSpacer(), c.createBt)))
	c.content = container.NewCenter(container.New(layout.NewGridWrapLayout(fyne.NewSize(640, 480)), card))
	return c
}

func (c *createScreen) submit() {
	switch {
	case c.path.Text == "":
		c.status.SetText(L("create.need_folder"))
		return
	case c.name.Text == "":
		c.status.SetText(L("create.need_name"))
		return
	case c.pass.Text != c.confirm.Text:
		c.status.SetText(L("create.mismatch"))
		return
	}
	role := vault.Roles[max(0, c.role.SelectedIndex())]
	s, err := vault.Create(c.path.Text, vault.NewOperator{Name: c.name.Text, Role: role, Passphrase: c.pass.Text}, "", c.a.vaultOpts)
	c.pass.SetText("")
	c.confirm.SetText("")
	if err != nil {
		c.status.SetText(describeOnly(err))
		return
	}
	c.a.closeVault()
	c.a.vault = s.Vault()
	c.a.settings.LastVault = c.path.Text
	c.a.saveSettings()
	c.a.signedIn(s)
	switch {
	case c.receiving && role.Can(vault.PermReceive):
		// The receiving side goes straight to its steps: trust the sender, receive, confirm
		// the deal the package carries, sign the receipt.
		c.a.shell.show("export")
		msg := L("create.next_receive")
		if vault.AloneWithoutAudit(role) {
			msg += "\n\n" + L("create.no_audit_reader", map[string]any{"Role": roleName(role)})
		}
		dialog.ShowInformation(L("create.receive_title"), msg, c.a.win)
	case vault.AloneWithoutAudit(role):
		dialog.ShowInformation(L("create.title"), L("create.no_audit_reader", map[string]any{"Role": roleName(role)}), c.a.win)
	case role.Can(vault.PermManageOperators):
		// First run: a vault of one administrator can do nothing of a handover yet. The
		// next step is the operators of both parties, on the settings screen.
		c.a.shell.show("settings")
		dialog.ShowInformation(L("create.title"), L("create.next_operators"), c.a.win)
	}
}
