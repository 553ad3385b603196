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

// Bases lists every cross-border legal basis.
var Bases = []string{BasisSecurityAssessment, BasisStandardContract, BasisCertification}

// Party is one side of the deal.
type Party struct {
	Name       string `json:"name"`
	CreditCode string `json:"credit_code"` // 统一社会信用代码, GB 32100-2015
	Address    string `json:"address,omitempty"`
	Contact    string `json:"contact,omitempty"`
	Phone      string `json:"phone,omitempty"`
}

// Deal is the handover project a vault holds (交接项目): what kind, between whom, to where.
type Deal struct {
	Type              string    `json:"type"`
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
	Reason string // deal_type, required, credit_code_format, credit_code_checksum, location, date, dates_order
	Detail string
}

func (e *DealError) Error() string {
	if e.Detail != "" {
		return fmt.Sprintf("deal: %s: %s (%s)", e.Field, e.Reason, e.Detail)
	}
	return fmt.Sprintf("deal: %s: %s", e.Field, e.Reason)
}

// Normalize trims the deal's fields, upper-cases the credit codes and checks everything,
// returning the first problem.
func (d *Deal) Normalize() error {
	if !slices.Contains(DealTypes, d.Type) {
		return &DealError{Field: "type", Reason: "deal_type", Detail: "equity, loan-book or merger"}
	}
	if d.RecipientLocation == "" {
		d.RecipientLocation = Mainland
	}
	if !slices.Contains(Locations, d.RecipientLocation) {
		return &DealError{Field: "recipient_location", Reason: "location", Detail: "mainland, hmt or abroad"}
	}
	for _, side := range []struct {
		name string
		p    *Party
	}{{"transferor", &d.Transferor}, {"transferee", &d.Transferee}} {
		p := side.p
		p.Name, p.Address = strings.TrimSpace(p.Name), strings.TrimSpace(p.Address)
		p.Contact, p.Phone = strings.TrimSpace(p.Contact), strings.TrimSpace(p.Phone)
		if p.Name == "" {
			return &DealError{Field: side.name + ".name", Reason: "required"}
		}
		code, prob := validate.CreditCode(p.CreditCode)
		if prob != nil {
			return &DealError{Field: side.name + ".credit_code", Reason: string(prob.Reason), Detail: prob.Message}
		}
		p.CreditCode = code
	}
	if d.Transferor.CreditCode == d.Transferee.CreditCode {
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
		t, err := time.Parse("2006-01-02", *f.v)
		if err != nil {
			return &DealError{Field: f.name, Reason: "date", Detail: "YYYY-MM-DD"}
		}
		dates[i] = t
	}
	if !dates[0].IsZero() && !dates[1].IsZero() && dates[1].Before(dates[0]) {
		return &DealError{Field: "planned_end", Reason: "dates_order"}
	}
	return nil
}
