package identity

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"filippo.io/age/armor"
)

var now = time.Date(2026, 11, 28, 8, 30, 0, 0, time.UTC)

func TestRoundTrip(t *testing.T) {
	id, err := New("王敏", "甲小额贷款有限公司", "出让方经办", now)
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := id.Seal("correct horse battery staple", 10)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(sealed, []byte("-----BEGIN AGE ENCRYPTED FILE-----")) || bytes.Contains(sealed, []byte("王敏")) {
		t.Fatal("the identity file is not an armored age file, or shows the name")
	}
	if _, err := Open(sealed, "wrong passphrase!"); !errors.Is(err, ErrPassphrase) {
		t.Fatalf("wrong passphrase: %v", err)
	}
	back, err := Open(sealed, "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if back.Card != id.Card || back.AgeSecret() != id.AgeSecret() {
		t.Fatal("the card or key changed on the round trip")
	}
	sig, err := back.Sign(Namespaces[0], []byte("statement"))
	if err != nil {
		t.Fatal(err)
	}
	card, err := ParseCard(id.Card.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	if err := card.Verify(Namespaces[0], []byte("statement"), sig); err != nil {
		t.Fatal(err)
	}
	if len(strings.Fields(card.Grouped())) != 8 || !strings.HasPrefix(card.AllowedSigners(), card.Principal()+" namespaces=") {
		t.Fatalf("grouped %q, allowed %q", card.Grouped(), card.AllowedSigners())
	}
	// A card whose name was edited no longer matches its fingerprint.
	edited := bytes.Replace(id.Card.Marshal(), []byte("王敏"), []byte("王明"), 1)
	if _, err := ParseCard(edited); !errors.Is(err, ErrTampered) {
		t.Fatalf("edited card: %v", err)
	}
	if _, err := New("", "org", "role", now); err == nil {
		t.Fatal("an empty name was accepted")
	}
}

// The exported age key works with the age command line, and ssh-keygen verifies with the
// allowed_signers line.
func TestStandardTools(t *testing.T) {
	id, _ := New("李华", "乙资产管理公司", "受让方经办", now)
	dir := t.TempDir()
	if _, err := exec.LookPath("age"); err == nil {
		var ct bytes.Buffer
		w, _ := age.Encrypt(&ct, id.AgeIdentity().Recipient())
		w.Write([]byte("package key"))
		w.Close()
		keyFile := filepath.Join(dir, "key.txt")
		os.WriteFile(keyFile, []byte(id.AgeSecret()+"\n"), 0o600)
		cmd := exec.Command("age", "-d", "-i", keyFile)
		cmd.Stdin = &ct
		out, err := cmd.Output()
		if err != nil || string(out) != "package key" {
			t.Fatalf("age -d: %q, %v", out, err)
		}
	}
	if _, err := exec.LookPath("ssh-keygen"); err == nil {
		msg := []byte("certificate statement")
		sig, _ := id.Sign("handover-certificate@v1", msg)
		allowed := filepath.Join(dir, "allowed_signers")
		os.WriteFile(allowed, []byte(id.Card.AllowedSigners()), 0o600)
		sigFile := filepath.Join(dir, "s.sig")
		os.WriteFile(sigFile, sig, 0o600)
		cmd := exec.Command("ssh-keygen", "-Y", "verify", "-f", allowed, "-I", id.Card.Principal(), "-n", "handover-certificate@v1", "-s", sigFile)
		cmd.Stdin = bytes.NewReader(msg)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("ssh-keygen: %v\n%s", err, out)
		}
	}
}

// TestAlteredWorkFactorRefusedAtOnce: an identity file whose scrypt stanza claims a work
// factor above the one Handover writes is refused before any scrypt work.
func TestAlteredWorkFactorRefusedAtOnce(t *testing.T) {
	id, err := New("王敏", "甲公司", "负责人", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, wf := range []int{MaxWorkFactor + 1, 22, 40} {
		// A real file sealed with a higher work factor, as an attacker could make one.
		sealed, err := id.Seal("long enough passphrase", 10)
		if err != nil {
			t.Fatal(err)
		}
		plain, _ := io.ReadAll(armor.NewReader(bytes.NewReader(sealed)))
		plain = bytes.Replace(plain, []byte(" 10\n"), []byte(" "+strconv.Itoa(wf)+"\n"), 1)
		var out bytes.Buffer
		aw := armor.NewWriter(&out)
		aw.Write(plain)
		aw.Close()
		if _, err := Open(out.Bytes(), "long enough passphrase"); !errors.Is(err, ErrWorkFactor) {
			t.Fatalf("work factor %d: %v", wf, err)
		}
	}
}

// One passphrase rule for every identity made, in the app and on the command line.
func TestCreateAppliesThePassphraseRule(t *testing.T) {
	if _, _, err := Create("王敏", "甲公司", "负责人", "eleven-char", 10, now); !errors.Is(err, ErrWeakPassphrase) {
		t.Fatalf("11 characters: %v", err)
	}
	id, sealed, err := Create("王敏", "甲公司", "负责人", "twelve-chars", 10, now)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Open(sealed, "twelve-chars")
	if err != nil || back.Card.Fingerprint != id.Card.Fingerprint {
		t.Fatalf("open: %v", err)
	}
}
