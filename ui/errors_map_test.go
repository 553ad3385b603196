package ui

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// notShown are core errors that never reach a screen by themselves: another error wraps or
// replaces them first (the reason it is safe is given for each).
var notShown = map[string]string{
	"idcard.ErrBirthdate":        "app/validate turns identity-number errors into reason codes",
	"idcard.ErrChecksum":         "app/validate turns identity-number errors into reason codes",
	"idcard.ErrFormat":           "app/validate turns identity-number errors into reason codes",
	"idcard.ErrRegion":           "app/validate turns identity-number errors into reason codes",
	"keyslot.ErrCorrupt":         "the vault reports a damaged slot (vault.ErrSlotDamaged)",
	"keyslot.ErrWrongOperator":   "the vault reports a damaged slot (vault.ErrSlotDamaged)",
	"keyslot.ErrWrongPassphrase": "the vault returns vault.ErrWrongPassphrase",
	"seal.ErrCorrupt":            "the store reports the record as damaged (CorruptError)",
	"sshsig.ErrBad":              "package and certificate checks report their own errors",
	"sshsig.ErrFormat":           "package and certificate checks report their own errors",
	"sshsig.ErrKey":              "package and certificate checks report their own errors",
	"sshsig.ErrNamespace":        "package and certificate checks report their own errors",
	"merkle.ErrProof":            "the audit verification reports an AuditProblem",
	"merkle.ErrRange":            "the audit verification reports an AuditProblem",
	"store.ErrWrongKey":          "the vault unlocks with the key its slot unwrapped; a mismatch is a damaged slot",
	"store.ErrCheckpoint":        "the audit verification reports an AuditProblem",
	"notice.AddressError":        "an address that does not fit is listed in the batch's report, not raised",
}

// TestEveryCoreErrorIsTranslated fails when an exported error of the core (a sentinel
// ErrX or a type XError in app/, store/ or crypto/) has no case in the screens' error
// mapping, through itself or an alias, and is not listed in notShown: such an error would
// reach the user as the general message instead of words of its own.
func TestEveryCoreErrorIsTranslated(t *testing.T) {
	uiSrc := readGo(t, ".", false)
	aliases := map[string]string{} // alias -> what it names
	var all []string
	for _, root := range []string{"../app", "../store", "../crypto"} {
		filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
			if err != nil || !d.IsDir() || strings.Contains(path, "testdata") || strings.Contains(path, "/cli") || strings.Contains(path, "/cmd") {
				return nil
			}
			fset := token.NewFileSet()
			files, _ := filepath.Glob(filepath.Join(path, "*.go"))
			for _, file := range files {
				if strings.HasSuffix(file, "_test.go") {
					continue
				}
				f, err := parser.ParseFile(fset, file, nil, 0)
				if err != nil {
					t.Fatal(err)
				}
				name := f.Name.Name
				for _, decl := range f.Decls {
					g, ok := decl.(*ast.GenDecl)
					if !ok {
						continue
					}
					for _, spec := range g.Specs {
						switch s := spec.(type) {
						case *ast.ValueSpec:
							for i, id := range s.Names {
								if !strings.HasPrefix(id.Name, "Err") || !id.IsExported() {
									continue
								}
								all = append(all, name+"."+id.Name)
								if i < len(s.Values) {
									if sel, ok := s.Values[i].(*ast.SelectorExpr); ok {
										aliases[name+"."+id.Name] = exprString(sel)
									}
								}
							}
						case *ast.TypeSpec:
							if !s.Name.IsExported() || !strings.HasSuffix(s.Name.Name, "Error") {
								continue
							}
							all = append(all, name+"."+s.Name.Name)
							if sel, ok := s.Type.(*ast.SelectorExpr); ok && s.Assign.IsValid() {
								aliases[name+"."+s.Name.Name] = exprString(sel)
							}
						}
					}
				}
			}
			return nil
		})
	}
	if len(all) < 100 {
		t.Fatalf("found only %d core errors: the scan is broken", len(all))
	}
	mentioned := func(n string) bool { return regexp.MustCompile(`\b` + regexp.QuoteMeta(n) + `\b`).MatchString(uiSrc) }
	// An error is mapped when it, or anything that names the same error, is mentioned.
	names := map[string][]string{}
	root := func(n string) string {
		for aliases[n] != "" {
			n = aliases[n]
		}
		return n
	}
	for _, n := range all {
		names[root(n)] = append(names[root(n)], n)
	}
	for r, group := range names {
		ok := notShown[r] != ""
		for _, n := range append(group, r) {
			ok = ok || mentioned(n) || notShown[n] != ""
		}
		if !ok {
			t.Errorf("%s has no mapping in ui/errors*.go (nor do its aliases %v): map it to a translated message, or say in notShown why it never reaches a screen", r, group)
		}
	}
}

func exprString(s *ast.SelectorExpr) string {
	if x, ok := s.X.(*ast.Ident); ok {
		return x.Name + "." + s.Sel.Name
	}
	return s.Sel.Name
}

// readGo concatenates the Go files of a folder (tests included or not).
func readGo(t *testing.T, dir string, tests bool) string {
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, e := range es {
		if !strings.HasSuffix(e.Name(), ".go") || !tests && strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		src, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		b.Write(src)
	}
	return b.String()
}
