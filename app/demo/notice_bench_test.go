package demo

import (
	"context"
	"path/filepath"
	"testing"

	"handover/app/progress"
	"handover/app/vault"
	"handover/app/vault/vaulttest"
)

// BenchmarkNoticeSMS writes the SMS batch of a 50,000-customer loan-book demo: the walk,
// filling, checking, the file and the tracking records (issue 16: 1,000,000 in a minute).
func BenchmarkNoticeSMS(b *testing.B) {
	dir := b.TempDir()
	s, err := CreateVault(context.Background(), filepath.Join(dir, "v"), Options{Customers: 50_000, Seed: 1, Passphrase: "bench-passphrase",
		Vault: vaulttest.Options, Deal: "loan-book", NoBackup: true}, progress.Discard)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Lock()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := s.GenerateNotices(context.Background(), vault.GenerateRequest{Template: "loan-book-borrower", Channel: vault.ChannelSMS,
			Out: filepath.Join(dir, "sms", string(rune('a'+i))), AllowTemporaryFolder: true}, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(50_000*float64(b.N)/b.Elapsed().Seconds(), "sms/s")
}
