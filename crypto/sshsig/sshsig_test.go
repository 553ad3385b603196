package sshsig

import (
	"bytes"
	"crypto/ed25519"
	"encoding/pem"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"golang.org/x/crypto/ssh"
)

func key(t testing.TB, seed byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, 32))
}

func TestSignVerify(t *testing.T) {
	k := key(t, 1)
	pub, _ := ssh.NewPublicKey(k.Public())
	msg := []byte("客户资料移交确认书\n")
	sig, err := Sign(k, "handover-certificate@v1", msg)
	if err != nil {
		t.Fatal(err)
	}
	if err := Verify(pub, "handover-certificate@v1", msg, sig); err != nil {
		t.Fatal(err)
	}
	other, _ := ssh.NewPublicKey(key(t, 2).Public())
	cases := []struct {
		name string
		err  error
		pub  ssh.PublicKey
		ns   string
		msg  []byte
		sig  []byte
	}{
		{"namespace", ErrNamespace, pub, "handover-package@v1", msg, sig},
		{"key", ErrKey, other, "handover-certificate@v1", msg, sig},
		{"message", ErrBad, pub, "handover-certificate@v1", append([]byte{'x'}, msg...), sig},
		{"garbage", ErrFormat, pub, "handover-certificate@v1", msg, []byte("-----BEGIN SSH SIGNATURE-----\nAAAA\n-----END SSH SIGNATURE-----\n")},
		{"empty", ErrFormat, pub, "handover-certificate@v1", msg, nil},
	}
	for _, c := range cases {
		if err := Verify(c.pub, c.ns, c.msg, c.sig); !errors.Is(err, c.err) {
			t.Errorf("%s: %v, want %v", c.name, err, c.err)
		}
	}
	if got, err := Signer(sig); err != nil || !bytes.Equal(got.Marshal(), pub.Marshal()) {
		t.Fatalf("Signer: %v", err)
	}
}

// TestSSHKeygenInterop proves the format: ssh-keygen verifies our signatures, and we verify
// its.
func TestSSHKeygenInterop(t *testing.T) {
	if _, err := exec.LookPath("ssh-keygen"); err != nil {
		t.Skip("ssh-keygen (openssh-client) not installed")
	}
	dir := t.TempDir()
	k := key(t, 3)
	pub, _ := ssh.NewPublicKey(k.Public())
	msg := []byte("statement bytes\x00\xff")
	sig, err := Sign(k, "handover-certificate@v1", msg)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	msgFile := write("msg", msg)
	sigFile := write("msg.sig", sig)
	allowed := write("allowed", []byte("signer@example namespaces=\"handover-certificate@v1\" "+string(ssh.MarshalAuthorizedKey(pub))))
	cmd := exec.Command("ssh-keygen", "-Y", "verify", "-f", allowed, "-I", "signer@example", "-n", "handover-certificate@v1", "-s", sigFile)
	cmd.Stdin = bytes.NewReader(msg)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen rejects our signature: %v\n%s", err, out)
	}
	cmd = exec.Command("ssh-keygen", "-Y", "verify", "-f", allowed, "-I", "signer@example", "-n", "handover-package@v1", "-s", sigFile)
	cmd.Stdin = bytes.NewReader(msg)
	if err := cmd.Run(); err == nil {
		t.Fatal("ssh-keygen accepted a signature under another namespace")
	}
	// And the other way: ssh-keygen signs, we verify.
	pemKey, err := ssh.MarshalPrivateKey(k, "")
	if err != nil {
		t.Fatal(err)
	}
	keyFile := write("id", pem.EncodeToMemory(pemKey))
	os.Remove(sigFile)
	cmd = exec.Command("ssh-keygen", "-Y", "sign", "-f", keyFile, "-n", "handover-package@v1", msgFile)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen -Y sign: %v\n%s", err, out)
	}
	theirs, err := os.ReadFile(sigFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := Verify(pub, "handover-package@v1", msg, theirs); err != nil {
		t.Fatalf("ssh-keygen's signature: %v", err)
	}
}

func FuzzVerify(f *testing.F) {
	k := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{4}, 32))
	pub, _ := ssh.NewPublicKey(k.Public())
	sig, _ := Sign(k, "ns", []byte("m"))
	f.Add(sig)
	f.Add([]byte("-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n-----END SSH SIGNATURE-----\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if Verify(pub, "ns", []byte("m"), b) == nil && !bytes.Equal(bytes.TrimSpace(b), bytes.TrimSpace(sig)) {
			// Ed25519 signatures are not malleable; only re-encodings of ours may pass.
			if _, err := Signer(b); err != nil {
				t.Fatal("verified something that does not parse")
			}
		}
	})
}
