package assess

import (
	"errors"
	"slices"
	"testing"

	"handover/assets"
)

// Every workbook loads, is whole in both languages, cites the law on every question, and
// asks its cross-border questions only when the recipient is abroad.
func TestWorkbooks(t *testing.T) {
	for _, id := range IDs {
		w, err := Load(id)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Check(assets.Languages); err != nil {
			t.Error(err)
		}
		home := w.Unanswered(Deal{Type: "loan-book"}, nil)
		abroad := w.Unanswered(Deal{Type: "loan-book", Abroad: true}, nil)
		if len(abroad) <= len(home) && id != PIA {
			t.Errorf("%s: abroad asks %d questions, at home %d", id, len(abroad), len(home))
		}
		for _, q := range home {
			if slices.Contains([]string{"legal_cross_border", "cross_border_review", "abroad_recipient"}, q) {
				t.Errorf("%s: %s asked at home", id, q)
			}
		}
	}
	risk, _ := Load(Risk)
	if slices.Contains(risk.Unanswered(Deal{Type: "equity"}, nil), "legal_assignment_notice") {
		t.Error("an equity transfer is asked about notifying an assignment")
	}
}

func TestCheckAnswer(t *testing.T) {
	w, _ := Load(Risk)
	leak, _ := w.Question("tech_leak")
	overall, _ := w.Question("overall")
	pia, _ := Load(PIA)
	years, _ := pia.Question("kept_years")
	for name, c := range map[string]struct {
		q    Question
		a    Answer
		want string
	}{
		"choice":        {overall, Answer{Value: "acceptable"}, ""},
		"unknown":       {overall, Answer{Value: "maybe"}, "choice"},
		"risk":          {leak, Answer{Risk: &RiskAnswer{Likelihood: 2, Impact: 5, Owner: "IT", Mitigation: "age", Residual: Low}}, ""},
		"no likelihood": {leak, Answer{Risk: &RiskAnswer{Impact: 5, Owner: "IT", Mitigation: "age", Residual: Low}}, "likelihood"},
		"no owner":      {leak, Answer{Risk: &RiskAnswer{Likelihood: 1, Impact: 5, Owner: " ", Mitigation: "age", Residual: Low}}, "owner"},
		"residual":      {leak, Answer{Risk: &RiskAnswer{Likelihood: 1, Impact: 5, Owner: "IT", Mitigation: "age", Residual: "severe"}}, "residual"},
		"years":         {years, Answer{Value: "3"}, ""},
		"too few years": {years, Answer{Value: "2"}, "min"},
		"not a number":  {years, Answer{Value: "三"}, "number"},
	} {
		err := CheckAnswer(c.q, &c.a)
		var ae *AnswerError
		if c.want == "" && err != nil || c.want != "" && (!errors.As(err, &ae) || ae.Reason != c.want) {
			t.Errorf("%s: %v, want %q", name, err, c.want)
		}
	}
	if (RiskAnswer{Likelihood: 3, Impact: 5}).Level() != High || (RiskAnswer{Likelihood: 2, Impact: 4}).Level() != Medium {
		t.Error("risk levels")
	}
}
