package model

// Limits shared by every step a record passes: the import refuses what a package could not
// carry, the export never writes it, and verify and receive refuse the same lines. One
// place, so that no step accepts what a later one refuses.
const (
	// MaxFieldBytes is the longest text field (UTF-8 bytes): ten times a long address.
	MaxFieldBytes = 4 << 10
	// MaxRecordLine is the longest line of a package table (one customer, loan, repayment
	// or document as JSON). Fields within MaxFieldBytes keep every record well below it.
	MaxRecordLine = 1 << 20
)
