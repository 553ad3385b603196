package store

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"

	"handover/crypto/merkle"
	"handover/store/atomicfile"
)

// The audit log in a compliance archive: what remains of the vault's log when the vault is
// destroyed, verifiable without the vault and without any key but the public one.
//
//	audit/events.log       one line per event, in order: the event's exact bytes (JSON, one
//	                       line), or "pruned <leaf hash hex>" for an event removed after its
//	                       retention
//	audit/verifier-key.txt the signed-note verifier key of the log's checkpoints
//	audit/checkpoint-<size>.txt
//	                       every checkpoint kept in the vault, and one signed at archiving
//
// Events hold no personal data (customers appear by number), so the archive holds none.

// WriteAuditArchive writes the audit log into dir/audit, with a checkpoint of its whole
// length signed now.
func (s *Store) WriteAuditArchive(ctx context.Context, dir string) error {
	adir := filepath.Join(dir, "audit")
	if err := os.MkdirAll(adir, 0o700); err != nil {
		return err
	}
	var log bytes.Buffer
	err := s.eachAuditRecord(ctx, 1, false, func(seq uint64, rec []byte) (bool, error) {
		if rec == nil {
			return false, &CorruptError{What: "audit event " + strconv.FormatUint(seq, 10)}
		}
		if len(rec) == 65 && rec[0] == auditRecordPruned {
			fmt.Fprintf(&log, "pruned %s\n", hex.EncodeToString(rec[33:]))
			return true, nil
		}
		ev, _, _ := splitRecord(rec)
		if bytes.ContainsAny(ev, "\r\n") {
			return false, &CorruptError{What: "audit event " + strconv.FormatUint(seq, 10)}
		}
		log.Write(ev)
		log.WriteByte('\n')
		return true, nil
	})
	if err != nil {
		return err
	}
	cps := map[string]string{}
	if err := s.MetaPrefix(ctx, "audit-checkpoint/", func(name string, b []byte) (bool, error) {
		var text string
		if err := json.Unmarshal(b, &text); err != nil {
			return false, &CorruptError{What: "audit checkpoint"}
		}
		cps[strings.TrimPrefix(name, "audit-checkpoint/")] = text
		return true, nil
	}); err != nil {
		return err
	}
	final, err := s.Checkpoint()
	if err != nil {
		return err
	}
	cps[fmt.Sprintf("%020d", s.auditTree.Size())] = final
	files := map[string][]byte{"events.log": log.Bytes(), "verifier-key.txt": []byte(s.AuditVerifierKey() + "\n")}
	for size, text := range cps {
		n, _ := strconv.ParseUint(size, 10, 64)
		files[fmt.Sprintf("checkpoint-%d.txt", n)] = []byte(text)
	}
	for name, b := range files {
		if err := writeSynced(filepath.Join(adir, name), b); err != nil {
			return err
		}
	}
	return nil
}

func writeSynced(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// ErrArchive says an archive's audit log is not whole.
var ErrArchive = errors.New("not a Handover compliance archive (audit/events.log, audit/verifier-key.txt and a checkpoint are needed)")

// VerifyAuditArchive recomputes an archived audit log's Merkle tree (RFC 6962) and checks it
// against every checkpoint in the archive, each verified with the archive's verifier key; the
// newest must cover every event, so nothing can be cut from the end either. It needs no
// vault and no secret.
func VerifyAuditArchive(dir string) (*AuditReport, error) {
	adir := filepath.Join(dir, "audit")
	vk, err := os.ReadFile(filepath.Join(adir, "verifier-key.txt"))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrArchive, err)
	}
	verifier, err := note.NewVerifier(strings.TrimSpace(string(vk)))
	if err != nil {
		return nil, fmt.Errorf("%w: verifier-key.txt: %v", ErrArchive, err)
	}
	origin := verifier.Name()
	type cp struct {
		size uint64
		root merkle.Hash
		file string
	}
	var cps []cp
	names, _ := filepath.Glob(filepath.Join(adir, "checkpoint-*.txt"))
	for _, name := range names {
		b, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		n, err := note.Open(b, note.VerifierList(verifier))
		if err != nil {
			return nil, fmt.Errorf("%s: %w: %v", filepath.Base(name), ErrCheckpoint, err)
		}
		lines := strings.Split(n.Text, "\n")
		if len(lines) < 4 || lines[0] != origin {
			return nil, fmt.Errorf("%s: %w", filepath.Base(name), ErrCheckpoint)
		}
		size, err := strconv.ParseUint(lines[1], 10, 64)
		var root merkle.Hash
		rb, rerr := decodeRoot(lines[2])
		if err != nil || rerr != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Base(name), ErrCheckpoint)
		}
		copy(root[:], rb)
		cps = append(cps, cp{size, root, filepath.Base(name)})
	}
	if len(cps) == 0 {
		return nil, ErrArchive
	}
	sort.Slice(cps, func(i, j int) bool { return cps[i].size < cps[j].size })
	f, err := os.Open(filepath.Join(adir, "events.log"))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrArchive, err)
	}
	defer f.Close()
	rep := &AuditReport{}
	var tree merkle.Tree
	next := 0
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	check := func() {
		for rep.Problem == nil && next < len(cps) && cps[next].size == tree.Size() {
			if cps[next].root != tree.Root() {
				rep.Problem = &AuditProblem{Seq: tree.Size(), Reason: "checkpoint", Detail: "the events up to here differ from " + cps[next].file}
				return
			}
			next++
			rep.Checkpoints++
		}
	}
	check()
	for sc.Scan() && rep.Problem == nil {
		line := sc.Bytes()
		if h, ok := bytes.CutPrefix(line, []byte("pruned ")); ok {
			var leaf merkle.Hash
			// hex.Decode panics when the text is longer than the array holds.
			if len(h) != hex.EncodedLen(len(leaf)) {
				rep.Problem = &AuditProblem{Seq: tree.Size() + 1, Reason: "damaged", Detail: "a pruned event's leaf hash is malformed"}
				break
			}
			if _, err := hex.Decode(leaf[:], h); err != nil {
				rep.Problem = &AuditProblem{Seq: tree.Size() + 1, Reason: "damaged", Detail: "a pruned event's leaf hash is malformed"}
				break
			}
			tree.Append(leaf)
		} else {
			tree.Append(merkle.LeafHash(line))
		}
		check()
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	rep.Events, rep.Root = tree.Size(), tree.Root()
	if rep.Problem == nil && next < len(cps) {
		rep.Problem = &AuditProblem{Seq: tree.Size(), Reason: "missing", Detail: fmt.Sprintf("%s covers %d events, the log holds %d: events were removed from the end", cps[next].file, cps[next].size, tree.Size())}
	}
	return rep, nil
}

func decodeRoot(s string) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err == nil && len(b) != 32 {
		err = ErrCheckpoint
	}
	return b, err
}

// Erase destroys a closed vault folder for good: every key slot and the key table are
// overwritten (each operator's sealed master key, and every customer's data key, with
// 0xFF) and synced, then every file and the folder are removed. Once the key table is
// overwritten nothing in the folder can be decrypted, so a crash part-way leaves only
// noise, and running Erase again finishes the removal. The process lock is held until the
// end.
func (d *Dir) Erase() error {
	overwrite := func(path string) error {
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if os.IsNotExist(err) {
			return nil
		}
		if err != nil {
			return err
		}
		defer f.Close()
		fi, err := f.Stat()
		if err != nil {
			return err
		}
		block := bytes.Repeat([]byte{0xFF}, 1<<20)
		for off := int64(0); off < fi.Size(); off += int64(len(block)) {
			n := min(int64(len(block)), fi.Size()-off)
			if _, err := f.WriteAt(block[:n], off); err != nil {
				return err
			}
		}
		return f.Sync()
	}
	slots, _ := filepath.Glob(filepath.Join(d.path, slotsDir, "*"))
	for _, p := range append(slots, filepath.Join(d.path, keyTableName)) {
		if err := overwrite(p); err != nil {
			return err
		}
	}
	entries, err := os.ReadDir(d.path)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.Name() == lockName {
			continue
		}
		if err := os.RemoveAll(filepath.Join(d.path, e.Name())); err != nil {
			return err
		}
	}
	d.Close()
	if err := os.RemoveAll(d.path); err != nil {
		return err
	}
	return atomicfile.SyncDir(filepath.Dir(d.path))
}
