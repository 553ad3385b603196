package validate

import "strings"

// Reasons of CreditCode.
const (
	CreditCodeFormat   Reason = "credit_code_format"
	CreditCodeChecksum Reason = "credit_code_checksum"
)

// creditCodeChars are the characters of a unified social credit code (GB 32100-2015), in
// the order of their values: the digits and the capital letters without I, O, S, V and Z.
const creditCodeChars = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// creditCodeWeights are 3^i mod 31 for the first seventeen positions.
var creditCodeWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// CreditCode normalises a 统一社会信用代码 (full-width characters folded, letters upper-cased,
// spaces and hyphens dropped) and checks its length, alphabet and GB 32100-2015 check
// character. Parties to a deal are identified by it, so a mistyped code is refused.
func CreditCode(raw string) (string, *Problem) {
	s := strings.ToUpper(strings.NewReplacer(" ", "", "-", "").Replace(fold(raw)))
	if len(s) != 18 {
		return "", fail(CreditCodeFormat, "a unified social credit code has 18 characters")
	}
	for i := range 17 {
		if strings.IndexByte(creditCodeChars, s[i]) < 0 {
			return "", fail(CreditCodeFormat, "character %d is not one a credit code uses (digits and capital letters other than I, O, S, V, Z)", i+1)
		}
	}
	if s[17] != CreditCodeCheck(s[:17]) {
		return "", fail(CreditCodeChecksum, "the check character does not match: the code is mistyped")
	}
	return s, nil
}

// CreditCodeCheck returns the check character of the first seventeen characters of a credit
// code, which must already be valid characters.
func CreditCodeCheck(body string) byte {
	sum := 0
	for i := range 17 {
		sum += strings.IndexByte(creditCodeChars, body[i]) * creditCodeWeights[i]
	}
	return creditCodeChars[(31-sum%31)%31]
}
