package pkg

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"handover/app/model"
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
			return nil, fmt.Errorf("%s line %d: %q is not a customer number", path, i+1, line)
		}
		out = append(out, model.CustomerNo(n))
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s lists no customer number", path)
	}
	return out, nil
}
