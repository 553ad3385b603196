package importer

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"

	"handover/crypto/blind"
	"handover/store"
	"handover/store/model"
)

// lookup holds what an import must find quickly: which customer has an identity number,
// which loan has a contract number, and how many loans each customer has. It lives in the
// vault's scratch map on disk, so memory stays flat whatever the size of the book, under
// keys that are 128-bit hashes with a random salt that exists only in this run's memory:
// the files name nobody, and a collision is out of the question. The vault's own blind
// index has short tags by design (it must not identify anyone by itself), which would make
// each of millions of lookups a decryption.
//
// Files are usually sorted by customer or by contract, so a small cache of the last values
// looked up answers most rows without going to disk.
type lookup struct {
	salt   [16]byte
	disk   *store.Scratch
	key    []byte
	in     []byte // what key is the hash of
	recent map[string]uint64
	// pending holds the sources of customers that may not be readable from the vault yet,
	// by checkpoint, newest first. The committer may still hold the last pendingGenerations-1
	// checkpoints (store.CheckpointsInFlight), so their customers stay here until then.
	pending [pendingGenerations]map[model.CustomerNo]string
	err     error // the first disk error; the run stops on it
	// lastContract is the contract found by the last lookup, as the row spelled it: a
	// repayments file lists a loan's rows together, so most rows repeat the one before and
	// need neither the normalising, nor the hash, nor the map. Any change of a contract's
	// entry forgets it.
	lastContract struct {
		raw string
		ref loanRef
	}
	// last is the customer found by the last lookup: the borrower of the loan being added.
	last struct {
		key    string // where the loan count is kept
		no     model.CustomerNo
		loans  uint32
		direct bool // the count is packed with the number under key, not alone
	}
}

// recentMax bounds the cache of recently used entries.
const recentMax = 4096

// Kinds of entry in the scratch map.
const (
	kindID       = 'i' // hash of an identity number -> customer number and loan count
	kindContract = 'c' // hash of a contract number -> loanRef
	kindNumber   = 'n' // hash of an old system's customer number -> customer number (indirect)
	kindLoans    = 'l' // hash of a customer number (ours) -> loan count, for indirect entries
)

// A customer's entry holds their number and how many loans they have, so that adding a
// loan, which always follows looking up its borrower, needs no lookup of its own.
//
// A customer who also has the old system's customer number can be found under two keys.
// Both then hold the number with the indirect bit set, and the loan count lives under a
// third key of its own, so that it stays one count whichever way a loan names its
// borrower. Books without customer numbers keep the packed entry and its single lookup.
const (
	customerBits = 40
	indirect     = uint64(1) << 63
)

func packCustomer(no model.CustomerNo, loans uint32) uint64 {
	return uint64(no) | uint64(loans)<<customerBits
}

func unpackCustomer(v uint64) (model.CustomerNo, uint32) {
	return model.CustomerNo(v & (1<<customerBits - 1)), uint32(v >> customerBits)
}

// refs is what an import looks up: the scratch lookup of a bulk run, or the vault's blind
// index for a single corrected row.
type refs interface {
	customer(id string) (model.CustomerNo, bool)
	customerByNumber(n string) (model.CustomerNo, bool)
	contract(c string) (loanRef, bool)
	nextLoan(no model.CustomerNo) uint32
	addCustomer(no model.CustomerNo, id, number, source string)
	addLoan(no model.CustomerNo, seq uint32, contract string)
	describe(st *store.Store, no model.CustomerNo) Ref
	committed() error
}

// loanRef is a customer number and loan number in one word.
type loanRef uint64

func makeRef(no model.CustomerNo, loan uint32) loanRef { return loanRef(uint64(no)<<32 | uint64(loan)) }
func (r loanRef) customer() model.CustomerNo           { return model.CustomerNo(r >> 32) }
func (r loanRef) loan() uint32                         { return uint32(r) }

// newLookup fills a lookup from the book already in the vault. The caller closes it.
func newLookup(ctx context.Context, st *store.Store) (*lookup, error) {
	disk, err := st.OpenScratch(17)
	if err != nil {
		return nil, err
	}
	lk := &lookup{disk: disk, recent: map[string]uint64{}}
	for i := range lk.pending {
		lk.pending[i] = map[model.CustomerNo]string{}
	}
	rand.Read(lk.salt[:])
	if st.Counts().Customers == 0 {
		return lk, nil
	}
	err = st.ScanBook(ctx, func(c model.Customer, loans []model.Loan) error {
		var most uint32
		for _, l := range loans {
			if l.Contract != "" {
				lk.put(lk.hash(kindContract, blind.Normalize(l.Contract)), uint64(makeRef(c.No, l.Seq)))
			}
			most = max(most, l.Seq)
		}
		if c.Number == "" {
			lk.put(lk.hash(kindID, c.IDNumber), packCustomer(c.No, most))
			return lk.err
		}
		lk.put(lk.hash(kindID, c.IDNumber), uint64(c.No)|indirect)
		lk.put(lk.hash(kindNumber, blind.Normalize(c.Number)), uint64(c.No)|indirect)
		if most > 0 {
			lk.put(lk.loansKey(c.No), uint64(most))
		}
		return lk.err
	})
	if err != nil {
		lk.close()
		return nil, err
	}
	return lk, nil
}

func (lk *lookup) close() { lk.disk.Close() }

// hash returns the scratch key of a value: its kind and a salted hash.
func (lk *lookup) hash(kind byte, value string) []byte {
	lk.in = append(append(append(lk.in[:0], lk.salt[:]...), kind), value...)
	sum := sha256.Sum256(lk.in)
	lk.key = append(append(lk.key[:0], kind), sum[:16]...)
	return lk.key
}

func (lk *lookup) get(key []byte) (uint64, bool) {
	if v, ok := lk.recent[string(key)]; ok {
		return v, true
	}
	v, ok, err := lk.disk.Get(key)
	if err != nil {
		lk.fail(err)
	}
	if ok {
		lk.remember(key, v)
	}
	return v, ok
}

func (lk *lookup) put(key []byte, v uint64) {
	if _, ok := lk.recent[string(key)]; ok {
		lk.recent[string(key)] = v
	}
	if err := lk.disk.Put(key, v); err != nil {
		lk.fail(err)
	}
}

func (lk *lookup) remember(key []byte, v uint64) {
	if len(lk.recent) >= recentMax {
		clear(lk.recent)
	}
	lk.recent[string(key)] = v
}

func (lk *lookup) customer(id string) (model.CustomerNo, bool) {
	return lk.find(lk.hash(kindID, id))
}

// customerByNumber finds a customer by the old system's customer number.
func (lk *lookup) customerByNumber(n string) (model.CustomerNo, bool) {
	return lk.find(lk.hash(kindNumber, blind.Normalize(n)))
}

// find reads a customer's entry and remembers where their loan count is kept.
func (lk *lookup) find(key []byte) (model.CustomerNo, bool) {
	v, ok := lk.get(key)
	if !ok {
		return 0, false
	}
	if v&indirect == 0 {
		no, loans := unpackCustomer(v)
		lk.last.key, lk.last.no, lk.last.loans, lk.last.direct = string(key), no, loans, true
		return no, true
	}
	no := model.CustomerNo(v &^ indirect)
	ck := lk.loansKey(no)
	loans, _ := lk.get(ck)
	lk.last.key, lk.last.no, lk.last.loans, lk.last.direct = string(ck), no, uint32(loans), false
	return no, true
}

// loansKey is the key of a customer's loan count when their entries are indirect.
func (lk *lookup) loansKey(no model.CustomerNo) []byte {
	var b [8]byte
	for i := range b {
		b[i] = byte(uint64(no) >> (8 * i))
	}
	return lk.hash(kindLoans, string(b[:]))
}

func (lk *lookup) contract(c string) (loanRef, bool) {
	if c != "" && c == lk.lastContract.raw {
		return lk.lastContract.ref, true
	}
	ref, ok := lk.get(lk.hash(kindContract, blind.Normalize(c)))
	if ok {
		lk.lastContract.raw, lk.lastContract.ref = c, loanRef(ref)
	}
	return loanRef(ref), ok
}

func (lk *lookup) addCustomer(no model.CustomerNo, id, number, source string) {
	if number == "" {
		lk.put(lk.hash(kindID, id), packCustomer(no, 0))
	} else {
		lk.put(lk.hash(kindID, id), uint64(no)|indirect)
		lk.put(lk.hash(kindNumber, blind.Normalize(number)), uint64(no)|indirect)
	}
	lk.pending[0][no] = source
}

// addLoan records a loan of the customer found by the last lookup.
func (lk *lookup) addLoan(no model.CustomerNo, seq uint32, contract string) {
	if contract != "" {
		lk.lastContract.raw = ""
		lk.put(lk.hash(kindContract, blind.Normalize(contract)), uint64(makeRef(no, seq)))
	}
	if no != lk.last.no {
		lk.fail(errLoanWithoutBorrower)
		return
	}
	if seq > lk.last.loans {
		lk.last.loans = seq
		if lk.last.direct {
			lk.put([]byte(lk.last.key), packCustomer(no, seq))
		} else {
			lk.put([]byte(lk.last.key), uint64(seq))
		}
	}
}

// nextLoan numbers the next loan of the customer found by the last lookup.
func (lk *lookup) nextLoan(no model.CustomerNo) uint32 {
	if no != lk.last.no {
		lk.fail(errLoanWithoutBorrower)
		return 0
	}
	return lk.last.loans + 1
}

// errLoanWithoutBorrower would be a bug: every loan row looks up its borrower first.
var errLoanWithoutBorrower = errors.New("import: a loan was added without looking up its borrower")

func (lk *lookup) fail(err error) {
	if lk.err == nil {
		lk.err = err
	}
}

// pendingGenerations is the current checkpoint and those the committer may still hold.
const pendingGenerations = store.CheckpointsInFlight + 1

// committed starts a new checkpoint's sources, forgetting those of the oldest, which the
// vault now holds, and reports the first error the scratch map met so far.
func (lk *lookup) committed() error {
	oldest := lk.pending[pendingGenerations-1]
	copy(lk.pending[1:], lk.pending[:pendingGenerations-1])
	clear(oldest)
	lk.pending[0] = oldest
	return lk.err
}

// source is where a customer of this run came from, if the vault may not show it yet.
func (lk *lookup) source(no model.CustomerNo) (string, bool) {
	for _, p := range lk.pending {
		if src, ok := p[no]; ok {
			return src, true
		}
	}
	return "", false
}
