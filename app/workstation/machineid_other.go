//go:build !windows && !darwin

package workstation

// machineID is the installation's stable identifier: systemd's machine-id on Linux.
func machineID() string { return readMachineIDFile() }
