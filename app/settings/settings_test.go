package settings

import (
	"os"
	"path/filepath"
	"testing"
)

func TestLoadSave(t *testing.T) {
	p := filepath.Join(t.TempDir(), "sub", "settings.json")
	s, err := Load(p)
	if err != nil || s != Default() || s.Language != "zh-CN" || s.AutoLockMinutes != 5 {
		t.Fatalf("missing file: %+v, %v", s, err)
	}
	s.Language, s.AutoLockMinutes, s.LastVault = "en", 15, "/media/vault"
	if err := Save(p, s); err != nil {
		t.Fatal(err)
	}
	back, err := Load(p)
	if err != nil || back != s {
		t.Fatalf("round trip: %+v, %v", back, err)
	}
	os.WriteFile(p, []byte(`{"language":"fr","reveal_seconds":-1}`), 0o600)
	if s, _ := Load(p); s.Language != "zh-CN" || s.RevealSeconds != 30 {
		t.Fatalf("invalid values kept: %+v", s)
	}
	os.WriteFile(p, []byte(`not json`), 0o600)
	if s, err := Load(p); err == nil || s != Default() {
		t.Fatalf("damaged file: %+v, %v", s, err)
	}
}

func TestHandoverHome(t *testing.T) {
	t.Setenv("HANDOVER_HOME", "/portable/handover")
	if d, _ := Dir(); d != "/portable/handover" {
		t.Fatal(d)
	}
	if d, _ := DemoVaultPath(); d != "/portable/handover/demo-vault" {
		t.Fatal(d)
	}
}
