package vault

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"strings"
)

// Workstation names the machine in audit events: host name and a stable machine identifier.
// The identifier is hashed so the raw machine ID never leaves the machine in a package.
func Workstation() string {
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
