// Package workstation names this machine the same way everywhere: in audit events, in
// signature notes and on reports. One implementation, so the app and the command line
// record the same name for the same machine.
package workstation

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"strings"
)

// ID names the machine: host name and a hash of a stable machine identifier (the raw machine
// ID never leaves the machine in a package).
func ID() string {
	host, _ := os.Hostname()
	if host == "" {
		host = "unknown-host"
	}
	id := machineID()
	if id == "" {
		return host
	}
	sum := sha256.Sum256([]byte("handover-workstation:" + id))
	return host + "/" + hex.EncodeToString(sum[:6])
}

// readMachineIDFile reads a Linux machine-id file.
func readMachineIDFile() string {
	for _, p := range []string{"/etc/machine-id", "/var/lib/dbus/machine-id"} {
		if b, err := os.ReadFile(p); err == nil {
			if s := strings.TrimSpace(string(b)); s != "" {
				return s
			}
		}
	}
	return ""
}
