// Package settings keeps the user's preferences on this workstation: language, idle lock,
// the last vault. They live outside any vault because the unlock screen needs them.
package settings

import (
	"encoding/json"
	"errors"
	"handover/store/atomicfile"
	"os"
	"path/filepath"
	"time"
)

// Settings are the user's preferences.
type Settings struct {
	Language        string `json:"language"`          // "zh-CN" or "en"
	AutoLockMinutes int    `json:"auto_lock_minutes"` // 0 disables
	RevealSeconds   int    `json:"reveal_seconds"`    // how long an unmasked value stays shown
	LastVault       string `json:"last_vault,omitempty"`
}

// Default returns the settings of a new installation: Chinese, 5-minute idle lock.
func Default() Settings {
	return Settings{Language: "zh-CN", AutoLockMinutes: 5, RevealSeconds: 30}
}

// AutoLock is the idle timeout as a duration.
func (s Settings) AutoLock() time.Duration { return time.Duration(s.AutoLockMinutes) * time.Minute }

// Dir is where Handover keeps its files for this user: settings, and the demo vault.
// HANDOVER_HOME overrides it (tests, portable installs on a USB stick).
func Dir() (string, error) {
	if d := os.Getenv("HANDOVER_HOME"); d != "" {
		return d, nil
	}
	base, err := os.UserConfigDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(base, "handover"), nil
}

// DemoVaultPath is where `make run` keeps its demo vault.
func DemoVaultPath() (string, error) {
	d, err := Dir()
	return filepath.Join(d, "demo-vault"), err
}

// Load reads the settings at path; a missing file gives the defaults.
func Load(path string) (Settings, error) {
	s := Default()
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return s, err
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return Default(), err
	}
	if s.Language != "zh-CN" && s.Language != "en" {
		s.Language = "zh-CN"
	}
	if s.RevealSeconds <= 0 {
		s.RevealSeconds = 30
	}
	return s, nil
}

// Save writes the settings atomically.
func Save(path string, s Settings) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	b, _ := json.MarshalIndent(s, "", "  ")
	return atomicfile.Write(path, append(b, '\n'), 0o600)
}

// Path is the settings file of this user.
func Path() (string, error) {
	d, err := Dir()
	return filepath.Join(d, "settings.json"), err
}
