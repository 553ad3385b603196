package checklist

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"

	"handover/assets"
)

// BasisExempt: no mechanism needed, the transfer is under every threshold (2024 Provisions
// Art. 5). It is a basis like the others so that the record says what was decided.
const BasisExempt = "exempt"

// CrossBorder is what a transfer abroad rests on, recorded on the cross_border item.
type CrossBorder struct {
	Basis       string `json:"basis"`       // one of Bases
	Destination string `json:"destination"` // the country or region the recipient is in
	// Filing: the standard contract's filing number, the certificate's number, or the CAC's
	// approval document; empty only when exempt.
	Filing string `json:"filing,omitempty"`
	// Consent: how the separate consent of PIPL Art. 39 was obtained, or the legal basis
	// for providing without it.
	Consent string `json:"consent"`
	// CIIO: the handler is a critical information infrastructure operator, or the data
	// includes important data: a security assessment whatever the numbers.
	CIIO bool `json:"ciio_or_important_data,omitempty"`
	// Individuals and Sensitive are counted from the book (or the export's scope) plus what
	// was provided abroad earlier in the year (Prior…), as the thresholds count.
	Individuals      int64  `json:"individuals"`
	Sensitive        int64  `json:"sensitive"`
	PriorIndividuals int64  `json:"prior_individuals,omitempty"`
	PriorSensitive   int64  `json:"prior_sensitive,omitempty"`
	Required         string `json:"required"` // the weakest basis the thresholds allow
	Rules            string `json:"rules"`    // the thresholds' effective date
}

// Thresholds are the cross-border rules' numbers (assets/crossborder.json).
type Thresholds struct {
	Format    string `json:"format"`
	Effective string `json:"effective"`
	Source    Text   `json:"source"`
	Counted   Text   `json:"counted"`
	Sensitive Text   `json:"sensitive_means"`
	// A transfer needs a security assessment from these numbers of individuals (or of
	// individuals with sensitive information) on, a standard contract or certification
	// from the next.
	Assessment  Threshold `json:"security_assessment"`
	Contract    Threshold `json:"contract_or_certification"`
	HMTAsAbroad bool      `json:"hmt_as_abroad"`
	HMTNote     Text      `json:"hmt_note"`
}

// Threshold is a pair of counts: either reached is enough.
type Threshold struct {
	Individuals int64 `json:"individuals"`
	Sensitive   int64 `json:"sensitive"`
}

func (t Threshold) reached(individuals, sensitive int64) bool {
	return individuals >= t.Individuals || sensitive >= t.Sensitive
}

var (
	thresholdsOnce sync.Once
	thresholds     *Thresholds
	thresholdsErr  error
)

// LoadThresholds reads the built-in thresholds once.
func LoadThresholds() (*Thresholds, error) {
	thresholdsOnce.Do(func() {
		var t Thresholds
		if err := json.Unmarshal(assets.CrossBorder, &t); err != nil {
			thresholdsErr = fmt.Errorf("cross-border thresholds: %w", err)
			return
		}
		if t.Format != "handover-crossborder/v1" || t.Contract.Individuals <= 0 || t.Contract.Sensitive <= 0 ||
			t.Assessment.Individuals < t.Contract.Individuals || t.Assessment.Sensitive < t.Contract.Sensitive {
			thresholdsErr = fmt.Errorf("cross-border thresholds: format %q or numbers out of order", t.Format)
			return
		}
		thresholds = &t
	})
	return thresholds, thresholdsErr
}

// Required is the weakest basis the thresholds allow for a transfer of these numbers
// (counted as the rules count them: cumulatively in the year).
func (t *Thresholds) Required(individuals, sensitive int64, ciio bool) string {
	switch {
	case ciio || t.Assessment.reached(individuals, sensitive):
		return BasisSecurityAssessment
	case t.Contract.reached(individuals, sensitive):
		return BasisStandardContract // or certification, which is as strong
	}
	return BasisExempt
}

// basisStrength orders the bases: a weaker one than required is refused.
func basisStrength(b string) int {
	switch b {
	case BasisSecurityAssessment:
		return 2
	case BasisStandardContract, BasisCertification:
		return 1
	}
	return 0
}

// Enough says whether basis is at least as strong as required.
func Enough(basis, required string) bool { return basisStrength(basis) >= basisStrength(required) }

// CrossBorderError refuses a basis weaker than the transfer's size requires, or a record
// without what the basis rests on. Reason: weaker_basis, filing, destination, consent.
type CrossBorderError struct {
	Reason                 string
	Given, Required        string
	Individuals, Sensitive int64
}

func (e *CrossBorderError) Error() string {
	if e.Reason == "weaker_basis" {
		return fmt.Sprintf("a transfer abroad of %d individuals (%d with sensitive information) needs %s, not %s (2024 Provisions on Cross-Border Data Flows)",
			e.Individuals, e.Sensitive, e.Required, e.Given)
	}
	return fmt.Sprintf("the cross-border record needs its %s", e.Reason)
}

// CheckCrossBorder checks a record of what a transfer abroad rests on.
func CheckCrossBorder(c *CrossBorder) error {
	c.Destination, c.Filing, c.Consent = strings.TrimSpace(c.Destination), strings.TrimSpace(c.Filing), strings.TrimSpace(c.Consent)
	switch {
	case !Enough(c.Basis, c.Required):
		return &CrossBorderError{Reason: "weaker_basis", Given: c.Basis, Required: c.Required, Individuals: c.Individuals, Sensitive: c.Sensitive}
	case c.Destination == "":
		return &CrossBorderError{Reason: "destination"}
	case c.Basis != BasisExempt && c.Filing == "":
		return &CrossBorderError{Reason: "filing"}
	case c.Consent == "":
		return &CrossBorderError{Reason: "consent"}
	}
	return nil
}

// crossBorderNeeds is what the cross-border item lacks for a recipient outside the mainland.
func crossBorderNeeds(r *Record) []string {
	switch {
	case r == nil || r.CrossBorder == nil || !slices.Contains(Bases, r.Basis):
		return []string{NeedBasis}
	case !Enough(r.CrossBorder.Basis, r.CrossBorder.Required):
		return []string{NeedCrossBorderWeaker}
	case CheckCrossBorder(&CrossBorder{Basis: r.CrossBorder.Basis, Required: r.CrossBorder.Required,
		Destination: r.CrossBorder.Destination, Filing: r.CrossBorder.Filing, Consent: r.CrossBorder.Consent}) != nil:
		return []string{NeedCrossBorderDetail}
	}
	return nil
}
