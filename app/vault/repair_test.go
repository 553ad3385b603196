package vault

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// A vault whose newest value log is damaged in the middle is refused at unlock; a repair
// needs an administrator, keeps the logs as they were, and says when the book does not read
// whole afterwards (the backup is then the remedy), all recorded in the audit log.
func TestRepairOfADamagedLog(t *testing.T) {
	v, s, dir, id := transferorWithBook(t, 50)
	s.Lock()
	vlogs, _ := filepath.Glob(filepath.Join(dir, "db", "*.vlog"))
	var biggest string
	var size int64
	for _, p := range vlogs {
		if fi, _ := os.Stat(p); fi.Size() > size {
			biggest, size = p, fi.Size()
		}
	}
	b, _ := os.ReadFile(biggest)
	b[len(b)/4] ^= 0x08
	os.WriteFile(biggest, b, 0o600)
	var de *DamageError
	if _, err := v.Unlock(id, "operator-pass"); !errors.As(err, &de) {
		t.Skipf("the damaged file is not the newest log (%s): %v", filepath.Base(biggest), err)
	}
	var pe *PermissionError
	if _, err := v.Repair(ctx, id, "operator-pass"); !errors.As(err, &pe) {
		t.Fatalf("a repair by a transferor: %v", err)
	}
	admin, _ := v.OperatorByName("管理员")
	rep, err := v.Repair(ctx, admin, "admin-passphrase")
	if !errors.Is(err, ErrRepairIncomplete) || rep.Problem == "" {
		t.Fatalf("repair: %+v, %v", rep, err)
	}
	if kept, _ := os.ReadFile(filepath.Join(rep.Kept, filepath.Base(biggest))); len(kept) != len(b) {
		t.Fatalf("the damaged log was not kept as it was (%d of %d bytes)", len(kept), len(b))
	}
	v.Close()
}
