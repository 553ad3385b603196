package importer

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
)

// Profile is a reusable, named mapping: for each table, which header holds which field.
// It is saved as JSON so that staff can keep one per old system and use it again from the
// UI or with --mapping. Headers are matched by name, so a profile survives reordered
// columns; fields a profile does not name are matched through the aliases.
//
//	{"name": "旧信贷系统", "encoding": "gbk",
//	 "tables": {"customers": {"name": "客户名", "id_number": "证件号"}}}
type Profile struct {
	Name     string                      `json:"name"`
	Encoding string                      `json:"encoding,omitempty"`
	Tables   map[Table]map[string]string `json:"tables"`
}

// ErrProfile says a mapping profile is malformed.
var ErrProfile = errors.New("not a mapping profile")

// LoadProfile reads a profile and checks that it names known tables and fields.
func LoadProfile(path string) (*Profile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var p Profile
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrProfile, err)
	}
	return &p, p.Check()
}

// Check reports the first unknown table or field.
func (p *Profile) Check() error {
	for t, cols := range p.Tables {
		fields, ok := aliases[t]
		if !ok {
			return fmt.Errorf("%w: unknown table %q", ErrProfile, t)
		}
		for f := range cols {
			if _, ok := fields[f]; !ok {
				return fmt.Errorf("%w: table %s has no field %q (known: %s)", ErrProfile, t, f, strings.Join(Fields(t), ", "))
			}
		}
	}
	if p.Encoding != "" && p.Encoding != EncAuto {
		if _, err := decoder(p.Encoding); err != nil {
			return fmt.Errorf("%w: %v", ErrProfile, err)
		}
	}
	return nil
}

// Save writes the profile as indented JSON.
func (p *Profile) Save(path string, write func(path string, data []byte) error) error {
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return err
	}
	return write(path, append(b, '\n'))
}

// Fields lists a table's fields in a stable order.
func Fields(t Table) []string {
	var out []string
	for f := range aliases[t] {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return fieldOrder(t, out[i]) < fieldOrder(t, out[j]) })
	return out
}

func fieldOrder(t Table, f string) int {
	for i, g := range order[t] {
		if g == f {
			return i
		}
	}
	return len(order[t])
}

// MappingFor maps a header: the profile's names first, aliases for the rest.
func MappingFor(t Table, header []string, p *Profile) Mapping {
	m := Match(t, header)
	if p == nil {
		return m
	}
	for f, name := range p.Tables[t] {
		m[f] = -1
		for i, h := range header {
			if normalize(h) == normalize(name) {
				m[f] = i
				break
			}
		}
	}
	return m
}

// Missing lists the required fields a mapping lacks; where either of two fields will do,
// the entry names both as "a|b".
func (m Mapping) Missing(t Table) []string {
	var out []string
	for _, alt := range required[t] {
		if !slices.ContainsFunc(strings.Split(alt, "|"), m.Has) {
			out = append(out, alt)
		}
	}
	return out
}

// Has says whether a field is mapped to a column.
func (m Mapping) Has(field string) bool {
	i, ok := m[field]
	return ok && i >= 0
}

// ProfileFrom records a mapping as a profile table: field → header text.
func ProfileFrom(m Mapping, header []string) map[string]string {
	out := map[string]string{}
	for f, i := range m {
		if i >= 0 && i < len(header) {
			out[f] = header[i]
		}
	}
	return out
}
