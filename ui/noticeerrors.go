package ui

import (
	"errors"

	"handover/app/notice"
	"handover/app/vault"
)

var errBadAmount = errors.New("an amount is in yuan with at most two decimals")

// describeNotice maps the errors of notices and of the forms that ask for dates and numbers.
func describeNotice(err error) (msg, hint string, ok bool) {
	var setup *vault.SetupError
	var missing *notice.MissingFieldError
	switch {
	case errors.As(err, &setup):
		hint := L("hint.notice_setup_field")
		if setup.Field == "old_account_closes" || setup.Field == "new_account_from" || setup.Field == "credit_reporting_from" {
			hint = L("hint.cont_dates")
		}
		return L("error.notice_setup_field", map[string]any{"Field": L("notice.field." + setup.Field)}), hint, true
	case errors.As(err, &missing):
		return L("error.notice_missing_field", map[string]any{"Template": missing.Template, "Field": missing.Field}), L("hint.notice_missing_field"), true
	case errors.Is(err, errBadDate):
		return L("error.bad_date"), "", true
	case errors.Is(err, errBadCustomerNo):
		return L("error.bad_customer_no"), "", true
	case errors.Is(err, errBadAmount):
		return L("error.bad_amount"), "", true
	}
	for _, e := range []struct {
		err error
		key string
	}{
		{vault.ErrNoticeSetup, "notice_no_setup"}, {vault.ErrNoticeTemplate, "notice_template"}, {vault.ErrNoticeChannel, "notice_channel"},
		{vault.ErrNoticeOut, "notice_out"}, {vault.ErrNoticeGuarantor, "notice_guarantor"}, {vault.ErrNoticeBatch, "notice_batch"},
		{vault.ErrNoticeReport, "notice_report"}, {vault.ErrResolveReason, "notice_resolve_reason"}, {vault.ErrBasisIncomplete, "notice_basis"},
		{notice.ErrSMSIdentity, "notice_sms_identity"}, {notice.ErrSMSSignature, "notice_sms_signature"},
		{vault.ErrContinuityPlan, "cont_no_plan"}, {vault.ErrCreditReporter, "cont_reporter"}, {vault.ErrComplaintsRouting, "cont_complaints"},
		{vault.ErrPaymentAmount, "cont_amount"}, {vault.ErrBeforeCutoff, "cont_before_cutoff"}, {vault.ErrForwardedBefore, "cont_forwarded_before"},
		{vault.ErrPaymentUnknown, "cont_unknown"}, {vault.ErrPaymentForwarded, "cont_forwarded_twice"},
	} {
		if errors.Is(err, e.err) {
			return L("error." + e.key), "", true
		}
	}
	return "", "", false
}
