package vault

import (
	"strings"
	"unicode"

	"golang.org/x/text/width"

	"handover/app/checklist"
	"handover/crypto/identity"
	"handover/store"
)

// signerSides matches each signer of a statement to a party of the deal, by the
// organisation (or, for a natural-person shareholder, the name) on their card against the
// names the deal records. A signer who matches neither party has no side: they may sign,
// but they count for neither party's signature on the confirmation.
func signerSides(d *checklist.Deal, signers []identity.Card) map[string]string {
	if d == nil {
		return nil
	}
	out := map[string]string{}
	for _, c := range signers {
		for _, p := range []struct {
			side  string
			party checklist.Party
		}{{checklist.SideTransferor, d.Transferor}, {checklist.SideTransferee, d.Transferee}} {
			if sameName(c.Organisation, p.party.Name) || p.party.Person && sameName(c.Name, p.party.Name) {
				out[c.Fingerprint] = p.side
				break
			}
		}
	}
	return out
}

// sameName compares names as people type them: full-width and half-width forms, spaces and
// letter case do not matter.
func sameName(a, b string) bool {
	fold := func(s string) string {
		s = width.Fold.String(s)
		return strings.Map(func(r rune) rune {
			if unicode.IsSpace(r) {
				return -1
			}
			return unicode.ToLower(r)
		}, s)
	}
	return a != "" && fold(a) == fold(b)
}

// bothParties says whether a statement's signers who have signed include one of each party.
func (c certRecord) bothParties() bool {
	seen := map[string]bool{}
	for fp, side := range c.Sides {
		if c.Signed[fp] {
			seen[side] = true
		}
	}
	return seen[checklist.SideTransferor] && seen[checklist.SideTransferee]
}

// bookCounts is the book's stamp for items that agree to it: every import, receipt,
// correction and destruction moves one of these counts.
func bookCounts(st *store.Store) string {
	c := st.Counts()
	return strings.Join([]string{itoa(c.Customers), itoa(c.Loans), itoa(c.Repayments), itoa(c.Documents),
		itoa(c.DocumentBytes), itoa(int64(c.NextCustomer)), itoa(int64(c.NextSegment))}, "/")
}
