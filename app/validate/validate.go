// Package validate checks and normalises the fields of imported rows: identity numbers,
// mobile and landline numbers, bank cards, names, amounts and dates. Each refusal or warning
// carries a stable reason code (the contract: shown translated in the UI, printed as
// the code by --json) and a message that says what is wrong without repeating the value.
package validate

import "fmt"

// Reason is a stable reason code.
type Reason string

// The reason codes. Errors keep a row in quarantine; warnings accept it, flagged.
const (
	IDChecksum        Reason = "id_checksum"
	IDBirthdate       Reason = "id_birthdate"
	IDRegion          Reason = "id_region"
	IDLegacy15        Reason = "id_legacy15" // warning
	IDExcelScientific Reason = "id_excel_scientific"
	IDFormat          Reason = "id_format"
	PhoneFormat       Reason = "phone_format"
	CardLuhn          Reason = "card_luhn" // warning
	CardFormat        Reason = "card_format"
	NameEmpty         Reason = "name_empty"
	NameDamaged       Reason = "name_damaged"
	AmountFormat      Reason = "amount_format"
	DateInvalid       Reason = "date_invalid"
)

// Problem is one finding about one value.
type Problem struct {
	Reason  Reason
	Warning bool   // accepted, but flagged
	Message string // English; the UI translates by Reason
}

func (p *Problem) Error() string { return fmt.Sprintf("%s: %s", p.Reason, p.Message) }

func fail(r Reason, format string, a ...any) *Problem {
	return &Problem{Reason: r, Message: fmt.Sprintf(format, a...)}
}

func warn(r Reason, format string, a ...any) *Problem {
	return &Problem{Reason: r, Warning: true, Message: fmt.Sprintf(format, a...)}
}

// fold turns full-width digits, letters and common punctuation into ASCII and trims space.
func fold(s string) string {
	ascii := true
	for i := range len(s) {
		if s[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return trimSpace(s) // nothing to fold: the common case costs no allocation
	}
	out := make([]rune, 0, len(s))
	for _, r := range s {
		switch {
		case r >= '０' && r <= '９', r >= 'Ａ' && r <= 'Ｚ', r >= 'ａ' && r <= 'ｚ':
			r = r - 0xFEE0
		case r == '．':
			r = '.'
		case r == '，':
			r = ','
		case r == '－':
			r = '-'
		case r == '＋':
			r = '+'
		case r == '\u3000':
			r = ' '
		}
		out = append(out, r)
	}
	return trimSpace(string(out))
}

func trimSpace(s string) string {
	start, end := 0, len(s)
	for start < end && (s[start] == ' ' || s[start] == '\t' || s[start] == '\r' || s[start] == '\n') {
		start++
	}
	for end > start && (s[end-1] == ' ' || s[end-1] == '\t' || s[end-1] == '\r' || s[end-1] == '\n') {
		end--
	}
	return s[start:end]
}
