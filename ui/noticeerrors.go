package ui

import (
	"errors"

	"handover/app/notice"
	"handover/app/vault"
)

// describeNotice maps the errors of notices and of the forms that ask for dates and numbers.
func describeNotice(err error) (msg, hint string, ok bool) {
	var setup *vault.SetupError
	var missing *notice.MissingFieldError
	switch {
	case errors.As(err, &setup):
		return L("error.notice_setup_field", map[string]any{"Field": L("notice.field." + setup.Field)}), L("hint.notice_setup_field"), true
	case errors.As(err, &missing):
		return L("error.notice_missing_field", map[string]any{"Template": missing.Template, "Field": missing.Field}), L("hint.notice_missing_field"), true
	case errors.Is(err, errBadDate):
		return L("error.bad_date"), "", true
	case errors.Is(err, errBadCustomerNo):
		return L("error.bad_customer_no"), "", true
	}
	for _, e := range []struct {
		err error
		key string
	}{
		{vault.ErrNoticeSetup, "notice_no_setup"}, {vault.ErrNoticeTemplate, "notice_template"}, {vault.ErrNoticeChannel, "notice_channel"},
		{vault.ErrNoticeOut, "notice_out"}, {vault.ErrNoticeGuarantor, "notice_guarantor"}, {vault.ErrNoticeBatch, "notice_batch"},
		{vault.ErrNoticeReport, "notice_report"}, {vault.ErrResolveReason, "notice_resolve_reason"}, {vault.ErrBasisIncomplete, "notice_basis"},
		{notice.ErrSMSIdentity, "notice_sms_identity"}, {notice.ErrSMSSignature, "notice_sms_signature"},
	} {
		if errors.Is(err, e.err) {
			return L("error." + e.key), "", true
		}
	}
	return "", "", false
}
