package store

import (
	"encoding/binary"

	"handover/crypto/blind"
	"handover/store/model"
)

// The keyspace. Keys carry only internal numbers and truncated tags, never plaintext, so
// even Badger's index blocks reveal nothing; values are sealed (see seal). One prefix byte
// per table keeps each table a contiguous, ordered range.
const (
	pCustomer   = 'c' // c | customer                      -> customer, loans, first repayments
	pLoan       = 'l' // l | customer | loan                -> imported loan
	pRepayment  = 'r' // r | customer | loan | segment     -> later repayments
	pQuarantine = 'q' // q | file | row                   -> quarantined row or warning, meta key
	pDocument   = 'd' // d | customer | doc                -> Document
	pChunk      = 'b' // b | customer | doc | chunk        -> bytes
	pIndex      = 'x' // x | kind | tag | customer | extra -> empty (vaults before index pages)
	pIndexPage  = 'y' // y | kind | bucket | page          -> sorted index items, meta key
	pMeta       = 'm' // m | name                          -> JSON, meta key
	pOperator   = 'o' // o | operator id                   -> Operator, meta key
	pAudit      = 'a' // a | seq                           -> event, audit key
	pEvidence   = 'e' // e | id | 0 | chunk                -> checklist evidence bytes, meta key
)

func kCustomer(no model.CustomerNo) []byte {
	return binary.BigEndian.AppendUint64([]byte{pCustomer}, uint64(no))
}

func kLoan(no model.CustomerNo, seq uint32) []byte {
	return binary.BigEndian.AppendUint32(customerPrefix(pLoan, no), seq)
}

func kRepaymentSegment(no model.CustomerNo, loan, seg uint32) []byte {
	return binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(customerPrefix(pRepayment, no), loan), seg)
}

func kDocument(no model.CustomerNo, doc uint32) []byte {
	return binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint64([]byte{pDocument}, uint64(no)), doc)
}

func kChunk(no model.CustomerNo, doc, chunk uint32) []byte {
	k := binary.BigEndian.AppendUint64([]byte{pChunk}, uint64(no))
	return binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(k, doc), chunk)
}

// An index key is x | kind | tag | sub | customer | extra. sub is a second tag that only
// name prefixes use: tag is the first character's, sub the first two characters', so one
// entry per customer serves both a one-character scan (prefix x|n|tag) and a two-character
// scan (prefix x|n|tag|sub). For other kinds sub is zero.
func kIndexPrefix(kind blind.Kind, tags ...blind.Tag) []byte {
	k := []byte{pIndex, byte(kind)}
	for _, t := range tags {
		k = append(k, t[:]...)
	}
	return k
}

func kIndex(kind blind.Kind, tag, sub blind.Tag, no model.CustomerNo, extra uint32) []byte {
	k := binary.BigEndian.AppendUint64(kIndexPrefix(kind, tag, sub), uint64(no))
	return binary.BigEndian.AppendUint32(k, extra)
}

// indexEntry decodes the customer and extra number of an index key.
func indexEntry(k []byte) (model.CustomerNo, uint32) {
	n := 2 + 2*blind.Size
	return model.CustomerNo(binary.BigEndian.Uint64(k[n:])), binary.BigEndian.Uint32(k[n+8:])
}

func kMeta(name string) []byte   { return append([]byte{pMeta}, name...) }
func kOperator(id string) []byte { return append([]byte{pOperator}, id...) }
func kAudit(seq uint64) []byte   { return binary.BigEndian.AppendUint64([]byte{pAudit}, seq) }
func customerPrefix(p byte, no model.CustomerNo) []byte {
	return binary.BigEndian.AppendUint64([]byte{p}, uint64(no))
}
