package vault

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	"handover/store"
	"handover/store/model"
)

// A batch's entries (customer number and letter code of each notice) are stored in chunks,
// not one record per customer: a million SMS would otherwise be two million writes, half the
// batch's time. Two views of the same entries:
//
//   - by customer, in chunks of entriesPerChunk (the walk's order), for where the notices
//     stand: notice/entries/<batch>/<chunk>;
//   - by the code's first two characters (1,024 buckets), to find the notice a report row's
//     reference names: notice/codes/<batch>/<XY>.
//
// A delivery's state is the batch's (generated, or sent once the batch is marked sent)
// unless a report row or a resolution recorded the customer's own: notice/d/<template>/
// <customer>/<batch>.

const (
	metaNoticeEntries = "notice/entries/"
	metaNoticeCodes   = "notice/codes/"
	entriesPerChunk   = 10000
)

// codeEntry is one code of a bucket.
type codeEntry struct {
	Code     string           `json:"c"`
	Customer model.CustomerNo `json:"n"`
}

// entryChunk is one chunk of a batch's entries by customer.
type entryChunk struct {
	Customers []model.CustomerNo `json:"n"`
	Codes     []string           `json:"c"`
}

func entriesKey(batch string, chunk int) string {
	return fmt.Sprintf("%s%s/%06d", metaNoticeEntries, batch, chunk)
}

func codesKey(batch, bucket string) string { return metaNoticeCodes + batch + "/" + bucket }

// entryChanges are the records of a batch's entries (which the walk produced in customer
// order).
func entryChanges(batch string, entries []NoticeEntry) (changes []store.MetaChange, chunks int) {
	buckets := map[string][]codeEntry{}
	for i := 0; i < len(entries); i += entriesPerChunk {
		part := entries[i:min(i+entriesPerChunk, len(entries))]
		c := entryChunk{Customers: make([]model.CustomerNo, len(part)), Codes: make([]string, len(part))}
		for j, e := range part {
			c.Customers[j], c.Codes[j] = e.Customer, e.Code
			b := e.Code[:2]
			buckets[b] = append(buckets[b], codeEntry{Code: e.Code, Customer: e.Customer})
		}
		changes = append(changes, store.MetaChange{Name: entriesKey(batch, chunks), Value: c})
		chunks++
	}
	names := make([]string, 0, len(buckets))
	for b := range buckets {
		names = append(names, b)
	}
	sort.Strings(names)
	for _, b := range names {
		changes = append(changes, store.MetaChange{Name: codesKey(batch, b), Value: buckets[b]})
	}
	return changes, chunks
}

// batchCursor reads one batch's entries in customer order, a chunk at a time.
type batchCursor struct {
	st     *store.Store
	batch  NoticeBatch
	chunk  int
	cur    entryChunk
	i      int
	loaded bool
	err    error
}

// at returns the code of customer no's notice in this batch, if it has one; calls must come
// in rising customer order.
func (c *batchCursor) at(no model.CustomerNo) (string, bool) {
	for c.err == nil {
		if !c.loaded {
			if c.chunk >= c.batch.Chunks {
				return "", false
			}
			c.cur, c.i = entryChunk{}, 0
			if err := c.st.GetMeta(entriesKey(c.batch.ID, c.chunk), &c.cur); err != nil {
				c.err = fmt.Errorf("notice batch %s: %w", c.batch.ID, err)
				return "", false
			}
			c.loaded = true
		}
		for c.i < len(c.cur.Customers) && c.cur.Customers[c.i] < no {
			c.i++
		}
		if c.i < len(c.cur.Customers) {
			if c.cur.Customers[c.i] == no {
				return c.cur.Codes[c.i], true
			}
			return "", false
		}
		c.chunk++
		c.loaded = false
	}
	return "", false
}

// codeIn finds the customer whose notice in batch carries code.
func codeIn(st *store.Store, batch, code string, cache map[string][]codeEntry) (model.CustomerNo, bool, error) {
	key := codesKey(batch, code[:2])
	bucket, ok := cache[key]
	if !ok {
		if err := st.GetMeta(key, &bucket); err != nil && !errors.Is(err, store.ErrNotFound) {
			return 0, false, err
		}
		cache[key] = bucket
	}
	for _, e := range bucket {
		if e.Code == code {
			return e.Customer, true, nil
		}
	}
	return 0, false, nil
}

// customerIn finds customer no's code in batch b (by the chunk that would hold it).
func customerIn(st *store.Store, b NoticeBatch, no model.CustomerNo) (string, bool, error) {
	i := sort.Search(len(b.ChunkStarts), func(i int) bool { return b.ChunkStarts[i] > no }) - 1
	if i < 0 {
		return "", false, nil
	}
	var c entryChunk
	if err := st.GetMeta(entriesKey(b.ID, i), &c); err != nil {
		return "", false, err
	}
	j := sort.Search(len(c.Customers), func(j int) bool { return c.Customers[j] >= no })
	if j < len(c.Customers) && c.Customers[j] == no {
		return c.Codes[j], true, nil
	}
	return "", false, nil
}

// recordedBatches lists the batches recorded, by template.
func recordedBatches(ctx context.Context, st *store.Store) (map[string][]NoticeBatch, error) {
	out := map[string][]NoticeBatch{}
	err := st.MetaPrefix(ctx, metaNoticeBatch, func(_ string, b []byte) (bool, error) {
		var nb NoticeBatch
		if err := json.Unmarshal(b, &nb); err != nil {
			return false, &store.CorruptError{What: "notice batch"}
		}
		out[nb.Template] = append(out[nb.Template], nb)
		return true, nil
	})
	return out, err
}
