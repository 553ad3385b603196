package ui

import (
	"context"
	"errors"
	"os"
	"strconv"
	"strings"

	"handover/app/bag"
	"handover/app/cert"
	"handover/app/handoverpkg"
	"handover/app/importer"
	"handover/app/notice"
	"handover/app/vault"
	"handover/crypto/identity"
)

// describe maps a core error to a translated message and a hint. An error it does not know
// gets a general message; its English text, which the core guarantees holds no personal
// data or passphrase, is shown only on request (showError). TestEveryCoreErrorIsTranslated
// finds core errors that have no case here.
func describe(err error) (msg, hint string) {
	var pe *vault.PermissionError
	var iu *vault.InUseError
	var ce *vault.CorruptError
	var de *vault.DamageError
	switch {
	case errors.Is(err, vault.ErrWrongPassphrase):
		return L("error.wrong_passphrase"), L("hint.wrong_passphrase")
	case errors.Is(err, identity.ErrWeakPassphrase):
		return L("error.weak_passphrase", map[string]any{"N": identity.MinPassphraseLen}), L("hint.weak_passphrase")
	case errors.Is(err, vault.ErrWeakPassphrase):
		return L("error.weak_passphrase", map[string]any{"N": vault.MinPassphraseLen}), L("hint.weak_passphrase")
	case errors.As(err, &pe):
		return L("error.permission", map[string]any{"Role": roleName(pe.Role), "Permission": L("perm." + string(pe.Permission))}),
			L("hint.permission")
	case errors.As(err, &iu):
		return L("error.in_use", map[string]any{"PID": strconv.Itoa(iu.PID)}), L("hint.in_use")
	case errors.As(err, &de):
		return L("error.damaged", map[string]any{"File": de.File}), L("hint.damaged")
	case errors.As(err, &ce) && ce.What == "index":
		return L("error.corrupt_index"), L("hint.corrupt_index")
	case errors.As(err, &ce) && ce.Customer == 0:
		return L("error.corrupt_record"), L("hint.corrupt")
	case errors.As(err, &ce):
		return L("error.corrupt", map[string]any{"No": strconv.FormatUint(uint64(ce.Customer), 10)}), L("hint.corrupt")
	case errors.Is(err, vault.ErrSlotDamaged):
		return L("error.slot_damaged"), L("hint.slot_damaged")
	case errors.Is(err, vault.ErrNotVault):
		return L("error.not_vault"), L("hint.not_vault")
	case errors.Is(err, vault.ErrExists):
		return L("error.exists"), L("hint.exists")
	case errors.Is(err, vault.ErrLocked):
		return L("error.locked"), ""
	case errors.Is(err, vault.ErrKeyDestroyed):
		return L("error.destroyed"), ""
	case errors.Is(err, vault.ErrLastAdmin):
		return L("error.last_admin"), ""
	case errors.Is(err, context.Canceled):
		return L("error.cancelled"), ""
	}
	var ufe *fileError
	var unusable *errPathNotUsable
	if errors.As(err, &unusable) {
		return unusable.msg, ""
	}
	var gate *vault.GateError
	var tooLong *handoverpkg.RecordTooLongError
	var restricted *vault.RestrictedError
	switch {
	case errors.As(err, &restricted):
		key := "error.restricted_customers"
		if restricted.All {
			key = "error.restricted_vault"
		}
		return L(key, map[string]any{"Since": restricted.Since.In(shanghai).Format("2006-01-02")}), L("hint.restricted")
	case errors.As(err, &gate):
		var items []string
		for _, id := range gate.Missing {
			if title, ok := gate.Findings[id]; ok {
				items = append(items, L("gate.finding", map[string]any{"Title": title}))
				continue
			}
			items = append(items, checklistTitle(id))
		}
		return L("error.gate", map[string]any{"Step": L("gate." + gate.Step), "Items": strings.Join(items, L("list.sep"))}), L("hint.gate")
	case errors.As(err, &tooLong):
		return L("error.record_too_long", map[string]any{"No": strconv.FormatUint(tooLong.Customer, 10)}), L("hint.record_too_long")
	case errors.Is(err, handoverpkg.ErrNoRecipients):
		return L("error.no_recipients"), ""
	case errors.Is(err, identity.ErrPassphrase):
		return L("error.identity_passphrase"), L("hint.identity_passphrase")
	case errors.Is(err, identity.ErrWorkFactor):
		return L("error.identity_altered"), L("hint.card_tampered")
	case errors.Is(err, identity.ErrTampered):
		return L("error.card_tampered"), L("hint.card_tampered")
	case errors.Is(err, identity.ErrNotCard):
		return L("error.not_card"), ""
	case errors.Is(err, identity.ErrNotSecret):
		return L("error.not_identity"), ""
	case errors.Is(err, cert.ErrNotSigner), errors.Is(err, errWrongIdentity):
		return L("error.not_signer"), L("hint.not_signer")
	case errors.Is(err, cert.ErrNotOurs):
		return L("error.signature_not_ours"), ""
	case errors.Is(err, errPassphraseMismatch):
		return L("error.passphrase_mismatch"), ""
	case errors.Is(err, vault.ErrHowRequired):
		return L("error.how_required"), ""
	case errors.As(err, &ufe):
		msg, hint := describe(ufe.Err)
		return L("error.file", map[string]any{"File": ufe.File, "Message": msg}), hint
	}
	if msg, hint, ok := describePackage(err); ok {
		return msg, hint
	}
	if msg, hint, ok := describeChecklist(err); ok {
		return msg, hint
	}
	if msg, hint, ok := describeNotice(err); ok {
		return msg, hint
	}
	if msg, hint, ok := describeLegal(err); ok {
		return msg, hint
	}
	var fe *importer.FileError
	var mc *importer.MissingColumnsError
	var hr *importer.HeaderRowError
	var exists *cert.ExistsError
	var field *notice.UnknownFieldError
	var end *vault.EndBeforeRecordsError
	if msg, hint, ok := describeSentinel(err); ok {
		return msg, hint
	}
	switch {
	case errors.As(err, &mc):
		return L("error.missing_columns", map[string]any{"Fields": fieldNames(mc.Table, mc.Fields)}), L("hint.missing_columns")
	case errors.Is(err, importer.ErrNoTable):
		return L("error.no_table"), L("hint.no_table")
	case errors.Is(err, importer.ErrEncoding):
		return L("error.encoding"), ""
	case errors.Is(err, importer.ErrWorkbookBomb):
		return L("error.workbook_bomb"), L("hint.sheet_too_large")
	case errors.Is(err, importer.ErrSheetTooLarge):
		return L("error.sheet_too_large"), L("hint.sheet_too_large")
	case errors.Is(err, importer.ErrXLSEncrypted):
		return L("error.xls_encrypted"), L("hint.xls")
	case errors.Is(err, importer.ErrXLS1904):
		return L("error.xls_1904"), L("hint.xls")
	case errors.Is(err, importer.ErrXLSUnreadable):
		return L("error.xls_unreadable"), L("hint.xls")
	case errors.As(err, &hr):
		return L("error.header_row", map[string]any{"Row": hr.Row}), L("hint.header_row")
	case errors.Is(err, importer.ErrDecided):
		return L("error.decided"), ""
	case errors.Is(err, importer.ErrReasonRequired):
		return L("error.reason_required"), ""
	case errors.Is(err, importer.ErrProfile):
		return L("error.profile"), err.Error()
	case errors.As(err, &fe):
		msg, hint := describe(fe.Err)
		return L("error.file", map[string]any{"File": fe.File, "Message": msg}), hint
	case errors.As(err, &exists):
		return L("error.cert_exists", map[string]any{"Path": exists.Path}), L("hint.cert_exists")
	case errors.As(err, &field):
		return L("error.notice_field", map[string]any{"Template": field.Template, "Field": field.Field}), L("hint.notice_field")
	case errors.As(err, &end):
		return L("error.end_before_records", map[string]any{"No": strconv.FormatUint(uint64(end.Customer), 10), "Date": end.Last.String()}), L("hint.end_before_records")
	case errors.Is(err, os.ErrNotExist):
		return L("error.not_exist"), L("hint.not_exist")
	case errors.Is(err, os.ErrPermission):
		return L("error.os_permission"), L("hint.os_permission")
	}
	// An error no case above knows: a general message in the user's language; the detail
	// (in English, from the system or a library) is there on request, never instead.
	return L("error.general"), L("hint.general")
}

// unmapped says describe had no words of its own for err.
func unmapped(err error) bool {
	msg, _ := describe(err)
	return msg == L("error.general")
}

func roleName(r vault.Role) string { return L("role." + string(r)) }

// describePackage maps the errors of verifying and receiving a handover package.
func describePackage(err error) (msg, hint string, ok bool) {
	var part *handoverpkg.PartError
	var replay *handoverpkg.ReplayError
	var entry *bag.BadEntryError
	var rec *handoverpkg.RecordError
	var space *handoverpkg.SpaceError
	var dest *handoverpkg.DestinationError
	switch {
	case errors.As(err, &dest) && dest.Writable:
		return L("error.destination_readonly", map[string]any{"Dir": dest.Dir}), L("hint.destination"), true
	case errors.As(err, &dest):
		return L("error.destination_missing", map[string]any{"Dir": dest.Dir}), L("hint.destination"), true
	case errors.Is(err, handoverpkg.ErrEmptyScope):
		return L("error.empty_scope"), L("hint.empty_scope"), true
	case errors.As(err, &space):
		return L("error.no_space", map[string]any{"Free": space.Free >> 20, "Need": space.Need >> 20}), L("hint.no_space"), true
	case errors.Is(err, handoverpkg.ErrNotPackage):
		return L("error.not_package"), L("hint.not_package"), true
	case errors.Is(err, handoverpkg.ErrUntrusted):
		return L("error.untrusted_sender"), L("hint.untrusted_sender"), true
	case errors.Is(err, handoverpkg.ErrBadSignature):
		return L("error.package_signature"), L("hint.package_tampered"), true
	case errors.Is(err, handoverpkg.ErrNotRecipient):
		return L("error.not_recipient"), L("hint.not_recipient"), true
	case errors.Is(err, handoverpkg.ErrBookNotEmpty):
		return L("error.book_not_empty"), L("hint.book_not_empty"), true
	case errors.As(err, &replay):
		return L("error.replay", map[string]any{"Sequence": replay.Sequence, "Last": replay.Last}), L("hint.replay"), true
	case errors.As(err, &part):
		return L("error.bad_part", map[string]any{"Part": part.Part, "Reason": part.Reason}), L("hint.package_tampered"), true
	case errors.As(err, &entry):
		return L("error.bad_entry", map[string]any{"Name": entry.Name, "Reason": entry.Reason}), L("hint.package_tampered"), true
	case errors.As(err, &rec):
		return L("error.bad_record", map[string]any{"File": rec.File, "Line": rec.Line, "Reason": rec.Reason}), L("hint.package_tampered"), true
	case errors.Is(err, bag.ErrInvalid):
		return L("error.bad_bag"), L("hint.package_tampered"), true
	}
	return "", "", false
}

// describeChecklist maps the errors of the deal and its checklist.
func describeChecklist(err error) (msg, hint string, ok bool) {
	for _, e := range []struct {
		err error
		key string
	}{
		{vault.ErrNoDeal, "no_deal"}, {vault.ErrDealExists, "deal_exists"}, {vault.ErrUnknownItem, "unknown_item"},
		{vault.ErrAutomaticItem, "automatic_item"}, {vault.ErrNeedsEvidence, "needs_evidence"}, {vault.ErrNeedsBasis, "needs_basis"},
		{vault.ErrNotDual, "not_dual"}, {vault.ErrSignOffRole, "signoff_role"}, {vault.ErrAlreadySigned, "already_signed"},
		{vault.ErrReasonRequired, "item_reason_required"}, {vault.ErrNotDone, "not_done"}, {vault.ErrAlreadyComplete, "already_complete"},
		{vault.ErrEvidenceTooLarge, "evidence_too_large"}, {vault.ErrEvidenceDestroyed, "evidence_destroyed"}, {vault.ErrEvidenceUnknown, "evidence_unknown"}, {vault.ErrBadBackup, "bad_backup"},
		{vault.ErrReceiptNotOurs, "receipt_not_ours"}, {vault.ErrReceiptIncomplete, "receipt_incomplete"}, {vault.ErrNoEvidenceItem, "no_evidence_item"},
		{vault.ErrPlanScope, "plan_scope"}, {vault.ErrPlanEmpty, "plan_empty"}, {vault.ErrPlanStale, "plan_stale"},
		{vault.ErrPlanUnknown, "plan_unknown"}, {vault.ErrPlanDone, "plan_done"}, {vault.ErrSameApprover, "same_approver"},
		{vault.ErrApproverRole, "approver_role"}, {vault.ErrNeedsApprovals, "needs_approvals"}, {vault.ErrHeldInPlan, "held_in_plan"},
		{vault.ErrPlanFileMismatch, "plan_file_mismatch"}, {vault.ErrNotVerified, "destroy_not_verified"},
		{vault.ErrHoldCase, "hold_case"}, {vault.ErrHoldScope, "hold_scope"}, {vault.ErrHoldReleased, "hold_released"}, {vault.ErrNoHold, "no_hold"},
		{vault.ErrNotRestricted, "not_restricted"}, {vault.ErrLiftNeedsTwo, "lift_needs_two"},
		{vault.ErrKeeper, "keeper"}, {vault.ErrRetentionYears, "retention_years"}, {vault.ErrConfirmedBy, "confirmed_by"},
		{vault.ErrKeptByTransferor, "kept_by_transferor"}, {vault.ErrMediaHow, "media_how"},
		{vault.ErrArchiveNotEmpty, "archive_not_empty"}, {vault.ErrArchiveBad, "archive_bad"}, {vault.ErrConfirmVault, "confirm_vault"},
		{vault.ErrActiveHold, "active_hold"}, {vault.ErrNotAllDestroyed, "not_all_destroyed"}, {vault.ErrNoOfferedDeal, "no_offered_deal"},
	} {
		if errors.Is(err, e.err) {
			if e.key == "no_deal" {
				return L("error.no_deal"), L("hint.no_deal"), true
			}
			return L("error." + e.key), "", true
		}
	}
	return "", "", false
}

// sentinels maps the remaining sentinel errors of the core to a message key; each has a
// hint under the same name ("hint." + key) when it needs one.
var sentinels = []struct {
	err error
	key string
}{
	{cert.ErrKind, "cert_kind"}, {cert.ErrNoSigners, "cert_no_signers"}, {cert.ErrStatement, "cert_statement"},
	{cert.ErrNoStatement, "cert_no_statement"}, {cert.ErrPDFChanged, "cert_pdf_changed"},
	{importer.ErrNotQuarantined, "not_quarantined"}, {notice.ErrReport, "notice_report"}, {notice.ErrTemplate, "notice_template_form"},
	{vault.ErrArchive, "archive"}, {vault.ErrDestroyInProgress, "destroy_in_progress"}, {vault.ErrRetention, "audit_retention"},
	{vault.ErrNoOperator, "no_operator"}, {vault.ErrNotFound, "not_found"}, {vault.ErrApprovalSignature, "approval_signature"},
	{vault.ErrEndReason, "end_reason"}, {vault.ErrLawUpdate, "law_update"}, {vault.ErrRepairIncomplete, "repair_incomplete"},
	{vault.ErrTemplateVersion, "template_version"}, {vault.ErrUnknownField, "unknown_field"},
}

func describeSentinel(err error) (msg, hint string, ok bool) {
	for _, s := range sentinels {
		if errors.Is(err, s.err) {
			hint = L("hint." + s.key)
			if hint == "hint."+s.key {
				hint = ""
			}
			return L("error." + s.key), hint, true
		}
	}
	return "", "", false
}
