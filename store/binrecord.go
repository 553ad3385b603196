package store

import (
	"encoding/binary"
	"encoding/json"
	"errors"

	"handover/store/model"
)

// A customer's record is written in a binary form since vault format 4: its fields in a
// fixed order, numbers as varints, strings with their length, loans without the customer
// and sequence number their place says, and each loan's repayments packed as packed.go
// packs them, without base64. The JSON form spelled every field's name in every record
// (half of a record's bytes were names, quotes and base64), and the million-customer
// import's cost is now mostly per byte Badger writes (docs/BENCHMARKS-notes.md).
//
// The form starts with recordBinary, a byte no JSON text starts with, so records written
// before (JSON objects) read as they always did. A record the form does not cover (a date
// outside the calendar, a repayment list packed.go does not pack, a loan whose customer or
// sequence number is not its place) is written as JSON. Only the shortest form of every
// number reads and nothing may follow the record, so a record has one binary form
// (FuzzBinaryRecord).
//
//	0x01 no name id_number gender birth phone bank_card bank_name address occupation
//	     customer_number source
//	     loans: count, then each: contract principal rate_bp term_months disbursed maturity
//	            outstanding status class overdue_days purpose guarantors(count, each)
//	     repayment lists: count, then each: length of the packed list (0: none), packed list
//
// Strings are a uvarint length and their bytes; dates a uvarint yyyymmdd (0: unset);
// amounts and other integers zigzag varints; status and class a uvarint index into their
// known values, or past them the length of a string that is none of them.
const recordBinary = 0x01

// loanStatuses and loanClasses are the values status and class are written as indexes of;
// index 0 is the empty string. Append only: the indexes are stored.
var (
	loanStatuses = []string{"", string(model.StatusNormal), string(model.StatusOverdue), string(model.StatusSettled)}
	loanClasses  = []string{"", string(model.ClassPass), string(model.ClassSpecial), string(model.ClassSubstandard),
		string(model.ClassDoubtful), string(model.ClassLoss)}
)

// errBinaryRecord is a binary record that does not read: only a bug or a forged record (which
// the seal refuses first) can make one.
var errBinaryRecord = errors.New("store: a customer record does not read")

// appendRecord appends rec's stored form: binary when the form covers it, else JSON.
func appendRecord(b []byte, rec *storedCustomer) []byte {
	if !binaryCovers(rec) {
		return appendCustomerRecord(b, rec)
	}
	c := &rec.Customer
	b = append(b, recordBinary)
	b = binary.AppendUvarint(b, uint64(c.No))
	b = appendBinString(b, c.Name)
	b = appendBinString(b, c.IDNumber)
	b = appendBinString(b, c.Gender)
	b = appendBinDate(b, c.Birth)
	for _, s := range [...]string{c.Phone, c.BankCard, c.BankName, c.Address, c.Occupied, c.Number, c.Source} {
		b = appendBinString(b, s)
	}
	b = binary.AppendUvarint(b, uint64(len(rec.Loans)))
	for i := range rec.Loans {
		l := &rec.Loans[i]
		b = appendBinString(b, l.Contract)
		b = binary.AppendVarint(b, int64(l.Principal))
		b = binary.AppendVarint(b, int64(l.RateBP))
		b = binary.AppendVarint(b, int64(l.TermMonths))
		b = appendBinDate(b, l.Disbursed)
		b = appendBinDate(b, l.Maturity)
		b = binary.AppendVarint(b, int64(l.Outstanding))
		b = appendBinEnum(b, loanStatuses, string(l.Status))
		b = appendBinEnum(b, loanClasses, string(l.Class))
		b = binary.AppendVarint(b, int64(l.OverdueDays))
		b = appendBinString(b, l.Purpose)
		b = binary.AppendUvarint(b, uint64(len(l.GuarantorIDs)))
		for _, g := range l.GuarantorIDs {
			b = appendBinString(b, g)
		}
	}
	b = binary.AppendUvarint(b, uint64(len(rec.Repayments)))
	for _, l := range rec.Repayments {
		if l == nil {
			b = append(b, 0)
			continue
		}
		var buf [1024]byte
		packed := packRepayments(buf[:0], l)
		b = append(binary.AppendUvarint(b, uint64(len(packed))), packed...)
	}
	return b
}

// binaryCovers says whether rec has a binary form: decoding it gives rec back.
func binaryCovers(rec *storedCustomer) bool {
	if !packableDate(rec.Birth) {
		return false
	}
	for i := range rec.Loans {
		l := &rec.Loans[i]
		if l.Customer != rec.No || l.Seq != uint32(i+1) || !packableDate(l.Disbursed) || !packableDate(l.Maturity) {
			return false
		}
	}
	for _, l := range rec.Repayments {
		if l != nil && (len(l) == 0 || !packable(l)) {
			return false
		}
	}
	return true
}

func appendBinString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

func appendBinDate(b []byte, d model.Date) []byte {
	if d.IsZero() {
		return append(b, 0)
	}
	return binary.AppendUvarint(b, packDate(d))
}

func appendBinEnum(b []byte, known []string, s string) []byte {
	for i, k := range known {
		if k == s {
			return binary.AppendUvarint(b, uint64(i))
		}
	}
	return append(binary.AppendUvarint(b, uint64(len(known)+len(s))), s...)
}

// decodeRecord reads a binary record into rec; withRepayments false skips unpacking the
// repayment lists (they are still checked to be there).
func decodeRecord(b []byte, rec *storedCustomer, withRepayments bool) error {
	d := binDecoder{b: b}
	if !d.byte(recordBinary) {
		return errBinaryRecord
	}
	var c model.Customer
	c.No = model.CustomerNo(d.uvarint())
	c.Name, c.IDNumber, c.Gender = d.string(), d.string(), d.string()
	c.Birth = d.date()
	for _, s := range [...]*string{&c.Phone, &c.BankCard, &c.BankName, &c.Address, &c.Occupied, &c.Number, &c.Source} {
		*s = d.string()
	}
	n := d.count(12) // a loan takes 12 bytes at least: one for each field
	var loans []model.Loan
	if n > 0 {
		loans = make([]model.Loan, n)
	}
	for i := range loans {
		l := &loans[i]
		l.Customer, l.Seq = c.No, uint32(i+1)
		l.Contract = d.string()
		l.Principal = model.Fen(d.varint())
		l.RateBP = int(d.varint())
		l.TermMonths = int(d.varint())
		l.Disbursed, l.Maturity = d.date(), d.date()
		l.Outstanding = model.Fen(d.varint())
		l.Status = model.LoanStatus(d.enum(loanStatuses))
		l.Class = model.Class(d.enum(loanClasses))
		l.OverdueDays = int(d.varint())
		l.Purpose = d.string()
		if g := d.count(1); g > 0 {
			l.GuarantorIDs = make([]string, g)
			for j := range l.GuarantorIDs {
				l.GuarantorIDs[j] = d.string()
			}
		}
	}
	n = d.count(1)
	var lists []repaymentList
	if n > 0 {
		lists = make([]repaymentList, n)
	}
	for i := range lists {
		size := d.count(1)
		packed := d.take(size)
		if d.bad || size == 0 || !withRepayments {
			continue
		}
		l, err := unpackRepayments(packed)
		if err != nil {
			return errBinaryRecord
		}
		lists[i] = l
	}
	if d.bad || len(d.b) != 0 {
		return errBinaryRecord
	}
	*rec = storedCustomer{Customer: c, Loans: loans, Repayments: lists}
	return nil
}

// binDecoder reads the binary form; the first thing that does not read sets bad, and every
// read after it returns zero values.
type binDecoder struct {
	b   []byte
	bad bool
}

func (d *binDecoder) byte(want byte) bool {
	if d.bad || len(d.b) == 0 || d.b[0] != want {
		d.bad = true
		return false
	}
	d.b = d.b[1:]
	return true
}

// uvarint reads a number in its shortest form only: one form per record.
func (d *binDecoder) uvarint() uint64 {
	if d.bad {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	var tmp [binary.MaxVarintLen64]byte
	if n <= 0 || n != binary.PutUvarint(tmp[:], v) {
		d.bad = true
		return 0
	}
	d.b = d.b[n:]
	return v
}

// varint reads a zigzag number: the uvarint of its zigzag form, as binary.AppendVarint writes.
func (d *binDecoder) varint() int64 {
	ux := d.uvarint()
	x := int64(ux >> 1)
	if ux&1 != 0 {
		x = ^x
	}
	return x
}

// count reads a number of things that take at least least bytes each: no more can follow
// than the record has bytes left, which bounds what a forged count can make us allocate.
func (d *binDecoder) count(least int) int {
	n := d.uvarint()
	if n > uint64(len(d.b)/least) {
		d.bad = true
		return 0
	}
	return int(n)
}

func (d *binDecoder) take(n int) []byte {
	if d.bad || n > len(d.b) {
		d.bad = true
		return nil
	}
	v := d.b[:n]
	d.b = d.b[n:]
	return v
}

func (d *binDecoder) string() string { return string(d.take(d.count(1))) }

func (d *binDecoder) date() model.Date {
	v := d.uvarint()
	if v == 0 || d.bad {
		return model.Date{}
	}
	t, err := unpackDate(v)
	if err != nil {
		d.bad = true
	}
	return t
}

func (d *binDecoder) enum(known []string) string {
	v := d.uvarint()
	if v < uint64(len(known)) {
		return known[v]
	}
	s := string(d.take(int(min(v-uint64(len(known)), uint64(len(d.b)+1)))))
	for _, k := range known {
		if k == s {
			d.bad = true // written as its index: one form per record
		}
	}
	return s
}

// unmarshalValue reads a sealed value's plaintext into v: a customer's record in either
// form, anything else as JSON.
func unmarshalValue(pt []byte, v any) error {
	if len(pt) == 0 || pt[0] != recordBinary {
		return json.Unmarshal(pt, v)
	}
	switch v := v.(type) {
	case *storedCustomer:
		return decodeRecord(pt, v, true)
	case *customerAndLoans:
		var rec storedCustomer
		if err := decodeRecord(pt, &rec, false); err != nil {
			return err
		}
		*v = customerAndLoans{Customer: rec.Customer, Loans: rec.Loans}
		return nil
	case *scannedCustomer:
		var rec storedCustomer
		if err := decodeRecord(pt, &rec, false); err != nil {
			return err
		}
		*v = scannedCustomer{No: rec.No, IDNumber: rec.IDNumber, Number: rec.Number, Loans: make([]scannedLoan, len(rec.Loans))}
		for i, l := range rec.Loans {
			v.Loans[i] = scannedLoan{Customer: l.Customer, Seq: l.Seq, Contract: l.Contract}
		}
		return nil
	}
	return errBinaryRecord
}
