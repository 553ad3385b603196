package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"sync"

	"handover/crypto/seal"
	"handover/store/model"
)

// KeyTable holds one random data key per customer in fixed-size slots of a plain file,
// outside Badger. Badger keeps old versions of values in its logs until compaction, so a key
// stored there could not be destroyed for real. Here a customer's slot is overwritten in
// place: after that no copy of the vault files, with any passphrase, holds the key, and every
// record sealed under it (including stale copies inside Badger's files) is noise.
//
// Each slot is the data key sealed under the vault's key-table key with the customer number
// as associated data, so slots cannot be swapped between customers.
type KeyTable struct {
	f      *os.File
	sealer *seal.Sealer

	mu    sync.Mutex // guards cache
	cache map[model.CustomerNo]*seal.Sealer
}

// cacheSize bounds the sealers kept for reading: enough for the screens and a search bucket,
// and independent of the size of the book.
const cacheSize = 4096

const (
	keyTableMagic  = "HOVKT001"
	keyHeaderSize  = 64
	keySlotSize    = 64
	keySealedSize  = seal.KeySize + seal.Overhead // 61
	destroyedMark  = 0xFF
	emptySlotValue = 0x00
)

func openKeyTable(path string, kek seal.Key, create bool) (*KeyTable, error) {
	flag := os.O_RDWR
	if create {
		flag |= os.O_CREATE | os.O_EXCL
	}
	f, err := os.OpenFile(path, flag, 0o600)
	if err != nil {
		return nil, err
	}
	kt := &KeyTable{f: f, sealer: seal.NewSealer(kek), cache: map[model.CustomerNo]*seal.Sealer{}}
	hdr := make([]byte, keyHeaderSize)
	if create {
		copy(hdr, keyTableMagic)
		if _, err := f.WriteAt(hdr, 0); err != nil {
			f.Close()
			return nil, err
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return nil, err
		}
		return kt, nil
	}
	if _, err := io.ReadFull(io.NewSectionReader(f, 0, keyHeaderSize), hdr); err != nil || string(hdr[:8]) != keyTableMagic {
		f.Close()
		return nil, &DamageError{File: keyTableName, Detail: "its header is not a key table's"}
	}
	return kt, nil
}

func slotAD(no model.CustomerNo) []byte {
	ad := []byte("kt")
	return binary.BigEndian.AppendUint64(ad, uint64(no))
}

func slotOffset(no model.CustomerNo) int64 { return keyHeaderSize + int64(no)*keySlotSize }

// New creates and writes a fresh data key for customer no. It is not durable until Sync.
func (kt *KeyTable) New(no model.CustomerNo) (*seal.Sealer, error) {
	k := seal.NewKey()
	slot := make([]byte, keySlotSize)
	copy(slot, kt.sealer.Seal(nil, slotAD(no), k[:]))
	if _, err := kt.f.WriteAt(slot, slotOffset(no)); err != nil {
		return nil, err
	}
	s := seal.NewSealer(k)
	k.Wipe()
	// Replace any cached sealer: an import resumed after Cancel reuses the numbers of
	// customers that were prepared but never committed.
	kt.mu.Lock()
	if len(kt.cache) >= cacheSize {
		clear(kt.cache)
	}
	kt.cache[no] = s
	kt.mu.Unlock()
	return s, nil
}

// Get returns the sealer of customer no.
func (kt *KeyTable) Get(no model.CustomerNo) (*seal.Sealer, error) {
	kt.mu.Lock()
	s, ok := kt.cache[no]
	kt.mu.Unlock()
	if ok {
		return s, nil
	}
	slot := make([]byte, keySlotSize)
	n, err := kt.f.ReadAt(slot, slotOffset(no))
	if err != nil && !(errors.Is(err, io.EOF) && n == 0) {
		if !errors.Is(err, io.EOF) {
			return nil, err
		}
	}
	switch {
	case n == 0 || bytes.Count(slot, []byte{emptySlotValue}) == keySlotSize:
		return nil, ErrNotFound
	case bytes.Count(slot, []byte{destroyedMark}) == keySlotSize:
		return nil, ErrKeyDestroyed
	}
	k, err := kt.sealer.Open(slotAD(no), slot[:keySealedSize])
	if err != nil {
		return nil, &CorruptError{Customer: no, What: "key"}
	}
	var key seal.Key
	copy(key[:], k)
	s = seal.NewSealer(key)
	key.Wipe()
	clear(k)
	kt.mu.Lock()
	if len(kt.cache) >= cacheSize {
		clear(kt.cache) // cheaper than LRU bookkeeping, and misses only cost a file read
	}
	kt.cache[no] = s
	kt.mu.Unlock()
	return s, nil
}

// Destroy overwrites customer no's key in place and syncs it to disk (cryptographic erase).
func (kt *KeyTable) Destroy(no model.CustomerNo) error {
	kt.mu.Lock()
	delete(kt.cache, no)
	kt.mu.Unlock()
	if _, err := kt.f.WriteAt(bytes.Repeat([]byte{destroyedMark}, keySlotSize), slotOffset(no)); err != nil {
		return err
	}
	return kt.f.Sync()
}

// Sync makes every key written so far durable. Records sealed under a key must not be
// committed before their key is synced, or a crash could leave data nobody can read.
func (kt *KeyTable) Sync() error { return kt.f.Sync() }

// Forget drops cached keys, e.g. when the vault locks.
func (kt *KeyTable) Forget() {
	kt.mu.Lock()
	clear(kt.cache)
	kt.mu.Unlock()
}

func (kt *KeyTable) close() error {
	kt.Forget()
	return kt.f.Close()
}
