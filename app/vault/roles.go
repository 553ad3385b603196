package vault

import (
	"fmt"
	"slices"

	"handover/app/checklist"
)

// Role is an operator's role in the handover.
type Role string

// The roles. The strings are used on the command line (--role) and stored.
const (
	Transferor Role = "transferor" // 出让方经办
	Transferee Role = "transferee" // 受让方经办
	Witness    Role = "witness"    // 见证人
	Auditor    Role = "auditor"    // 合规审计
	Admin      Role = "admin"      // 管理员
)

// Roles lists every role in display order.
var Roles = []Role{Transferor, Transferee, Witness, Auditor, Admin}

// ParseRole checks a role name.
func ParseRole(s string) (Role, error) {
	r := Role(s)
	if !slices.Contains(Roles, r) {
		// The value is not repeated: whatever was typed there may be personal data.
		return "", fmt.Errorf("unknown role (one of transferor, transferee, witness, auditor, admin)")
	}
	return r, nil
}

// Permission is one thing an operator may be allowed to do.
type Permission string

// The permissions.
const (
	PermImport          Permission = "import"
	PermView            Permission = "view"   // see customers, identifiers masked
	PermReveal          Permission = "reveal" // see one identifier unmasked, audited
	PermExport          Permission = "export"
	PermReceive         Permission = "receive"
	PermSign            Permission = "sign"
	PermDestroy         Permission = "destroy"
	PermManageOperators Permission = "manage_operators"
	PermAudit           Permission = "audit"     // read and verify the audit log
	PermChecklist       Permission = "checklist" // record the deal, complete and reopen items
	PermBackup          Permission = "backup"    // write a backup of the vault (sealed like the vault)
	PermHold            Permission = "hold"      // place and release legal holds
	PermNotify          Permission = "notify"    // write notices to customers and track them
	PermTemplates       Permission = "templates" // save edited notice templates in the vault
	// PermReview: sign off the assessment workbooks as the compliance reviewer, and record
	// findings. The auditor holds it: the review is independent of the officers who answer.
	PermReview Permission = "review"
)

// permissions is the one permission table. It is enforced in Session, so a caller that
// bypasses the UI gets the same answer.
var permissions = map[Role][]Permission{
	Transferor: {PermImport, PermView, PermReveal, PermExport, PermSign, PermChecklist, PermBackup, PermNotify},
	Transferee: {PermView, PermReveal, PermReceive, PermSign, PermChecklist, PermBackup, PermNotify},
	Witness:    {PermView, PermSign},
	Auditor:    {PermView, PermAudit, PermHold, PermReview},
	Admin:      {PermView, PermManageOperators, PermDestroy, PermAudit, PermChecklist, PermBackup, PermHold, PermTemplates},
}

// Can reports whether the role has the permission.
func (r Role) Can(p Permission) bool { return slices.Contains(permissions[r], p) }

// Permissions lists a role's permissions.
func (r Role) Permissions() []Permission { return slices.Clone(permissions[r]) }

// AloneWithoutAudit says that a vault whose only operator has role r has nobody who may read
// its audit log, nor anyone who may add such an operator: creation warns about it.
func AloneWithoutAudit(r Role) bool { return !r.Can(PermAudit) && !r.Can(PermManageOperators) }

// Side is the party a role acts for in sign-offs: checklist.SideTransferor,
// checklist.SideTransferee, or "" for roles of neither party.
func (r Role) Side() string {
	switch r {
	case Transferor:
		return checklist.SideTransferor
	case Transferee:
		return checklist.SideTransferee
	}
	return ""
}

// actionPermission is the permission each checklist action needs.
var actionPermission = map[checklist.Action][]Permission{
	checklist.ActAttach:      {PermChecklist},
	checklist.ActComplete:    {PermChecklist},
	checklist.ActSignOff:     {PermChecklist},
	checklist.ActReopen:      {PermChecklist},
	checklist.ActImport:      {PermImport},
	checklist.ActBackup:      {PermBackup},
	checklist.ActExport:      {PermExport},
	checklist.ActReceive:     {PermReceive},
	checklist.ActTakeReceipt: {PermExport},
	checklist.ActSign:        {PermSign},
	checklist.ActAuditReport: {PermAudit},
	checklist.ActDestroy:     {PermDestroy},
	checklist.ActArchive:     {PermDestroy},
	checklist.ActRetention:   {PermChecklist},
	checklist.ActNotify:      {PermNotify},
	checklist.ActNoticeBasis: {PermChecklist},
	checklist.ActContinuity:  {PermChecklist},
}

// ItemActions is what this role may do with an item now: the actions the item's kind and
// state offer (checklist.Actions) that the role's permissions allow. The app's buttons, its
// next-step hint and the command line all ask this one function; the vault's operations
// check the same rules (checklist.Check) and permissions when they run.
func (r Role) ItemActions(it checklist.Status) []checklist.Action {
	var out []checklist.Action
	for _, a := range checklist.Actions(it) {
		if slices.ContainsFunc(actionPermission[a], r.Can) {
			out = append(out, a)
		}
	}
	return out
}

// MovesForward says whether this role can do something now that moves the item toward done:
// what the dashboard's "next step" looks for. Reopening does not; a sign-off does only for
// the role's own party.
func (r Role) MovesForward(it checklist.Status) bool {
	if it.State == checklist.Done {
		return false
	}
	for _, a := range r.ItemActions(it) {
		switch a {
		case checklist.ActReopen, checklist.ActAttach:
		case checklist.ActSignOff:
			if checklist.Check(it, a, r.Side()) == nil {
				return true
			}
		default:
			return true
		}
	}
	return false
}
