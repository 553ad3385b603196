package store

import (
	"encoding/base64"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"testing"

	"handover/store/model"
)

func randomRepayments(r *rand.Rand) repaymentList {
	channels := []string{"", "对公转账", "第三方支付", "现金", `a"b\`, "tab\t"}
	date := func() model.Date { return randomDate(r, 5) }
	fen := func() model.Fen { return model.Fen(r.Int64N(1<<42) - 1<<41) }
	l := make(repaymentList, 1+r.IntN(40))
	for i := range l {
		x := &l[i]
		x.Due, x.Paid = date(), date()
		if r.IntN(2) == 0 {
			x.Paid = x.Due
		}
		x.Principal, x.Interest = fen(), fen()
		if r.IntN(3) == 0 {
			x.Penalty = fen()
		}
		if r.IntN(3) == 0 {
			x.Amount = fen()
		}
		x.Channel = channels[r.IntN(len(channels))]
	}
	return l
}

// randomDate is unset one time in unset, else a day of the calendar between years 1 and 9999.
func randomDate(r *rand.Rand, unset int) model.Date {
	if r.IntN(unset) == 0 {
		return model.Date{}
	}
	d := model.Date{Y: 1 + r.IntN(9999), M: 1 + r.IntN(12), D: 1 + r.IntN(31)}
	d.D = min(d.D, model.DaysIn(d.Y, d.M))
	return d
}

// TestRepaymentListRoundTrip writes lists packed and reads them back; lists the packing does
// not cover are written as arrays and read as encoding/json reads them.
func TestRepaymentListRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	for range 3000 {
		l := randomRepayments(r)
		b, err := json.Marshal(l)
		if err != nil {
			t.Fatal(err)
		}
		if b[0] != '"' {
			t.Fatalf("a packable list written as %s", b)
		}
		var back repaymentList
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(back, l) {
			t.Fatalf("read back %+v, wrote %+v", back, l)
		}
		// The same list as an array, as records before format 3 hold it.
		var old repaymentList
		if err := json.Unmarshal(appendSegment(nil, l), &old); err != nil || !reflect.DeepEqual(old, l) {
			t.Fatalf("array form read as %+v (%v), want %+v", old, err, l)
		}
	}
	for name, x := range map[string]storedRepayment{
		"month 13":     {Due: model.Date{Y: 2024, M: 13, D: 1}},
		"year 0":       {Paid: model.Date{Y: 0, M: 1, D: 1}},
		"not UTF-8":    {Channel: "bad\xffbyte"},
		"day 32":       {Due: model.Date{Y: 2024, M: 1, D: 32}},
		"February 29":  {Due: model.Date{Y: 2023, M: 2, D: 29}},
		"year 10000":   {Due: model.Date{Y: 10000, M: 1, D: 1}},
		"negative day": {Due: model.Date{Y: 2024, M: 1, D: -1}},
	} {
		l := repaymentList{{Principal: 1}, x}
		b, _ := json.Marshal(l)
		if b[0] != '[' {
			t.Errorf("%s: written packed: %s", name, b)
		}
		var back, want []storedRepayment
		err1 := json.Unmarshal(b, (*repaymentList)(&back))
		err2 := json.Unmarshal(b, &want)
		if (err1 == nil) != (err2 == nil) || !reflect.DeepEqual(back, want) {
			t.Errorf("%s: read %+v (%v), encoding/json reads %+v (%v)", name, back, err1, want, err2)
		}
	}
	for _, s := range []string{`null`, `[]`} {
		var l repaymentList
		if err := json.Unmarshal([]byte(s), &l); err != nil || len(l) != 0 {
			t.Errorf("%s read as %+v, %v", s, l, err)
		}
	}
}

// TestPackedIsSmall: a loan's monthly repayments, as the demo book has them, pack to well
// under half their JSON.
func TestPackedIsSmall(t *testing.T) {
	var l repaymentList
	d := model.Date{Y: 2024, M: 1, D: 15}
	for i := range 12 {
		l = append(l, storedRepayment{Due: d, Paid: d, Principal: 2900000, Interest: model.Fen(248530 - 9000*i), Channel: []string{"对公转账", "第三方支付"}[i%2]})
		d = d.AddMonths(1)
	}
	packed, array := appendRepaymentList(nil, l), appendSegment(nil, l)
	t.Logf("packed %d bytes, array %d bytes", len(packed), len(array))
	if len(packed)*3 > len(array) {
		t.Errorf("packed %d bytes against %d as an array", len(packed), len(array))
	}
}

// FuzzUnpackRepayments reads arbitrary bytes as a packed list: no panic, and whatever reads
// packs again to the same bytes (one form per list).
func FuzzUnpackRepayments(f *testing.F) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 8 {
		f.Add(packRepayments(nil, randomRepayments(r)))
	}
	f.Add([]byte{})
	f.Add([]byte{1, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		l, err := unpackRepayments(b)
		if err != nil {
			return
		}
		if again := packRepayments(nil, l); string(again) != string(b) {
			t.Fatalf("%x read as %+v packs to %x", b, l, again)
		}
		s, _ := json.Marshal(base64.StdEncoding.EncodeToString(b))
		var back repaymentList
		if err := json.Unmarshal(s, &back); err != nil || !reflect.DeepEqual(back, repaymentList(l)) {
			t.Fatalf("as JSON: %+v, %v", back, err)
		}
	})
}
