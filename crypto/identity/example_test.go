package identity_test

import (
	"fmt"
	"time"

	"handover/crypto/identity"
)

// A person's identity: made with the one rule for passphrases, sealed for their own USB stick,
// and used to sign; anyone holding the public card checks the signature (as ssh-keygen -Y
// verify does with the card's allowed_signers line).
func Example() {
	id, sealed, err := identity.Create("王敏", "甲小额贷款有限公司", "出让方负责人", "a long passphrase", 10, time.Now())
	if err != nil {
		fmt.Println(err)
		return
	}
	sig, _ := id.Sign("handover-certificate@v1", []byte("statement"))
	fmt.Println(id.Card.Verify("handover-certificate@v1", []byte("statement"), sig))
	fmt.Println(id.Card.Verify("handover-certificate@v1", []byte("changed"), sig) != nil)

	back, _ := identity.Open(sealed, "a long passphrase")
	fmt.Println(back.Card.Fingerprint == id.Card.Fingerprint)
	_, _, err = identity.Create("王敏", "甲公司", "负责人", "too short", 10, time.Now())
	fmt.Println(err)
	// Output:
	// <nil>
	// true
	// true
	// an identity's passphrase needs at least 12 characters
}
