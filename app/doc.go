// Package app holds Handover's core, plain Go that runs and is tested without a display:
// the data model, the vault service (permissions and audit), the demo generator and the
// command line. Nothing under app/, store/ or crypto/ may import Fyne or native dialogs;
// arch_test.go enforces it.
package app
