package validate

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

var (
	phoneNoise = strings.NewReplacer(" ", "", "(", "", ")", "")
	cardNoise  = strings.NewReplacer(" ", "", "-", "")
	mobile     = regexp.MustCompile(`^1[3-9][0-9]{9}$`)
	landline   = regexp.MustCompile(`^0[1-9][0-9]{1,2}-?[1-9][0-9]{6,7}$`)
)

// Phone normalises a mobile number (11 digits starting 13–19, after removing +86, spaces and
// dashes) or a landline with its area code (kept as 010-12345678).
func Phone(raw string) (string, *Problem) {
	s := fold(raw)
	s = phoneNoise.Replace(s)
	for _, p := range []string{"+86", "0086"} {
		s = strings.TrimPrefix(s, p)
	}
	s = strings.TrimPrefix(s, "-")
	if digits := strings.ReplaceAll(s, "-", ""); mobile.MatchString(digits) {
		return digits, nil
	}
	if landline.MatchString(s) {
		return s, nil
	}
	return "", fail(PhoneFormat, "not a mobile number (11 digits starting with 13 to 19) nor a landline with area code")
}

// BankCard normalises a card or account number: 12 to 19 digits. A failed Luhn check is only
// a warning, because some UnionPay cards fail it.
func BankCard(raw string) (string, *Problem) {
	s := cardNoise.Replace(fold(raw))
	if len(s) < 12 || len(s) > 19 || !allDigits(s) {
		return "", fail(CardFormat, "a bank card or account number has 12 to 19 digits")
	}
	if !luhn(s) {
		return s, warn(CardLuhn, "the number fails the Luhn check (some UnionPay cards do)")
	}
	return s, nil
}

func luhn(s string) bool {
	sum := 0
	for i := len(s) - 1; i >= 0; i-- {
		d := int(s[i] - '0')
		if (len(s)-1-i)%2 == 1 {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

// Name checks a person's name: not empty, and not damaged by a lossy export (U+FFFD
// replacement characters or runs of question marks where characters were lost).
func Name(raw string) (string, *Problem) {
	s := fold(raw)
	switch {
	case s == "":
		return "", fail(NameEmpty, "the name is empty")
	case !utf8.ValidString(s) || strings.ContainsRune(s, utf8.RuneError) || strings.Contains(s, "??") || strings.Contains(s, "？？"):
		return "", fail(NameDamaged, "the name has characters lost by a wrong encoding (� or ??); export the source again")
	}
	return s, nil
}
