package merkle

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// The reference tree of RFC 6962 test vectors.
var refLeaves = []string{"", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"}

func leafHashes(n int) []Hash {
	out := make([]Hash, n)
	for i := range n {
		b, _ := hex.DecodeString(refLeaves[i])
		out[i] = LeafHash(b)
	}
	return out
}

func b64(t *testing.T, s string) Hash {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	var h Hash
	copy(h[:], b) // a short value (a "wrong" vector) stays short-wrong
	return h
}

type inclusionVector struct {
	LeafIdx, TreeSize uint64
	Root, LeafHash    string
	Proof             []string
	WantErr           bool
}

type consistencyVector struct {
	Size1, Size2 uint64
	Root1, Root2 string
	Proof        []string
	WantErr      bool
}

func load(t *testing.T, dir string, each func(name string, b []byte)) {
	files, _ := filepath.Glob(filepath.Join("testdata", dir, "*.json"))
	if len(files) == 0 {
		t.Fatal("no test vectors")
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		each(filepath.Base(f), b)
	}
}

func TestInclusionVectors(t *testing.T) {
	load(t, "inclusion", func(name string, b []byte) {
		var v inclusionVector
		json.Unmarshal(b, &v)
		proof := make([]Hash, len(v.Proof))
		for i, p := range v.Proof {
			proof[i] = b64(t, p)
		}
		err := VerifyInclusion(b64(t, v.LeafHash), v.LeafIdx, v.TreeSize, proof, b64(t, v.Root))
		if (err != nil) != v.WantErr {
			t.Errorf("%s: %v", name, err)
		}
		if v.WantErr {
			return
		}
		leaves := leafHashes(int(v.TreeSize))
		if Root(leaves) != b64(t, v.Root) || leaves[v.LeafIdx] != b64(t, v.LeafHash) {
			t.Errorf("%s: root or leaf of the reference tree differs", name)
		}
		got, _ := InclusionProof(leaves, v.LeafIdx)
		if len(got) != len(proof) {
			t.Fatalf("%s: proof of %d nodes, want %d", name, len(got), len(proof))
		}
		for i := range got {
			if got[i] != proof[i] {
				t.Errorf("%s: proof[%d] differs", name, i)
			}
		}
	})
}

func TestConsistencyVectors(t *testing.T) {
	load(t, "consistency", func(name string, b []byte) {
		var v consistencyVector
		json.Unmarshal(b, &v)
		proof := make([]Hash, len(v.Proof))
		for i, p := range v.Proof {
			proof[i] = b64(t, p)
		}
		err := VerifyConsistency(v.Size1, v.Size2, proof, b64(t, v.Root1), b64(t, v.Root2))
		if (err != nil) != v.WantErr {
			t.Errorf("%s: %v", name, err)
		}
		if v.WantErr {
			return
		}
		leaves := leafHashes(int(v.Size2))
		got, _ := ConsistencyProof(leaves, v.Size1)
		if len(got) != len(proof) {
			t.Fatalf("%s: proof of %d nodes, want %d", name, len(got), len(proof))
		}
		for i := range got {
			if got[i] != proof[i] {
				t.Errorf("%s: proof[%d] differs", name, i)
			}
		}
	})
}

// Every proof of every small tree verifies, and a changed node fails.
func TestAllProofs(t *testing.T) {
	var leaves []Hash
	for n := uint64(1); n <= 40; n++ {
		leaves = append(leaves, LeafHash([]byte{byte(n)}))
		root := Root(leaves)
		var tr Tree
		for _, l := range leaves {
			tr.Append(l)
		}
		if tr.Root() != root || tr.Size() != n {
			t.Fatalf("size %d: streaming root differs", n)
		}
		for i := uint64(0); i < n; i++ {
			p, _ := InclusionProof(leaves, i)
			if err := VerifyInclusion(leaves[i], i, n, p, root); err != nil {
				t.Fatalf("inclusion %d/%d: %v", i, n, err)
			}
			if len(p) > 0 {
				p[0][0] ^= 1
				if VerifyInclusion(leaves[i], i, n, p, root) == nil {
					t.Fatalf("inclusion %d/%d: a changed proof verified", i, n)
				}
			}
		}
		for m := uint64(1); m <= n; m++ {
			p, _ := ConsistencyProof(leaves, m)
			if err := VerifyConsistency(m, n, p, Root(leaves[:m]), root); err != nil {
				t.Fatalf("consistency %d→%d: %v", m, n, err)
			}
			if m < n && VerifyConsistency(m, n, p, Root(leaves[:m]), LeafHash(nil)) == nil {
				t.Fatalf("consistency %d→%d: a wrong root verified", m, n)
			}
		}
	}
}
