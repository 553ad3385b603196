package vault

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"handover/app/audit"
	"handover/app/checklist"
	"handover/app/handoverpkg"
	"handover/app/progress"
	"handover/crypto/identity"
)

// The crash-at-every-boundary suite. A child process runs one operation and ends itself,
// as a power cut would, at one boundary between the operation's effect and its record
// (crashAt); the parent then unlocks the vault and checks that the effect is either undone
// or recorded, and that the operation can be done again.

const crashExit = 77

// crashFixture is what the child needs, in files: two vaults, two identities, a package.
type crashFixture struct {
	root                     string
	sender, receiver         string // vault folders
	senderID, receiverID     string // identity files (passphrase "identity-pass")
	pkgDir                   string // a package from sender to receiver, sequence 1
	out                      string // where the child exports and backs up to
	transferor, transferee   string // operator IDs (passphrase "operator-pass")
	senderCard, receiverCard identity.Card
}

func init() {
	step := os.Getenv("HANDOVER_TEST_CRASH_AT")
	if step == "" {
		return
	}
	crashAt = func(s string) {
		if s == step {
			os.Exit(crashExit)
		}
	}
	f := crashFixture{root: os.Getenv("HANDOVER_TEST_CRASH_ROOT")}
	f.paths()
	if err := f.run(os.Getenv("HANDOVER_TEST_CRASH_OP")); err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		os.Exit(3)
	}
	os.Exit(0) // the step was never reached
}

func (f *crashFixture) paths() {
	f.sender, f.receiver = filepath.Join(f.root, "sender"), filepath.Join(f.root, "receiver")
	f.senderID, f.receiverID = filepath.Join(f.root, "sender.id"), filepath.Join(f.root, "receiver.id")
	f.out = filepath.Join(f.root, "out")
	ops, _ := os.ReadFile(filepath.Join(f.root, "operators"))
	if parts := strings.Fields(string(ops)); len(parts) == 3 {
		f.transferor, f.transferee, f.pkgDir = parts[0], parts[1], parts[2]
	}
	for _, c := range []struct {
		file string
		card *identity.Card
	}{{f.senderID, &f.senderCard}, {f.receiverID, &f.receiverCard}} {
		if id := f.identity(c.file); id != nil {
			*c.card = id.Card
		}
	}
}

func (f *crashFixture) identity(file string) *identity.Identity {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil
	}
	id, _ := identity.Open(b, "identity-pass")
	return id
}

func (f *crashFixture) unlock(dir, operator, pass string) (*Session, error) {
	v, err := Open(dir, fast)
	if err != nil {
		return nil, err
	}
	s, err := v.Unlock(operator, pass)
	if err != nil {
		v.Close()
	}
	return s, err
}

func closeAll(s *Session) {
	s.Lock()
	s.Vault().Close()
}

// run does one operation, as the child or as the parent checking it can be done again.
func (f *crashFixture) run(op string) error {
	switch op {
	case "export":
		s, err := f.unlock(f.sender, f.transferor, "operator-pass")
		if err != nil {
			return err
		}
		defer closeAll(s)
		_, _, err = s.Export(ctx, handoverpkg.Options{Out: f.out, Sender: f.identity(f.senderID), Recipients: []identity.Card{f.receiverCard}}, progress.Discard)
		return err
	case "receive":
		s, err := f.unlock(f.receiver, f.transferee, "operator-pass")
		if err != nil {
			return err
		}
		defer closeAll(s)
		rec, err := s.Receive(ctx, f.pkgDir, f.identity(f.receiverID), []identity.Card{f.senderCard}, progress.Discard)
		if err == nil && !rec.Equal {
			err = errors.New("not equal")
		}
		return err
	case "backup":
		s, err := f.unlock(f.sender, f.transferor, "operator-pass")
		if err != nil {
			return err
		}
		defer closeAll(s)
		_, err = s.Backup(ctx, f.out)
		return err
	case "notices":
		s, err := f.unlock(f.sender, f.transferor, "operator-pass")
		if err != nil {
			return err
		}
		defer closeAll(s)
		if err := s.SetNoticeSetup(ctx, noticeSetupFixture()); err != nil {
			return err
		}
		_, err = s.GenerateNotices(ctx, GenerateRequest{Template: "equity-courtesy", Channel: ChannelSMS, Out: filepath.Join(f.out, "notices"), AllowTemporaryFolder: true}, nil)
		return err
	case "passphrase":
		s, err := f.unlock(f.sender, f.transferor, "operator-pass")
		if err != nil {
			return err
		}
		defer closeAll(s)
		return s.ChangePassphrase("operator-pass", "operator-pass-new")
	}
	return errors.New("unknown operation " + op)
}

// newCrashFixture makes both vaults: a sender whose export gate is open, a receiver with a
// transferee, and a package between them.
func newCrashFixture(t *testing.T) *crashFixture {
	t.Helper()
	f := &crashFixture{root: t.TempDir()}
	f.paths()
	os.MkdirAll(f.out, 0o700)
	sender, _ := identity.New("出让人", "甲公司", "负责人", time.Now())
	receiver, _ := identity.New("受让人", "乙公司", "负责人", time.Now())
	for _, c := range []struct {
		file string
		id   *identity.Identity
	}{{f.senderID, sender}, {f.receiverID, receiver}} {
		b, err := c.id.Seal("identity-pass", 10)
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(c.file, b, 0o600)
	}
	f.senderCard, f.receiverCard = sender.Card, receiver.Card

	f.transferor = vaultWithOperator(t, f.sender, Transferor)
	s, err := f.unlock(f.sender, f.transferor, "operator-pass")
	if err != nil {
		t.Fatal(err)
	}
	addCustomers(t, s, 3)
	if _, err := s.InitDeal(testDeal(checklist.Mainland)); err != nil {
		t.Fatal(err)
	}
	prepareForExport(t, s)
	pkgOut := filepath.Join(f.root, "stick")
	os.MkdirAll(pkgOut, 0o700)
	if f.pkgDir, _, err = s.Export(ctx, handoverpkg.Options{Out: pkgOut, Sender: sender, Recipients: []identity.Card{receiver.Card}}, progress.Discard); err != nil {
		t.Fatal(err)
	}
	closeAll(s)

	f.transferee = vaultWithOperator(t, f.receiver, Transferee)
	r, err := f.unlock(f.receiver, f.transferee, "operator-pass")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Trust(sender.Card, "test"); err != nil {
		t.Fatal(err)
	}
	closeAll(r)
	os.WriteFile(filepath.Join(f.root, "operators"), []byte(f.transferor+" "+f.transferee+" "+f.pkgDir), 0o600)
	return f
}

// vaultWithOperator creates a vault at dir whose administrator adds one operator of role
// (passphrase "operator-pass"), and returns that operator's ID.
func vaultWithOperator(t *testing.T, dir string, role Role) string {
	t.Helper()
	admin, err := Create(dir, NewOperator{Name: "管理员", Role: Admin, Passphrase: "admin-passphrase"}, "", fast)
	if err != nil {
		t.Fatal(err)
	}
	defer closeAll(admin)
	op, err := admin.AddOperator(NewOperator{Name: "经办" + string(role), Role: role, Passphrase: "operator-pass"})
	if err != nil {
		t.Fatal(err)
	}
	// The compliance reviewer who signs the assessment workbooks off.
	if _, err := admin.AddOperator(NewOperator{Name: "审核员", Role: Auditor, Passphrase: "operator-pass"}); err != nil {
		t.Fatal(err)
	}
	return op.ID
}

// transferorWithBook makes a vault in one line: an administrator, a transferor (passphrase
// "operator-pass") unlocked in s, and n customers.
func transferorWithBook(t *testing.T, n int) (v *Vault, s *Session, dir, id string) {
	t.Helper()
	dir = filepath.Join(t.TempDir(), "vault")
	id = vaultWithOperator(t, dir, Transferor)
	v, err := Open(dir, fast)
	if err != nil {
		t.Fatal(err)
	}
	if s, err = v.Unlock(id, "operator-pass"); err != nil {
		t.Fatal(err)
	}
	addCustomers(t, s, n)
	return v, s, dir, id
}

// crashChild runs op in a child process that ends itself at step.
func (f *crashFixture) crashChild(t *testing.T, op, step string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "HANDOVER_TEST_CRASH_AT="+step, "HANDOVER_TEST_CRASH_ROOT="+f.root, "HANDOVER_TEST_CRASH_OP="+op)
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != crashExit {
		t.Fatalf("%s did not stop at %s: %v %s", op, step, err, out)
	}
}

// interrupted returns the detail of the operation's interrupted event, which the unlock
// after the crash must have recorded.
func interrupted(t *testing.T, s *Session, action string) map[string]string {
	t.Helper()
	for _, ev := range events(t, s) {
		if ev.Action == action && ev.Outcome == audit.Interrupted {
			return ev.Detail
		}
	}
	t.Fatalf("no %s:%s event after the crash: %s", action, audit.Interrupted, actions(events(t, s)))
	return nil
}

func TestCrashAtEveryBoundary(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a process per boundary")
	}
	cases := []struct {
		op, action string
		check      func(t *testing.T, f *crashFixture, step string)
	}{
		{"export", audit.PackageExport, func(t *testing.T, f *crashFixture, step string) {
			s, err := f.unlock(f.sender, f.transferor, "operator-pass")
			if err != nil {
				t.Fatal(err)
			}
			defer closeAll(s)
			d := interrupted(t, s, audit.PackageExport)
			st, _ := s.store()
			var rec struct{ SHA256 string }
			recorded := st.GetMeta("package/"+d["package"], &rec) == nil
			_, statErr := os.Stat(filepath.Join(f.out, d["package"], "package.json"))
			if step == "package.export.effect" && (!recorded || statErr != nil || d["found"] != "complete package") {
				t.Fatalf("the finished package was not recorded at unlock: %v, %v", d, statErr)
			}
			if step == "package.export.begun" && (recorded || statErr == nil) {
				t.Fatalf("a package was recorded or left although none was written: %v", d)
			}
			if d["sequence"] != "2" {
				t.Fatalf("sequence %s, want 2 (the fixture's package has 1)", d["sequence"])
			}
			// The sequence was spent: the next export takes a new number.
			_, m, err := s.Export(ctx, handoverpkg.Options{Out: f.out, Sender: f.identity(f.senderID), Recipients: []identity.Card{f.receiverCard}}, progress.Discard)
			if err != nil || m.Sequence != 3 {
				t.Fatalf("export after the crash: %v, %+v", err, m)
			}
		}},
		{"receive", audit.PackageReceive, func(t *testing.T, f *crashFixture, step string) {
			s, err := f.unlock(f.receiver, f.transferee, "operator-pass")
			if err != nil {
				t.Fatal(err)
			}
			interrupted(t, s, audit.PackageReceive)
			if c, _ := s.Counts(); c.Customers != 0 {
				t.Fatalf("a receive without its record left %d customers", c.Customers)
			}
			closeAll(s)
			if err := f.run("receive"); err != nil {
				t.Fatalf("receiving again after the crash: %v", err)
			}
		}},
		{"backup", audit.Backup, func(t *testing.T, f *crashFixture, step string) {
			s, err := f.unlock(f.sender, f.transferor, "operator-pass")
			if err != nil {
				t.Fatal(err)
			}
			d := interrupted(t, s, audit.Backup)
			if d["out"] != f.out {
				t.Fatalf("detail %v", d)
			}
			closeAll(s)
			if err := f.run("backup"); err != nil {
				t.Fatalf("backup after the crash: %v", err)
			}
		}},
		{"notices", audit.NoticeGenerate, func(t *testing.T, f *crashFixture, step string) {
			s, err := f.unlock(f.sender, f.transferor, "operator-pass")
			if err != nil {
				t.Fatal(err)
			}
			defer closeAll(s)
			d := interrupted(t, s, audit.NoticeGenerate)
			if entries, _ := os.ReadDir(filepath.Join(f.out, "notices")); len(entries) != 0 {
				t.Fatalf("an unrecorded batch left %d files of personal data (%v)", len(entries), d)
			}
			if b, err := s.NoticeBatches(ctx); err != nil || len(b) != 0 {
				t.Fatalf("batches after the crash: %v %v", b, err)
			}
			sums, err := s.NoticeStatus(ctx)
			if err != nil || sums[0].Reached != 0 || sums[0].ByChannel[ChannelSMS] != nil {
				t.Fatalf("deliveries of an unrecorded batch are counted: %+v %v", sums, err)
			}
		}},
		{"passphrase", audit.PassphraseChange, func(t *testing.T, f *crashFixture, step string) {
			pass := "operator-pass"
			if step == audit.PassphraseChange+".effect" {
				pass = "operator-pass-new"
			}
			s, err := f.unlock(f.sender, f.transferor, pass)
			if err != nil {
				t.Fatalf("after a crash at %s the passphrase %q: %v", step, pass, err)
			}
			interrupted(t, s, audit.PassphraseChange)
			closeAll(s)
		}},
	}
	for _, c := range cases {
		for _, boundary := range []string{".begun", ".effect"} {
			step := c.action + boundary
			t.Run(step, func(t *testing.T) {
				f := newCrashFixture(t)
				f.crashChild(t, c.op, step)
				c.check(t, f, step)
			})
		}
	}
}
