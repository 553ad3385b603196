package handoverpkg

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"syscall"

	"handover/app/progress"
)

// writtenSegment is a stretch of a part the writer has handed to the file: the read-back
// syncs it to the device and reads it back. A part's last segment carries the part's size
// and SHA-256 and hands its file over to be closed, so that the writer goes on with the next
// part meanwhile.
type writtenSegment struct {
	name string   // the part's file name (still *.partial)
	f    *os.File // the writer's file
	upTo int64    // bytes of the part written so far
	last *Part    // the finished part, on its last segment
}

// readBacker reads parts back from the device as their segments are written, hashing as it
// goes, and compares each whole part with what was written.
type readBacker struct {
	dir string
	ctx context.Context
	p   progress.Reporter

	buf    []byte   // an alignedBlock
	rf     *os.File // the part being read back
	direct bool     // rf reads around the page cache
	h      hash.Hash
	pos    int64
}

func (r *readBacker) segment(seg writtenSegment) error {
	err := seg.f.Sync() // on the device, so that it can be read from there
	if seg.last != nil {
		if cerr := seg.f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return err
	}
	if r.rf == nil {
		rf, err := os.Open(filepath.Join(r.dir, seg.name))
		if err != nil {
			return &PartError{Part: partOf(seg.name), Reason: "missing"}
		}
		r.rf, r.h, r.pos = rf, sha256.New(), 0
		r.direct = tryDirect(rf)
		if r.buf == nil {
			r.buf = alignedBlock()
		}
	}
	if !r.direct {
		dropCacheRange(r.rf, r.pos, seg.upTo-r.pos)
	}
	for r.pos < seg.upTo {
		n := min(int64(len(r.buf)), seg.upTo-r.pos)
		ask := n
		if r.direct {
			ask = min(int64(len(r.buf)), (n+directAlign-1)&^(directAlign-1))
		}
		k, err := r.rf.ReadAt(r.buf[:ask], r.pos)
		if errors.Is(err, syscall.EINVAL) && r.direct && k == 0 {
			// O_DIRECT taken when set but refused at the read (an unaligned stretch, or the
			// file system): through the page cache from here on, its pages dropped first.
			r.direct = false
			if err := setDirect(r.rf, false); err != nil {
				return err
			}
			dropCacheRange(r.rf, r.pos, seg.upTo-r.pos)
			continue
		}
		if int64(k) < n {
			if err == nil || err == io.EOF {
				return &PartError{Part: partOf(seg.name), Reason: fmt.Sprintf("cut short on the disk: %d of %d bytes read back", r.pos+int64(k), seg.upTo)}
			}
			return &PartError{Part: partOf(seg.name), Reason: err.Error()}
		}
		r.h.Write(r.buf[:n])
		r.pos += n
		r.p.Add(n)
		if err := r.ctx.Err(); err != nil {
			return err
		}
	}
	if seg.last == nil {
		return nil
	}
	defer r.close()
	// Anything past the end? Asked from the page boundary below it, which O_DIRECT takes.
	base := r.pos &^ (directAlign - 1)
	if k, _ := r.rf.ReadAt(r.buf[:2*directAlign], base); int64(k) > r.pos-base {
		return &PartError{Part: seg.last.Name, Reason: "longer on the disk than was written"}
	}
	if hex.EncodeToString(r.h.Sum(nil)) != seg.last.SHA256 {
		return &PartError{Part: seg.last.Name, Reason: "what was read back from the disk differs from what was written (the medium is failing)"}
	}
	return nil
}

// close lets go of the part being read back.
func (r *readBacker) close() {
	if r.rf != nil {
		r.rf.Close()
		r.rf = nil
	}
}

// partOf is a part's name without ".partial".
func partOf(file string) string {
	if n := len(file) - len(".partial"); n > 0 && file[n:] == ".partial" {
		return file[:n]
	}
	return file
}
