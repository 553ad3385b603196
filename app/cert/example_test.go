package cert_test

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"handover/app/cert"
	"handover/app/figures"
	"handover/crypto/identity"
)

// Verifying a certificate: both parties sign the statement's exact bytes; VerifyFiles checks
// every signature found beside the statement against the cards whose fingerprints were
// compared in person. The same check runs without this program:
// `ssh-keygen -Y verify -n handover-certificate@v1` with the signers' allowed_signers lines.
func ExampleVerifyFiles() {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	from, _ := identity.New("张三", "甲小额贷款有限公司", "出让方负责人", now)
	to, _ := identity.New("李四", "乙小额贷款有限公司", "受让方负责人", now)
	st, _ := cert.New(cert.KindConfirmation, "v-1", "ws-1", now, &figures.Figures{Customers: 3}, nil,
		[]identity.Card{from.Card, to.Card})
	path := filepath.Join(os.TempDir(), fmt.Sprintf("example-%d.statement.json", time.Now().UnixNano()))
	defer os.Remove(path)
	_ = cert.WriteStatement(path, st)
	statement, _ := os.ReadFile(path)

	// The transferor signs; the certificate is not complete yet.
	signed, _ := cert.SignAs(statement, from, "ws-1", now)
	_ = cert.WriteSigned(path, map[string]cert.Signed{from.Card.Fingerprint: signed})
	r, _ := cert.VerifyFiles(path, []identity.Card{from.Card, to.Card})
	fmt.Println("one signature:", r.Complete())

	// The transferee signs too.
	signed, _ = cert.SignAs(statement, to, "ws-2", now)
	_ = cert.WriteSigned(path, map[string]cert.Signed{to.Card.Fingerprint: signed})
	r, _ = cert.VerifyFiles(path, []identity.Card{from.Card, to.Card})
	fmt.Println("both signatures:", r.Complete())

	// One changed byte in the statement, and no signature holds.
	_ = os.WriteFile(path, append(statement[:len(statement)-1:len(statement)-1], ' '), 0o644)
	r, _ = cert.VerifyFiles(path, nil)
	fmt.Println("after an edit:", r.Complete())
	for _, p := range []string{from.Card.Fingerprint, to.Card.Fingerprint} {
		os.Remove(cert.SignaturePath(path, p))
		os.Remove(cert.NotePath(path, p))
	}
	// Output:
	// one signature: false
	// both signatures: true
	// after an edit: false
}
