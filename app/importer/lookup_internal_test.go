package importer

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"handover/store"
)

// TestContractMemoFollowsChanges checks the memo of the last contract against what the
// scratch map holds: a repeated contract answers from the memo, and a loan added under the
// same contract (a changed entry) is what the next lookup returns.
func TestContractMemoFollowsChanges(t *testing.T) {
	d, err := store.CreateDir(filepath.Join(t.TempDir(), "vault"), store.Manifest{})
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(d, bytes.Repeat([]byte{7}, 32), true)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { st.Close(); d.Close() }()
	lk, err := newLookup(context.Background(), st)
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
