package vault

import "handover/app/workstation"

// Workstation names this machine in audit events (workstation.ID).
func Workstation() string { return workstation.ID() }
