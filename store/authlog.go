package store

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"handover/store/atomicfile"
	"io"
	"os"
	"path/filepath"
	"time"
)

// Failed unlocks are kept in a plain file, auth-failures.jsonl, because the encrypted audit
// log cannot be written without the key; the next unlock moves them into the audit log.
// Anyone who can write the vault's folder can write that file too, so each line carries its
// number and the SHA-256 of the line before it, and the vault keeps, sealed, the number and
// hash of the last line it took in and when. The next unlock then finds lines removed, cut,
// replaced, inserted or junk added, lines dated before the last unlock, and a missing file, and
// reports each as a problem (an audit event) instead of dropping or trusting it. What cannot
// be found without a secret held while locked: the file put back exactly as the last unlock
// left it, with the failures since then removed.

// AuthFailure is one failed unlock.
type AuthFailure struct {
	Time        time.Time `json:"time"`
	Operator    string    `json:"operator"`
	Workstation string    `json:"workstation"`
	Reason      string    `json:"reason"`
}

// authLine is one line of the file: a failure, or the base line an unlock writes when it has
// taken the failures in.
type authLine struct {
	Seq  uint64 `json:"seq"`
	Prev string `json:"prev"` // hex SHA-256 of the line before, as written
	Base bool   `json:"base,omitempty"`
	Salt string `json:"salt,omitempty"` // base lines: makes each one unlike the last
	AuthFailure
}

// AuthLogState is what the vault keeps of the file, sealed: the last line taken in.
type AuthLogState struct {
	Seq  uint64    `json:"seq"`
	Last string    `json:"last"` // hex SHA-256 of that line
	At   time.Time `json:"at"`   // when it was taken in
}

// maxAuthLog is how much of the file is read; a larger file is itself a problem.
const maxAuthLog = 4 << 20

func lineHash(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// RecordAuthFailure appends a failed unlock, numbered and chained to the line before it.
func (d *Dir) RecordAuthFailure(f AuthFailure) error {
	fh, err := os.OpenFile(filepath.Join(d.path, failuresName), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	defer fh.Close()
	prev, seq, err := lastAuthLine(fh)
	if err != nil {
		return err
	}
	b, _ := json.Marshal(authLine{Seq: seq + 1, Prev: prev, AuthFailure: f})
	if _, err := fh.Seek(0, io.SeekEnd); err != nil {
		return err
	}
	if _, err := fh.Write(append(b, '\n')); err != nil {
		return err
	}
	return fh.Sync()
}

// lastAuthLine reads the file's last line: its hash and number (0 if it has none).
func lastAuthLine(f *os.File) (hash string, seq uint64, err error) {
	info, err := f.Stat()
	if err != nil || info.Size() == 0 {
		return "", 0, err
	}
	from := max(0, info.Size()-64<<10)
	tail := make([]byte, info.Size()-from)
	if _, err := f.ReadAt(tail, from); err != nil && !errors.Is(err, io.EOF) {
		return "", 0, err
	}
	tail = bytes.TrimRight(tail, "\n")
	if i := bytes.LastIndexByte(tail, '\n'); i >= 0 {
		tail = tail[i+1:]
	}
	var l authLine
	_ = json.Unmarshal(tail, &l) // junk keeps seq 0; the chain shows where it was
	return lineHash(tail), l.Seq, nil
}

// AuthLogProblem is something wrong with the failure file, for the audit log.
type AuthLogProblem struct {
	Line   int    // 1-based, 0 for the file as a whole
	Reason string // stable: missing, oversized, removed, junk, out_of_sequence, chain_broken, backdated
}

// AuthIntake is what an unlock found in the failure file.
type AuthIntake struct {
	Failures []AuthFailure
	Problems []AuthLogProblem
	// Next is the state to seal once the failures are in the audit log; Commit then starts
	// the file again from it.
	Next AuthLogState
}

// TakeAuthFailures reads the failures recorded since the state st (zero for a vault that
// has none yet) and checks the file against it.
func (d *Dir) TakeAuthFailures(st AuthLogState, now time.Time) (*AuthIntake, error) {
	in := &AuthIntake{Next: st}
	in.Next.At = now.UTC()
	f, err := os.Open(filepath.Join(d.path, failuresName))
	if errors.Is(err, os.ErrNotExist) {
		if st.Last != "" {
			in.Problems = append(in.Problems, AuthLogProblem{Reason: "missing"})
		}
		return in, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxAuthLog+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxAuthLog {
		in.Problems = append(in.Problems, AuthLogProblem{Reason: "oversized"})
		b = b[:maxAuthLog]
	}
	lines := bytes.Split(bytes.TrimRight(b, "\n"), []byte("\n"))
	// The anchor is the last line taken in (the file was not started again) or the base line
	// written after it. Without one, what came before was removed or replaced.
	start := 0
	anchored := st.Last == ""
	for i, l := range lines {
		var al authLine
		switch {
		case lineHash(l) == st.Last:
			start, anchored = i+1, true // the file was not started again after that unlock
		case json.Unmarshal(l, &al) == nil && al.Base && al.Prev == st.Last && al.Seq == st.Seq:
			start, anchored = i+1, true
			if i > 0 { // a base line is written as the whole file
				in.Problems = append(in.Problems, AuthLogProblem{Line: 1, Reason: "junk"})
			}
		}
	}
	if !anchored {
		in.Problems = append(in.Problems, AuthLogProblem{Line: 1, Reason: "removed"})
	}
	prevHash, prevSeq := st.Last, st.Seq
	if start > 0 {
		prevHash = lineHash(lines[start-1])
	}
	// A vault that kept no state yet (made before the chain) has nothing to check lines
	// against: its failures are taken in as they are, once, and the chain starts after them.
	legacy := st.Last == ""
	chained := anchored && !legacy
	for i := start; i < len(lines); i++ {
		l := lines[i]
		if len(bytes.TrimSpace(l)) == 0 {
			continue
		}
		var al authLine
		switch {
		case json.Unmarshal(l, &al) != nil || al.Base || al.Time.IsZero():
			in.Problems = append(in.Problems, AuthLogProblem{Line: i + 1, Reason: "junk"})
			chained = false
		case chained && al.Prev != prevHash:
			in.Problems = append(in.Problems, AuthLogProblem{Line: i + 1, Reason: "chain_broken"})
			chained = false
		case chained && al.Seq != prevSeq+1:
			in.Problems = append(in.Problems, AuthLogProblem{Line: i + 1, Reason: "out_of_sequence"})
			chained = false
		default:
			chained = !legacy
		}
		if al.Time.IsZero() || al.Base {
			prevHash = lineHash(l)
			continue
		}
		if !st.At.IsZero() && al.Time.Before(st.At) {
			in.Problems = append(in.Problems, AuthLogProblem{Line: i + 1, Reason: "backdated"})
		}
		in.Failures = append(in.Failures, al.AuthFailure)
		prevHash, prevSeq = lineHash(l), max(prevSeq+1, al.Seq)
	}
	in.Next.Seq, in.Next.Last = prevSeq, prevHash
	return in, nil
}

// StartAuthLog writes the file anew as a base line after the state st: called once the
// failures taken in and st are safe in the vault.
func (d *Dir) StartAuthLog(st AuthLogState) error {
	var salt [8]byte
	rand.Read(salt[:])
	b, _ := json.Marshal(authLine{Seq: st.Seq, Prev: st.Last, Base: true, Salt: hex.EncodeToString(salt[:])})
	return atomicfile.Write(filepath.Join(d.path, failuresName), append(b, '\n'), 0o600)
}

func (p AuthLogProblem) String() string {
	if p.Line == 0 {
		return p.Reason
	}
	return fmt.Sprintf("%s at line %d", p.Reason, p.Line)
}
