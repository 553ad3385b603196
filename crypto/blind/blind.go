// Package blind computes blind-index tags: short keyed hashes of a searchable value.
//
// An index key made of a full HMAC of a 身份证号 would let anyone holding the passphrase
// confirm, by brute force over the small space of identity numbers, that a person was once
// in the vault, even after that customer's data key was destroyed. Tags are therefore cut
// to Size bytes: a lookup finds a small bucket of candidates, each confirmed by decrypting
// the record, and a stale tag left in old database files names thousands of possible values
// rather than one. docs/VAULT.md explains how this fits the destruction design.
package blind

import (
	"crypto/hmac"
	"crypto/sha256"
	"hash"
	"strings"
	"sync"
	"unicode"
)

// Size is the length of a tag in bytes (2^24 buckets).
const Size = 3

// Kind separates the tag spaces of different fields, so equal strings in different fields
// give unrelated tags.
type Kind byte

// The indexed fields.
const (
	IDNumber   Kind = 'i'
	Phone      Kind = 'p'
	Contract   Kind = 'k'
	NamePrefix Kind = 'n'
	// CustomerNumber is the old system's customer number (客户编号), by which some files
	// link loans to customers.
	CustomerNumber Kind = 'c'
)

// Tag is a truncated keyed hash of one value.
type Tag [Size]byte

// Tagger computes tags under one vault's index key. It is safe for concurrent use.
type Tagger struct{ macs sync.Pool }

// NewTagger returns a Tagger for the given index key.
func NewTagger(key []byte) *Tagger {
	k := append([]byte(nil), key...)
	t := &Tagger{}
	// HMAC state is reused: a bulk write computes millions of tags.
	t.macs.New = func() any { return hmac.New(sha256.New, k) }
	return t
}

// Tag returns the tag of value in the given field, after normalisation.
func (t *Tagger) Tag(kind Kind, value string) Tag {
	m := t.macs.Get().(hash.Hash)
	m.Reset()
	m.Write([]byte{byte(kind)})
	m.Write([]byte(Normalize(value)))
	var sum [sha256.Size]byte
	var out Tag
	copy(out[:], m.Sum(sum[:0]))
	t.macs.Put(m)
	return out
}

// Normalize folds the differences that must not matter for a search: surrounding space,
// full-width digits and letters, and the case of the letter X in identity numbers.
func Normalize(s string) string {
	s = strings.TrimSpace(s)
	plain := true // ASCII without lower case: already normal, the usual contract number
	for i := range len(s) {
		if c := s[i]; c >= 0x80 || c >= 'a' && c <= 'z' {
			plain = false
			break
		}
	}
	if plain {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r >= '０' && r <= '９':
			r = r - '０' + '0'
		case r >= 'Ａ' && r <= 'Ｚ':
			r = r - 'Ａ' + 'A'
		case r >= 'ａ' && r <= 'ｚ':
			r = r - 'ａ' + 'a'
		}
		b.WriteRune(unicode.ToUpper(r))
	}
	return b.String()
}
