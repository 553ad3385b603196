// Package merkle is the RFC 6962 Merkle tree that makes the audit log tamper-evident, as
// Certificate Transparency uses it: a leaf is SHA-256(0x00 ‖ data), a node is
// SHA-256(0x01 ‖ left ‖ right), and a tree of n leaves splits at the largest power of two
// below n. Roots, inclusion proofs and consistency proofs follow RFC 9162 §2.1, so anyone
// can check them with any CT library; tests use transparency-dev/merkle's vectors.
package merkle

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"math/bits"
)

// Hash is a node of the tree.
type Hash [32]byte

// LeafHash hashes one entry.
func LeafHash(data []byte) Hash {
	h := sha256.New()
	h.Write([]byte{0})
	h.Write(data)
	var out Hash
	h.Sum(out[:0])
	return out
}

// NodeHash hashes two children.
func NodeHash(left, right Hash) Hash {
	var b [65]byte
	b[0] = 1
	copy(b[1:], left[:])
	copy(b[33:], right[:])
	return sha256.Sum256(b[:])
}

// EmptyRoot is the root of a tree with no leaves.
var EmptyRoot = Hash(sha256.Sum256(nil))

// Tree accumulates leaves and gives the root at any size without keeping the leaves: a
// compact range of at most 64 perfect subtrees (O(log n) memory for a million events).
type Tree struct {
	size  uint64
	stack []Hash // roots of perfect subtrees, largest first
}

// Append adds a leaf hash.
func (t *Tree) Append(leaf Hash) {
	t.stack = append(t.stack, leaf)
	t.size++
	// Merge while the two last subtrees have equal size: sizes follow the bits of size.
	for n := t.size; n&1 == 0; n >>= 1 {
		l := len(t.stack)
		t.stack[l-2] = NodeHash(t.stack[l-2], t.stack[l-1])
		t.stack = t.stack[:l-1]
	}
}

// Size is the number of leaves.
func (t *Tree) Size() uint64 { return t.size }

// Root is the tree's current root.
func (t *Tree) Root() Hash {
	if t.size == 0 {
		return EmptyRoot
	}
	r := t.stack[len(t.stack)-1]
	for i := len(t.stack) - 2; i >= 0; i-- {
		r = NodeHash(t.stack[i], r)
	}
	return r
}

// Root computes the root of leaves (MTH of RFC 9162 §2.1.1).
func Root(leaves []Hash) Hash {
	var t Tree
	for _, l := range leaves {
		t.Append(l)
	}
	return t.Root()
}

// split is the largest power of two smaller than n (n ≥ 2).
func split(n uint64) uint64 { return 1 << (bits.Len64(n-1) - 1) }

// InclusionProof is the audit path of leaf index in leaves (RFC 9162 §2.1.3.1).
func InclusionProof(leaves []Hash, index uint64) ([]Hash, error) {
	if index >= uint64(len(leaves)) {
		return nil, errors.New("merkle: index beyond the tree")
	}
	return path(index, leaves), nil
}

func path(m uint64, d []Hash) []Hash {
	n := uint64(len(d))
	if n <= 1 {
		return nil
	}
	k := split(n)
	if m < k {
		return append(path(m, d[:k]), Root(d[k:]))
	}
	return append(path(m-k, d[k:]), Root(d[:k]))
}

// ConsistencyProof proves that the tree of the first size1 leaves is a prefix of leaves
// (RFC 9162 §2.1.4.1).
func ConsistencyProof(leaves []Hash, size1 uint64) ([]Hash, error) {
	if size1 == 0 || size1 > uint64(len(leaves)) {
		return nil, errors.New("merkle: size1 out of range")
	}
	return subproof(size1, leaves, true), nil
}

func subproof(m uint64, d []Hash, b bool) []Hash {
	n := uint64(len(d))
	if m == n {
		if b {
			return nil
		}
		return []Hash{Root(d)}
	}
	k := split(n)
	if m <= k {
		return append(subproof(m, d[:k], b), Root(d[k:]))
	}
	return append(subproof(m-k, d[k:], false), Root(d[:k]))
}

// Errors of proof verification.
var (
	ErrProof = errors.New("merkle: the proof does not verify")
	ErrRange = errors.New("merkle: index or sizes out of range")
)

// VerifyInclusion checks that leaf is at index in the tree of size with root
// (RFC 9162 §2.1.3.2).
func VerifyInclusion(leaf Hash, index, size uint64, proof []Hash, root Hash) error {
	if index >= size {
		return ErrRange
	}
	fn, sn := index, size-1
	r := leaf
	for _, p := range proof {
		if sn == 0 {
			return ErrProof
		}
		if fn&1 == 1 || fn == sn {
			r = NodeHash(p, r)
			for fn&1 == 0 && fn != 0 {
				fn >>= 1
				sn >>= 1
			}
		} else {
			r = NodeHash(r, p)
		}
		fn >>= 1
		sn >>= 1
	}
	if sn != 0 || r != root {
		return ErrProof
	}
	return nil
}

// VerifyConsistency checks that the tree of size1 with root1 is a prefix of the tree of
// size2 with root2 (RFC 9162 §2.1.4.2).
func VerifyConsistency(size1, size2 uint64, proof []Hash, root1, root2 Hash) error {
	switch {
	case size1 > size2:
		return ErrRange
	case size1 == size2:
		if len(proof) != 0 || root1 != root2 {
			return ErrProof
		}
		return nil
	case size1 == 0:
		if len(proof) != 0 {
			return ErrProof
		}
		return nil
	case len(proof) == 0:
		return ErrProof
	}
	if size1&(size1-1) == 0 { // a power of two: root1 is the first node
		proof = append([]Hash{root1}, proof...)
	}
	fn, sn := size1-1, size2-1
	for fn&1 == 1 {
		fn >>= 1
		sn >>= 1
	}
	fr, sr := proof[0], proof[0]
	for _, c := range proof[1:] {
		if sn == 0 {
			return ErrProof
		}
		if fn&1 == 1 || fn == sn {
			fr = NodeHash(c, fr)
			sr = NodeHash(c, sr)
			for fn&1 == 0 && fn != 0 {
				fn >>= 1
				sn >>= 1
			}
		} else {
			sr = NodeHash(sr, c)
		}
		fn >>= 1
		sn >>= 1
	}
	if sn != 0 || !bytes.Equal(fr[:], root1[:]) || !bytes.Equal(sr[:], root2[:]) {
		return ErrProof
	}
	return nil
}

// State is what a Tree keeps: its size and the roots of its perfect subtrees. A store saves
// it next to the log so that appending and checkpointing never re-read the log.
func (t *Tree) State() (uint64, []Hash) { return t.size, append([]Hash(nil), t.stack...) }

// Restore sets a Tree from a saved State; it fails if the state is inconsistent.
func (t *Tree) Restore(size uint64, stack []Hash) error {
	if bits.OnesCount64(size) != len(stack) {
		return errors.New("merkle: tree state does not match its size")
	}
	t.size, t.stack = size, append([]Hash(nil), stack...)
	return nil
}
