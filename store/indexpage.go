package store

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"sort"

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
	if c := cmp.Compare(a.head(), b.head()); c != 0 {
		return c
	}
	if c := cmp.Compare(a.no, b.no); c != 0 {
		return c
	}
	return cmp.Compare(a.extra, b.extra)
}

// head is the item's kind, tag and sub-tag in one number, in the order compareItems sorts
// them (the bucket is the tag's first bits): a writer sorts every item it stores, and
// comparing bytes one field at a time was most of that.
func (it indexItem) head() uint64 {
	var h uint64 = uint64(it.kind)
	for _, b := range it.tag {
		h = h<<8 | uint64(b)
	}
	for _, b := range it.sub {
		h = h<<8 | uint64(b)
	}
	return h
}

// head packs a kind and two tags into 64 bits.
var _ [8 - 1 - 2*blind.Size]struct{}

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

// writtenPages are the pages one writer stored in a bucket since it last merged them, with
// their items, so that it can merge them without reading them back.
type writtenPages struct {
	keys  [][]byte
	items []indexItem
	ends  []int // items is sorted runs, one per page written: where each ends
}

// mergeEvery is how many pages of its own a writer lets a bucket gather before it replaces
// them by one, in the transaction that would have added the next. Merging from memory keeps
// a search's pages few without reading pages back from the value log, where each small page
// is a random read (a merge of a million-customer demo book that read its 330,000 pages back
// took four minutes under a 600 MiB memory cgroup). Items held: at most mergeEvery
// transactions' worth.
const mergeEvery = 16

// sealPages turns the pending index items into page entries, numbered from *next on. A bucket
// whose pages written by this writer reach mergeEvery, or every bucket when all is set (the
// writer's last transaction), gets one page with all of them instead, and their keys are
// deleted in the same transaction.
// buf is kept by the caller for the next call: the items are sorted into it.
func (s *Store) sealPages(items []indexItem, buf *[]indexItem, written map[[2]byte]*writtenPages, all bool, next *uint64) []entry {
	items = sortByBucket(items, buf)
	groups := map[[2]byte][]indexItem{}
	for i := 0; i < len(items); {
		j := i + 1
		for j < len(items) && items[j].kind == items[i].kind && pageBucket(items[j].tag) == pageBucket(items[i].tag) {
			j++
		}
		groups[[2]byte{byte(items[i].kind), pageBucket(items[i].tag)}] = items[i:j]
		i = j
	}
	if all {
		for b := range written {
			if _, ok := groups[b]; !ok {
				groups[b] = nil
			}
		}
	}
	buckets := slices.SortedFunc(maps.Keys(groups), func(a, b [2]byte) int { return bytes.Compare(a[:], b[:]) })
	var es []entry
	for _, b := range buckets {
		group := groups[b]
		w := written[b]
		if w == nil {
			w = &writtenPages{}
			written[b] = w
		}
		if !all && len(w.keys)+1 < mergeEvery {
			k := s.sealPage(blind.Kind(b[0]), b[1], group, next, &es)
			w.keys = append(w.keys, k...)
			w.items = append(w.items, group...)
			w.ends = append(w.ends, len(w.items))
			continue
		}
		if len(group) == 0 && len(w.keys) <= 1 {
			delete(written, b) // nothing to merge
			continue
		}
		merged := mergeRuns(append(w.items, group...), append(w.ends, len(w.items)+len(group)))
		for _, k := range w.keys {
			es = append(es, entry{k: k, del: true})
		}
		s.sealPage(blind.Kind(b[0]), b[1], merged, next, &es)
		delete(written, b)
	}
	return es
}

// sortByBucket orders items so that each kind and bucket is one sorted run: first by bucket
// in one counting pass, then each bucket by compareItems. The runs' order does not matter to
// sealPages, and sorting a checkpoint's twenty thousand items as one slice cost the importer
// most of a second and a half on the million-customer book.
func sortByBucket(items []indexItem, buf *[]indexItem) []indexItem {
	var counts [65]int
	for _, it := range items {
		counts[pageBucket(it.tag)+1]++
	}
	for b := 1; b < len(counts); b++ {
		counts[b] += counts[b-1]
	}
	if cap(*buf) < len(items) {
		*buf = make([]indexItem, len(items), len(items)+len(items)/4)
	}
	sorted := (*buf)[:len(items)]
	at := counts
	for _, it := range items {
		b := pageBucket(it.tag)
		sorted[at[b]] = it
		at[b]++
	}
	for b := range 64 {
		slices.SortFunc(sorted[counts[b]:counts[b+1]], compareItems)
	}
	return sorted
}

// mergeRuns sorts items made of sorted runs ending at ends, merging neighbouring runs in
// passes (a bucket's sixteen pages take four linear passes, not a sort of the whole).
func mergeRuns(items []indexItem, ends []int) []indexItem {
	if len(ends) == 0 || ends[len(ends)-1] != len(items) {
		slices.SortFunc(items, compareItems) // not runs as described: sort it whole
		return items
	}
	buf := make([]indexItem, len(items))
	for len(ends) > 1 {
		start, next := 0, ends[:0]
		for i := 0; i < len(ends); i += 2 {
			if i+1 == len(ends) {
				copy(buf[start:ends[i]], items[start:ends[i]])
				next = append(next, ends[i])
				break
			}
			mergeTwo(buf[start:ends[i+1]], items[start:ends[i]], items[ends[i]:ends[i+1]])
			next = append(next, ends[i+1])
			start = ends[i+1]
		}
		items, buf, ends = buf, items, next
	}
	return items
}

// mergeTwo merges the sorted a and b into dst, which holds both.
func mergeTwo(dst, a, b []indexItem) {
	i, j, k := 0, 0, 0
	for i < len(a) && j < len(b) {
		if compareItems(b[j], a[i]) < 0 {
			dst[k] = b[j]
			j++
		} else {
			dst[k] = a[i]
			i++
		}
		k++
	}
	k += copy(dst[k:], a[i:])
	copy(dst[k:], b[j:])
}

// sealPage appends the pages holding items (sorted, one bucket: more than one past
// maxPageItems) to es and returns their keys.
func (s *Store) sealPage(kind blind.Kind, bucket byte, items []indexItem, next *uint64, es *[]entry) [][]byte {
	var keys [][]byte
	for len(items) > 0 {
		n := min(len(items), maxPageItems)
		pt := make([]byte, 0, n*pageItemSize)
		for _, it := range items[:n] {
			pt = appendPageItem(pt, it)
		}
		k := kIndexPage(kind, bucket, *next)
		*next++
		*es = append(*es, entry{k: k, v: s.meta.Seal(nil, k, pt)})
		keys = append(keys, k)
		items = items[n:]
	}
	return keys
}

// openPage unseals a stored page; its plaintext is whole items.
func (s *Store) openPage(key, raw []byte) ([]byte, error) {
	pt, err := s.meta.Open(key, raw)
	if err != nil || len(pt)%pageItemSize != 0 {
		return nil, &CorruptError{What: "index"}
	}
	return pt, nil
}

// eachPageRaw calls fn with the plaintext of every page under prefix (one bucket, one kind
// or all pages).
func (s *Store) eachPageRaw(ctx context.Context, prefix []byte, fn func(key, pt []byte) error) error {
	return s.iterate(ctx, prefix, false, func(it *badger.Item) (bool, error) {
		raw, err := it.ValueCopy(nil)
		if err != nil {
			return false, err
		}
		pt, err := s.openPage(it.Key(), raw)
		if err != nil {
			return false, err
		}
		return true, fn(it.Key(), pt)
	})
}

// eachPage calls fn with the items of every page under prefix.
func (s *Store) eachPage(ctx context.Context, prefix []byte, fn func(key []byte, items []indexItem) error) error {
	return s.eachPageRaw(ctx, prefix, func(key, pt []byte) error {
		items, _ := decodePage(blind.Kind(key[1]), pt)
		return fn(key, items)
	})
}

// indexCandidates lists, by customer and loan, every indexed customer whose tag under kind
// is tags[0] (and, for a two-character name prefix, whose sub-tag is tags[1]): from the
// pages and from the per-item keys of vaults written before them. A page is sorted by tag,
// so its matches are found by binary search, without decoding the rest (a bucket of a
// million-customer book holds about 16,000 items per kind, the bucket of a common surname
// many more).
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
	var want []byte // the leading bytes of the matching items: tag, and sub if given
	for _, t := range tags {
		want = append(want, t[:]...)
	}
	err = s.eachPageRaw(ctx, kIndexPagePrefix(kind, pageBucket(tags[0])), func(_, pt []byte) error {
		n := len(pt) / pageItemSize
		item := func(i int) []byte { return pt[i*pageItemSize : (i+1)*pageItemSize] }
		for i := sort.Search(n, func(i int) bool { return bytes.Compare(item(i)[:len(want)], want) >= 0 }); i < n; i++ {
			b := item(i)
			if !bytes.Equal(b[:len(want)], want) {
				break
			}
			hits = append(hits, Hit{
				Customer: model.CustomerNo(binary.BigEndian.Uint64(b[2*blind.Size:])),
				Loan:     binary.BigEndian.Uint32(b[2*blind.Size+8:]),
			})
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

// Compaction. A bucket gains a page with every transaction that writes into it, and a
// search reads every page of its bucket: a million-customer import leaves about 250 per
// bucket, a demo book with documents (small transactions) thousands. So when a writer
// closes, every bucket holding more than maxBucketPages pages is merged into one (or, past
// maxPageItems, a few): the merged page and the deletion of the pages it replaces are one
// transaction per bucket, so a crash leaves each bucket merged or not, never both or
// neither.
const (
	maxBucketPages = 2 * mergeEvery
	maxPageItems   = 1 << 16 // 1.1 MiB of items, well inside one transaction
)

// maxMergedPages is how many pages one transaction replaces, within txnMaxEntries (a
// variable so that a test can make a bucket need several).
var maxMergedPages = 8192

// compactPages merges the buckets that hold more than maxBucketPages pages. The caller holds
// the write lock (s.mu) and has nothing uncommitted.
func (s *Store) compactPages(ctx context.Context) error {
	counts := map[[2]byte]int{}
	err := s.iterate(ctx, []byte{pIndexPage}, true, func(it *badger.Item) (bool, error) {
		k := it.Key()
		counts[[2]byte{k[1], k[2]}]++
		return true, nil
	})
	if err != nil {
		return err
	}
	for b, n := range counts {
		if n <= maxBucketPages {
			continue
		}
		// A page that does not open is left as it is: merging is only for speed, the writer's
		// data is committed by now, and a search of that bucket (or a destruction) reports
		// the damage.
		var ce *CorruptError
		if err := s.mergeBucket(ctx, blind.Kind(b[0]), b[1]); err != nil && !errors.As(err, &ce) {
			return err
		}
	}
	return nil
}

// mergeBucket replaces the pages of one bucket by merged ones, maxMergedPages at a time.
func (s *Store) mergeBucket(ctx context.Context, kind blind.Kind, bucket byte) error {
	for {
		var keys [][]byte
		var items []indexItem
		var ends []int // each page is sorted: merged, not sorted again
		err := s.eachPage(ctx, kIndexPagePrefix(kind, bucket), func(key []byte, its []indexItem) error {
			if len(keys) == maxMergedPages {
				return errStopPages
			}
			keys = append(keys, bytes.Clone(key))
			items = append(items, its...)
			ends = append(ends, len(items))
			return nil
		})
		if err != nil && !errors.Is(err, errStopPages) {
			return err
		}
		if len(keys) <= 1 {
			return nil
		}
		items = mergeRuns(items, ends)
		items = slices.CompactFunc(items, func(a, b indexItem) bool { return compareItems(a, b) == 0 })
		next := s.counts.NextPage
		var pages []entry
		s.sealPage(kind, bucket, items, &next, &pages)
		counts := s.counts
		counts.NextPage = next
		cb, _ := json.Marshal(counts)
		err = s.db.Update(func(txn *badger.Txn) error {
			for _, k := range keys {
				if err := txn.Delete(k); err != nil {
					return err
				}
			}
			for _, e := range pages {
				if err := txn.Set(e.k, e.v); err != nil {
					return err
				}
			}
			return txn.Set(kMeta("counts"), s.meta.Seal(nil, kMeta("counts"), cb))
		})
		if err != nil {
			return err
		}
		s.counts.NextPage = next
		if len(keys) < maxMergedPages {
			return nil
		}
	}
}

var errStopPages = errors.New("enough pages")
