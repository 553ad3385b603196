package sshsig_test

import (
	"crypto/ed25519"
	"fmt"

	"golang.org/x/crypto/ssh"

	"handover/crypto/sshsig"
)

// An OpenSSH signature (SSHSIG) of a message in a namespace: what `ssh-keygen -Y sign` writes
// and `ssh-keygen -Y verify` checks, so a receiver can check it without this program.
func Example() {
	pub, priv, _ := ed25519.GenerateKey(nil)
	sig, _ := sshsig.Sign(priv, "handover-package@v1", []byte("package.json"))
	key, _ := ssh.NewPublicKey(pub)

	fmt.Println(sshsig.Verify(key, "handover-package@v1", []byte("package.json"), sig))
	fmt.Println(sshsig.Verify(key, "another@v1", []byte("package.json"), sig) != nil)
	// Output:
	// <nil>
	// true
}
