package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"handover/app/vault"
)

// shell is the signed-in window: a header with who is signed in and a Lock button, a
// navigation list of the sections that work, and the current section.
type shell struct {
	a        *App
	s        *vault.Session
	content  fyne.CanvasObject
	nav      *widget.List
	sections []section
	body     *fyne.Container
	current  string

	deal      *dealView
	customers *customersView
	imports   *importView
	certs     *certView
	export    *exportView
	receive   *receiveView
	audit     *auditView
	destroy   *destroyView
	notices   *noticeView
	registers *registersView
	assess    *assessView
	incidents *incidentView
	settings  *settingsView
	lockBtn   *widget.Button
}

type section struct {
	id, title string
	icon      fyne.Resource
	build     func() fyne.CanvasObject
}

func newShell(a *App, s *vault.Session) *shell {
	sh := &shell{a: a, s: s}
	sh.sections = []section{
		{"deal", L("nav.deal"), theme.HomeIcon(), func() fyne.CanvasObject {
			sh.deal = newDealView(a, s)
			return sh.deal.content
		}},
		{"registers", L("nav.registers"), theme.DocumentCreateIcon(), func() fyne.CanvasObject {
			sh.registers = newRegistersView(a, s)
			return sh.registers.content
		}},
		{"assess", L("nav.assess"), theme.ListIcon(), func() fyne.CanvasObject {
			sh.assess = newAssessView(a, s)
			return sh.assess.content
		}},
		{"customers", L("nav.customers"), theme.AccountIcon(), func() fyne.CanvasObject {
			sh.customers = newCustomersView(a, s)
			return sh.customers.content
		}},
		{"import", L("nav.import"), theme.UploadIcon(), func() fyne.CanvasObject {
			sh.imports = newImportView(a, s)
			return sh.imports.content
		}},
		{"certificates", L("nav.certificates"), theme.DocumentIcon(), func() fyne.CanvasObject {
			sh.certs = newCertView(a, s)
			return sh.certs.content
		}},
		{"export", L("nav.export"), theme.DownloadIcon(), func() fyne.CanvasObject {
			sh.export = newExportView(a, s)
			sh.receive = newReceiveView(a, s)
			tabs := container.NewAppTabs(
				container.NewTabItemWithIcon(L("export.tab"), theme.DownloadIcon(), sh.export.content),
				container.NewTabItemWithIcon(L("receive.tab"), theme.UploadIcon(), sh.receive.content))
			if !s.Role().Can(vault.PermExport) && s.Role().Can(vault.PermReceive) {
				tabs.SelectIndex(1) // the transferee's side
			}
			return tabs
		}},
		{"notices", L("nav.notices"), theme.MailComposeIcon(), func() fyne.CanvasObject {
			sh.notices = newNoticeView(a, s)
			return sh.notices.content
		}},
		{"incidents", L("nav.incidents"), theme.WarningIcon(), func() fyne.CanvasObject {
			sh.incidents = newIncidentView(a, s)
			return sh.incidents.content
		}},
		{"destroy", L("nav.destroy"), theme.DeleteIcon(), func() fyne.CanvasObject {
			sh.destroy = newDestroyView(a, s)
			return sh.destroy.content
		}},
		{"audit", L("nav.audit"), theme.HistoryIcon(), func() fyne.CanvasObject {
			var content fyne.CanvasObject
			sh.audit, content = newAuditView(a, s)
			return content
		}},
		{"settings", L("nav.settings"), theme.SettingsIcon(), func() fyne.CanvasObject {
			sh.settings = newSettingsView(a, s)
			return sh.settings.content
		}},
		{"about", L("nav.about"), theme.InfoIcon(), func() fyne.CanvasObject { return newAbout(a) }},
	}
	sh.nav = widget.NewList(
		func() int { return len(sh.sections) },
		func() fyne.CanvasObject {
			return container.NewHBox(widget.NewIcon(theme.AccountIcon()), widget.NewLabel("section"))
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			row := o.(*fyne.Container)
			row.Objects[0].(*widget.Icon).SetResource(sh.sections[i].icon)
			row.Objects[1].(*widget.Label).SetText(sh.sections[i].title)
		})
	sh.nav.OnSelected = func(i widget.ListItemID) {
		// show selects the row itself; building the section again would start its loads twice.
		if sh.sections[i].id != sh.current {
			sh.show(sh.sections[i].id)
		}
	}

	op := s.Operator()
	who := widget.NewLabelWithStyle(L("shell.signed_in", map[string]any{"Name": op.Name, "Role": roleName(s.Role())}),
		fyne.TextAlignTrailing, fyne.TextStyle{})
	sh.lockBtn = widget.NewButtonWithIcon(L("shell.lock"), theme.LogoutIcon(), a.Lock)
	title := widget.NewLabelWithStyle(L("app.title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	headerItems := []fyne.CanvasObject{title}
	if s.Vault().Manifest().DemoPassphrase != "" {
		demo := widget.NewLabel(L("shell.demo_badge"))
		demo.Importance = widget.WarningImportance
		headerItems = append(headerItems, demo)
	}
	headerItems = append(headerItems, layout.NewSpacer(), who, sh.lockBtn)
	header := container.NewVBox(container.NewHBox(headerItems...), widget.NewSeparator())

	sh.body = container.NewStack()
	// A wrap layout gives the navigation a fixed width that fits its longest title.
	left := container.NewBorder(nil, nil, nil, widget.NewSeparator(),
		container.New(&fixedWidth{width: 150}, sh.nav))
	sh.content = container.NewBorder(header, nil, left, nil, sh.body)
	sh.nav.Select(0)
	return sh
}

// show switches to a section by id.
func (sh *shell) show(id string) {
	for i, sec := range sh.sections {
		if sec.id == id {
			sh.current = id
			sh.body.Objects = []fyne.CanvasObject{sec.build()}
			sh.body.Refresh()
			sh.nav.Select(i)
			sh.s.Touch()
			return
		}
	}
}

// clear drops every object that shows personal data, so nothing lingers after a lock.
func (sh *shell) clear() {
	if sh.customers != nil {
		sh.customers.clear()
	}
	sh.deal = nil
	sh.imports = nil
	sh.certs = nil
	sh.export = nil
	sh.receive = nil
	sh.audit = nil
	sh.settings = nil
	sh.body.Objects = nil
	sh.body.Refresh()
}

// fixedWidth lays out one object at a fixed width and the full height.
type fixedWidth struct{ width float32 }

func (f *fixedWidth) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Resize(fyne.NewSize(f.width, size.Height))
		o.Move(fyne.NewPos(0, 0))
	}
}

func (f *fixedWidth) MinSize(objs []fyne.CanvasObject) fyne.Size {
	h := float32(0)
	for _, o := range objs {
		h = max(h, o.MinSize().Height)
	}
	return fyne.NewSize(f.width, h)
}
