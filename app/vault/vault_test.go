package vault

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"handover/app/audit"
	"handover/store"
	"handover/store/model"
)

var ctx = context.Background()

// fast keeps scrypt cheap in tests; the real work factor is exercised in crypto/keyslot.
var fast = Options{WorkFactor: 10, Workstation: "test-host/000000000000"}

func newVault(t *testing.T) (*Session, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "vault")
	s, err := Create(dir, NewOperator{Name: "管理员甲", Role: Admin, Passphrase: "admin-passphrase"}, "", fast)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.Lock()
		s.Vault().Close()
	})
	return s, dir
}

func addCustomers(t *testing.T, s *Session, n int) {
	t.Helper()
	err := s.Bulk(ctx, audit.DemoGenerate, func(w *store.Writer) error {
		for i := range n {
			_, err := w.Add(&store.Book{Customer: model.Customer{Name: "李四", IDNumber: "11010519491231002X",
				Phone: "1380013800" + string(rune('0'+i%10)), BankCard: "6222020000000000001", Address: "北京市朝阳区建国路1号"}})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// withOperators has the admin add one operator per role, locks the admin's session, and
// returns a function that unlocks the vault as one of them.
func withOperators(t *testing.T, admin *Session, roles ...Role) func(Role) *Session {
	t.Helper()
	ids := map[Role]string{}
	for _, r := range roles {
		op, err := admin.AddOperator(NewOperator{Name: "操作员" + string(r), Role: r, Passphrase: "operator-pass"})
		if err != nil {
			t.Fatal(err)
		}
		ids[r] = op.ID
	}
	v := admin.Vault()
	admin.Lock()
	return func(r Role) *Session {
		s, err := v.Unlock(ids[r], "operator-pass")
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
}

func events(t *testing.T, s *Session) []audit.Event {
	t.Helper()
	evs, err := s.AuditEvents(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

func actions(evs []audit.Event) string {
	var a []string
	for _, e := range evs {
		a = append(a, e.Action+":"+e.Outcome)
	}
	return strings.Join(a, " ")
}

func TestUnlockWrongPassphraseIsRecorded(t *testing.T) {
	s, _ := newVault(t)
	v := s.Vault()
	id := s.Operator().ID
	s.Lock()
	if _, err := v.Unlock(id, "not-the-passphrase"); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("wrong passphrase: %v", err)
	}
	s2, err := v.Unlock(id, "admin-passphrase")
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Lock()
	got := actions(events(t, s2))
	want := "vault.create:ok vault.lock:ok vault.unlock_failed:failed vault.unlock:ok"
	if got != want {
		t.Fatalf("audit = %s\nwant    %s", got, want)
	}
	for _, e := range events(t, s2) {
		if e.Operator != id || e.Workstation != fast.Workstation || e.Time.Location() != time.UTC {
			t.Fatalf("event lacks who/where/when: %+v", e)
		}
	}
}

func TestTamperedSlotRefusedAtOnce(t *testing.T) {
	s, dir := newVault(t)
	v := s.Vault()
	id := s.Operator().ID
	s.Lock()
	p := filepath.Join(dir, "slots", id+".slot")
	orig, _ := os.ReadFile(p)
	absurd := regexp.MustCompile(`(?m)^(-> scrypt \S+) 10$`).ReplaceAll(orig, []byte("$1 60"))
	for name, content := range map[string][]byte{
		"absurd work factor": absurd,
		"garbage":            append([]byte(`{"operator":"`+id+`","name":"x","role":"admin"}`+"\n"), "garbage"...),
	} {
		os.WriteFile(p, content, 0o600)
		start := time.Now()
		_, err := v.Unlock(id, "admin-passphrase")
		if !errors.Is(err, ErrSlotDamaged) || time.Since(start) > 2*time.Second {
			t.Fatalf("%s: %v after %v", name, err, time.Since(start))
		}
	}
}

func TestPermissionsEnforcedInCore(t *testing.T) {
	admin, _ := newVault(t)
	as := withOperators(t, admin, Transferor, Auditor)
	officer := as(Transferor)
	addCustomers(t, officer, 3)
	officer.Lock()
	auditor := as(Auditor)
	defer auditor.Lock()
	if _, err := auditor.Reveal(1, "id_number"); !isPermission(err, PermReveal) {
		t.Fatalf("auditor reveal: %v", err)
	}
	if _, err := auditor.AddOperator(NewOperator{Name: "x", Role: Admin, Passphrase: "12345678"}); !isPermission(err, PermManageOperators) {
		t.Fatalf("auditor add operator: %v", err)
	}
	if err := auditor.Bulk(ctx, "import", func(*store.Writer) error { return nil }); !isPermission(err, PermImport) {
		t.Fatalf("auditor import: %v", err)
	}
	if c, _ := auditor.Counts(); c.Customers != 3 {
		t.Fatalf("refused import changed the data: %+v", c)
	}
	d, err := auditor.Customer(ctx, 1)
	if err != nil || d.Customer.IDNumber != "1101**********002X" || d.Customer.Name != "李*" {
		t.Fatalf("auditor sees %+v, %v", d.Customer, err)
	}
	got := actions(events(t, auditor))
	for _, want := range []string{"customer.reveal:denied", "operator.add:denied", "customer.view:ok"} {
		if !strings.Contains(got, want) {
			t.Fatalf("audit lacks %s: %s", want, got)
		}
	}
}

func isPermission(err error, p Permission) bool {
	var pe *PermissionError
	return errors.As(err, &pe) && pe.Permission == p
}

func TestRevealIsAuditedWithoutValue(t *testing.T) {
	admin, _ := newVault(t)
	officer := withOperators(t, admin, Transferor)(Transferor)
	defer officer.Lock()
	addCustomers(t, officer, 2)
	for field, want := range map[string]string{"id_number": "11010519491231002X", "phone": "13800138000",
		"bank_card": "6222020000000000001", "name": "李四", "address": "北京市朝阳区建国路1号"} {
		got, err := officer.Reveal(1, field)
		if err != nil || got != want {
			t.Fatalf("reveal %s = %q, %v", field, got, err)
		}
	}
	if _, err := officer.Reveal(1, "gender"); !errors.Is(err, ErrUnknownField) {
		t.Fatalf("reveal of an unmasked field: %v", err)
	}
	if _, err := officer.Search(ctx, ByIDNumber, "11010519491231002X"); err != nil {
		t.Fatal(err)
	}
	for _, e := range events(t, officer) {
		b := string(audit.Encode(e))
		for _, secret := range []string{"11010519491231002X", "13800138000", "6222020000000000001", "李四", "建国路"} {
			if strings.Contains(b, secret) {
				t.Fatalf("audit event leaks %q: %s", secret, b)
			}
		}
	}
	got := actions(events(t, officer))
	if strings.Count(got, "customer.reveal:ok") != 5 || !strings.Contains(got, "customer.search:ok") {
		t.Fatalf("audit: %s", got)
	}
}

func TestLockDropsEverything(t *testing.T) {
	s, _ := newVault(t)
	var reason string
	s.OnLock(func(r string) { reason = r })
	s.SetIdleTimeout(time.Minute)
	now := time.Now()
	if s.LockIfIdle(now.Add(30 * time.Second)) {
		t.Fatal("locked before the timeout")
	}
	if !s.LockIfIdle(now.Add(2 * time.Minute)) {
		t.Fatal("did not lock when idle")
	}
	if reason != "idle" || !s.Locked() {
		t.Fatalf("reason %q, locked %v", reason, s.Locked())
	}
	if _, err := s.Counts(); !errors.Is(err, ErrLocked) {
		t.Fatalf("after lock: %v", err)
	}
	if _, err := s.Reveal(1, "name"); !errors.Is(err, ErrLocked) {
		t.Fatalf("reveal after lock: %v", err)
	}
	if s.master != nil {
		t.Fatal("master key still held")
	}
}

func TestOneProcessPerVault(t *testing.T) {
	_, dir := newVault(t)
	_, err := Open(dir, fast)
	var iu *InUseError
	if !errors.As(err, &iu) || iu.PID != os.Getpid() {
		t.Fatalf("second open: %v", err)
	}
}

func TestOperators(t *testing.T) {
	s, _ := newVault(t)
	if _, err := s.AddOperator(NewOperator{Name: "短", Role: Witness, Passphrase: "short"}); !errors.Is(err, ErrWeakPassphrase) {
		t.Fatalf("weak passphrase: %v", err)
	}
	if _, err := s.AddOperator(NewOperator{Name: "x", Role: "boss", Passphrase: "long enough"}); err == nil {
		t.Fatal("unknown role accepted")
	}
	w, err := s.AddOperator(NewOperator{Name: "见证人乙", Role: Witness, Passphrase: "witness-pass"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveOperator(ctx, s.Operator().ID); !errors.Is(err, ErrLastAdmin) {
		t.Fatalf("removing the last admin: %v", err)
	}
	if err := s.RemoveOperator(ctx, w.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Vault().Unlock(w.ID, "witness-pass"); !errors.Is(err, ErrNoOperator) {
		t.Fatalf("removed operator unlocked: %v", err)
	}
	if err := s.ChangePassphrase("wrong-old-pass", "new-passphrase"); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("change with wrong old passphrase: %v", err)
	}
	if err := s.ChangePassphrase("admin-passphrase", "new-passphrase"); err != nil {
		t.Fatal(err)
	}
	v, id := s.Vault(), s.Operator().ID
	s.Lock()
	if _, err := v.Unlock(id, "admin-passphrase"); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("old passphrase still works: %v", err)
	}
	s2, err := v.Unlock(id, "new-passphrase")
	if err != nil {
		t.Fatal(err)
	}
	s2.Lock()
}

// An administrator changes an operator's role (in the sealed record and in the slot header
// the unlock screen lists) and resets a forgotten passphrase; the last administrator keeps
// the power to manage operators.
func TestOperatorRoleAndReset(t *testing.T) {
	s, _ := newVault(t)
	w, err := s.AddOperator(NewOperator{Name: "经办乙", Role: Witness, Passphrase: "witness-pass"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetOperatorRole(ctx, w.ID, Transferee); err != nil {
		t.Fatal(err)
	}
	if err := s.SetOperatorRole(ctx, s.Operator().ID, Auditor); !errors.Is(err, ErrLastAdmin) {
		t.Fatalf("demoting the last admin: %v", err)
	}
	if err := s.SetOperatorRole(ctx, w.ID, "boss"); err == nil {
		t.Fatal("unknown role accepted")
	}
	if err := s.ResetPassphrase(ctx, w.ID, "short"); !errors.Is(err, ErrWeakPassphrase) {
		t.Fatalf("weak reset: %v", err)
	}
	if err := s.ResetPassphrase(ctx, w.ID, "a new passphrase"); err != nil {
		t.Fatal(err)
	}
	slots, _ := s.Vault().Operators()
	for _, h := range slots {
		if h.Operator == w.ID && h.Role != string(Transferee) {
			t.Fatalf("slot header role %s", h.Role)
		}
	}
	v, admin := s.Vault(), s.Operator().ID
	s.Lock()
	if _, err := v.Unlock(w.ID, "witness-pass"); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("old passphrase after a reset: %v", err)
	}
	s2, err := v.Unlock(w.ID, "a new passphrase")
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Lock()
	if s2.Role() != Transferee {
		t.Fatalf("role after the change: %s", s2.Role())
	}
	var pe *PermissionError
	if err := s2.ResetPassphrase(ctx, admin, "taken over"); !errors.As(err, &pe) {
		t.Fatalf("a transferee reset the admin's passphrase: %v", err)
	}
}
