package handoverpkg

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"

	"handover/store/model"
)

// ReadCustomerList reads customer numbers, one a line; blank lines and # comments are
// skipped. A bad line is named.
func ReadCustomerList(path string) ([]model.CustomerNo, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	out := []model.CustomerNo{}
	for i, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		n, err := strconv.ParseUint(line, 10, 64)
		if err != nil || n == 0 {
			// The line is not repeated: a list of customers may hold an identity number by
			// mistake, and errors must never carry personal data.
			return nil, fmt.Errorf("%s line %d: not a customer number (a number as the Customers screen shows it, %d characters given)", path, i+1, utf8.RuneCountInString(line))
		}
		out = append(out, model.CustomerNo(n))
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s lists no customer number", path)
	}
	return out, nil
}
