package notice

import (
	"crypto/rand"
	"strings"
)

// codeAlphabet is Crockford's base 32 without the letters read aloud ambiguously (I, L, O, U):
// a customer reads the code to the hotline over the phone.
const codeAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// NewCode is a random letter code, "XXXX-XXXX" (40 bits): unique to one letter, it lets
// the hotline confirm that a letter is genuine, since fraudsters imitate loan-transfer
// letters.
func NewCode() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	var s strings.Builder
	for i, c := range b {
		if i == 4 {
			s.WriteByte('-')
		}
		s.WriteByte(codeAlphabet[int(c)%len(codeAlphabet)])
	}
	return s.String()
}

// NormalizeCode reads a code as a person or a gateway report writes it: any case, with or
// without the dash, O for 0 and I or L for 1.
func NormalizeCode(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	s = strings.NewReplacer("-", "", " ", "", "O", "0", "I", "1", "L", "1").Replace(s)
	if len(s) != 8 {
		return ""
	}
	for _, c := range s {
		if !strings.ContainsRune(codeAlphabet, c) {
			return ""
		}
	}
	return s[:4] + "-" + s[4:]
}
