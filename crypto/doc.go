// Package crypto is the home of Handover's cryptographic building blocks. It holds no code
// itself: each subpackage has one job and relies only on the Go standard library, age and
// golang.org/x/crypto, so nothing here is home-made cryptography.
//
//   - keyslot wraps the vault's master key under an operator's passphrase (age, scrypt).
//   - seal derives subkeys (HKDF-SHA-256) and seals records (AES-256-GCM).
//   - blind computes the truncated keyed tags used as search-index keys.
package crypto
