package store

import (
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/pb"
	"github.com/dgraph-io/badger/v4/table"
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
	live, known := manifestTables(dbPath)
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".sst") {
			continue
		}
		// A table the MANIFEST does not name is one a compaction replaced: Badger cuts such a
		// file to nothing, then removes it, and removes any left over when it opens. A
		// process that died between the two leaves an empty file that is not damage.
		if id, ok := table.ParseFileID(name); ok && known && !live[id] {
			continue
		}
		if err := checkTableFooter(dbPath, name); err != nil {
			return err
		}
	}
	return nil
}

// manifestTables is the set of tables Badger's MANIFEST names, read as Badger replays it;
// known is false when it cannot be read (checkLogs has refused a damaged one already), and
// then every table is checked.
func manifestTables(dbPath string) (live map[uint64]bool, known bool) {
	f, err := os.Open(filepath.Join(dbPath, "MANIFEST"))
	if err != nil {
		return nil, false
	}
	defer f.Close()
	m, _, err := badger.ReplayManifestFile(f, 0, badger.DefaultOptions(dbPath).WithLogger(nil))
	if err != nil {
		return nil, false
	}
	live = make(map[uint64]bool, len(m.Tables))
	for id := range m.Tables {
		live[id] = true
	}
	return live, true
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
