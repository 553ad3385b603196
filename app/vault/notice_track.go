package vault

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"handover/app/audit"
	"handover/app/checklist"
	"handover/app/doc"
	"handover/app/notice"
	"handover/app/report"
	"handover/store"
	"handover/store/model"
)

// NoticeBatchOf returns a recorded batch.
func (s *Session) NoticeBatchOf(id string) (*NoticeBatch, error) {
	st, err := s.read(PermView)
	if err != nil {
		return nil, err
	}
	var b NoticeBatch
	if err := st.GetMeta(metaNoticeBatch+id, &b); errors.Is(err, store.ErrNotFound) {
		return nil, ErrNoticeBatch
	} else if err != nil {
		return nil, err
	}
	return &b, nil
}

// MarkSent records that a batch was handed to the post or the SMS gateway on day: its
// notices count as sent (each customer's own state stays where a report set it).
func (s *Session) MarkSent(ctx context.Context, batchID string, day model.Date) (int, error) {
	n := 0
	detail := map[string]string{"batch": batchID, "date": day.String()}
	err := s.doMeta(PermNotify, audit.NoticeSent, "", detail, func(st *store.Store) ([]store.MetaChange, error) {
		var b NoticeBatch
		if err := st.GetMeta(metaNoticeBatch+batchID, &b); errors.Is(err, store.ErrNotFound) {
			return nil, ErrNoticeBatch
		} else if err != nil {
			return nil, err
		}
		at := time.Date(day.Y, time.Month(day.M), day.D, 12, 0, 0, 0, shanghai).UTC()
		b.Sent = &at
		n = b.Count
		detail["deliveries"] = strconv.Itoa(n)
		return []store.MetaChange{{Name: metaNoticeBatch + batchID, Value: b}, nextNoticeGen(st)}, nil
	})
	if err == nil {
		s.refreshNotifiedFact(ctx)
	}
	return n, err
}

func eachDelivery(ctx context.Context, st *store.Store, template string, fn func(name string, d NoticeDelivery) error) error {
	return st.MetaPrefix(ctx, metaNoticeDelivery+template+"/", func(name string, b []byte) (bool, error) {
		var d NoticeDelivery
		if err := json.Unmarshal(b, &d); err != nil {
			return false, &store.CorruptError{What: "notice delivery"}
		}
		return true, fn(name, d)
	})
}

// StatusRow is one row of a gateway or postal report that was not applied, and why.
type StatusRow struct {
	Row    int    `json:"row"`
	Reason string `json:"reason"` // unknown_reference, no_match, ambiguous_mobile, bad_status, needs_batch
}

// StatusResult is what a report import did.
type StatusResult struct {
	Rows     int         `json:"rows"`
	Applied  int         `json:"applied"`
	Refused  []StatusRow `json:"refused"`
	Consents int         `json:"consents"`
}

// ImportNoticeStatus reads a gateway or postal report (CSV, UTF-8: reference or mobile,
// status, optional reason) and applies each row it can match to a delivery: by the letter
// code, or by the mobile number through the blind index within batch (batchID). Rows it
// cannot match are listed and change nothing; a file without the columns is refused whole.
func (s *Session) ImportNoticeStatus(ctx context.Context, name string, r io.Reader, batchID string) (*StatusResult, error) {
	res := &StatusResult{Refused: []StatusRow{}}
	detail := map[string]string{"file": name, "batch": batchID}
	err := s.doRecorded(PermNotify, audit.NoticeStatus, "", detail, func(st *store.Store, begin beginFunc) ([]store.MetaChange, error) {
		rows, err := notice.ReadReport(r)
		if errors.Is(err, notice.ErrReport) {
			return nil, fmt.Errorf("%s: %w", name, ErrNoticeReport)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		at := s.v.opts.Now().UTC()
		changed := map[string]any{}
		batches, err := recordedBatches(ctx, st)
		if err != nil {
			return nil, err
		}
		m := &reportMatcher{st: st, batches: batches, codes: map[string][]codeEntry{}}
		for _, rec := range rows {
			res.Rows++
			refuse := func(why string) { res.Refused = append(res.Refused, StatusRow{Row: rec.Row, Reason: why}) }
			if rec.Status == "" {
				refuse("bad_status")
				continue
			}
			ref, why, err := m.match(ctx, rec.Reference, rec.Mobile, batchID)
			if err != nil {
				return nil, fmt.Errorf("%s row %d: %w", name, rec.Row, err)
			}
			if why != "" {
				refuse(why)
				continue
			}
			if rec.Status == notice.ReportConsented || rec.Status == notice.ReportObjected {
				state := ConsentGiven
				if rec.Status == notice.ReportObjected {
					state = ConsentRefused
				}
				changed[metaNoticeConsent+ref.Template+"/"+customerKey(ref.Customer)] = NoticeConsent{State: state, At: at, Source: name}
				res.Consents++
				res.Applied++
				continue
			}
			key := deliveryKey(ref.Template, ref.Customer, ref.Batch)
			changed[key] = NoticeDelivery{Template: ref.Template, Customer: ref.Customer, Batch: ref.Batch, Channel: ref.Channel,
				Code: ref.Code, State: rec.Status, At: at, Reason: rec.Reason}
			res.Applied++
		}
		var changes []store.MetaChange
		for k, v := range changed {
			changes = append(changes, store.MetaChange{Name: k, Value: v})
		}
		detail["rows"], detail["applied"], detail["refused"] = strconv.Itoa(res.Rows), strconv.Itoa(res.Applied), strconv.Itoa(len(res.Refused))
		// The rows may be many, so they are written apart from the event: an intent first,
		// with the tracking's generation moved on, so that a kill in between leaves an
		// interrupted event and a fact that no longer counts (notifiedFacts).
		if err := begin(nextNoticeGen(st)); err != nil {
			return nil, err
		}
		if err := st.PutMetaMany(ctx, changes); err != nil {
			return nil, err
		}
		return nil, nil
	})
	if err != nil {
		return nil, err
	}
	s.refreshNotifiedFact(ctx)
	return res, nil
}

// reportMatcher finds the notice a report row names, keeping the code buckets it read.
type reportMatcher struct {
	st      *store.Store
	batches map[string][]NoticeBatch // by template
	codes   map[string][]codeEntry
}

func refOf(b NoticeBatch, no model.CustomerNo, code string) NoticeRef {
	return NoticeRef{Template: b.Template, Customer: no, Batch: b.ID, Channel: b.Channel, Code: code, Sent: b.Sent != nil}
}

// match finds the notice by its code in any recorded batch, or by the mobile number through
// the blind index within batchID. why says why a row matches nothing; err is a damaged record,
// which stops the import before it changes anything.
func (m *reportMatcher) match(ctx context.Context, reference, mobile, batchID string) (ref NoticeRef, why string, err error) {
	if reference != "" {
		code := notice.NormalizeCode(reference)
		if code == "" {
			return NoticeRef{}, "unknown_reference", nil
		}
		for _, bs := range m.batches {
			for _, b := range bs {
				no, ok, err := codeIn(m.st, b.ID, code, m.codes)
				if err != nil {
					return NoticeRef{}, "", err
				}
				if ok {
					return refOf(b, no, code), "", nil
				}
			}
		}
		return NoticeRef{}, "unknown_reference", nil
	}
	var batch *NoticeBatch
	for _, bs := range m.batches {
		for i := range bs {
			if bs[i].ID == batchID {
				batch = &bs[i]
			}
		}
	}
	if batch == nil {
		return NoticeRef{}, "needs_batch", nil
	}
	hits, err := m.st.Find(ctx, blindKind(ByPhone), mobile)
	if err != nil {
		return NoticeRef{}, "", err
	}
	var found []NoticeRef
	for _, h := range hits {
		if h.Corrupt {
			return NoticeRef{}, "", &store.CorruptError{Customer: h.Customer, What: "customer"}
		}
		code, ok, err := customerIn(m.st, *batch, h.Customer)
		if err != nil {
			return NoticeRef{}, "", err
		}
		if ok && !slices.ContainsFunc(found, func(r NoticeRef) bool { return r.Customer == h.Customer }) {
			found = append(found, refOf(*batch, h.Customer, code))
		}
	}
	switch len(found) {
	case 0:
		return NoticeRef{}, "no_match", nil
	case 1:
		return found[0], "", nil
	}
	return NoticeRef{}, "ambiguous_mobile", nil
}

// ResolveFollowUp closes a customer's follow-up for a template (a failed notice sent again by
// another way, an objection handled) with the reason.
func (s *Session) ResolveFollowUp(ctx context.Context, template string, no model.CustomerNo, reason string) error {
	reason = strings.TrimSpace(reason)
	err := s.doMeta(PermNotify, audit.NoticeResolve, custTarget(no), map[string]string{"template": template, "reason": reason}, func(st *store.Store) ([]store.MetaChange, error) {
		if reason == "" {
			return nil, ErrResolveReason
		}
		if _, err := st.Customer(no); err != nil {
			return nil, fmt.Errorf("customer %d: %w", no, err)
		}
		return []store.MetaChange{{Name: metaNoticeResolved + template + "/" + customerKey(no), Value: NoticeResolved{Reason: reason, By: s.op.Name, At: s.v.opts.Now().UTC()}},
			nextNoticeGen(st)}, nil
	})
	if err == nil {
		s.refreshNotifiedFact(ctx)
	}
	return err
}

// NoticeBasis is a legal basis for providing personal information to the transferee
// without each customer's consent (a loan-book transfer, PIPL Art. 13 and 23), recorded with
// its evidence and the name of whoever decided; it lets the export go before the notices.
type NoticeBasis struct {
	Basis          string    `json:"basis"`
	DecidedBy      string    `json:"decided_by"`
	EvidenceName   string    `json:"evidence_name"`
	EvidenceSHA256 string    `json:"evidence_sha256"`
	EvidenceID     string    `json:"evidence_id"`
	By             string    `json:"by"`
	At             time.Time `json:"at"`
}

// RecordNoticeBasis records a legal basis for providing without consent, its evidence (kept
// in the vault like checklist evidence) and who decided.
func (s *Session) RecordNoticeBasis(ctx context.Context, basis, decidedBy, evidenceName string, evidence io.Reader) (*NoticeBasis, error) {
	basis, decidedBy = strings.TrimSpace(basis), strings.TrimSpace(decidedBy)
	var out *NoticeBasis
	detail := map[string]string{"basis": basis, "decided_by": decidedBy}
	err := s.doMeta(PermChecklist, audit.NoticeBasis, "", detail, func(st *store.Store) ([]store.MetaChange, error) {
		if basis == "" || decidedBy == "" || evidence == nil || evidenceName == "" {
			return nil, ErrBasisIncomplete
		}
		e, err := st.PutEvidence(ctx, "notice_basis-"+store.NewID("e")[2:], evidenceName, evidence)
		if err != nil {
			return nil, err
		}
		out = &NoticeBasis{Basis: basis, DecidedBy: decidedBy, EvidenceName: e.Name, EvidenceSHA256: e.SHA256, EvidenceID: e.ID, By: s.op.Name, At: s.v.opts.Now().UTC()}
		detail["evidence_sha256"] = e.SHA256
		return []store.MetaChange{{Name: metaNoticeBasis, Value: out}}, nil
	})
	return out, err
}

// NoticeBasis returns the recorded legal basis for providing without consent, or
// ErrNotFound.
func (s *Session) NoticeBasis() (*NoticeBasis, error) {
	st, err := s.read(PermView)
	if err != nil {
		return nil, err
	}
	return metaRecord[NoticeBasis](st, metaNoticeBasis, ErrNotFound)
}

// NoticeSummary is where the notices of one template stand, over every customer of the book.
type NoticeSummary struct {
	Template  string                    `json:"template"`
	Required  bool                      `json:"required"`
	Customers int64                     `json:"customers"`
	Reached   int64                     `json:"reached"` // sent or delivered through at least one channel
	Pending   int64                     `json:"pending"` // nothing sent yet (generated only, or no notice)
	Consented int64                     `json:"consented"`
	NoAnswer  int64                     `json:"no_answer"` // reached, asked for consent, no answer by the reply deadline
	Objected  int64                     `json:"objected"`
	ByChannel map[string]map[string]int `json:"by_channel"` // channel → state → deliveries
	FollowUps []FollowUp                `json:"follow_ups"`
}

// FollowUp is a customer compliance must act on.
type FollowUp struct {
	Customer model.CustomerNo `json:"customer"`
	Reason   string           `json:"reason"` // failed (every channel failed), objected
}

// NoticeStatus summarises the notices of every template for the deal type.
func (s *Session) NoticeStatus(ctx context.Context) ([]NoticeSummary, error) {
	st, err := s.read(PermView)
	if err != nil {
		return nil, err
	}
	return s.noticeSummaries(ctx, st)
}

// NoticeCustomers lists the customer numbers of a template's notices in a state: a delivery
// state (generated, sent, delivered, failed, returned, unknown), a consent answer, or
// "pending" (nothing sent) and "follow_up".
func (s *Session) NoticeCustomers(ctx context.Context, template, state string) ([]model.CustomerNo, error) {
	st, err := s.read(PermView)
	if err != nil {
		return nil, err
	}
	var out []model.CustomerNo
	err = s.walkNotices(ctx, st, template, func(no model.CustomerNo, c customerNotices) {
		match := false
		switch state {
		case "pending":
			match = !c.reached
		case "follow_up":
			match = c.followUp != ""
		case ConsentGiven, ConsentRefused, ConsentNoAnswer:
			match = c.consent == state
		default:
			for _, d := range c.deliveries {
				match = match || d.State == state
			}
		}
		if match {
			out = append(out, no)
		}
	})
	return out, err
}

// customerNotices is one customer's deliveries of one template, and what follows from them.
type customerNotices struct {
	deliveries []NoticeDelivery
	consent    string
	reached    bool
	followUp   string
}

// walkNotices calls fn for every customer of the book with their notices of template, in
// customer order: a merge of the book's numbers with the deliveries (both sorted).
func (s *Session) walkNotices(ctx context.Context, st *store.Store, template string, fn func(model.CustomerNo, customerNotices)) error {
	consents := map[model.CustomerNo]string{}
	if err := st.MetaPrefix(ctx, metaNoticeConsent+template+"/", func(name string, b []byte) (bool, error) {
		var c NoticeConsent
		n, _ := strconv.ParseUint(name[strings.LastIndexByte(name, '/')+1:], 10, 64)
		if json.Unmarshal(b, &c) == nil {
			consents[model.CustomerNo(n)] = c.State
		}
		return true, nil
	}); err != nil {
		return err
	}
	resolved := map[model.CustomerNo]bool{}
	if err := st.MetaPrefix(ctx, metaNoticeResolved+template+"/", func(name string, _ []byte) (bool, error) {
		n, _ := strconv.ParseUint(name[strings.LastIndexByte(name, '/')+1:], 10, 64)
		resolved[model.CustomerNo(n)] = true
		return true, nil
	}); err != nil {
		return err
	}
	nos, err := st.CustomerNos(ctx)
	if err != nil {
		return err
	}
	// A partial transfer notifies the customers it hands over, and no one else.
	if sc, err := loadScope(st); err != nil {
		return err
	} else if sc != nil {
		nos = slices.DeleteFunc(nos, func(no model.CustomerNo) bool { return !sc.has(no) })
	}
	// A notice asking for consent that reached the customer and has no answer by the reply
	// deadline counts as no answer.
	tpls, err := templates(st)
	if err != nil {
		return err
	}
	var replyBy model.Date
	if n, err := loadNoticeSetup(st); err == nil {
		replyBy = n.ReplyBy
	}
	asksConsent := tpls[template] != nil && tpls[template].Consent
	pastDeadline := !replyBy.IsZero() && replyBy.Before(model.DateOf(s.v.opts.Now().In(shanghai)))
	classify := func(no model.CustomerNo, ds []NoticeDelivery) {
		c := customerNotices{deliveries: ds, consent: consents[no]}
		failed := len(c.deliveries) > 0
		for _, d := range c.deliveries {
			switch d.State {
			case NoticeSent, NoticeDelivered, NoticeUnknown:
				c.reached = true
				failed = false
			case NoticeGenerated:
				failed = false
			}
		}
		if c.consent == "" && c.reached && asksConsent && pastDeadline {
			c.consent = ConsentNoAnswer
		}
		switch {
		case resolved[no]:
		case failed:
			c.followUp = "failed"
		case c.consent == ConsentRefused:
			c.followUp = "objected"
		}
		fn(no, c)
	}
	all, err := recordedBatches(ctx, st)
	if err != nil {
		return err
	}
	recorded := map[string]bool{}
	var cursors []*batchCursor
	for _, b := range all[template] {
		recorded[b.ID] = true
		cursors = append(cursors, &batchCursor{st: st, batch: b})
	}
	// deliveriesOf is customer no's notices: one per batch that holds it, in the batch's
	// state unless a report or resolution recorded the customer's own (overrides).
	deliveriesOf := func(no model.CustomerNo, overrides []NoticeDelivery) []NoticeDelivery {
		var ds []NoticeDelivery
		for _, c := range cursors {
			code, ok := c.at(no)
			if !ok {
				continue
			}
			d := NoticeDelivery{Template: template, Customer: no, Batch: c.batch.ID, Channel: c.batch.Channel, Code: code, State: NoticeGenerated, At: c.batch.Created}
			if c.batch.Sent != nil {
				d.State, d.At = NoticeSent, *c.batch.Sent
			}
			for _, o := range overrides {
				if o.Batch == c.batch.ID {
					d = o
				}
			}
			ds = append(ds, d)
		}
		return ds
	}
	// The book's numbers, the batches' entries and the overrides all come in customer order:
	// merged, so that a million customers need no map.
	next := 0
	flushUpTo := func(no model.CustomerNo) {
		for next < len(nos) && nos[next] < no {
			classify(nos[next], deliveriesOf(nos[next], nil))
			next++
		}
	}
	var cur model.CustomerNo
	var group []NoticeDelivery
	emit := func() {
		if len(group) == 0 {
			return
		}
		flushUpTo(cur)
		if next < len(nos) && nos[next] == cur {
			classify(cur, deliveriesOf(cur, group))
			next++
		}
		group = nil
	}
	if err := eachDelivery(ctx, st, template, func(_ string, d NoticeDelivery) error {
		if !recorded[d.Batch] {
			return nil
		}
		if d.Customer != cur {
			emit()
			cur = d.Customer
		}
		group = append(group, d)
		return nil
	}); err != nil {
		return err
	}
	emit()
	flushUpTo(^model.CustomerNo(0))
	if next < len(nos) {
		classify(nos[next], deliveriesOf(nos[next], nil)) // the largest possible number, should a customer hold it
	}
	for _, c := range cursors {
		if c.err != nil {
			return c.err
		}
	}
	return nil
}

func (s *Session) noticeSummaries(ctx context.Context, st *store.Store) ([]NoticeSummary, error) {
	d, err := loadDeal(st)
	if err != nil {
		return nil, err
	}
	all, err := templates(st)
	if err != nil {
		return nil, err
	}
	batches, err := recordedBatches(ctx, st)
	if err != nil {
		return nil, err
	}
	var ids []string
	for id, t := range all {
		sent := len(batches[id]) > 0
		if t.For(d.Type) && t.Audience == notice.Borrower && (!t.OnDemand || sent) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	var out []NoticeSummary
	for _, id := range ids {
		sum := NoticeSummary{Template: id, Required: all[id].Required, ByChannel: map[string]map[string]int{}, FollowUps: []FollowUp{}}
		err := s.walkNotices(ctx, st, id, func(no model.CustomerNo, c customerNotices) {
			sum.Customers++
			if c.reached {
				sum.Reached++
			} else {
				sum.Pending++
			}
			switch c.consent {
			case ConsentGiven:
				sum.Consented++
			case ConsentNoAnswer:
				sum.NoAnswer++
			case ConsentRefused:
				sum.Objected++
			}
			for _, d := range c.deliveries {
				if sum.ByChannel[d.Channel] == nil {
					sum.ByChannel[d.Channel] = map[string]int{}
				}
				sum.ByChannel[d.Channel][d.State]++
			}
			if c.followUp != "" {
				sum.FollowUps = append(sum.FollowUps, FollowUp{Customer: no, Reason: c.followUp})
			}
		})
		if err != nil {
			return nil, err
		}
		out = append(out, sum)
	}
	return out, nil
}

// notifiedState is the fact customers_notified follows from, with the book it was computed
// on: an import or receive since makes it stale.
type notifiedState struct {
	At           time.Time        `json:"at"`
	Customers    int64            `json:"customers"`
	NextCustomer model.CustomerNo `json:"next_customer"`
	Gen          int64            `json:"gen"` // the tracking's generation it was computed at
}

// metaNoticeGen counts changes to the tracking. Each change moves it on in the transaction
// that records it (or its intent); the fact stores the count it was computed at, and counts
// only while they agree: a fact not yet recomputed after a change, or after a kill, never
// says more than the tracking does.
const metaNoticeGen = "notice/gen"

type noticeGen struct {
	N int64 `json:"n"`
}

func currentNoticeGen(st *store.Store) int64 {
	var g noticeGen
	_ = st.GetMeta(metaNoticeGen, &g)
	return g.N
}

func nextNoticeGen(st *store.Store) store.MetaChange {
	return store.MetaChange{Name: metaNoticeGen, Value: noticeGen{N: currentNoticeGen(st) + 1}}
}

// refreshNotifiedFact recomputes the fact after a recorded change to the tracking. It is
// derived data: if it fails, the fact stays behind the generation and does not count.
func (s *Session) refreshNotifiedFact(ctx context.Context) {
	st, err := s.store()
	if err != nil {
		return
	}
	if fact, err := s.notifiedFact(ctx, st); err == nil {
		_ = st.UpdateMeta([]store.MetaChange{fact})
	}
}

// notifiedFact computes the fact: every customer reached by every required notice, and no
// follow-up open. It deletes the fact when that is not so.
func (s *Session) notifiedFact(ctx context.Context, st *store.Store) (store.MetaChange, error) {
	sums, err := s.noticeSummaries(ctx, st)
	if errors.Is(err, ErrNoDeal) {
		return store.MetaChange{Name: metaFactNotified, Delete: true}, nil
	}
	if err != nil {
		return store.MetaChange{}, err
	}
	required := 0
	for _, sum := range sums {
		if !sum.Required {
			continue
		}
		required++
		if sum.Pending > 0 || len(sum.FollowUps) > 0 || sum.Customers == 0 {
			return store.MetaChange{Name: metaFactNotified, Delete: true}, nil
		}
	}
	if required == 0 {
		return store.MetaChange{Name: metaFactNotified, Delete: true}, nil
	}
	c := st.Counts()
	return store.MetaChange{Name: metaFactNotified, Value: notifiedState{At: s.v.opts.Now().UTC(), Customers: c.Customers, NextCustomer: c.NextCustomer,
		Gen: currentNoticeGen(st)}}, nil
}

// notifiedFacts reads the notice facts for the checklist.
func notifiedFacts(st *store.Store, f *checklist.Facts) {
	var n notifiedState
	if st.GetMeta(metaFactNotified, &n) == nil {
		c := st.Counts()
		f.CustomersNotified = n.Customers == c.Customers && n.NextCustomer == c.NextCustomer && n.Gen == currentNoticeGen(st)
	}
	var b NoticeBasis
	f.NoticeBasis = st.GetMeta(metaNoticeBasis, &b) == nil
}

// PreviewNotice draws one letter of template for customer no, in lang, as a PDF. It is
// audited, and refused for a restricted customer.
func (s *Session) PreviewNotice(ctx context.Context, template string, no model.CustomerNo, lang string) ([]byte, error) {
	var pdf []byte
	err := s.do(PermView, audit.NoticePreview, custTarget(no), map[string]string{"template": template}, func(st *store.Store) error {
		d, err := loadDeal(st)
		if err != nil {
			return err
		}
		setup, err := loadNoticeSetup(st)
		if err != nil {
			return err
		}
		t, err := noticeTemplate(st, d, template)
		if err != nil {
			return err
		}
		var book *store.CustomerBook
		if err := st.EachCustomerWith(ctx, store.WalkOptions{NoRepayments: true}, func(b *store.CustomerBook) error {
			if b.Customer.No == no {
				book = b
				return errStopWalk
			}
			return nil
		}); err != nil && !errors.Is(err, errStopWalk) {
			return err
		}
		if book == nil {
			return fmt.Errorf("customer %d: %w", no, store.ErrNotFound)
		}
		now := s.v.opts.Now().UTC().Truncate(time.Second)
		title, paras, slip, err := t.Render(lang, noticeValues(d, setup, book, "PREV-IEW0", model.DateOf(now.In(shanghai))))
		if err != nil {
			return err
		}
		b := notice.NewBatch(lang, "PREVIEW", now)
		addr, err := b.Address(book.Customer.Address, book.Customer.Name)
		if err != nil {
			return fmt.Errorf("customer %d: %w", no, err)
		}
		b.Add(notice.Letter{Code: "PREV-IEW0", Sender: d.Transferee.Name + " · " + setup.TransfereeAddress, Address: addr, Title: title, Paragraphs: paras, ReplySlip: slip})
		pdf, err = b.PDF()
		return err
	})
	return pdf, err
}

var errStopWalk = errors.New("stop")

// NoticeReportPDF draws the notice report in lang: per template the customers reached,
// pending, consents, deliveries by channel and state, the follow-ups by customer number,
// and the batches. It is audited.
func (s *Session) NoticeReportPDF(ctx context.Context, lang string) ([]byte, error) {
	var pdf []byte
	err := s.do(PermView, audit.NoticeReport, "", nil, func(st *store.Store) error {
		d, err := loadDeal(st)
		if err != nil {
			return err
		}
		sums, err := s.noticeSummaries(ctx, st)
		if err != nil {
			return err
		}
		all, err := templates(st)
		if err != nil {
			return err
		}
		r := &report.Notices{Vault: s.v.Manifest().ID, Workstation: s.v.opts.Workstation, Issued: s.v.opts.Now().UTC().Truncate(time.Second), DealType: d.Type}
		if n, err := loadNoticeSetup(st); err == nil {
			r.Cutoff, r.ReplyBy = n.Cutoff, n.ReplyBy
		}
		for _, sum := range sums {
			t := report.NoticeTemplate{ID: sum.Template, Title: all[sum.Template].Title[doc.Lang(lang)], Required: sum.Required,
				Customers: sum.Customers, Reached: sum.Reached, Pending: sum.Pending, Consented: sum.Consented, Objected: sum.Objected, NoAnswer: sum.NoAnswer, ByChannel: sum.ByChannel}
			for _, f := range sum.FollowUps {
				t.FollowUps = append(t.FollowUps, f.Customer)
				t.FollowUpReasons = append(t.FollowUpReasons, f.Reason)
			}
			r.Templates = append(r.Templates, t)
		}
		if err := st.MetaPrefix(ctx, metaNoticeBatch, func(_ string, b []byte) (bool, error) {
			var nb NoticeBatch
			if err := json.Unmarshal(b, &nb); err != nil {
				return false, &store.CorruptError{What: "notice batch"}
			}
			r.Batches = append(r.Batches, report.NoticeBatch{ID: nb.ID, Template: nb.Template, Channel: nb.Channel, Manifest: nb.Manifest, Count: nb.Count})
			return true, nil
		}); err != nil {
			return err
		}
		pdf, err = report.RenderNotices(r, lang)
		return err
	})
	return pdf, err
}

// NoticeBatches lists the batches recorded, oldest first.
func (s *Session) NoticeBatches(ctx context.Context) ([]NoticeBatch, error) {
	st, err := s.read(PermView)
	if err != nil {
		return nil, err
	}
	var out []NoticeBatch
	err = st.MetaPrefix(ctx, metaNoticeBatch, func(_ string, b []byte) (bool, error) {
		var nb NoticeBatch
		if err := json.Unmarshal(b, &nb); err != nil {
			return false, &store.CorruptError{What: "notice batch"}
		}
		out = append(out, nb)
		return true, nil
	})
	slices.SortFunc(out, func(a, b NoticeBatch) int { return a.Created.Compare(b.Created) })
	return out, err
}
