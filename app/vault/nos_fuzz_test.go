package vault

import (
	"slices"
	"testing"

	"handover/store/model"
)

// The list of a package's customers, as recorded: any sorted list round-trips, and any bytes
// decode or are refused as damaged, never a panic.
func FuzzPackageCustomers(f *testing.F) {
	f.Add([]byte{1, 1, 2}, uint64(7))
	f.Add([]byte{0xff, 0xff}, uint64(1))
	f.Fuzz(func(t *testing.T, b []byte, step uint64) {
		_, _ = decodeNos(b)
		var nos []model.CustomerNo
		for i, x := range b {
			nos = append(nos, model.CustomerNo(uint64(i)*(step%1000+1)+uint64(x)))
		}
		slices.Sort(nos)
		got, err := decodeNos(encodeNos(nos))
		if err != nil || !slices.Equal(got, nos) {
			t.Fatalf("round trip: %v %v", got, err)
		}
	})
}
