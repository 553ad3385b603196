package notice

import (
	"errors"
	"regexp"
	"strings"
	"unicode/utf8"
)

// gsm7 is the GSM 03.38 default alphabet; an SMS of these characters only is sent 7-bit.
const gsm7 = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"

// gsm7ext are the extension characters, which take two septets each.
const gsm7ext = "^{}\\[~]|€\f"

var gsmASCII, gsmExtASCII [128]bool

func init() {
	for _, r := range gsm7 {
		if r < 128 {
			gsmASCII[r] = true
		}
	}
	for _, r := range gsm7ext {
		if r < 128 {
			gsmExtASCII[r] = true
		}
	}
}

// septets is what r takes in GSM 7-bit: 1, 2 for an extension character, 0 when r has no
// GSM encoding.
func septets(r rune) int {
	switch {
	case r < 128 && gsmASCII[r]:
		return 1
	case r < 128 && gsmExtASCII[r]:
		return 2
	case r < 128:
		return 0
	case strings.ContainsRune(gsm7, r):
		return 1
	case r == '€':
		return 2
	}
	return 0
}

// Segments is how many SMS a message is sent as: GSM 7-bit text fits 160 characters in one
// message and 153 a part when split; text with any other character (Chinese) goes as UCS-2,
// 70 characters in one message and 67 a part. Characters outside the Basic Multilingual
// Plane take two UCS-2 units.
func Segments(msg string) int {
	if msg == "" {
		return 0
	}
	n, isGSM := 0, true
	for _, r := range msg {
		k := septets(r)
		if k == 0 {
			isGSM = false
			break
		}
		n += k
	}
	if isGSM {
		if n <= 160 {
			return 1
		}
		return (n + 152) / 153
	}
	units := 0
	for _, r := range msg {
		units++
		if r > 0xFFFF {
			units++
		}
	}
	if units <= 70 {
		return 1
	}
	return (units + 66) / 67
}

// Chars is the message's length in characters, as SMS operators count it.
func Chars(msg string) int { return utf8.RuneCountInString(msg) }

var signaturePat = regexp.MustCompile(`^【[^【】]{2,16}】`)

// longDigits says whether s holds a run of 15 or more digits (an X may end an identity
// number): what an identity, card or account number looks like.
func longDigits(s string) bool {
	run := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			run++
		case (c == 'X' || c == 'x') && run == 17:
			run++
		default:
			run = 0
		}
		if run >= 15 {
			return true
		}
	}
	return false
}

// Errors of an SMS, meant for the user.
var (
	ErrSMSSignature = errors.New("an SMS must begin with the sender's signature in 【】 (2 to 16 characters), as the SMS rules require")
	ErrSMSIdentity  = errors.New("an SMS may not carry an identity number or a full card or account number")
)

// CheckSMS refuses a message without the sender's signature 【…】 at its start, or with a run of
// digits that could be an identity, card or account number.
func CheckSMS(msg string) error {
	if !signaturePat.MatchString(msg) {
		return ErrSMSSignature
	}
	if longDigits(msg) {
		return ErrSMSIdentity
	}
	return nil
}
