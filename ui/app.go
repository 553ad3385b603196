// Package ui is Handover's desktop interface, built with Fyne. It is the only package that
// imports Fyne; everything it shows comes from app/vault, which enforces permissions and
// records the audit, so the UI hides nothing that the core would allow and allows nothing
// that the core would refuse.
//
// The package does not import fyne.io/fyne/v2/app or native dialogs, so its screens are
// tested with fyne.io/fyne/v2/test without cgo or a display; ui/desktop wires those in.
package ui

import (
	"errors"
	"time"

	"fyne.io/fyne/v2"

	"handover/app/settings"
	"handover/app/vault"
)

// App is the running application: one window, at most one open vault, at most one session.
type App struct {
	fyneApp  fyne.App
	win      fyne.Window
	chooser  Chooser
	settings settings.Settings
	setPath  string // settings file

	vault   *vault.Vault
	session *vault.Session

	// The screens, kept so tests can drive them.
	unlock    *unlockScreen
	create    *createScreen
	shell     *shell
	vaultOpts vault.Options

	idleTicker *time.Ticker
	idleStop   chan struct{}
}

// Config is what New needs from the outside world.
type Config struct {
	App          fyne.App
	Chooser      Chooser
	SettingsPath string
	VaultOptions vault.Options // tests lower the scrypt work factor
}

// New builds the application and its window.
func New(cfg Config) *App {
	a := &App{fyneApp: cfg.App, chooser: cfg.Chooser, setPath: cfg.SettingsPath, vaultOpts: cfg.VaultOptions}
	a.settings, _ = settings.Load(cfg.SettingsPath) // a damaged file falls back to defaults
	_ = setLanguage(a.settings.Language)
	a.fyneApp.Settings().SetTheme(newTheme())
	a.fyneApp.SetIcon(IconResource)
	a.win = a.fyneApp.NewWindow(L("app.title"))
	// The smallest screen the app supports (1024x768, with a task bar) decides the first size;
	// on a larger screen the user enlarges it. Screens are laid out to fit it (tests at 1024x768).
	a.win.Resize(fyne.NewSize(1020, 700))
	a.win.SetMaster()
	a.win.SetCloseIntercept(func() {
		a.closeVault()
		a.win.Close()
	})
	return a
}

// Window is the main window.
func (a *App) Window() fyne.Window { return a.win }

// OpenVault holds the vault at path and shows its unlock screen.
func (a *App) OpenVault(path string) error {
	v, err := vault.Open(path, a.vaultOpts)
	if err != nil {
		return err
	}
	a.closeVault()
	a.vault = v
	a.settings.LastVault = path
	a.saveSettings()
	a.showUnlock()
	return nil
}

// ShowWelcome shows the unlock screen with no vault open (open, create or demo).
func (a *App) ShowWelcome() { a.showUnlock() }

func (a *App) showUnlock() {
	a.unlock = newUnlockScreen(a)
	a.win.SetTitle(L("app.title"))
	a.win.SetContent(a.unlock.content)
	a.unlock.focus()
}

func (a *App) showCreate() { a.showCreateFor(false) }

// showReceiveSetup is the receiving side's first step: a new, empty vault whose first
// operator is the transferee's clerk, who then follows the receive steps.
func (a *App) showReceiveSetup() { a.showCreateFor(true) }

func (a *App) showCreateFor(receiving bool) {
	a.create = newCreateScreen(a, receiving)
	a.win.SetContent(a.create.content)
}

// signedIn switches to the main window for a new session.
func (a *App) signedIn(s *vault.Session) {
	a.session = s
	s.SetIdleTimeout(a.settings.AutoLock())
	s.OnLock(func(reason string) {
		// Locking clears every screen that shows personal data at once.
		onUI(func() { a.afterLock(reason) })
	})
	sh := newShell(a, s)
	if receivingFirst(s) {
		sh.show("export") // the receive steps: nothing else can happen in this vault yet
	}
	a.win.SetContent(sh.content)
	a.startIdleTicker(s)
	// Set last: tests wait for a shell, and the test driver runs this on the unlocking
	// goroutine, so the window must be complete by then.
	a.shell = sh
}

// receivingFirst says that the signed-in operator is the receiving side's in a vault that
// has neither a deal nor customers yet: its first step is receiving a package.
func receivingFirst(s *vault.Session) bool {
	r := s.Role()
	if !r.Can(vault.PermReceive) || r.Can(vault.PermExport) {
		return false
	}
	if _, err := s.Deal(); !errors.Is(err, vault.ErrNoDeal) {
		return false
	}
	c, err := s.Counts()
	return err == nil && c.Customers == 0
}

func (a *App) afterLock(reason string) {
	a.stopIdleTicker()
	if a.shell != nil {
		a.shell.clear()
		a.shell = nil
	}
	a.session = nil
	a.showUnlock()
	if reason == "idle" && a.unlock != nil {
		a.unlock.setStatus(L("unlock.idle_locked"))
	}
}

// Lock locks the current session, if any.
func (a *App) Lock() {
	if a.session != nil {
		_ = a.session.Lock()
	}
}

func (a *App) startIdleTicker(s *vault.Session) {
	a.stopIdleTicker()
	a.idleTicker = time.NewTicker(10 * time.Second)
	stop := make(chan struct{})
	a.idleStop = stop
	t := a.idleTicker
	go func() {
		for {
			select {
			case <-stop:
				return
			case now := <-t.C:
				s.LockIfIdle(now)
			}
		}
	}()
}

func (a *App) stopIdleTicker() {
	if a.idleTicker != nil {
		a.idleTicker.Stop()
		close(a.idleStop)
		a.idleTicker = nil
	}
}

func (a *App) closeVault() {
	a.Lock()
	if a.vault != nil {
		_ = a.vault.Close()
		a.vault = nil
	}
}

func (a *App) saveSettings() {
	if a.setPath != "" {
		_ = settings.Save(a.setPath, a.settings)
	}
}

// setLanguageAndRebuild switches the UI language and redraws the current screen.
func (a *App) setLanguageAndRebuild(code string) {
	if code == a.settings.Language {
		return
	}
	a.settings.Language = code
	a.saveSettings()
	_ = setLanguage(code)
	a.win.SetTitle(L("app.title"))
	if a.session != nil && a.shell != nil {
		a.shell = newShell(a, a.session)
		a.shell.show("settings")
		a.win.SetContent(a.shell.content)
		return
	}
	a.showUnlock()
}
