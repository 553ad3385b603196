package importer

import (
	"context"
	"testing"
)

// TestContractMemoFollowsChanges checks the memo of the last contract against what the
// scratch map holds: a repeated contract answers from the memo, and a loan added under the
// same contract (a changed entry) is what the next lookup returns.
func TestContractMemoFollowsChanges(t *testing.T) {
	lk, err := newLookup(context.Background(), NewTestStore(t))
	if err != nil {
		t.Fatal(err)
	}
	defer lk.close()

	if _, ok := lk.contract("HT-1"); ok {
		t.Fatal("an unknown contract was found")
	}
	lk.addCustomer(1, "110105194912310021", "", "a.csv:2")
	lk.customer("110105194912310021")
	lk.addLoan(1, 1, "HT-1")
	for range 3 {
		if ref, ok := lk.contract("HT-1"); !ok || ref != makeRef(1, 1) {
			t.Fatalf("HT-1 = %v %v, want customer 1 loan 1", ref.customer(), ref.loan())
		}
	}
	if ref, ok := lk.contract(" ht-1 "); !ok || ref != makeRef(1, 1) {
		t.Fatalf("another spelling of HT-1 = %v, %v", ref, ok)
	}
	lk.addLoan(1, 2, "HT-1") // the same contract again: its entry changes
	if ref, ok := lk.contract(" ht-1 "); !ok || ref != makeRef(1, 2) {
		t.Fatalf("after a change, the last spelling of HT-1 = loan %v, %v; want loan 2", ref.loan(), ok)
	}
	if _, ok := lk.contract(""); ok {
		t.Fatal("an empty contract was found")
	}
	if err := lk.committed(); err != nil {
		t.Fatal(err)
	}
}
