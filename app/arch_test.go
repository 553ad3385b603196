package app

import (
	"os/exec"
	"strings"
	"testing"
)

// TestCoreHasNoGUI proves that app/, store/ and crypto/ (with their tests) depend on no GUI
// package, so the core builds without cgo and runs headless.
func TestCoreHasNoGUI(t *testing.T) {
	out, err := exec.Command("go", "list", "-test", "-deps", "handover/app/...", "handover/store/...", "handover/crypto/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.HasPrefix(dep, "fyne.io/") || strings.HasPrefix(dep, "github.com/sqweek/dialog") ||
			strings.HasPrefix(dep, "handover/ui") {
			t.Errorf("the core depends on %s", dep)
		}
	}
}

// layer ranks the project's packages from the bottom up. A package may import packages of its
// own layer or a lower one, never a higher one; the folders show the layers (docs/ARCHITECTURE.md).
func layer(pkg string) (int, string) {
	switch {
	case strings.HasPrefix(pkg, "handover/crypto"):
		return 0, "crypto"
	case pkg == "handover/store/model", pkg == "handover/store/atomicfile", pkg == "handover/assets":
		return 1, "model, atomic files, assets"
	case strings.HasPrefix(pkg, "handover/store"):
		return 2, "store"
	case pkg == "handover/app/vault", pkg == "handover/app/vault/vaulttest":
		return 4, "the vault service"
	case pkg == "handover/app/demo":
		return 5, "the demo"
	case strings.HasPrefix(pkg, "handover/app/cli"):
		return 6, "the command line"
	case strings.HasPrefix(pkg, "handover/app/cmd"):
		return 6, "tools"
	case strings.HasPrefix(pkg, "handover/app"):
		return 3, "documents, import, packages, checklist rules"
	default: // ui, main
		return 7, "front ends"
	}
}

// TestLayers fails when a lower layer imports a higher one, or when a front end (ui, app/cli)
// reaches past the vault service into the storage engine.
func TestLayers(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", "handover/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		pkg := f[0]
		pl, pname := layer(pkg)
		front := strings.HasPrefix(pkg, "handover/ui") || strings.HasPrefix(pkg, "handover/app/cli") || pkg == "handover"
		for _, imp := range f[1:] {
			if !strings.HasPrefix(imp, "handover/") && imp != "handover" {
				continue
			}
			il, iname := layer(imp)
			if il > pl {
				t.Errorf("%s (%s) imports %s (%s), a higher layer", pkg, pname, imp, iname)
			}
			if front && imp == "handover/store" {
				t.Errorf("%s imports the storage engine; front ends go through app/vault", pkg)
			}
		}
	}
}
