package store

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"unicode/utf8"

	"handover/store/model"
)

// repaymentList is one loan's repayments in a customer's record. Since vault format 3 it is
// written packed: each repayment's dates and amounts as varints and its channel once per
// list; a binary record (binrecord.go, format 4) holds the packed bytes, a JSON record a
// string holding them base64-encoded. Repayments are most of a record (about 75
// bytes of JSON each, 14 packed) and Badger's cost is now mostly per byte written
// (docs/BENCHMARKS-notes.md). Records written before hold a JSON array, which is read as
// it always was; a list whose values the packing does not cover (a date outside the
// calendar, a channel that is not UTF-8) is still written so.
type repaymentList []storedRepayment

// MarshalJSON writes the list as appendRepaymentList does.
func (l repaymentList) MarshalJSON() ([]byte, error) { return appendRepaymentList(nil, l), nil }

// UnmarshalJSON reads a packed list or a JSON array.
func (l *repaymentList) UnmarshalJSON(b []byte) error {
	switch {
	case string(b) == "null":
		*l = nil
		return nil
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		raw, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return errPacked
		}
		*l, err = unpackRepayments(raw)
		return err
	}
	return json.Unmarshal(b, (*[]storedRepayment)(l))
}

// appendRepaymentList appends the list's JSON: packed when it can be, else an array.
func appendRepaymentList(b []byte, l []storedRepayment) []byte {
	if l == nil {
		return append(b, "null"...)
	}
	if len(l) == 0 || !packable(l) {
		return appendSegment(b, l)
	}
	var buf [1024]byte
	raw := packRepayments(buf[:0], l)
	b = append(b, '"')
	b = base64.StdEncoding.AppendEncode(b, raw)
	return append(b, '"')
}

// Flags of a packed repayment.
const (
	packDue     = 1 << iota // the due date follows
	packPaid                // the paid date follows
	packPaidDue             // paid on the due date: no paid date follows
	packPenalty             // the penalty follows
	packAmount              // the amount follows
	packChannel             // a new channel follows (length, bytes)
	packSeen                // the channel is one of the list's earlier ones (its index follows)
)

func packable(l []storedRepayment) bool {
	for i := range l {
		r := &l[i]
		if !packableDate(r.Due) || !packableDate(r.Paid) || !utf8.ValidString(r.Channel) {
			return false
		}
	}
	return true
}

// packableDate says d is unset or a day of the calendar between years 1 and 9999, as the
// validators accept them and JSON reads them back; it packs into one number (yyyymmdd).
func packableDate(d model.Date) bool {
	return d.IsZero() || d.Y >= 1 && d.Y <= 9999 && d.M >= 1 && d.M <= 12 && d.D >= 1 && d.D <= model.DaysIn(d.Y, d.M)
}

func packDate(d model.Date) uint64 { return uint64(d.Y*10000 + d.M*100 + d.D) }

func unpackDate(v uint64) (model.Date, error) {
	d := model.Date{Y: int(v / 10000), M: int(v / 100 % 100), D: int(v % 100)}
	if v > 99991231 || d.IsZero() || !packableDate(d) {
		return model.Date{}, errPacked
	}
	return d, nil
}

// packRepayments appends the packed form of l (packable) to b.
func packRepayments(b []byte, l []storedRepayment) []byte {
	b = binary.AppendUvarint(b, uint64(len(l)))
	var channels []string
	for i := range l {
		r := &l[i]
		var flags byte
		if !r.Due.IsZero() {
			flags |= packDue
		}
		switch {
		case !r.Paid.IsZero() && r.Paid == r.Due:
			flags |= packPaidDue
		case !r.Paid.IsZero():
			flags |= packPaid
		}
		if r.Penalty != 0 {
			flags |= packPenalty
		}
		if r.Amount != 0 {
			flags |= packAmount
		}
		seen := -1
		if r.Channel != "" {
			for j, c := range channels {
				if c == r.Channel {
					seen = j
					break
				}
			}
			if seen >= 0 {
				flags |= packSeen
			} else {
				flags |= packChannel
			}
		}
		b = append(b, flags)
		if flags&packDue != 0 {
			b = binary.AppendUvarint(b, packDate(r.Due))
		}
		if flags&packPaid != 0 {
			b = binary.AppendUvarint(b, packDate(r.Paid))
		}
		b = binary.AppendVarint(b, int64(r.Principal))
		b = binary.AppendVarint(b, int64(r.Interest))
		if flags&packPenalty != 0 {
			b = binary.AppendVarint(b, int64(r.Penalty))
		}
		if flags&packAmount != 0 {
			b = binary.AppendVarint(b, int64(r.Amount))
		}
		switch {
		case flags&packSeen != 0:
			b = binary.AppendUvarint(b, uint64(seen))
		case flags&packChannel != 0:
			b = binary.AppendUvarint(b, uint64(len(r.Channel)))
			b = append(b, r.Channel...)
			channels = append(channels, r.Channel)
		}
	}
	return b
}

// errPacked is a packed list that does not read: only a bug or a forged record (which the
// seal refuses first) can make one.
var errPacked = errors.New("store: a packed repayment list does not read")

// unpackRepayments reads what packRepayments wrote, all of it and nothing more.
func unpackRepayments(b []byte) ([]storedRepayment, error) {
	// Only the shortest form of a number reads: one form per list.
	var tmp [binary.MaxVarintLen64]byte
	uv := func() (uint64, bool) {
		v, n := binary.Uvarint(b)
		if n <= 0 || n != len(binary.AppendUvarint(tmp[:0], v)) {
			return 0, false
		}
		b = b[n:]
		return v, true
	}
	sv := func() (model.Fen, bool) {
		v, n := binary.Varint(b)
		if n <= 0 || n != len(binary.AppendVarint(tmp[:0], v)) {
			return 0, false
		}
		b = b[n:]
		return model.Fen(v), true
	}
	date := func() (model.Date, bool) {
		v, ok := uv()
		if !ok {
			return model.Date{}, false
		}
		d, err := unpackDate(v)
		return d, err == nil
	}
	n, ok := uv()
	if !ok || n == 0 || n > uint64(len(b)) { // each repayment takes three bytes at least
		return nil, errPacked
	}
	l := make([]storedRepayment, n)
	var channels []string
	for i := range l {
		r := &l[i]
		if len(b) == 0 || b[0] >= packSeen<<1 {
			return nil, errPacked
		}
		flags := b[0]
		b = b[1:]
		if flags&packPaid != 0 && flags&packPaidDue != 0 || flags&packChannel != 0 && flags&packSeen != 0 ||
			flags&packPaidDue != 0 && flags&packDue == 0 {
			return nil, errPacked
		}
		ok := true
		if flags&packDue != 0 {
			r.Due, ok = date()
		}
		if ok && flags&packPaid != 0 {
			r.Paid, ok = date()
		}
		if flags&packPaidDue != 0 {
			r.Paid = r.Due
		}
		if ok {
			r.Principal, ok = sv()
		}
		if ok {
			r.Interest, ok = sv()
		}
		if ok && flags&packPenalty != 0 {
			r.Penalty, ok = sv()
			ok = ok && r.Penalty != 0
		}
		if ok && flags&packAmount != 0 {
			r.Amount, ok = sv()
			ok = ok && r.Amount != 0
		}
		if !ok {
			return nil, errPacked
		}
		switch {
		case flags&packSeen != 0:
			j, ok := uv()
			if !ok || j >= uint64(len(channels)) {
				return nil, errPacked
			}
			r.Channel = channels[j]
		case flags&packChannel != 0:
			size, ok := uv()
			if !ok || size == 0 || size > uint64(len(b)) || !utf8.Valid(b[:size]) {
				return nil, errPacked
			}
			r.Channel = string(b[:size])
			b = b[size:]
			for _, c := range channels {
				if c == r.Channel {
					return nil, errPacked // written as seen: one form per list
				}
			}
			channels = append(channels, r.Channel)
		}
	}
	if len(b) != 0 {
		return nil, errPacked
	}
	return l, nil
}
