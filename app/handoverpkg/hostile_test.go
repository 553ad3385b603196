package handoverpkg_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"handover/app/bag"
	"handover/app/handoverpkg"
	"handover/app/progress"
	"handover/crypto/identity"
	"handover/store"
	"handover/store/model"
)

// Files a package is read from are checked for size and kind before they are read, and the
// parts a signed package.json names stay inside the package folder.
func TestHostilePackageFiles(t *testing.T) {
	st := book(t, 3)
	sender, recipient, _ := people(t)
	dir, _ := export(t, st, sender, recipient.Card, 1<<20)
	// resign rewrites package.json with change applied and signs it with the real sender.
	resign := func(t *testing.T, d string, change func(m *handoverpkg.Manifest)) {
		js, _ := os.ReadFile(filepath.Join(d, "package.json"))
		var m handoverpkg.Manifest
		json.Unmarshal(js, &m)
		change(&m)
		js, _ = json.MarshalIndent(m, "", "  ")
		sig, err := sender.Sign(handoverpkg.Namespace, js)
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(d, "package.json"), js, 0o644)
		os.WriteFile(filepath.Join(d, "package.json.sig"), sig, 0o644)
	}
	sparse := func(t *testing.T, path string, size int64) {
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		f.Truncate(size)
		f.Close()
	}
	cases := []struct {
		name   string
		tamper func(t *testing.T, d string)
		want   func(error) bool
	}{
		{"3 GiB package.json", func(t *testing.T, d string) { sparse(t, filepath.Join(d, "package.json"), 3<<30) },
			func(err error) bool { return errors.Is(err, handoverpkg.ErrNotPackage) }},
		{"3 GiB signature", func(t *testing.T, d string) { sparse(t, filepath.Join(d, "package.json.sig"), 3<<30) },
			func(err error) bool { return errors.Is(err, handoverpkg.ErrBadSignature) }},
		{"signed part name leaving the folder", func(t *testing.T, d string) {
			resign(t, d, func(m *handoverpkg.Manifest) { m.Parts[0].Name = "../../../../dev/zero"; m.Parts[0].Size = 1 << 40 })
		}, isPartError("zero")},
		{"part is a link to a device", func(t *testing.T, d string) {
			p := filepath.Join(d, partName(0))
			os.Remove(p)
			os.Symlink("/dev/zero", p)
		}, isPartError(partName(0))},
		{"signed part size larger than the file", func(t *testing.T, d string) {
			resign(t, d, func(m *handoverpkg.Manifest) { m.Parts[0].Size += 1 << 30 })
		}, isPartError(partName(0))},
		{"signed list of too many parts", func(t *testing.T, d string) {
			resign(t, d, func(m *handoverpkg.Manifest) {
				for len(m.Parts) <= maxParts {
					m.Parts = append(m.Parts, handoverpkg.Part{Name: partName(len(m.Parts)), Size: 1, SHA256: strings.Repeat("0", 64)})
				}
			})
		}, func(err error) bool { return errors.Is(err, handoverpkg.ErrNotPackage) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := copyPackage(t, dir)
			c.tamper(t, d)
			_, err := handoverpkg.Verify(d, recipient, []identity.Card{sender.Card}, bag.DefaultLimits)
			if !c.want(err) {
				t.Fatalf("verify: %v", err)
			}
			r := newReceiver(t)
			if _, err := r.receive(d, recipient, sender.Card); !c.want(err) {
				t.Fatalf("receive: %v", err)
			}
			r.unchanged(t)
			checkPeak(t, d, recipient, sender.Card, 600<<20)
		})
	}
}

func isPartError(part string) func(error) bool {
	return func(err error) bool {
		var pe *handoverpkg.PartError
		return errors.As(err, &pe) && strings.Contains(pe.Part, part)
	}
}

func partName(i int) string { return fmt.Sprintf("payload.age.%03d", i) }

// maxParts is pkg's limit on the parts package.json may list.
const maxParts = 4096

// A customer list holding an identity number by mistake is refused without repeating it.
func TestCustomerListErrorCarriesNoPersonalData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "customers.txt")
	os.WriteFile(path, []byte("12\n11010519491231002X\n"), 0o600)
	_, err := handoverpkg.ReadCustomerList(path)
	if err == nil || strings.Contains(err.Error(), "11010519491231002X") || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("error %v", err)
	}
}

// A package whose bag is well formed but whose records a receiver refuses (a line over the
// shared limit, records out of order) fails verify too: verify applies every check of a
// receive short of committing, and names the file and line.
func TestVerifyAppliesReceiveChecks(t *testing.T) {
	st := book(t, 4)
	sender, recipient, _ := people(t)
	dir, m := export(t, st, sender, recipient.Card, 1<<20)
	names, files := bagFiles(t, dir, recipient, sender.Card)
	cases := []struct {
		name   string
		change func(files map[string][]byte)
		want   string
	}{
		{"a line over the limit", func(f map[string][]byte) {
			f["customers.jsonl"] = append([]byte(`{"no":1,"name":"`+strings.Repeat("长", 1<<19)+`"}`+"\n"), f["customers.jsonl"]...)
		}, "customers.jsonl"},
		{"customers out of order", func(f map[string][]byte) {
			lines := bytes.SplitAfter(f["customers.jsonl"], []byte("\n"))
			lines[0], lines[1] = lines[1], lines[0]
			f["customers.jsonl"] = bytes.Join(lines, nil)
		}, "ascending"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fs := map[string][]byte{}
			for k, v := range files {
				fs[k] = bytes.Clone(v)
			}
			c.change(fs)
			d := repack(t, *m, sender, recipient.Card, writeBagOf(*m, names, fs))
			if _, err := handoverpkg.Verify(d, recipient, []identity.Card{sender.Card}, bag.DefaultLimits); err != nil {
				t.Fatalf("the bag itself is well formed: %v", err)
			}
			_, err := handoverpkg.VerifyBook(ctx, d, recipient, []identity.Card{sender.Card}, bag.DefaultLimits, progress.Discard)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("verify of the book: %v, want %q", err, c.want)
			}
		})
	}
}

// A record no receiver would take is refused at export, naming the customer by number.
func TestExportRefusesARecordTooLong(t *testing.T) {
	st := book(t, 2)
	w := st.NewWriter()
	no, err := w.Add(&store.Book{Customer: model.Customer{Name: "张三", IDNumber: "11010519491231002X", Address: strings.Repeat("长", 1<<19)}})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	sender, recipient, _ := people(t)
	_, _, err = handoverpkg.Export(ctx, st, handoverpkg.Options{Out: t.TempDir(), Sender: sender, Recipients: []identity.Card{recipient.Card}, Deal: "v", Sequence: 1}, progress.Discard)
	var re *handoverpkg.RecordTooLongError
	if !errors.As(err, &re) || re.Customer != uint64(no) || strings.Contains(err.Error(), "长长") {
		t.Fatalf("export: %v", err)
	}
}
