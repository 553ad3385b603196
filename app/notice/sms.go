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

// Segments is how many SMS a message is sent as: GSM 7-bit text fits 160 characters in one
// message and 153 a part when split; text with any other character (Chinese) goes as UCS-2,
// 70 characters in one message and 67 a part. Characters outside the Basic Multilingual
// Plane take two UCS-2 units.
func Segments(msg string) int {
	if msg == "" {
		return 0
	}
	septets, isGSM := 0, true
	for _, r := range msg {
		switch {
		case strings.ContainsRune(gsm7, r):
			septets++
		case strings.ContainsRune(gsm7ext, r):
			septets += 2
		default:
			isGSM = false
		}
	}
	if isGSM {
		if septets <= 160 {
			return 1
		}
		return (septets + 152) / 153
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

var (
	idNumberPattern = regexp.MustCompile(`\d{17}[\dXx]|\d{15}`)
	cardPattern     = regexp.MustCompile(`\d{16,19}`)
	signaturePat    = regexp.MustCompile(`^【[^【】]{2,16}】`)
)

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
	if idNumberPattern.MatchString(msg) || cardPattern.MatchString(msg) {
		return ErrSMSIdentity
	}
	return nil
}
