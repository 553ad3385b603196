package store

import (
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/dgraph-io/badger/v4/pb"
	"github.com/dgraph-io/badger/v4/y"
	"google.golang.org/protobuf/proto"
)

// checkTableFooters checks each table file's footer the way Badger reads it when it opens
// the database (table.initIndex): the checksum's length, the checksum, the index's length,
// and the index against its checksum. Badger reads these without bounds checks, on a
// goroutine of its own, and re-panics on purpose when that fails, which no caller can
// recover: a flipped bit in a footer crashed the program (seen in TestDiskDamageNeverGarbles)
// instead of reporting a damaged vault. Once the index is known good, Badger verifies each
// block's checksum as it reads it (options.OnBlockRead).
func checkTableFooters(dbPath string) error {
	entries, err := os.ReadDir(dbPath)
	if err != nil {
		if os.IsNotExist(err) {
			return nil
		}
		return err
	}
	for _, e := range entries {
		if name := e.Name(); strings.HasSuffix(name, ".sst") {
			if err := checkTableFooter(dbPath, name); err != nil {
				return err
			}
		}
	}
	return nil
}

func checkTableFooter(dbPath, name string) error {
	f, err := os.Open(filepath.Join(dbPath, name))
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	size := fi.Size()
	u32At := func(off int64) (int64, bool) {
		var b [4]byte
		if off < 0 || off+4 > size {
			return 0, false
		}
		if _, err := f.ReadAt(b[:], off); err != nil {
			return 0, false
		}
		return int64(binary.BigEndian.Uint32(b[:])), true
	}
	bytesAt := func(off, n int64) ([]byte, bool) {
		if off < 0 || n < 0 || off+n > size {
			return nil, false
		}
		b := make([]byte, n)
		if _, err := f.ReadAt(b, off); err != nil && err != io.EOF {
			return nil, false
		}
		return b, true
	}
	pos := size - 4
	chkLen, ok := u32At(pos)
	if !ok {
		return damaged(name, "the table's footer is cut short")
	}
	pos -= chkLen
	raw, ok := bytesAt(pos, chkLen)
	if !ok {
		return damaged(name, "the table's checksum length is out of range")
	}
	var chk pb.Checksum
	if err := proto.Unmarshal(raw, &chk); err != nil {
		return damaged(name, "the table's checksum cannot be read")
	}
	pos -= 4
	indexLen, ok := u32At(pos)
	if !ok {
		return damaged(name, "the table's index length cannot be read")
	}
	pos -= indexLen
	index, ok := bytesAt(pos, indexLen)
	if !ok {
		return damaged(name, "the table's index length is out of range")
	}
	if err := y.VerifyChecksum(index, &chk); err != nil {
		return damaged(name, "the table's index does not match its checksum")
	}
	return nil
}
