package validate

import (
	"errors"
	"regexp"
	"strings"
	"time"

	"handover/app/idcard"
)

var excelScientific = regexp.MustCompile(`^[0-9](\.[0-9]+)?[eE]\+?[0-9]+$`)

// IDNumber normalises and checks a resident identity number (GB 11643-1999). Lower-case x
// and full-width digits are folded silently; a 15-digit legacy number is converted to 18
// digits with a warning. The returned value is the normalised number ("" on error).
func IDNumber(raw string, now time.Time) (string, *Problem) {
	s := strings.ToUpper(fold(raw))
	s = strings.ReplaceAll(s, " ", "")
	switch {
	case s == "":
		return "", fail(IDFormat, "the identity number is empty")
	case excelScientific.MatchString(s):
		return "", fail(IDExcelScientific, "the identity number was stored as a number in Excel (shown like 3.70102E+17) and its last digits are lost; format the column as text in the source and export again")
	case len(s) == 15 && allDigits(s):
		body := s[:6] + "19" + s[6:]
		full := body + string(idcard.CheckDigit(body))
		if p := checkID(full, now); p != nil {
			return "", p
		}
		return full, warn(IDLegacy15, "a 15-digit legacy number was converted to 18 digits")
	}
	if p := checkID(s, now); p != nil {
		if p.Reason == IDChecksum && strings.HasSuffix(s, "000") {
			// A number column keeps 15 significant digits: the last three become 0.
			return "", fail(IDExcelScientific, "the last digits of the identity number are 000 and the check digit fails: the column was stored as a number in Excel, which keeps only 15 digits; format the column as text in the source and export again")
		}
		return "", p
	}
	return s, nil
}

func checkID(s string, now time.Time) *Problem {
	err := idcard.Validate(s, now)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, idcard.ErrChecksum):
		return fail(IDChecksum, "the check digit does not match (GB 11643, ISO 7064 MOD 11-2)")
	case errors.Is(err, idcard.ErrBirthdate):
		return fail(IDBirthdate, "the birth date in the number is impossible or in the future")
	case errors.Is(err, idcard.ErrRegion):
		return fail(IDRegion, "the first two digits are not a province code")
	}
	return fail(IDFormat, "an identity number has 18 characters: 17 digits and a digit or X")
}

func allDigits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
