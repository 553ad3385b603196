package importer

import (
	"context"
	"crypto/rand"
	"crypto/sha256"

	"handover/app/model"
	"handover/crypto/blind"
	"handover/store"
)

// lookup holds what an import must find quickly: which customer has an identity number,
// which loan has a contract number, and how many loans each customer has. Keys are 128-bit
// hashes under a random per-run salt, so the tables hold no identifier in plain text and a
// collision is out of the question; they cost about 50 bytes per customer and per loan.
// The vault's own blind index has short tags by design (it must not identify anyone by
// itself), which would make each of millions of lookups a decryption.
type lookup struct {
	salt      [16]byte
	ids       map[hkey]model.CustomerNo
	contracts map[hkey]loanRef
	loans     []uint32                    // loan count by customer number
	pending   map[model.CustomerNo]string // sources of customers not yet committed
}

type hkey [16]byte

// refs is what an import looks up: the in-memory lookup of a bulk run, or the vault's blind
// index for a single corrected row.
type refs interface {
	customer(id string) (model.CustomerNo, bool)
	contract(c string) (loanRef, bool)
	nextLoan(no model.CustomerNo) uint32
	addCustomer(no model.CustomerNo, id, source string)
	addLoan(no model.CustomerNo, seq uint32, contract string)
	describe(st *store.Store, no model.CustomerNo) Ref
	committed()
}

// loanRef is a customer number and loan number in one word.
type loanRef uint64

func makeRef(no model.CustomerNo, loan uint32) loanRef { return loanRef(uint64(no)<<32 | uint64(loan)) }
func (r loanRef) customer() model.CustomerNo           { return model.CustomerNo(r >> 32) }
func (r loanRef) loan() uint32                         { return uint32(r) }

func newLookup(ctx context.Context, st *store.Store) (*lookup, error) {
	lk := &lookup{ids: map[hkey]model.CustomerNo{}, contracts: map[hkey]loanRef{}, pending: map[model.CustomerNo]string{}}
	rand.Read(lk.salt[:])
	if st.Counts().Customers == 0 {
		return lk, nil
	}
	err := st.ScanBook(ctx, func(c model.Customer, loans []model.Loan) error {
		lk.ids[lk.hash('i', c.IDNumber)] = c.No
		for _, l := range loans {
			lk.addLoan(c.No, l.Seq, l.Contract)
		}
		return nil
	}, func(l model.Loan) error {
		lk.addLoan(l.Customer, l.Seq, l.Contract)
		return nil
	})
	return lk, err
}

func (lk *lookup) hash(kind byte, value string) hkey {
	h := sha256.New()
	h.Write(lk.salt[:])
	h.Write([]byte{kind})
	h.Write([]byte(value))
	var k hkey
	copy(k[:], h.Sum(nil))
	return k
}

func (lk *lookup) customer(id string) (model.CustomerNo, bool) {
	no, ok := lk.ids[lk.hash('i', id)]
	return no, ok
}

func (lk *lookup) contract(c string) (loanRef, bool) {
	ref, ok := lk.contracts[lk.hash('c', blind.Normalize(c))]
	return ref, ok
}

func (lk *lookup) addCustomer(no model.CustomerNo, id, source string) {
	lk.ids[lk.hash('i', id)] = no
	lk.pending[no] = source
}

func (lk *lookup) addLoan(no model.CustomerNo, seq uint32, contract string) {
	if contract != "" {
		lk.contracts[lk.hash('c', blind.Normalize(contract))] = makeRef(no, seq)
	}
	for int(no) >= len(lk.loans) {
		lk.loans = append(lk.loans, make([]uint32, max(1024, len(lk.loans)))...)
	}
	lk.loans[no] = max(lk.loans[no], seq)
}

func (lk *lookup) nextLoan(no model.CustomerNo) uint32 {
	if int(no) < len(lk.loans) {
		return lk.loans[no] + 1
	}
	return 1
}

// committed forgets the sources of customers now readable from the vault.
func (lk *lookup) committed() { clear(lk.pending) }
