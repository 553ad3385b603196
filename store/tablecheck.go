package store

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sync"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/fb"
	"github.com/dgraph-io/badger/v4/options"
	"github.com/dgraph-io/badger/v4/pb"
	"github.com/dgraph-io/badger/v4/table"
	"github.com/dgraph-io/ristretto/v2"
	"github.com/dgraph-io/ristretto/v2/z"

	"handover/crypto/seal"
)

// verifyTables reads every block of every table once and checks its checksum. Badger checks
// a block when it reads it, but an iterator that meets a damaged block just ends, as if the
// data had ended there: a walk of the book would see a smaller book without an error. And a
// table whose index fails its checksum is left out at open with a line in a log we do not
// keep. So an existing vault is opened only when every table file in the folder is one
// Badger opened and every block of it is whole (docs/VAULT.md, "Damage"); walks also check
// what they saw against the stored counts.
func verifyTables(db *badger.DB, dbPath string, key seal.Key) (err error) {
	open := map[string]bool{}
	for _, t := range db.Tables() {
		open[fmt.Sprintf("%06d.sst", t.ID)] = true
	}
	defer func() {
		if r := recover(); r != nil {
			// Badger's own check panics on some damaged blocks; find the table by itself.
			err = damaged(damagedTable(dbPath, key, open), "a block fails its checksum")
		}
	}()
	if err := db.VerifyChecksum(); err != nil {
		if m := badgerFile.FindString(err.Error()); m != "" {
			return damaged(m, "a block fails its checksum")
		}
		return damaged(damagedTable(dbPath, key, open), "a block fails its checksum")
	}
	return nil
}

// tableLog is Badger's logger for one open: it keeps the name of a table Badger left out
// because its checksum failed ("Ignoring table …"), and nothing else.
type tableLog struct {
	mu      sync.Mutex
	ignored string
}

var ignoredTable = regexp.MustCompile(`Ignoring table .*?(\d{6}\.sst)`)

func (l *tableLog) Errorf(format string, args ...any) {
	if m := ignoredTable.FindStringSubmatch(fmt.Sprintf(format, args...)); m != nil {
		l.mu.Lock()
		if l.ignored == "" {
			l.ignored = m[1]
		}
		l.mu.Unlock()
	}
}
func (l *tableLog) Warningf(string, ...any) {}
func (l *tableLog) Infof(string, ...any)    {}
func (l *tableLog) Debugf(string, ...any)   {}

func (l *tableLog) leftOut() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.ignored
}

// damagedTable checks the tables one by one, each with every data key of the registry, and
// names the first that does not open or has a block that fails; "" (the folder) when none
// can be named.
func damagedTable(dbPath string, key seal.Key, tables map[string]bool) string {
	ids, err := registryKeyIDs(dbPath)
	if err != nil {
		return ""
	}
	kr, err := badger.OpenKeyRegistry(badger.KeyRegistryOptions{Dir: dbPath, ReadOnly: true, EncryptionKey: key[:]})
	if err != nil {
		return ""
	}
	defer kr.Close()
	// Encrypted tables need an index cache to open; a small one serves one table at a time.
	cache, err := ristretto.NewCache(&ristretto.Config[uint64, *fb.TableIndex]{NumCounters: 1000, MaxCost: 16 << 20, BufferItems: 64})
	if err != nil {
		return ""
	}
	defer cache.Close()
	names := make([]string, 0, len(tables))
	for n := range tables {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, name := range names {
		whole := false
		for id := range ids {
			dk, err := kr.DataKey(id)
			if err != nil {
				continue
			}
			if tableWhole(filepath.Join(dbPath, name), dk, cache) {
				whole = true
				break
			}
		}
		if !whole {
			return name
		}
	}
	return ""
}

// tableWhole opens one table read-only with a data key and checks every block.
func tableWhole(path string, dk *pb.DataKey, cache *ristretto.Cache[uint64, *fb.TableIndex]) (whole bool) {
	defer func() {
		if recover() != nil {
			whole = false
		}
	}()
	mf, err := z.OpenMmapFile(path, os.O_RDONLY, 0)
	if err != nil {
		return false
	}
	t, err := table.OpenTable(mf, table.Options{ReadOnly: true, ChkMode: options.OnBlockRead, DataKey: dk, Compression: options.None, IndexCache: cache})
	if err != nil {
		return false
	}
	defer t.DecrRef()
	return t.VerifyChecksum() == nil
}
