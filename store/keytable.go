package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"slices"
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

	mu    sync.Mutex // guards everything below
	cache map[model.CustomerNo]*seal.Sealer
	// New's slots wait here, consecutive from pendFrom, and reach the file in one write:
	// at Sync, before any other read or write of the file, or when the block is full. An
	// import of a million customers made a million one-slot writes.
	pendFrom model.CustomerNo
	pend     []byte
	// Blocks of sealed slots read from the file, so that customers asked for in number order
	// (an import's loans and repayments, a walk) cost one file read per block rather than
	// one per customer. A write to the file drops them.
	blocks    [slotBlocks]slotBlock
	nextBlock int
	// writes counts the writes of the file, synced how many of them an fsync has covered:
	// a Sync with nothing written since the last one does not fsync (an import's loans and
	// repayments make no keys, and synced at each of their thousands of checkpoints).
	writes, synced uint64
	// lost is the first failed write of pending slots. Their New calls had succeeded, so
	// every later Sync reports it: no record sealed under a lost key may be committed.
	lost error
}

// slotBlock is slotsPerBlock sealed slots from customer from on, as read from the file (a
// block at the end of the file may be shorter).
type slotBlock struct {
	from model.CustomerNo
	b    []byte
}

const (
	slotsPerBlock = 128
	slotBlocks    = 4 // a walk's workers each read ahead in a block of their own
	pendMax       = 1024 * keySlotSize
)

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
	s := seal.NewSealer(k)
	k.Wipe()
	kt.mu.Lock()
	defer kt.mu.Unlock()
	kt.dropBlocksLocked()
	if len(kt.pend) > 0 && (no != kt.pendFrom+model.CustomerNo(len(kt.pend)/keySlotSize) || len(kt.pend) >= pendMax) {
		if err := kt.flushLocked(); err != nil {
			return nil, err
		}
	}
	if len(kt.pend) == 0 {
		kt.pendFrom = no
	}
	kt.pend = append(kt.pend, slot...)
	// Replace any cached sealer: an import resumed after Cancel reuses the numbers of
	// customers that were prepared but never committed.
	kt.cacheLocked(no, s)
	return s, nil
}

// flushLocked writes the pending slots.
func (kt *KeyTable) flushLocked() error {
	if len(kt.pend) == 0 {
		return nil
	}
	_, err := kt.f.WriteAt(kt.pend, slotOffset(kt.pendFrom))
	kt.writes++
	clear(kt.pend)
	kt.pend = kt.pend[:0]
	if err != nil && kt.lost == nil {
		kt.lost = err
	}
	return err
}

func (kt *KeyTable) dropBlocksLocked() {
	for i := range kt.blocks {
		clear(kt.blocks[i].b)
		kt.blocks[i].b = kt.blocks[i].b[:0]
	}
}

// settle writes the pending slots and drops the blocks read, before the file is written
// other than through New (pending slots must not overwrite it later, blocks must not answer
// with what was there) or read other than through Get (a backup copies it).
func (kt *KeyTable) settle() error {
	kt.mu.Lock()
	defer kt.mu.Unlock()
	kt.dropBlocksLocked()
	return kt.flushLocked()
}

func (kt *KeyTable) cacheLocked(no model.CustomerNo, s *seal.Sealer) {
	if len(kt.cache) >= cacheSize {
		clear(kt.cache) // cheaper than LRU bookkeeping, and misses only cost an unwrap
	}
	kt.cache[no] = s
}

// slot copies customer no's sealed slot into dst: from the pending slots, a block read
// earlier, or a block read now. n is 0 past the end of the file.
func (kt *KeyTable) slot(no model.CustomerNo, dst []byte) (n int, err error) {
	kt.mu.Lock()
	defer kt.mu.Unlock()
	if i := int64(no) - int64(kt.pendFrom); len(kt.pend) > 0 && i >= 0 && i*keySlotSize < int64(len(kt.pend)) {
		return copy(dst, kt.pend[i*keySlotSize:]), nil
	}
	for _, bl := range kt.blocks {
		if i := int64(no) - int64(bl.from); i >= 0 && i < slotsPerBlock && len(bl.b) > 0 {
			if (i+1)*keySlotSize > int64(len(bl.b)) {
				return 0, nil // the block ended with the file
			}
			return copy(dst, bl.b[i*keySlotSize:]), nil
		}
	}
	if err := kt.flushLocked(); err != nil {
		return 0, err
	}
	bl := &kt.blocks[kt.nextBlock]
	kt.nextBlock = (kt.nextBlock + 1) % slotBlocks
	bl.from = no - no%slotsPerBlock
	bl.b = slices.Grow(bl.b[:0], slotsPerBlock*keySlotSize)[:slotsPerBlock*keySlotSize]
	m, err := kt.f.ReadAt(bl.b, slotOffset(bl.from))
	bl.b = bl.b[:m-m%keySlotSize]
	if err != nil && !errors.Is(err, io.EOF) {
		bl.b = bl.b[:0]
		return 0, err
	}
	if i := int64(no - bl.from); (i+1)*keySlotSize <= int64(len(bl.b)) {
		return copy(dst, bl.b[i*keySlotSize:]), nil
	}
	return 0, nil
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
	n, err := kt.slot(no, slot)
	if err != nil {
		return nil, err
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
	kt.cacheLocked(no, s)
	kt.mu.Unlock()
	return s, nil
}

// Destroy overwrites customer no's key in place and syncs it to disk (cryptographic erase).
func (kt *KeyTable) Destroy(no model.CustomerNo) error {
	kt.mu.Lock()
	delete(kt.cache, no)
	kt.mu.Unlock()
	if err := kt.settle(); err != nil {
		return err
	}
	kt.mu.Lock()
	kt.writes++
	kt.mu.Unlock()
	if _, err := kt.f.WriteAt(bytes.Repeat([]byte{destroyedMark}, keySlotSize), slotOffset(no)); err != nil {
		return err
	}
	return kt.f.Sync()
}

// Sync makes every key written so far durable. Records sealed under a key must not be
// committed before their key is synced, or a crash could leave data nobody can read.
func (kt *KeyTable) Sync() error {
	kt.mu.Lock()
	kt.flushLocked()
	err, writes, synced := kt.lost, kt.writes, kt.synced
	kt.mu.Unlock()
	if err != nil || writes == synced {
		return err
	}
	if err := syncFile(kt.f); err != nil {
		return err
	}
	kt.mu.Lock()
	kt.synced = max(kt.synced, writes) // writes made while syncing wait for the next Sync
	kt.mu.Unlock()
	return nil
}

// syncFile is the fsync of Sync (tests count them).
var syncFile = (*os.File).Sync

// Forget drops cached keys, e.g. when the vault locks.
func (kt *KeyTable) Forget() {
	kt.mu.Lock()
	clear(kt.cache)
	kt.dropBlocksLocked()
	kt.mu.Unlock()
}

func (kt *KeyTable) close() error {
	kt.Forget()
	kt.mu.Lock()
	err := kt.flushLocked()
	kt.mu.Unlock()
	if cerr := kt.f.Close(); err == nil {
		err = cerr
	}
	return err
}
