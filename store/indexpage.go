package store

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"slices"

	"github.com/dgraph-io/badger/v4"

	"handover/crypto/blind"
	"handover/store/model"
)

// The blind index is stored in pages: every write transaction (an import checkpoint, a bulk
// writer's commit) groups its index items by kind and by the first six bits of the tag and
// stores each group as one sealed, sorted page. Badger's single write goroutine pays per
// entry, and one entry per item made the index more than half of a million-customer import's
// entries (four per customer and one per loan: 5.2 M of 9.6 M); as pages they are about
// 64 per kind and transaction. A search reads the pages of one bucket, about one per
// transaction that wrote it, and filters them by the whole tag.
//
// Vaults written before pages hold one key per item (pIndex); they are read, destroyed and
// dropped as before, so no vault has to be rewritten.
const (
	pageBuckets  = 64 // per kind: the first six bits of the tag (pageBucket)
	pageItemSize = 2*blind.Size + 8 + 4
)

// indexItem is one entry of the blind index: customer no (and for contracts the loan extra)
// has a value whose tag under kind is tag; sub is the two-character tag of a name prefix.
type indexItem struct {
	kind     blind.Kind
	tag, sub blind.Tag
	no       model.CustomerNo
	extra    uint32
}

// pageBucket is the first six bits of a tag.
func pageBucket(t blind.Tag) byte { return t[0] >> 2 }

func kIndexPagePrefix(kind blind.Kind, bucket byte) []byte {
	return []byte{pIndexPage, byte(kind), bucket}
}

func kIndexPage(kind blind.Kind, bucket byte, page uint64) []byte {
	return binary.BigEndian.AppendUint64(kIndexPagePrefix(kind, bucket), page)
}

func compareItems(a, b indexItem) int {
	if c := cmp.Compare(a.kind, b.kind); c != 0 {
		return c
	}
	if c := cmp.Compare(pageBucket(a.tag), pageBucket(b.tag)); c != 0 {
		return c
	}
	if c := bytes.Compare(a.tag[:], b.tag[:]); c != 0 {
		return c
	}
	if c := bytes.Compare(a.sub[:], b.sub[:]); c != 0 {
		return c
	}
	if c := cmp.Compare(a.no, b.no); c != 0 {
		return c
	}
	return cmp.Compare(a.extra, b.extra)
}

// appendPageItem encodes one item without its kind, which the page's key holds.
func appendPageItem(b []byte, it indexItem) []byte {
	b = append(b, it.tag[:]...)
	b = append(b, it.sub[:]...)
	b = binary.BigEndian.AppendUint64(b, uint64(it.no))
	return binary.BigEndian.AppendUint32(b, it.extra)
}

// decodePage reads a page's plaintext; ok is false when its length is not whole items.
func decodePage(kind blind.Kind, pt []byte) (items []indexItem, ok bool) {
	if len(pt)%pageItemSize != 0 {
		return nil, false
	}
	items = make([]indexItem, 0, len(pt)/pageItemSize)
	for ; len(pt) > 0; pt = pt[pageItemSize:] {
		it := indexItem{kind: kind}
		copy(it.tag[:], pt)
		copy(it.sub[:], pt[blind.Size:])
		it.no = model.CustomerNo(binary.BigEndian.Uint64(pt[2*blind.Size:]))
		it.extra = binary.BigEndian.Uint32(pt[2*blind.Size+8:])
		items = append(items, it)
	}
	return items, true
}

// sealPages turns index items into page entries, numbered from *next on.
func (s *Store) sealPages(items []indexItem, next *uint64) []entry {
	slices.SortFunc(items, compareItems)
	var es []entry
	var pt []byte
	for i := 0; i < len(items); {
		j := i + 1
		for j < len(items) && items[j].kind == items[i].kind && pageBucket(items[j].tag) == pageBucket(items[i].tag) {
			j++
		}
		pt = pt[:0]
		for _, it := range items[i:j] {
			pt = appendPageItem(pt, it)
		}
		k := kIndexPage(items[i].kind, pageBucket(items[i].tag), *next)
		*next++
		es = append(es, entry{k: k, v: s.meta.Seal(nil, k, pt)})
		i = j
	}
	return es
}

// openPage unseals and decodes a stored page.
func (s *Store) openPage(key, raw []byte) ([]indexItem, error) {
	pt, err := s.meta.Open(key, raw)
	if err != nil {
		return nil, &CorruptError{What: "index"}
	}
	items, ok := decodePage(blind.Kind(key[1]), pt)
	if !ok {
		return nil, &CorruptError{What: "index"}
	}
	return items, nil
}

// eachPage calls fn with every page under prefix (one bucket, one kind or all pages).
func (s *Store) eachPage(ctx context.Context, prefix []byte, fn func(key []byte, items []indexItem) error) error {
	return s.iterate(ctx, prefix, false, func(it *badger.Item) (bool, error) {
		raw, err := it.ValueCopy(nil)
		if err != nil {
			return false, err
		}
		items, err := s.openPage(it.Key(), raw)
		if err != nil {
			return false, err
		}
		return true, fn(it.Key(), items)
	})
}

// indexCandidates lists, by customer and loan, every indexed customer whose tag under kind
// is tags[0] (and, for a two-character name prefix, whose sub-tag is tags[1]): from the
// pages and from the per-item keys of vaults written before them.
func (s *Store) indexCandidates(ctx context.Context, kind blind.Kind, tags ...blind.Tag) ([]Hit, error) {
	var hits []Hit
	err := s.iterate(ctx, kIndexPrefix(kind, tags...), true, func(it *badger.Item) (bool, error) {
		no, extra := indexEntry(it.Key())
		hits = append(hits, Hit{Customer: no, Loan: extra})
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	err = s.eachPage(ctx, kIndexPagePrefix(kind, pageBucket(tags[0])), func(_ []byte, items []indexItem) error {
		for _, it := range items {
			if it.tag == tags[0] && (len(tags) < 2 || it.sub == tags[1]) {
				hits = append(hits, Hit{Customer: it.no, Loan: it.extra})
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(hits, func(a, b Hit) int {
		if c := cmp.Compare(a.Customer, b.Customer); c != 0 {
			return c
		}
		return cmp.Compare(a.Loan, b.Loan)
	})
	return slices.Compact(hits), nil
}

// deletePageItems rewrites every page holding an item of the customers nos (sorted) without
// those items, or deletes it when nothing else is left, through wb. It returns how many items
// it removed; with wb nil it only counts them, and fails as the deletion would on a page that
// does not open.
func (s *Store) deletePageItems(ctx context.Context, nos []model.CustomerNo, wb *badger.WriteBatch) (int, error) {
	removed := 0
	err := s.eachPage(ctx, []byte{pIndexPage}, func(key []byte, items []indexItem) error {
		kept := slices.DeleteFunc(items, func(it indexItem) bool {
			_, found := slices.BinarySearch(nos, it.no)
			return found
		})
		gone := len(items) - len(kept)
		if gone == 0 {
			return nil
		}
		removed += gone
		if wb == nil {
			return nil
		}
		k := bytes.Clone(key)
		if len(kept) == 0 {
			return wb.Delete(k)
		}
		var pt []byte
		for _, it := range kept {
			pt = appendPageItem(pt, it)
		}
		return wb.Set(k, s.meta.Seal(nil, k, pt))
	})
	return removed, err
}
