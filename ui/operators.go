package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"handover/app/vault"
)

// operatorsView manages the vault's operators: who they are, their roles, adding and
// removing them, and resetting a forgotten passphrase. Only a role that may manage
// operators changes anything; for everyone else the buttons stay disabled and a line says
// which role is needed. Everyone may change their own passphrase.
type operatorsView struct {
	a       *App
	s       *vault.Session
	content fyne.CanvasObject

	ops      []vault.Operator
	selected int
	list     *widget.List
	add      *widget.Button
	setRole  *widget.Button
	reset    *widget.Button
	remove   *widget.Button
	own      *widget.Button
	why      *widget.Label
	missing  *widget.Label
}

func newOperatorsView(a *App, s *vault.Session) *operatorsView {
	v := &operatorsView{a: a, s: s, selected: -1}
	v.list = widget.NewList(func() int { return len(v.ops) },
		func() fyne.CanvasObject { return widget.NewLabel("演示操作员 · 出让方经办") },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			op := v.ops[i]
			text := op.Name + " · " + roleName(vault.Role(op.Role))
			if op.ID == s.Operator().ID {
				text += " " + L("operators.you")
			}
			o.(*widget.Label).SetText(text)
		})
	v.list.OnSelected = func(i widget.ListItemID) { v.selected = i; v.refreshButtons() }
	v.add = widget.NewButtonWithIcon(L("operators.add"), theme.ContentAddIcon(), v.askAdd)
	v.setRole = widget.NewButtonWithIcon(L("operators.set_role"), theme.AccountIcon(), v.askRole)
	v.reset = widget.NewButtonWithIcon(L("operators.reset"), theme.ViewRefreshIcon(), v.askReset)
	v.remove = widget.NewButtonWithIcon(L("operators.remove"), theme.DeleteIcon(), v.askRemove)
	v.own = widget.NewButtonWithIcon(L("operators.own_passphrase"), theme.SettingsIcon(), v.askOwn)
	v.why = widget.NewLabel("")
	v.why.Wrapping = fyne.TextWrapWord
	v.why.Importance = widget.WarningImportance
	v.missing = widget.NewLabel("")
	v.missing.Wrapping = fyne.TextWrapWord
	v.missing.Importance = widget.WarningImportance
	list := container.NewGridWrap(fyne.NewSize(420, 180), v.list)
	buttons := container.NewGridWithColumns(3, v.add, v.setRole, v.reset, v.remove, v.own)
	v.content = widget.NewCard(L("operators.title"), L("operators.subtitle"),
		container.NewVBox(v.missing, list, buttons, v.why))
	v.reload()
	return v
}

func (v *operatorsView) reload() {
	ops, err := v.s.Operators(context.Background())
	if err != nil {
		showError(v.a.win, err)
	}
	v.ops = ops
	v.selected = -1
	v.list.UnselectAll()
	v.list.Refresh()
	v.missing.SetText(missingRoles(ops))
	v.missing.Hidden = v.missing.Text == ""
	v.refreshButtons()
}

// missingRoles says which party has nobody yet: a handover needs someone of each party to
// import, export, receive and sign.
func missingRoles(ops []vault.Operator) string {
	var need []string
	for _, r := range []vault.Role{vault.Transferor, vault.Transferee} {
		found := false
		for _, o := range ops {
			found = found || vault.Role(o.Role) == r
		}
		if !found {
			need = append(need, roleName(r))
		}
	}
	if len(need) == 0 {
		return ""
	}
	return L("operators.missing", map[string]any{"Roles": strings.Join(need, "、")})
}

func (v *operatorsView) refreshButtons() {
	manage := v.s.Role().Can(vault.PermManageOperators)
	chosen := manage && v.selected >= 0 && v.selected < len(v.ops)
	enable(v.add, manage)
	enable(v.setRole, chosen)
	enable(v.reset, chosen && v.ops[v.selected].ID != v.s.Operator().ID)
	enable(v.remove, chosen && v.ops[v.selected].ID != v.s.Operator().ID)
	switch {
	case !manage:
		v.why.SetText(L("operators.need_admin", map[string]any{"Roles": rolesWith(vault.PermManageOperators)}))
	case !chosen:
		v.why.SetText(L("operators.choose"))
	default:
		v.why.SetText("")
	}
	v.why.Hidden = v.why.Text == ""
}

func enable(b *widget.Button, on bool) {
	if on {
		b.Enable()
	} else {
		b.Disable()
	}
}

// rolesWith names the roles that hold a permission, for a line saying why a button is
// disabled ("需要管理员角色").
func rolesWith(p vault.Permission) string {
	var out []string
	for _, r := range vault.Roles {
		if r.Can(p) {
			out = append(out, roleName(r))
		}
	}
	return strings.Join(out, L("import.or"))
}

func roleSelect(current vault.Role) *widget.Select {
	names := make([]string, len(vault.Roles))
	for i, r := range vault.Roles {
		names[i] = roleName(r)
	}
	sel := widget.NewSelect(names, nil)
	for i, r := range vault.Roles {
		if r == current {
			sel.SetSelectedIndex(i)
		}
	}
	return sel
}

// passphrasePair is a new passphrase typed twice.
type passphrasePair struct{ pass, again *formEntry }

func newPassphrasePair() passphrasePair {
	return passphrasePair{newPasswordEntry(), newPasswordEntry()}
}

func (pp passphrasePair) items(label string) []*widget.FormItem {
	return []*widget.FormItem{widget.NewFormItem(label, pp.pass), widget.NewFormItem(L("create.confirm"), pp.again)}
}

// take empties both entries at once and, when the form was confirmed, returns the
// passphrase, or says the two differ.
func (pp passphrasePair) take(confirmed bool, win fyne.Window) (string, bool) {
	p, q := pp.pass.Text, pp.again.Text
	pp.pass.SetText("")
	pp.again.SetText("")
	if !confirmed {
		return "", false
	}
	if p != q {
		showError(win, errPassphraseMismatch)
		return "", false
	}
	return p, true
}

func (v *operatorsView) askAdd() {
	name := newEntry()
	role := roleSelect(vault.Transferor)
	pp := newPassphrasePair()
	items := append([]*widget.FormItem{widget.NewFormItem(L("operators.name"), name), widget.NewFormItem(L("create.role"), role)},
		pp.items(L("create.passphrase"))...)
	newForm(L("operators.add"), L("operators.add"), items, func(ok bool) {
		p, ok := pp.take(ok, v.a.win)
		if !ok {
			return
		}
		_, err := v.s.AddOperator(vault.NewOperator{Name: name.Text, Role: vault.Roles[max(0, role.SelectedIndex())], Passphrase: p})
		v.done(err, L("operators.added", map[string]any{"Name": strings.TrimSpace(name.Text)}))
	}, v.a.win).Show()
}

func (v *operatorsView) askRole() {
	op := v.ops[v.selected]
	role := roleSelect(vault.Role(op.Role))
	newForm(L("operators.set_role"), L("operators.set_role"), []*widget.FormItem{
		widget.NewFormItem(L("operators.name"), widget.NewLabel(op.Name)), widget.NewFormItem(L("create.role"), role)},
		func(ok bool) {
			if ok {
				r := vault.Roles[max(0, role.SelectedIndex())]
				v.done(v.s.SetOperatorRole(context.Background(), op.ID, r),
					L("operators.role_set", map[string]any{"Name": op.Name, "Role": roleName(r)}))
			}
		}, v.a.win).Show()
}

func (v *operatorsView) askReset() {
	op := v.ops[v.selected]
	pp := newPassphrasePair()
	items := append([]*widget.FormItem{widget.NewFormItem(L("operators.name"), widget.NewLabel(op.Name))}, pp.items(L("operators.new_passphrase"))...)
	newForm(L("operators.reset"), L("operators.reset"), items, func(ok bool) {
		if p, ok := pp.take(ok, v.a.win); ok {
			v.done(v.s.ResetPassphrase(context.Background(), op.ID, p), L("operators.was_reset", map[string]any{"Name": op.Name}))
		}
	}, v.a.win).Show()
}

func (v *operatorsView) askRemove() {
	op := v.ops[v.selected]
	dialog.ShowConfirm(L("operators.remove"), L("operators.remove_confirm", map[string]any{"Name": op.Name}), func(ok bool) {
		if ok {
			v.done(v.s.RemoveOperator(context.Background(), op.ID), L("operators.removed", map[string]any{"Name": op.Name}))
		}
	}, v.a.win)
}

func (v *operatorsView) askOwn() {
	old, pp := newPasswordEntry(), newPassphrasePair()
	items := append([]*widget.FormItem{widget.NewFormItem(L("operators.old_passphrase"), old)}, pp.items(L("operators.new_passphrase"))...)
	newForm(L("operators.own_passphrase"), L("operators.own_passphrase"), items, func(ok bool) {
		o := old.Text
		old.SetText("")
		if p, ok := pp.take(ok, v.a.win); ok {
			v.done(v.s.ChangePassphrase(o, p), L("operators.own_changed"))
		}
	}, v.a.win).Show()
}

func (v *operatorsView) done(err error, ok string) {
	if err != nil {
		showError(v.a.win, err)
		return
	}
	v.reload()
	dialog.ShowInformation(L("operators.title"), ok, v.a.win)
}
