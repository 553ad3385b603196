package validate

import (
	"regexp"
	"strconv"
	"time"

	"handover/store/model"
)

var (
	dateSep     = regexp.MustCompile(`^([0-9]{4})[-/.]([0-9]{1,2})[-/.]([0-9]{1,2})$`)
	dateCJK     = regexp.MustCompile(`^([0-9]{4})年([0-9]{1,2})月([0-9]{1,2})日$`)
	dateCompact = regexp.MustCompile(`^([0-9]{4})([0-9]{2})([0-9]{2})$`)
	excelSerial = regexp.MustCompile(`^[0-9]{1,5}(\.[0-9]+)?$`)
)

// Date parses 2023-01-05, 2023/1/5, 2023.1.5, 2023年1月5日, 20230105 and Excel serial day
// numbers (1900 date system; 44931 is 2023-01-05). A time of day after a space is ignored.
// Impossible dates such as 2023/2/30 are refused, never rolled over.
func Date(raw string) (model.Date, *Problem) {
	s := fold(raw)
	if i := indexByte(s, ' '); i > 0 {
		s = s[:i]
	}
	var y, m, d int
	if fy, fm, fd, ok := isoDate(s); ok {
		y, m, d = fy, fm, fd
	} else if g := dateSep.FindStringSubmatch(s); g != nil {
		y, m, d = atoi(g[1]), atoi(g[2]), atoi(g[3])
	} else if g := dateCJK.FindStringSubmatch(s); g != nil {
		y, m, d = atoi(g[1]), atoi(g[2]), atoi(g[3])
	} else if g := dateCompact.FindStringSubmatch(s); g != nil {
		y, m, d = atoi(g[1]), atoi(g[2]), atoi(g[3])
	} else if excelSerial.MatchString(s) {
		f, _ := strconv.ParseFloat(s, 64)
		n := int(f)
		if n < 1 || n > 2958465 { // Excel's range: 1900-01-01 to 9999-12-31
			return model.Date{}, fail(DateInvalid, "the Excel date number is out of range")
		}
		// Excel counts 1900-02-29, which never existed; serials after it are one day ahead.
		base := time.Date(1899, 12, 31, 0, 0, 0, 0, time.UTC)
		if n > 59 {
			n--
		}
		return model.DateOf(base.AddDate(0, 0, n)), nil
	} else {
		return model.Date{}, fail(DateInvalid, "not a date (use 2023-01-05, 2023/1/5, 2023年1月5日 or 20230105)")
	}
	if y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 || d > model.DaysIn(y, m) {
		return model.Date{}, fail(DateInvalid, "the date does not exist")
	}
	return model.Date{Y: y, M: m, D: d}, nil
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

func indexByte(s string, b byte) int {
	for i := range len(s) {
		if s[i] == b {
			return i
		}
	}
	return -1
}

// isoDate reads YYYY-MM-DD and YYYY/MM/DD without a regular expression: exports write
// millions of them, and this is the hot path of a repayment import.
func isoDate(s string) (y, m, d int, ok bool) {
	if len(s) != 10 || s[4] != s[7] || (s[4] != '-' && s[4] != '/') {
		return 0, 0, 0, false
	}
	n := 0
	for i := range 10 {
		if i == 4 || i == 7 {
			continue
		}
		c := s[i]
		if c < '0' || c > '9' {
			return 0, 0, 0, false
		}
		n = n*10 + int(c-'0')
		switch i {
		case 3:
			y, n = n, 0
		case 6:
			m, n = n, 0
		case 9:
			d = n
		}
	}
	return y, m, d, true
}
