package keyslot_test

import (
	"bytes"
	"errors"
	"fmt"

	"handover/crypto/keyslot"
)

// A vault's master key sealed to one operator's passphrase, and opened again. Real slots use
// keyslot.DefaultWorkFactor; the example uses a low one to run fast.
func Example() {
	master := bytes.Repeat([]byte{7}, keyslot.MasterKeySize)
	slot, _ := keyslot.Wrap(master, "op-1a2b3c", "a long passphrase", 10)

	key, err := keyslot.Unwrap(slot, "op-1a2b3c", "a long passphrase")
	fmt.Println(bytes.Equal(key, master), err)
	_, err = keyslot.Unwrap(slot, "op-1a2b3c", "a wrong passphrase")
	fmt.Println(errors.Is(err, keyslot.ErrWrongPassphrase))
	_, err = keyslot.Unwrap(slot, "op-another", "a long passphrase")
	fmt.Println(errors.Is(err, keyslot.ErrWrongOperator))
	// Output:
	// true <nil>
	// true
	// true
}
