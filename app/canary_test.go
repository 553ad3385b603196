package app_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"handover/app/demo"
	"handover/app/handoverpkg"
	"handover/app/idcard"
	"handover/app/importer"
	"handover/app/progress"
	"handover/app/vault"
	"handover/crypto/identity"
)

// TestNoCanaryInAuditLog runs a scripted session (demo vault, import, reveal, searches,
// a quarantine decision, an export, a certificate and its signature) with canary values planted in the imported data,
// and proves that no canary reaches any audit event, and that the expected events are
// there in order.
func TestNoCanaryInAuditLog(t *testing.T) {
	ctx := context.Background()
	opts := vault.Options{WorkFactor: 10, Workstation: "canary-ws"}
	dir := filepath.Join(t.TempDir(), "v")
	s, err := demo.CreateVault(ctx, dir, demo.Options{Customers: 20, Seed: 3, Passphrase: "canary-passphrase", Vault: opts, Deal: "equity"}, progress.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Vault().Close()
	id := "11010519870704123"
	id += string(idcard.CheckDigit(id))
	canaries := []string{"金丝雀甲", id, "13912348765", "6222026666666666666", "北京市金丝雀胡同1号", "passw0rd-canary"}
	csv := filepath.Join(t.TempDir(), "canary.csv")
	os.WriteFile(csv, []byte("姓名,身份证号,手机号码,银行卡号,地址,交易密码\n"+
		strings.Join(canaries, ",")+"\n金丝雀乙,12345,13912348766,,,passw0rd-canary\n"), 0o600)
	ins, err := importer.Plan([]string{csv}, importer.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Import(ctx, ins, importer.Options{}, progress.Discard, nil); err != nil {
		t.Fatal(err)
	}
	hits, err := s.Search(ctx, vault.ByIDNumber, id)
	if err != nil || len(hits) != 1 {
		t.Fatalf("search: %v %v", hits, err)
	}
	s.Search(ctx, vault.ByNamePrefix, "金丝雀")
	s.Search(ctx, vault.ByPhone, "13912348765")
	for _, f := range vault.RevealableFields {
		if _, err := s.Reveal(hits[0].Customer, f); err != nil {
			t.Fatal(err)
		}
	}
	q, _ := s.Quarantine(ctx, importer.Filter{States: []string{importer.ItemQuarantined}}, 0)
	if len(q) != 1 {
		t.Fatalf("quarantine %d", len(q))
	}
	if _, err := s.DismissQuarantined(q[0].Key, "测试数据"); err != nil {
		t.Fatal(err)
	}
	person, _ := identity.New("核验人", "甲公司", "负责人", time.Now())
	receiver, _ := identity.New("接收人", "乙公司", "负责人", time.Now())
	if _, _, err := s.Export(ctx, handoverpkg.Options{Out: t.TempDir(), Sender: person, Recipients: []identity.Card{receiver.Card}}, progress.Discard); err != nil {
		t.Fatal(err)
	}
	st, err := s.NewStatement(ctx, "confirmation", []identity.Card{person.Card})
	if err != nil {
		t.Fatal(err)
	}
	s.RecordSignature(st.ID, person.Card.Fingerprint, false)
	if len(st.Packages) != 1 || len(st.Packages[0].SHA256) != 64 {
		t.Fatalf("the statement lists packages %+v, want the one exported", st.Packages)
	}
	evs, err := s.AuditEvents(ctx, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, ev := range evs {
		line := ev.Action + " " + ev.Target + " " + ev.Operator + " " + ev.Workstation
		for k, v := range ev.Detail {
			line += " " + k + "=" + v
		}
		for _, c := range canaries {
			if strings.Contains(line, c) {
				t.Fatalf("event %d (%s) holds the canary %q: %s", ev.Seq, ev.Action, c, line)
			}
		}
		actions = append(actions, ev.Action)
	}
	want := []string{"import.file", "import.run", "customer.search", "customer.search", "customer.search",
		"customer.reveal", "customer.reveal", "customer.reveal", "customer.reveal", "customer.reveal",
		"quarantine.dismiss", "package.export", "cert.new", "cert.sign"}
	got := strings.Join(actions, " ")
	if !strings.Contains(got, strings.Join(want, " ")) {
		t.Fatalf("events in order:\n%s\nwant the sequence:\n%s", got, strings.Join(want, " "))
	}
}
