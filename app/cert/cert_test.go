package cert

import (
	"bytes"
	"errors"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"handover/app/doc/doctest"
	"handover/app/figures"
	"handover/crypto/identity"
)

var now = time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC)

func signers(t testing.TB, names ...string) []*identity.Identity {
	var out []*identity.Identity
	for _, n := range names {
		id, err := identity.New(n, n+"公司", "负责人", now)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, id)
	}
	return out
}

func statement(t testing.TB, ids []*identity.Identity, imports int) []byte {
	var cards []identity.Card
	for _, id := range ids {
		cards = append(cards, id.Card)
	}
	var sums []Import
	for i := range imports {
		sums = append(sums, Import{File: "repayments-" + string(rune('a'+i%26)) + ".csv", SHA256: strings.Repeat("ab", 32),
			Table: "repayments", Rows: 1000, Accepted: 990, Quarantined: 10, Open: 10})
	}
	st, err := New(KindConfirmation, "v-test", "ws-1", now, &figures.Figures{Customers: 3, Digest: strings.Repeat("0", 64),
		Overdue: []figures.Bucket{{Label: "0"}}}, sums, cards)
	if err != nil {
		t.Fatal(err)
	}
	return st.Marshal()
}

func sign(t testing.TB, b []byte, ids ...*identity.Identity) map[string]Signed {
	out := map[string]Signed{}
	for _, id := range ids {
		sig, err := Sign(b, id)
		if err != nil {
			t.Fatal(err)
		}
		out[id.Card.Fingerprint] = Signed{Sig: sig, Note: NewNote(id.Card.Fingerprint, "ws", now)}
	}
	return out
}

// A name with a character the bundled font lacks is printed as its code point and
// reported, never dropped; and a long import list runs over pages with its header repeated.
func TestMissingGlyphAndPages(t *testing.T) {
	ids := signers(t, "张𠮷", "李四")
	b := statement(t, ids, 60)
	pdf, missing, err := Render(b, sign(t, b, ids...), "zh-CN")
	if err != nil {
		t.Fatal(err)
	}
	if len(missing) != 1 || missing[0].Rune != 0x20BB7 {
		t.Fatalf("missing %v", missing)
	}
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext not installed")
	}
	path := filepath.Join(t.TempDir(), "c.pdf")
	os.WriteFile(path, pdf, 0o600)
	out, err := exec.Command("pdftotext", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "张[U+20BB7]") {
		t.Fatal("the missing character is not shown as its code point")
	}
	if strings.Count(string(out), "读取行数") < 2 {
		t.Fatal("the long import table does not repeat its header on the next page")
	}
}

func TestVerifyPDF(t *testing.T) {
	ids := signers(t, "甲", "乙")
	b := statement(t, ids, 2)
	pdf, _, err := Render(b, sign(t, b, ids[0]), "zh-CN")
	if err != nil {
		t.Fatal(err)
	}
	r, err := VerifyPDF(pdf, nil)
	if err != nil || r.Complete() || !r.Checks[0].Signed || r.Checks[1].Signed || r.Lang != "zh-CN" {
		t.Fatalf("one signature: %+v, %v", r, err)
	}
	full, _, _ := Render(b, sign(t, b, ids...), "zh-CN")
	if r, err := VerifyPDF(full, []identity.Card{ids[0].Card, ids[1].Card}); err != nil || !r.Complete() {
		t.Fatalf("complete: %+v, %v", r, err)
	}
	// A PDF carrying a changed statement with the old signatures: the signatures fail.
	changed := bytes.Replace(b, []byte(`"rows": 1000`), []byte(`"rows": 1001`), 1)
	sigs := sign(t, b, ids...)
	forged, _, _ := Render(changed, sigs, "zh-CN")
	r, err = VerifyPDF(forged, nil)
	if err != nil || r.Complete() || r.Checks[0].Err == nil {
		t.Fatalf("changed statement: %+v, %v", r, err)
	}
	if _, err := VerifyPDF([]byte("%PDF-1.4 nothing"), nil); !errors.Is(err, ErrNoStatement) {
		t.Fatalf("not a certificate: %v", err)
	}
}

// BenchmarkRender measures one certificate: two signers, ten imported files.
func BenchmarkRender(b *testing.B) {
	ids := signers(b, "甲", "乙")
	st := statement(b, ids, 10)
	sigs := sign(b, st, ids...)
	var size int
	for b.Loop() {
		pdf, _, err := Render(st, sigs, "zh-CN")
		if err != nil {
			b.Fatal(err)
		}
		size = len(pdf)
	}
	b.ReportMetric(float64(size), "bytes")
}

// The preview has the PDF's pages.
func TestPreview(t *testing.T) {
	ids := signers(t, "甲", "乙")
	b := statement(t, ids, 60)
	sigs := sign(t, b, ids[0])
	imgs, err := Preview(b, sigs, "zh-CN")
	if err != nil {
		t.Fatal(err)
	}
	pdf, _, _ := Render(b, sigs, "zh-CN")
	pages := bytes.Count(pdf, []byte("/Type /Page\n"))
	if dir := os.Getenv("HANDOVER_SNAPSHOTS"); dir != "" {
		for i, im := range imgs {
			f, _ := os.Create(filepath.Join(dir, "preview-"+string(rune('1'+i))+".png"))
			png.Encode(f, im)
			f.Close()
		}
	}
	if len(imgs) != pages || imgs[0].Bounds().Dx() != 840 {
		t.Fatalf("%d preview pages of width %d, PDF has %d pages", len(imgs), imgs[0].Bounds().Dx(), pages)
	}
}

// Every label the certificate uses exists in both languages.
func TestLabelsComplete(t *testing.T) { doctest.Labels(t, "pdf.go", "checklist.go", "files.go") }
