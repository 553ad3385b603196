package importer

import (
	"errors"
	"io"
	"maps"
	"strconv"
	"time"

	"handover/store/model"
)

// PreviewRow is one row as it will be stored, for the import wizard: the converted value of
// each mapped field (identifiers masked, as the customer list shows them), and what the
// validators found. Lookups that need the vault (duplicates, unknown customers) are not
// previewed; the import reports them.
type PreviewRow struct {
	Line     int
	Values   map[string]string
	Findings []Finding
	// Totals marks the file's own totals or subtotal row, which is not imported.
	Totals bool
}

// Preview converts the first n rows of an input under mapping m.
func Preview(in Input, m Mapping, n int, now time.Time) ([]PreviewRow, error) {
	if in.Table == Documents {
		return nil, nil
	}
	src, err := in.Open(nil)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	m = maps.Clone(m)
	for _, i := range ForbiddenColumns(in.Header) {
		for f, j := range m {
			if j == i {
				m[f] = -1
			}
		}
	}
	cv := &converter{table: in.Table, header: in.Header, m: m, now: now, source: in.Name()}
	var out []PreviewRow
	for len(out) < n {
		row, err := src.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		var rf *rowFormatError
		if errors.As(err, &rf) {
			out = append(out, PreviewRow{Line: rf.Line, Findings: []Finding{{Reason: ReasonRowFormat}}})
			continue
		}
		if err != nil {
			return out, &FileError{File: in.Name(), Err: err}
		}
		c := cv.convert(row)
		if c.totals {
			out = append(out, PreviewRow{Line: row.Line, Values: map[string]string{}, Totals: true})
			continue
		}
		out = append(out, PreviewRow{Line: row.Line, Values: previewValues(in.Table, c), Findings: c.findings})
	}
	return out, nil
}

func previewValues(t Table, c *converted) map[string]string {
	v := map[string]string{}
	switch t {
	case Customers:
		cu := c.customer
		v["name"] = model.Masked(model.MaskName, cu.Name)
		v["id_number"] = model.Masked(model.MaskID, cu.IDNumber)
		v["phone"] = model.Masked(model.MaskPhone, cu.Phone)
		v["bank_card"] = model.Masked(model.MaskCard, cu.BankCard)
		v["bank_name"] = cu.BankName
		v["address"] = model.Masked(model.MaskAddress, cu.Address)
		v["gender"] = cu.Gender
		v["occupation"] = cu.Occupied
		v["customer_number"] = cu.Number
	case Loans:
		l := c.loan
		v["contract"] = l.Contract
		v["id_number"] = model.Masked(model.MaskID, c.loanID)
		v["customer_number"] = c.loanNo
		v["principal"] = l.Principal.Yuan()
		v["outstanding"] = l.Outstanding.Yuan()
		v["rate"] = strconv.FormatFloat(float64(l.RateBP)/100, 'f', -1, 64) + "%"
		v["term"] = strconv.Itoa(l.TermMonths)
		v["disbursed"] = dateText(l.Disbursed)
		v["maturity"] = dateText(l.Maturity)
		v["status"] = string(l.Status)
		v["class"] = string(l.Class)
		v["overdue"] = strconv.Itoa(l.OverdueDays)
		v["purpose"] = l.Purpose
	case Repayments:
		r := c.rep
		v["contract"] = r.Contract
		v["paid"] = dateText(r.Paid)
		v["due"] = dateText(r.Due)
		v["principal"] = r.Principal.Yuan()
		v["interest"] = r.Interest.Yuan()
		v["penalty"] = r.Penalty.Yuan()
		v["amount"] = r.Total().Yuan()
		v["channel"] = r.Channel
	}
	return v
}

func dateText(d model.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}
