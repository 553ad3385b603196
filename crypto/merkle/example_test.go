package merkle_test

import (
	"fmt"

	"handover/crypto/merkle"
)

// The audit log's tree: events are appended, and a proof shows that an event is in the log
// whose root a checkpoint states, without the other events.
func Example() {
	events := []string{"vault.create", "vault.unlock", "customer.reveal", "package.export"}
	var leaves []merkle.Hash
	var tree merkle.Tree
	for _, e := range events {
		leaf := merkle.LeafHash([]byte(e))
		leaves = append(leaves, leaf)
		tree.Append(leaf)
	}
	root := tree.Root()
	proof, _ := merkle.InclusionProof(leaves, 2)
	fmt.Println(tree.Size(), merkle.VerifyInclusion(leaves[2], 2, tree.Size(), proof, root))
	fmt.Println(merkle.VerifyInclusion(merkle.LeafHash([]byte("customer.view")), 2, tree.Size(), proof, root) != nil)
	// Output:
	// 4 <nil>
	// true
}
