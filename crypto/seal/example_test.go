package seal_test

import (
	"fmt"

	"handover/crypto/seal"
)

// A record is sealed under a key derived for its purpose, with its storage key as associated
// data: moved to another key, it no longer opens.
func Example() {
	master := make([]byte, 32) // in a vault: the random master key from a key slot
	s := seal.NewSealer(seal.Derive(master, "meta"))
	sealed := s.Seal(nil, []byte("m|counts"), []byte(`{"customers":3}`))

	pt, err := s.Open([]byte("m|counts"), sealed)
	fmt.Println(string(pt), err)
	_, err = s.Open([]byte("m|other"), sealed)
	fmt.Println(err != nil)
	// Output:
	// {"customers":3} <nil>
	// true
}
