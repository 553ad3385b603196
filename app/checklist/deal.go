package checklist

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"handover/app/validate"
)

// Where the recipient of the data is: outside the mainland, the export needs a legal basis
// for the cross-border transfer (PIPL Art. 38–40).
const (
	Mainland = "mainland" // 中国境内
	HMT      = "hmt"      // 港澳台
	Abroad   = "abroad"   // 境外
)

// Locations lists every recipient location.
var Locations = []string{Mainland, HMT, Abroad}

// Legal bases for a cross-border transfer (PIPL Art. 38).
const (
	BasisSecurityAssessment = "security_assessment" // 安全评估
	BasisStandardContract   = "standard_contract"   // 标准合同
	BasisCertification      = "certification"       // 个人信息保护认证
)

// Bases lists every cross-border legal basis, strongest first; BasisExempt (crossborder.go)
// is the decision that none is needed.
var Bases = []string{BasisSecurityAssessment, BasisStandardContract, BasisCertification, BasisExempt}

// Sub-types of the built-in merger deal (合并、分立、解散、破产): succession by law (Civil
// Code Art. 67), each with its own items (a template item's "when"). Its template lists them.
const (
	Absorption  = "absorption"  // 吸收合并: the transferor is absorbed by the transferee
	NewCompany  = "new_company" // 新设合并: both merge into a new company, the transferee
	Division    = "division"    // 分立: each successor takes the part the division gives it
	Dissolution = "dissolution" // 解散: a liquidation team acts for the transferor
	Bankruptcy  = "bankruptcy"  // 破产: the administrator acts for the transferor
)

// Party is one side of the deal.
type Party struct {
	Name string `json:"name"`
	// Person: a natural person (an equity transfer's shareholder), who has no credit code.
	Person     bool   `json:"person,omitempty"`
	CreditCode string `json:"credit_code,omitempty"` // 统一社会信用代码, GB 32100-2015
	Address    string `json:"address,omitempty"`
	Contact    string `json:"contact,omitempty"`
	Phone      string `json:"phone,omitempty"`
}

// Deal is the handover project a vault holds (交接项目): what kind, between whom, to where.
type Deal struct {
	Type string `json:"type"`
	// Subtype is the merger's kind (Subtypes); empty for the other deal types.
	Subtype string `json:"subtype,omitempty"`
	// Target is an equity transfer's company: the personal-information handler, which stays
	// the same while its shares change hands (PIPL Art. 9, 51, 52). Transferor and
	// transferee are then the selling and buying shareholders, who may be natural persons.
	Target *Party `json:"target,omitempty"`
	// ActingFor, on a dissolution or bankruptcy, is the liquidation team or administrator
	// that acts for the transferor.
	ActingFor         string    `json:"acting_for,omitempty"`
	Transferor        Party     `json:"transferor"`
	Transferee        Party     `json:"transferee"`
	RecipientLocation string    `json:"recipient_location"`
	PlannedStart      string    `json:"planned_start,omitempty"` // YYYY-MM-DD, Asia/Shanghai
	PlannedEnd        string    `json:"planned_end,omitempty"`
	Created           time.Time `json:"created"`
	// Retention is who keeps the customer identity and transaction records after the
	// handover (AML Law: at least ten years after the relationship ends), recorded with the
	// name of whoever confirmed the reading; nil until recorded.
	Retention *RetentionKeeper `json:"retention,omitempty"`
	// Rules: the version of each rule set the deal was recorded under (checklist template,
	// cross-border thresholds, retention rules), so that a later change of rules shows
	// (docs/LAWUPDATES.md).
	Rules map[string]string `json:"rules,omitempty"`
}

// Who keeps the AML records after the handover.
const (
	KeeperTransferor = "transferor" // kept by the old company, restricted to storage only
	KeeperTransferee = "transferee" // handed over with the book; the transferor keeps nothing
)

// RetentionKeeper records the deal's retention arrangement.
type RetentionKeeper struct {
	Keeper      string    `json:"keeper"`       // KeeperTransferor or KeeperTransferee
	Years       int       `json:"years"`        // after the relationship ends
	ConfirmedBy string    `json:"confirmed_by"` // counsel or officer who confirmed the reading
	By          string    `json:"by"`
	At          time.Time `json:"at"`
}

// DealError names the field of a deal that is wrong and why; the UI translates Reason.
type DealError struct {
	Field  string // e.g. "transferor.credit_code"
	Reason string // deal_type, subtype, required, person_not_allowed, credit_code_format, credit_code_checksum, same_party, location, date, dates_order
	Detail string
}

func (e *DealError) Error() string {
	if e.Detail != "" {
		return fmt.Sprintf("deal: %s: %s (%s)", e.Field, e.Reason, e.Detail)
	}
	return fmt.Sprintf("deal: %s: %s", e.Field, e.Reason)
}

// ActsThroughLiquidator says whether a liquidation team or an administrator acts for the
// transferor (its template's sub-type says so: a dissolution or a bankruptcy).
func (d *Deal) ActsThroughLiquidator() bool {
	t, err := Load(d.Type)
	if err != nil {
		return false
	}
	s, ok := t.Subtype(d.Subtype)
	return ok && s.Liquidator
}

// normalize trims a party's fields and checks its name and credit code; a natural person
// (allowed only where persons may be parties) has no credit code.
func (p *Party) normalize(field string, personAllowed bool) error {
	p.Name, p.Address = strings.TrimSpace(p.Name), strings.TrimSpace(p.Address)
	p.Contact, p.Phone = strings.TrimSpace(p.Contact), strings.TrimSpace(p.Phone)
	if p.Name == "" {
		return &DealError{Field: field + ".name", Reason: "required"}
	}
	if p.Person {
		if !personAllowed {
			return &DealError{Field: field + ".person", Reason: "person_not_allowed"}
		}
		// A person's identity number is not asked for: the deal names them, the agreement
		// identifies them.
		p.CreditCode = ""
		return nil
	}
	code, prob := validate.CreditCode(p.CreditCode)
	if prob != nil {
		return &DealError{Field: field + ".credit_code", Reason: string(prob.Reason), Detail: prob.Message}
	}
	p.CreditCode = code
	return nil
}

// Normalize trims the deal's fields, upper-cases the credit codes and checks everything,
// returning the first problem.
func (d *Deal) Normalize() error {
	t, err := Load(d.Type)
	if !slices.Contains(DealTypes, d.Type) || err != nil {
		return &DealError{Field: "type", Reason: "deal_type", Detail: strings.Join(DealTypes, ", ")}
	}
	if d.RecipientLocation == "" {
		d.RecipientLocation = Mainland
	}
	if !slices.Contains(Locations, d.RecipientLocation) {
		return &DealError{Field: "recipient_location", Reason: "location", Detail: "mainland, hmt or abroad"}
	}
	d.Subtype, d.ActingFor = strings.TrimSpace(d.Subtype), strings.TrimSpace(d.ActingFor)
	switch subs := Subtypes[d.Type]; {
	case len(subs) > 0 && !slices.Contains(subs, d.Subtype):
		return &DealError{Field: "subtype", Reason: "subtype", Detail: strings.Join(subs, ", ")}
	case len(subs) == 0 && d.Subtype != "":
		return &DealError{Field: "subtype", Reason: "subtype", Detail: "this deal type has no sub-types"}
	}
	if d.ActsThroughLiquidator() && d.ActingFor == "" {
		return &DealError{Field: "acting_for", Reason: "required"}
	}
	parties := []struct {
		name string
		p    *Party
	}{{"transferor", &d.Transferor}, {"transferee", &d.Transferee}}
	if t.Parties.Target {
		if d.Target == nil {
			d.Target = &Party{}
		}
		d.Target.Person = false
		parties = append(parties, struct {
			name string
			p    *Party
		}{"target", d.Target})
	} else {
		d.Target = nil
	}
	for _, side := range parties {
		if err := side.p.normalize(side.name, t.Parties.Persons); err != nil {
			return err
		}
	}
	// The two sides are different legal persons, except where the template allows the same
	// (an equity transfer: the handler stays the same company and the form may name it on
	// both sides).
	if !t.Parties.SameParty && d.Transferor.CreditCode != "" && d.Transferor.CreditCode == d.Transferee.CreditCode {
		return &DealError{Field: "transferee.credit_code", Reason: "same_party"}
	}
	var dates [2]time.Time
	for i, f := range []struct {
		name string
		v    *string
	}{{"planned_start", &d.PlannedStart}, {"planned_end", &d.PlannedEnd}} {
		*f.v = strings.TrimSpace(*f.v)
		if *f.v == "" {
			continue
		}
		// Dates as clerks type them (2026/12/1, 2026年12月1日, 20261201) are kept as
		// YYYY-MM-DD.
		day, p := validate.Date(*f.v)
		if p != nil {
			return &DealError{Field: f.name, Reason: "date", Detail: "YYYY-MM-DD"}
		}
		*f.v = day.String()
		dates[i] = time.Date(day.Y, time.Month(day.M), day.D, 0, 0, 0, 0, time.UTC)
	}
	if !dates[0].IsZero() && !dates[1].IsZero() && dates[1].Before(dates[0]) {
		return &DealError{Field: "planned_end", Reason: "dates_order"}
	}
	return nil
}
