package vault

import (
	"strings"
	"time"
	"unicode"

	"handover/app/validate"
)

// DetectSearchKind says what a search box holds, so that a clerk need not choose: an
// identity number (18 or 15 characters, digits and a final X), a mobile number (11 digits
// starting with 1, with +86, spaces or dashes allowed), a contract number (Latin letters or
// digits with dashes), or else the beginning of a name.
func DetectSearchKind(q string) SearchKind {
	q = strings.TrimSpace(q)
	compact := strings.NewReplacer(" ", "", "-", "", "+86", "").Replace(q)
	switch {
	case len(compact) == 11 && compact[0] == '1' && allDigits(compact):
		return ByPhone
	case (len(compact) == 18 || len(compact) == 15) && allDigits(strings.TrimRight(strings.ToUpper(compact), "X")):
		return ByIDNumber
	}
	for _, r := range q {
		if unicode.Is(unicode.Han, r) {
			return ByNamePrefix
		}
	}
	for _, r := range q {
		if unicode.IsDigit(r) {
			return ByContract
		}
	}
	return ByNamePrefix
}

// CheckSearchedID explains why an identity number typed in a search cannot match anyone:
// a wrong check digit, an impossible birth date, an unknown province. nil when it is valid.
func CheckSearchedID(q string, now time.Time) error {
	if _, p := validate.IDNumber(q, now); p != nil && !p.Warning {
		return &SearchIDError{Reason: string(p.Reason)}
	}
	return nil
}

// SearchIDError is an identity number that no customer can have; Reason is a validation
// reason code (id_checksum, id_birthdate, id_region, id_format, …).
type SearchIDError struct{ Reason string }

func (e *SearchIDError) Error() string {
	return "the identity number searched for is not valid (" + e.Reason + "), so no customer can have it; check the digits"
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}
