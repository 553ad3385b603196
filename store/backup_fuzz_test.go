package store

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// tinyBackup builds a backup with every member and an empty database stream.
func tinyBackup() []byte {
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	sums := map[string]string{}
	for _, m := range []struct{ name, body string }{
		{manifestName, `{"format":"handover-vault"}`}, {keyTableName, "k"}, {slotsDir + "/op-1.slot", "s"}, {backupDB, ""},
	} {
		tw.WriteHeader(&tar.Header{Name: m.name, Mode: 0o600, Size: int64(len(m.body))})
		tw.Write([]byte(m.body))
		sum := sha256.Sum256([]byte(m.body))
		sums[m.name] = hex.EncodeToString(sum[:])
	}
	list := sumsFile(sums)
	tw.WriteHeader(&tar.Header{Name: backupSums, Mode: 0o600, Size: int64(len(list))})
	tw.Write(list)
	tw.Close()
	return b.Bytes()
}

// FuzzVerifyBackup: whatever the file holds, VerifyBackup answers without panicking, and
// anything it accepts has every member and matching sums.
func FuzzVerifyBackup(f *testing.F) {
	good := tinyBackup()
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add([]byte{})
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(dir, "b.tar")
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		info, err := VerifyBackup(context.Background(), p)
		if err != nil && !errors.Is(err, ErrBadBackup) {
			t.Fatalf("unexpected error kind: %v", err)
		}
		if err == nil && info.Size != int64(len(data)) {
			t.Fatalf("size %d of %d", info.Size, len(data))
		}
	})
}

func TestTinyBackupVerifies(t *testing.T) {
	p := filepath.Join(t.TempDir(), "b.tar")
	os.WriteFile(p, tinyBackup(), 0o600)
	if _, err := VerifyBackup(context.Background(), p); err != nil {
		t.Fatal(err)
	}
}
