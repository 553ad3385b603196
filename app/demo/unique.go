package demo

import (
	"strconv"

	"handover/store/model"
)

// Identity, mobile and card numbers are drawn as permutations of the customer's index, not
// at random: a book of a million customers drawn at random shares identity numbers (the
// birthday bound, with some 660 million numbers to draw from), and the importer rightly
// refuses a second customer with the same number. A keyed Feistel network permutes a
// power-of-two range, and cycle-walking keeps it to the range of valid numbers, so every
// index has its own number, the numbers still look random, and customer i is still a pure
// function of (seed, i).

// feistel permutes [0, 2^(2·half)) under a key: four rounds of SplitMix64's mixer.
func feistel(key uint64, x uint64, half uint) uint64 {
	mask := uint64(1)<<half - 1
	l, r := x>>half, x&mask
	for round := range uint64(4) {
		l, r = r, l^(mix(key^(round+1)*0x9E3779B97F4A7C15^r)&mask)
	}
	return l<<half | r
}

// mix is SplitMix64's finaliser: fixed, so a book is the same in every process.
func mix(z uint64) uint64 {
	z = (z ^ z>>30) * 0xBF58476D1CE4E5B9
	z = (z ^ z>>27) * 0x94D049BB133111EB
	return z ^ z>>31
}

// permute maps i into [0, n) one to one, for i < n.
func permute(key uint64, i, n uint64, half uint) uint64 {
	x := i
	for {
		x = feistel(key, x, half)
		if x < n {
			return x
		}
	}
}

const birthYears = 49 // 1955 to 2003

// Ranges the numbers are drawn from.
var (
	idSpace    = uint64(len(regions)) * birthYears * 12 * 28 * 1000
	phoneSpace = uint64(len(mobilePrefixes)) * 100_000_000
	cardSpace  = uint64(len(cardBINs)) * 1_000_000_000 // the shortest card has nine free digits
)

// identity is customer i's region, birth date and identity number.
func (g *Generator) identity(i int) (region int, birth model.Date, number string) {
	j := permute(g.Seed^0x1d, uint64(i), idSpace, 15)
	seq := int(j % 1000)
	j /= 1000
	birth.D = 1 + int(j%28)
	j /= 28
	birth.M = 1 + int(j%12)
	j /= 12
	birth.Y = 1955 + int(j%birthYears)
	region = int(j / birthYears)
	body := regions[region].code + strconv.Itoa(birth.Y) + pad2(birth.M) + pad2(birth.D) + pad3(seq)
	return region, birth, body + string(idcardCheck(body))
}

// mobile is customer i's mobile number.
func (g *Generator) mobile(i int) string {
	j := permute(g.Seed^0x3b, uint64(i), phoneSpace, 16)
	return mobilePrefixes[j/100_000_000] + pad(int(j%100_000_000), 8)
}

// card is customer i's bank card and its bank.
func (g *Generator) card(i int) (string, string) {
	j := permute(g.Seed^0x5c, uint64(i), cardSpace, 17)
	bin := cardBINs[j%uint64(len(cardBINs))]
	free := bin.length - len(bin.bin) - 1
	return luhnComplete(bin.bin + pad(int(j/uint64(len(cardBINs))), free)), bin.bank
}

func pad3(n int) string { return pad(n, 3) }

func pad(n, width int) string {
	s := strconv.Itoa(n)
	for len(s) < width {
		s = "0" + s
	}
	return s
}
