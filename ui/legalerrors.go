package ui

import (
	"errors"

	"handover/app/assess"
	"handover/app/checklist"
	"handover/app/vault"
)

// describeLegal maps the errors of the registers, the cross-border rules and items whose
// reading is for counsel.
func describeLegal(err error) (msg, hint string, ok bool) {
	var re *vault.RegisterError
	var cbe *checklist.CrossBorderError
	var ae *assess.AnswerError
	var ib *vault.IncidentBlockError
	for _, e := range []struct {
		err error
		key string
	}{{vault.ErrIncidentKind, "incident_kind"}, {vault.ErrIncidentScope, "incident_scope"}, {vault.ErrIncidentSummary, "incident_summary"},
		{vault.ErrNoIncident, "no_incident"}, {vault.ErrIncidentClosed, "incident_closed"}, {vault.ErrPackageNotHeld, "package_not_held"},
		{vault.ErrIncidentDecision, "incident_decision"}, {vault.ErrIncidentContent, "incident_content"}, {vault.ErrIncidentAction, "incident_action"},
		{vault.ErrIncidentNotReady, "incident_not_ready"}, {vault.ErrIncidentSameRole, "incident_same_role"}, {vault.ErrIncidentState, "incident_state"},
		{vault.ErrIncidentUnnotified, "incident_unnotified"}, {vault.ErrUnknownReview, "unknown_review"}, {vault.ErrReviewResult, "review_result"},
		{vault.ErrReviewFile, "review_file"}} {
		if errors.Is(err, e.err) {
			return L("err." + e.key), "", true
		}
	}
	switch {
	case errors.As(err, &ib):
		return L("err.incident_block", map[string]any{"ID": ib.Incident, "N": ib.Customers}), "", true
	case errors.As(err, &ae):
		return L("err.answer", map[string]any{"Reason": L("err.answer." + ae.Reason)}), L("err.answer_hint"), true
	case errors.Is(err, vault.ErrUnanswered):
		return L("err.unanswered"), "", true
	case errors.Is(err, vault.ErrReviewerRole):
		return L("err.reviewer_role"), "", true
	case errors.Is(err, vault.ErrFinding):
		return L("err.finding"), "", true
	case errors.Is(err, vault.ErrNoFinding):
		return L("err.no_finding"), "", true
	case errors.Is(err, assess.ErrUnknownQuestion):
		return L("err.unknown_question"), "", true
	case errors.Is(err, vault.ErrUnknownWorkbook):
		return L("err.unknown_workbook"), "", true
	case errors.As(err, &re):
		return L("err.register", map[string]any{"Operator": re.Operator, "Register": L("register." + re.Missing),
			"Reason": L("register.reason." + re.Reason)}), L("err.register_hint"), true
	case errors.As(err, &cbe) && cbe.Reason == "weaker_basis":
		return L("err.crossborder", map[string]any{"Individuals": cbe.Individuals, "Sensitive": cbe.Sensitive,
			"Required": L("checklist.basis." + cbe.Required), "Given": L("checklist.basis." + cbe.Given)}), L("err.crossborder_hint"), true
	case errors.As(err, &cbe):
		what := map[string]string{"destination": "checklist.cb_destination", "filing": "checklist.cb_filing", "consent": "checklist.cb_consent",
			"prior": "checklist.cb_prior_individuals"}[cbe.Reason]
		return L("err.crossborder_detail", map[string]any{"What": L(what)}), L("err.crossborder_detail_hint"), true
	case errors.Is(err, vault.ErrScopeEmpty):
		return L("err.scope_empty"), "", true
	case errors.Is(err, vault.ErrScopeExported):
		return L("err.scope_exported"), "", true
	case errors.Is(err, vault.ErrOutsideScope):
		return L("err.outside_scope"), "", true
	case errors.Is(err, vault.ErrCounselRequired):
		return L("err.counsel"), L("err.counsel_hint"), true
	case errors.Is(err, vault.ErrRegisterPerson), errors.Is(err, vault.ErrRegisterFile), errors.Is(err, vault.ErrRegisterDates),
		errors.Is(err, vault.ErrRegisterScore), errors.Is(err, vault.ErrRegisterField):
		return L("err.register_field"), L("err.register_field_hint"), true
	}
	return "", "", false
}
