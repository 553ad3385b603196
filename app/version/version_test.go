package version

import (
	"os"
	"strings"
	"testing"
)

func TestLoadFyneApp(t *testing.T) {
	b, err := os.ReadFile("../../FyneApp.toml")
	if err != nil {
		t.Fatal(err)
	}
	Version = ""
	Load(b)
	if AppID != "cn.handover.desktop" || Name != "Handover" || !strings.HasSuffix(Version, "-dev") {
		t.Fatalf("AppID %q, Name %q, Version %q", AppID, Name, Version)
	}
	if s := String(); !strings.HasPrefix(s, "Handover ") || !strings.Contains(s, "go1.") {
		t.Fatalf("String() = %q", s)
	}
	Version = "1.2.3" // set at link time: the file does not override it
	Load(b)
	if Version != "1.2.3" {
		t.Fatalf("link-time version overridden: %q", Version)
	}
}
