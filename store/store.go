// Package store keeps a vault's data: a Badger database encrypted at rest, records sealed
// with per-customer keys (see KeyTable), blind-index search, counts and the audit log.
// It knows nothing of operators' permissions; app/vault enforces those.
package store

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"

	"handover/crypto/blind"
	"handover/crypto/merkle"
	"handover/crypto/seal"
	"handover/store/model"
)

// Counts are the vault's record counts, kept in one sealed meta record.
type Counts struct {
	Customers     int64            `json:"customers"`
	Loans         int64            `json:"loans"`
	Repayments    int64            `json:"repayments"`
	Documents     int64            `json:"documents"`
	DocumentBytes int64            `json:"document_bytes"`
	NextCustomer  model.CustomerNo `json:"next_customer"`
	// NextSegment numbers the repayment segments and loose loans an import adds.
	NextSegment uint32 `json:"next_segment,omitempty"`
	// NextPage numbers the blind index's pages (indexpage.go). It is not part of the book's
	// stamp: it moves with every write, like the records it indexes.
	NextPage uint64 `json:"next_page,omitempty"`
}

// Store is an unlocked vault.
type Store struct {
	dir    *Dir
	db     *badger.DB
	keys   *KeyTable
	meta   *seal.Sealer
	audit  *seal.Sealer
	tagger *blind.Tagger
	dbKey  seal.Key // Badger's at-rest key, kept to open a rewritten database

	mu       sync.Mutex // guards counts and serialises writers
	counts   Counts
	auditSeq atomic.Uint64

	auditMu   sync.Mutex // orders appends to the audit log and its tree
	auditTree merkle.Tree
	auditKey  ed25519.PrivateKey // signs checkpoints
}

// Sizes of Badger's memtables and value log files. The fault-injection tests make them small,
// so that copying a damaged vault costs little.
var (
	memTableSize     int64 = 32 << 20
	valueLogFileSize int64 = 64 << 20
)

// Options tune the database for a desktop: bounded memory whatever the size of the book.
// The numbers are explained in docs/VAULT.md and measured in docs/BENCHMARKS.md.
func badgerOptions(path string, key seal.Key, log badger.Logger) badger.Options {
	o := badger.DefaultOptions(path).
		WithEncryptionKey(key[:]).
		WithIndexCacheSize(32 << 20). // Badger panics without these two when encrypted
		WithBlockCacheSize(32 << 20).
		WithMemTableSize(memTableSize).
		WithNumMemtables(3).
		WithNumLevelZeroTables(4).
		WithNumLevelZeroTablesStall(12).
		WithBaseTableSize(8 << 20).
		WithValueThreshold(64).                 // WiscKey: records live in the value log; compactions move only keys
		WithValueLogFileSize(valueLogFileSize). // the file being written is mmapped: its size counts in RSS
		WithNumCompactors(2).
		WithNumGoroutines(2).
		WithCompression(options.None). // sealed values are random: compression only costs CPU
		// Damaged table blocks must be reported, not parsed: without this a flipped bit on
		// disk can make Badger panic while decoding a block.
		WithChecksumVerificationMode(options.OnBlockRead).
		WithDetectConflicts(false).
		WithMetricsEnabled(false).
		WithLogger(log) // Badger's logs name files, not data; we keep only what says a table was left out
	// Tables of the same size at every level. By default each level's tables are twice the
	// size of the level above, and a compaction holds several table builders of twice the
	// table size in memory: the deeper a growing vault's levels, the more memory compactions
	// took (docs/BENCHMARKS-notes.md).
	o.TableSizeMultiplier = 1
	return o
}

// Open unlocks the vault held by d with its master key. create makes the key table and the
// database of a new vault.
func Open(d *Dir, master []byte, create bool) (s *Store, err error) {
	return open(d, master, create, false)
}

// OpenTrimming opens an existing vault whose logs Open refused, letting the database cut
// each log at its first bad entry as it would after a crash: after a power cut, unwritten
// pages can look like damage. Every file the cut may shorten is first copied, as it is, into
// a folder of the vault (returned), so nothing is destroyed; the caller must then read the
// whole book and verify the audit log, which find anything committed that was cut.
func OpenTrimming(d *Dir, master []byte, now time.Time) (s *Store, kept string, err error) {
	kept, err = keepLogs(filepath.Join(d.path, dbDir), filepath.Join(d.path, "repair-"+now.UTC().Format("20060102-150405")))
	if err != nil {
		return nil, "", err
	}
	s, err = open(d, master, false, true)
	return s, kept, err
}

func open(d *Dir, master []byte, create, trim bool) (s *Store, err error) {
	ktPath := filepath.Join(d.path, keyTableName)
	keys, err := openKeyTable(ktPath, seal.Derive(master, "keytable"), create)
	if err != nil {
		return nil, err
	}
	if err := finishSwap(d.path); err != nil {
		keys.close()
		return nil, err
	}
	db, err := openBadger(filepath.Join(d.path, dbDir), seal.Derive(master, "badger"), create, trim)
	if err != nil {
		keys.close()
		if create {
			os.Remove(ktPath)
		}
		return nil, err
	}
	if !create {
		if err := verifyTables(db, filepath.Join(d.path, dbDir), seal.Derive(master, "badger")); err != nil {
			db.Close()
			keys.close()
			return nil, err
		}
	}
	tagKey := seal.Derive(master, "blind-index")
	signSeed := seal.Derive(master, "audit-signing")
	s = &Store{
		dir:      d,
		db:       db,
		keys:     keys,
		meta:     seal.NewSealer(seal.Derive(master, "meta")),
		audit:    seal.NewSealer(seal.Derive(master, "audit")),
		tagger:   blind.NewTagger(tagKey[:]),
		auditKey: ed25519.NewKeyFromSeed(signSeed[:]),
		dbKey:    seal.Derive(master, "badger"),
	}
	tagKey.Wipe()
	signSeed.Wipe()
	s.removeLeftovers()
	if err := s.loadMeta(create); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.loadAudit(create); err != nil {
		s.Close()
		return nil, err
	}
	// What this program writes from here on may be in its own format (index pages).
	if err := s.dir.upgrade(); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.resumeDestroy(context.Background()); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// openBadger opens the database. A wrong key makes Badger return an error together with a
// half-built DB whose Close panics, so on error the DB is never touched, and a panic inside
// Open itself is turned into an error.
//
// An existing vault's master key was authenticated by its key slot, so Badger refusing it
// means damaged files, not a wrong key: every error opening an existing database is a
// DamageError naming the file where Badger's message names one.
func openBadger(path string, key seal.Key, create, trim bool) (db *badger.DB, err error) {
	defer func() {
		if r := recover(); r != nil {
			db, err = nil, fmt.Errorf("%w: %v", ErrWrongKey, r)
			if !create {
				db, err = nil, &DamageError{File: dbDir, Detail: "the database cannot be read"}
			}
		}
	}()
	if !create && !trim {
		if err := checkLogs(path); err != nil {
			return nil, err
		}
	}
	if !create {
		if err := checkTableFooters(path); err != nil {
			return nil, err
		}
	}
	removeEmptyMemtables(path)
	log := &tableLog{}
	db, err = badger.Open(badgerOptions(path, key, log))
	if err != nil && strings.Contains(err.Error(), "Create a new file") {
		// Badger issue #2207: the first Open after such a crash fails but fixes the file.
		db, err = badger.Open(badgerOptions(path, key, log))
	}
	if err == nil && !create {
		if name := log.leftOut(); name != "" {
			db.Close()
			return nil, damaged(name, "the table fails its checksum, and the database left it out")
		}
	}
	if err != nil {
		if create {
			return nil, fmt.Errorf("opening the database: %w", err)
		}
		return nil, badgerDamage(err)
	}
	return db, nil
}

// badgerFile finds the database file a Badger error names.
var badgerFile = regexp.MustCompile(`(\d{5,}\.(?:sst|vlog|mem)|MANIFEST|KEYREGISTRY|DISCARD)`)

// badgerDamage turns an error Badger returned for an existing database into a DamageError.
func badgerDamage(err error) error {
	file := dbDir
	if m := badgerFile.FindString(err.Error()); m != "" {
		file = dbDir + "/" + m
	} else if strings.Contains(strings.ToLower(err.Error()), "manifest") {
		file = dbDir + "/MANIFEST"
	} else if errors.Is(err, badger.ErrEncryptionKeyMismatch) {
		file = dbDir + "/KEYREGISTRY"
	}
	detail := "fails its checksum"
	if errors.Is(err, badger.ErrEncryptionKeyMismatch) {
		detail = "does not open with the vault's key"
	}
	return &DamageError{File: file, Detail: detail}
}

// removeEmptyMemtables deletes 0-byte memtable logs. A process killed between creating one
// and writing to it leaves such a file, and Badger then refuses to open (issue #2207, fix
// pending upstream). An empty log holds no writes, so removing it loses nothing.
func removeEmptyMemtables(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if filepath.Ext(e.Name()) != ".mem" {
			continue
		}
		if info, err := e.Info(); err == nil && info.Size() == 0 {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

func (s *Store) loadMeta(create bool) error {
	if create {
		s.counts = Counts{NextCustomer: 1}
		return s.PutMeta("counts", s.counts)
	}
	if err := s.GetMeta("counts", &s.counts); err != nil {
		return err
	}
	// The audit sequence continues after the last event.
	return s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Reverse: true, Prefix: []byte{pAudit}})
		defer it.Close()
		it.Seek(kAudit(^uint64(0)))
		if it.Valid() {
			k := it.Item().Key()
			var seq uint64
			for _, b := range k[1:] {
				seq = seq<<8 | uint64(b)
			}
			s.auditSeq.Store(seq)
		}
		return nil
	})
}

func (s *Store) loadAudit(create bool) error {
	if create {
		return nil
	}
	return s.loadAuditTree(context.Background())
}

// Dir is the vault directory this store was opened from.
func (s *Store) Dir() *Dir { return s.dir }

// Close locks the vault: it closes the database and drops every key this process held.
func (s *Store) Close() error {
	var err error
	if s.db != nil {
		err = s.db.Close()
		s.db = nil
	}
	if s.keys != nil {
		if cerr := s.keys.close(); err == nil {
			err = cerr
		}
		s.keys = nil
	}
	s.meta, s.audit, s.tagger = nil, nil, nil
	clear(s.auditKey)
	s.dbKey.Wipe()
	return err
}

// Counts returns the current record counts.
func (s *Store) Counts() Counts {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts
}

// PutMeta stores a small JSON document under the meta key.
func (s *Store) PutMeta(name string, v any) error {
	return s.putSealed(s.meta, kMeta(name), v)
}

// GetMeta reads a meta document; ErrNotFound if absent.
func (s *Store) GetMeta(name string, v any) error {
	return s.getSealed(s.meta, kMeta(name), v, 0, "meta")
}

func (s *Store) putSealed(sl *seal.Sealer, key []byte, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.db.Update(func(txn *badger.Txn) error {
		return txn.Set(key, sl.Seal(nil, key, b))
	})
}

func (s *Store) getSealed(sl *seal.Sealer, key []byte, v any, no model.CustomerNo, what string) (err error) {
	defer recoverCorrupt(&err, no, what)
	return s.db.View(func(txn *badger.Txn) error { return getSealedTxn(txn, sl, key, v, no, what) })
}

// getSealedTxn reads and opens one sealed JSON value in txn; ErrNotFound if absent.
func getSealedTxn(txn *badger.Txn, sl *seal.Sealer, key []byte, v any, no model.CustomerNo, what string) error {
	it, err := txn.Get(key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return ErrNotFound
	}
	if err != nil {
		return err
	}
	raw, err := it.ValueCopy(nil)
	if err != nil {
		return err
	}
	return openJSON(sl, key, raw, v, no, what)
}

func openJSON(sl *seal.Sealer, key, raw []byte, v any, no model.CustomerNo, what string) error {
	pt, err := sl.Open(key, raw)
	if err != nil {
		return &CorruptError{Customer: no, What: what}
	}
	if err := unmarshalValue(pt, v); err != nil {
		return &CorruptError{Customer: no, What: what}
	}
	clear(pt)
	return nil
}

// openItemJSON is openJSON for a database item.
func openItemJSON(sl *seal.Sealer, it *badger.Item, v any, no model.CustomerNo, what string) error {
	return it.Value(func(raw []byte) error { return openJSON(sl, it.Key(), raw, v, no, what) })
}

// Sync makes everything written so far durable.
func (s *Store) Sync() error {
	if err := s.keys.Sync(); err != nil {
		return err
	}
	return s.db.Sync()
}

// iterate calls fn for each item under prefix, in key order, until fn returns false.
func (s *Store) iterate(ctx context.Context, prefix []byte, keysOnly bool, fn func(*badger.Item) (bool, error)) (err error) {
	defer recoverCorrupt(&err, 0, "database")
	return s.db.View(func(txn *badger.Txn) error {
		opts := badger.DefaultIteratorOptions
		opts.Prefix = prefix
		opts.PrefetchValues = !keysOnly
		opts.PrefetchSize = 64
		it := txn.NewIterator(opts)
		defer it.Close()
		i := 0
		for it.Rewind(); it.Valid(); it.Next() {
			if i++; i%4096 == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
			more, err := fn(it.Item())
			if err != nil || !more {
				return err
			}
		}
		return nil
	})
}

// recoverCorrupt turns a panic inside Badger (damaged files it failed to detect) into a
// corruption error, so one bad block never takes the application down.
func recoverCorrupt(err *error, no model.CustomerNo, what string) {
	if r := recover(); r != nil {
		*err = &CorruptError{Customer: no, What: what}
	}
}
