package store

import (
	"archive/tar"
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"handover/crypto/seal"
	"handover/store/atomicfile"

	"github.com/dgraph-io/badger/v4/pb"
	"google.golang.org/protobuf/proto"
)

// A backup is one tar file: the vault's manifest, operator slots and key table as they are
// on disk, and db.badger, Badger's own backup stream of every key and value. Nothing in it
// is readable without an operator's passphrase: values are sealed before Badger sees them,
// keys carry internal numbers and blinded tags, the slots and key table are sealed too.

// backupDB is the tar member holding the database stream.
const backupDB = "db.badger"

// BackupInfo describes a backup file.
type BackupInfo struct {
	Path    string    `json:"path"`
	Size    int64     `json:"size"`
	SHA256  string    `json:"sha256"`
	Entries int64     `json:"entries"` // keys in the database stream
	Made    time.Time `json:"made"`
}

// ErrBadBackup is returned for a file that is not a whole, readable backup.
var ErrBadBackup = errors.New("not a whole Handover backup")

// Backup writes the vault to a new file in outDir (atomically: a .partial file, fsync,
// rename), then reads the file back from the medium and checks it whole: its SHA-256
// against what was written, every tar member, and the database stream entry by entry.
func (s *Store) Backup(ctx context.Context, outDir string, now time.Time) (*BackupInfo, error) {
	// A backup never replaces another: a second one in the same second (a retry after an
	// interrupted backup) takes the next free number.
	base := fmt.Sprintf("handover-backup-%s-%s", s.dir.Manifest.ID, now.UTC().Format("20060102-150405"))
	final := filepath.Join(outDir, base+".tar")
	for i := 2; ; i++ {
		if _, err := os.Stat(final); errors.Is(err, os.ErrNotExist) {
			break
		}
		if i > 99 {
			return nil, fmt.Errorf("%s: %w", final, ErrExists)
		}
		final = filepath.Join(outDir, fmt.Sprintf("%s-%d.tar", base, i))
	}
	partial := final + ".partial"
	f, err := os.OpenFile(partial, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(partial)
		}
	}()
	h := sha256.New()
	bw := bufio.NewWriterSize(io.MultiWriter(f, h), 1<<20)
	tw := tar.NewWriter(bw)
	sums := map[string]string{}
	if err := s.backupFiles(tw, now, sums); err != nil {
		return nil, err
	}
	// The stream's size is unknown until written: it goes through a temporary file so the
	// tar header can carry it. The temporary file holds only sealed values.
	tmp, err := os.CreateTemp(outDir, ".handover-backup-db-*")
	if err != nil {
		return nil, err
	}
	defer func() { tmp.Close(); os.Remove(tmp.Name()) }()
	if _, err := s.db.Backup(tmp, 0); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	size, err := tmp.Seek(0, io.SeekCurrent)
	if err != nil {
		return nil, err
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	if err := tw.WriteHeader(&tar.Header{Name: backupDB, Mode: 0o600, Size: size, ModTime: now}); err != nil {
		return nil, err
	}
	dh := sha256.New()
	if _, err := io.Copy(io.MultiWriter(tw, dh), tmp); err != nil {
		return nil, err
	}
	sums[backupDB] = hex.EncodeToString(dh.Sum(nil))
	list := sumsFile(sums)
	if err := tw.WriteHeader(&tar.Header{Name: backupSums, Mode: 0o600, Size: int64(len(list)), ModTime: now}); err != nil {
		return nil, err
	}
	if _, err := tw.Write(list); err != nil {
		return nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := bw.Flush(); err != nil {
		return nil, err
	}
	if err := f.Sync(); err != nil {
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	if err := os.Rename(partial, final); err != nil {
		return nil, err
	}
	ok = true
	if err := atomicfile.SyncDir(outDir); err != nil {
		return nil, err
	}
	info, err := VerifyBackup(ctx, final)
	if err != nil {
		return nil, err
	}
	if info.SHA256 != hex.EncodeToString(h.Sum(nil)) {
		return nil, fmt.Errorf("%s: %w: what was read back differs from what was written", final, ErrBadBackup)
	}
	info.Made = now.UTC()
	return info, nil
}

// backupFiles adds the vault's files other than the database.
func (s *Store) backupFiles(tw *tar.Writer, now time.Time, sums map[string]string) error {
	if err := s.keys.settle(); err != nil { // the file must hold every key made so far
		return err
	}
	names := []string{manifestName, keyTableName}
	slots, err := os.ReadDir(filepath.Join(s.dir.path, slotsDir))
	if err != nil {
		return err
	}
	for _, e := range slots {
		if strings.HasSuffix(e.Name(), ".slot") {
			names = append(names, slotsDir+"/"+e.Name())
		}
	}
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(s.dir.path, filepath.FromSlash(n)))
		if err != nil {
			return err
		}
		if err := tw.WriteHeader(&tar.Header{Name: n, Mode: 0o600, Size: int64(len(b)), ModTime: now}); err != nil {
			return err
		}
		if _, err := tw.Write(b); err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		sums[n] = hex.EncodeToString(sum[:])
	}
	return nil
}

// backupSums is the last member: the SHA-256 of every other member, in sha256sum's format,
// so that a flipped bit anywhere is found, and a receiver can check with standard tools.
const backupSums = "SHA256SUMS"

func sumsFile(sums map[string]string) []byte {
	names := make([]string, 0, len(sums))
	for n := range sums {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		b.WriteString(sums[n] + "  " + n + "\n")
	}
	return []byte(b.String())
}

// VerifyBackup reads a backup file whole: every member of the tar, the manifest and at
// least one slot present, and every record of the database stream decoded.
func VerifyBackup(ctx context.Context, path string) (*BackupInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h := sha256.New()
	info := &BackupInfo{Path: path}
	err = readBackup(ctx, io.TeeReader(f, h), func(name string, r io.Reader) error {
		if name == backupDB {
			n, err := countStream(ctx, r)
			info.Entries = n
			return err
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	// The tar reader stops at the end marker; hash the padding after it too.
	if _, err := io.Copy(h, f); err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	info.Size, info.SHA256 = st.Size(), hex.EncodeToString(h.Sum(nil))
	return info, nil
}

// readBackup walks the members, refusing anything a backup does not hold.
func readBackup(ctx context.Context, r io.Reader, fn func(name string, r io.Reader) error) error {
	tr := tar.NewReader(r)
	seen := map[string]bool{}
	got := map[string]string{}
	var listed []byte
	slots := 0
	for {
		hd, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("%w: %v", ErrBadBackup, err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		name := hd.Name
		okName := name == manifestName || name == keyTableName || name == backupDB || isSlotName(name)
		if hd.Typeflag != tar.TypeReg || (!okName && name != backupSums) || seen[name] || seen[backupSums] {
			return fmt.Errorf("%w: unexpected member %q", ErrBadBackup, name)
		}
		seen[name] = true
		if name == backupSums {
			if listed, err = io.ReadAll(io.LimitReader(tr, 1<<20)); err != nil {
				return fmt.Errorf("%w: %v", ErrBadBackup, err)
			}
			continue
		}
		if strings.HasPrefix(name, slotsDir+"/") {
			slots++
		}
		h := sha256.New()
		if err := fn(name, io.TeeReader(tr, h)); err != nil {
			return err
		}
		if _, err := io.Copy(h, tr); err != nil { // what fn left unread
			return fmt.Errorf("%w: %v", ErrBadBackup, err)
		}
		got[name] = hex.EncodeToString(h.Sum(nil))
	}
	if !seen[manifestName] || !seen[keyTableName] || !seen[backupDB] || !seen[backupSums] || slots == 0 {
		return fmt.Errorf("%w: a member is missing", ErrBadBackup)
	}
	if string(listed) != string(sumsFile(got)) {
		return fmt.Errorf("%w: a member's SHA-256 does not match %s", ErrBadBackup, backupSums)
	}
	return nil
}

// countStream decodes Badger's backup stream: records of a little-endian length and a
// KVList, as badger.DB.Load reads them.
func countStream(ctx context.Context, r io.Reader) (int64, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	var n int64
	var buf []byte
	for i := 0; ; i++ {
		var size uint64
		err := binary.Read(br, binary.LittleEndian, &size)
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil || size > 1<<30 {
			return n, fmt.Errorf("%w: the database stream is cut short or damaged", ErrBadBackup)
		}
		if cap(buf) < int(size) {
			buf = make([]byte, size)
		}
		buf = buf[:size]
		if _, err := io.ReadFull(br, buf); err != nil {
			return n, fmt.Errorf("%w: the database stream is cut short", ErrBadBackup)
		}
		var list pb.KVList
		if err := proto.Unmarshal(buf, &list); err != nil {
			return n, fmt.Errorf("%w: a database record does not decode", ErrBadBackup)
		}
		n += int64(len(list.Kv))
		if i%64 == 0 && ctx.Err() != nil {
			return n, ctx.Err()
		}
	}
}

// isSlotName accepts slots/<name>.slot and nothing that could leave the slots folder.
func isSlotName(name string) bool {
	rest, ok := strings.CutPrefix(name, slotsDir+"/")
	return ok && strings.HasSuffix(rest, ".slot") && len(rest) > len(".slot") &&
		!strings.ContainsAny(rest, `/\:`) && !strings.HasPrefix(rest, ".")
}

// Restore makes a new vault at path from a backup file. master opens an operator's slot of
// the restored folder (the database is encrypted with a key derived from the master key).
// The vault is built in a sibling folder and renamed to path only when it is whole, so a
// crash or failure never leaves a partial vault at path; a restoring folder left by a crash
// is removed by the next restore to the same path.
func Restore(ctx context.Context, backup, path string, master func(*Dir) ([]byte, error)) (err error) {
	if entries, err := os.ReadDir(path); err == nil && len(entries) > 0 {
		return fmt.Errorf("%s: %w", path, ErrExists)
	}
	if _, err := VerifyBackup(ctx, backup); err != nil {
		return err
	}
	leftovers, _ := filepath.Glob(path + ".restoring-*")
	for _, l := range leftovers {
		os.RemoveAll(l)
	}
	final := path
	path = final + ".restoring-" + NewID("r")
	if err := os.MkdirAll(filepath.Join(path, slotsDir), 0o700); err != nil {
		return err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(path)
		}
	}()
	if err := restoreInto(ctx, backup, path, master); err != nil {
		return err
	}
	crashAt("restore.loaded")
	if err := syncTree(path); err != nil {
		return err
	}
	os.Remove(final) // an empty folder given as the target
	if err := os.Rename(path, final); err != nil {
		return err
	}
	return atomicfile.SyncDir(filepath.Dir(final))
}

// crashAt marks a boundary tests end the process at, as a power cut would.
var crashAt = func(step string) {}

// syncTree fsyncs every file and folder under root.
func syncTree(root string) error {
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return atomicfile.SyncDir(p)
		}
		if d.Name() == lockName {
			return nil
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		return f.Sync()
	})
}

func restoreInto(ctx context.Context, backup, path string, master func(*Dir) ([]byte, error)) error {
	f, err := os.Open(backup)
	if err != nil {
		return err
	}
	defer f.Close()
	var d *Dir
	defer func() {
		if d != nil {
			d.Close()
		}
	}()
	return readBackup(ctx, f, func(name string, r io.Reader) error {
		if name != backupDB {
			out, err := os.OpenFile(filepath.Join(path, filepath.FromSlash(name)), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
			if err != nil {
				return err
			}
			if _, err := io.Copy(out, r); err != nil {
				out.Close()
				return err
			}
			if err := out.Sync(); err != nil {
				out.Close()
				return err
			}
			return out.Close()
		}
		// The database comes last: the manifest and slots are in place to open it.
		if d, err = OpenDir(path); err != nil {
			return err
		}
		key, err := master(d)
		if err != nil {
			return err
		}
		defer clear(key)
		db, err := openBadger(filepath.Join(path, dbDir), seal.Derive(key, "badger"), true, false)
		if err != nil {
			return err
		}
		if err := db.Load(r, 256); err != nil {
			db.Close()
			return fmt.Errorf("%w: %v", ErrBadBackup, err)
		}
		return db.Close()
	})
}
