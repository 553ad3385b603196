package checklist

import (
	"errors"
	"slices"
)

// Errors of the checklist's rules, meant for the user (app/vault re-exports them).
var (
	ErrAutomaticItem   = errors.New("this item follows from the vault's state and cannot be completed by hand")
	ErrNeedsEvidence   = errors.New("attach the evidence file before completing this item")
	ErrNeedsBasis      = errors.New("the recipient is outside the mainland: choose the cross-border legal basis (security_assessment, standard_contract or certification)")
	ErrNotDual         = errors.New("only items both parties sign off take sign-offs")
	ErrSignOffRole     = errors.New("a sign-off needs an operator of the transferor or the transferee")
	ErrAlreadySigned   = errors.New("this party has already signed off the item")
	ErrNotDone         = errors.New("the item is not complete, so there is nothing to reopen")
	ErrAlreadyComplete = errors.New("the item is already complete")
	ErrNoEvidenceItem  = errors.New("this item takes no files")
)

// Action is something a person can do with an item, or the step that an automatic item
// follows from. What a role may do is app/vault's (its permission table); what the item's
// kind and state allow is here.
type Action string

// Actions on items.
const (
	ActAttach   Action = "attach"   // attach an evidence file
	ActComplete Action = "complete" // attest a manual or evidence item
	ActSignOff  Action = "sign_off" // one party's sign-off of a dual item
	ActReopen   Action = "reopen"   // open a completed item again, with a reason
	// The steps automatic items follow from.
	ActImport      Action = "import"
	ActBackup      Action = "backup"
	ActExport      Action = "export"
	ActReceive     Action = "receive"
	ActTakeReceipt Action = "take_receipt" // bring back the receiver's signed receipt
	ActSign        Action = "sign"
	ActAuditReport Action = "audit_report"
	ActDestroy     Action = "destroy"
	ActArchive     Action = "archive"
	ActRetention   Action = "retention" // record who keeps the AML records
	ActNotify      Action = "notify"    // write notices and read their delivery reports
	ActNoticeBasis Action = "notice_basis"
	ActContinuity  Action = "continuity" // record the continuity plan and the forwarded repayments
)

// producedBy is the step that makes each fact true.
var producedBy = map[Fact][]Action{
	FactImport:        {ActImport},
	FactBackup:        {ActBackup},
	FactExport:        {ActExport},
	FactReceipt:       {ActReceive, ActTakeReceipt},
	FactConfirmation:  {ActSign},
	FactAuditReport:   {ActAuditReport},
	FactDestruction:   {ActDestroy},
	FactArchive:       {ActArchive},
	FactRetention:     {ActRetention},
	FactNotification:  {ActNotify},
	FactNoticeOrBasis: {ActNotify, ActNoticeBasis},
	FactContinuity:    {ActContinuity},
}

// Actions lists what the item's kind and state offer, in the order the screens show them.
// An offered action may still be refused now (Check says why: evidence first, a party
// that already signed).
func Actions(it Status) []Action {
	var out []Action
	switch it.Kind {
	case Evidence, Manual:
		if it.Rec == nil || !it.Rec.Completed {
			if it.Kind == Evidence {
				out = append(out, ActAttach)
			}
			out = append(out, ActComplete)
		}
	case Dual:
		if it.State != Done {
			out = append(out, ActSignOff)
		}
	case Automatic:
		for _, a := range producedBy[it.FollowsFrom] {
			// A backup is worth making again whenever; the other steps only until done.
			if it.State != Done || a == ActBackup {
				out = append(out, a)
			}
		}
	}
	if it.Kind != Automatic && it.Rec != nil && (it.Rec.Completed || len(it.Rec.SignOffs) > 0) {
		out = append(out, ActReopen)
	}
	return out
}

// Check says whether action a may be done to the item now, and if not, why. side is the
// party of the person acting (SideTransferor, SideTransferee or "") and matters for
// sign-offs only.
func Check(it Status, a Action, side string) error {
	completed := it.Rec != nil && it.Rec.Completed
	switch a {
	case ActComplete:
		switch {
		case it.Kind == Automatic:
			return ErrAutomaticItem
		case it.Kind == Dual:
			return ErrNotDual
		case completed:
			return ErrAlreadyComplete
		case it.Kind == Evidence && (it.Rec == nil || len(it.Rec.Evidence) == 0):
			return ErrNeedsEvidence
		}
	case ActAttach:
		if it.Kind != Evidence {
			return ErrNoEvidenceItem
		}
		if completed {
			return ErrAlreadyComplete
		}
	case ActSignOff:
		switch {
		case it.Kind != Dual:
			return ErrNotDual
		case side == "":
			return ErrSignOffRole
		case !slices.Contains(it.Needs, NeedSignOff(side)):
			return ErrAlreadySigned
		}
	case ActReopen:
		if it.Kind == Automatic {
			return ErrAutomaticItem
		}
		if it.Rec == nil || !completed && len(it.Rec.SignOffs) == 0 {
			return ErrNotDone
		}
	}
	return nil
}

// NeedsBasis says whether completing the item needs a cross-border legal basis for this deal.
func NeedsBasis(it Item, d *Deal) bool {
	return it.RequiresBasisWhenAbroad && d != nil && d.RecipientLocation != Mainland
}

// CheckBasis checks the basis given when completing an item (recorded: one already on the
// item's record).
func CheckBasis(it Item, d *Deal, given, recorded string) error {
	if given != "" && !slices.Contains(Bases, given) {
		return ErrNeedsBasis
	}
	if NeedsBasis(it, d) && given == "" && recorded == "" {
		return ErrNeedsBasis
	}
	return nil
}
