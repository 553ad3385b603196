package vault

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"handover/app/audit"
	"handover/crypto/keyslot"
	"handover/store"
	"handover/store/model"
)

// Session is a vault unlocked by one operator. Every method checks the operator's
// permission in the one table (roles.go) and records an audit event through do.
// After Lock every method returns ErrLocked.
type Session struct {
	v *Vault

	mu       sync.Mutex // guards the fields below
	st       *store.Store
	op       store.Operator
	master   []byte
	last     time.Time // last user activity, for the idle lock
	idle     time.Duration
	onLock   []func(reason string)
	lockOnce sync.Once
}

func newSession(v *Vault, st *store.Store, op store.Operator, master []byte) *Session {
	return &Session{v: v, st: st, op: op, master: master, last: v.opts.Now(), idle: DefaultIdle}
}

// DefaultIdle is how long a session may stay unused before it locks itself.
const DefaultIdle = 5 * time.Minute

// Operator is the signed-in operator.
func (s *Session) Operator() store.Operator { return s.op }

// Role is the signed-in operator's role.
func (s *Session) Role() Role { return Role(s.op.Role) }

// Vault is the vault this session belongs to.
func (s *Session) Vault() *Vault { return s.v }

// do is the single gate of every operation: permission check, the work, and the audit
// event with its outcome. target must never hold personal data (use customer numbers).
func (s *Session) do(perm Permission, action, target string, detail map[string]string, fn func(*store.Store) error) error {
	return s.doRecorded(perm, action, target, detail, func(st *store.Store, _ beginFunc) ([]store.MetaChange, error) {
		return nil, fn(st)
	})
}

// doRecorded is do for an operation whose effect must not outlive a crash without its
// record: fn calls begin before its first effect (an intent is stored, with any changes
// that must come first), and returns the records of its result, which are committed in one
// transaction with the audit event and the removal of the intent (docs/VAULT.md, "Crashes").
func (s *Session) doRecorded(perm Permission, action, target string, detail map[string]string, fn func(*store.Store, beginFunc) ([]store.MetaChange, error)) error {
	st, err := s.store()
	if err != nil {
		return err
	}
	s.Touch()
	if perm != "" && !s.Role().Can(perm) {
		s.record(audit.Event{Action: action, Target: target, Outcome: audit.Denied, Detail: detail})
		return &PermissionError{Role: s.Role(), Permission: perm}
	}
	if err := checkRestriction(st, action, target); err != nil {
		s.record(audit.Event{Action: action, Target: target, Outcome: audit.Denied, Detail: detail})
		return err
	}
	if err := s.checkRegisters(context.Background(), st, action); err != nil {
		var re *RegisterError
		if errors.As(err, &re) {
			denied := map[string]string{"missing": re.Missing, "reason": re.Reason}
			for k, v := range detail {
				denied[k] = v
			}
			s.record(audit.Event{Action: action, Target: target, Outcome: audit.Denied, Detail: denied})
		}
		return err
	}
	var in *intent
	begin := func(first ...store.MetaChange) error {
		var err error
		in, err = s.beginIntent(st, action, target, detail, first)
		return err
	}
	changes, err := fn(st, begin)
	outcome := audit.OK
	var gate *GateError
	if errors.As(err, &gate) {
		outcome = audit.Denied // refused by a gate, like a permission
	} else if err != nil {
		outcome = audit.Failed
		changes = nil
		var ce *store.CorruptError
		if errors.As(err, &ce) {
			s.record(audit.Event{Action: audit.CorruptionFound, Target: target, Outcome: audit.Failed,
				Detail: map[string]string{"record": ce.What}})
		}
	}
	if in != nil {
		crashAt(action + ".effect")
		changes = append(changes, store.MetaChange{Name: in.meta(), Delete: true})
	}
	ev := audit.Event{Action: action, Target: target, Outcome: outcome, Detail: detail}
	if len(changes) == 0 {
		s.record(ev)
		return err
	}
	if rerr := s.recordWith(ev, changes); rerr != nil && err == nil {
		return rerr
	}
	return err
}

// record appends an audit event, filling in who, when and where.
func (s *Session) record(ev audit.Event) {
	s.mu.Lock()
	st := s.st
	s.mu.Unlock()
	if st == nil {
		return
	}
	// A failed audit write must not pass silently, but neither may it hide the user's
	// result; the store reports I/O failures on the next write anyway.
	_, _ = st.AppendAudit(audit.Encode(s.stamp(ev)))
}

// recordWith appends an audit event together with the records it reports, in one
// transaction.
func (s *Session) recordWith(ev audit.Event, changes []store.MetaChange) error {
	st, err := s.store()
	if err != nil {
		return err
	}
	_, err = st.AppendAuditWith(audit.Encode(s.stamp(ev)), changes)
	return err
}

// stamp fills in who, when and where.
func (s *Session) stamp(ev audit.Event) audit.Event {
	if ev.Time.IsZero() {
		ev.Time = s.v.opts.Now().UTC()
	}
	if ev.Operator == "" {
		ev.Operator = s.op.ID
	}
	if ev.Workstation == "" {
		ev.Workstation = s.v.opts.Workstation
	}
	return ev
}

// metaAuthLog is the sealed state of the file of failed unlocks (store.AuthLogState).
const metaAuthLog = "auth-failures-state"

// ingestAuthFailures moves the failed unlocks recorded while the vault was locked into the
// audit log, with an event for anything wrong with the file; the last event carries the new
// state, so a crash never takes a failure in twice.
func (s *Session) ingestAuthFailures() {
	st, err := s.store()
	if err != nil {
		return
	}
	var state store.AuthLogState
	err = st.GetMeta(metaAuthLog, &state)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return
	}
	fresh := errors.Is(err, store.ErrNotFound) // a vault made before the chain
	in, err := s.v.dir.TakeAuthFailures(state, s.v.opts.Now())
	if err != nil {
		return
	}
	if in.Next.Seq == state.Seq && in.Next.Last == state.Last && len(in.Problems) == 0 {
		if fresh {
			_ = startAuthLog(st, s.v.dir, s.v.opts.Now())
		}
		return // nothing since the last unlock
	}
	var events []audit.Event
	for _, f := range in.Failures {
		events = append(events, audit.Event{Time: f.Time, Operator: f.Operator, Workstation: f.Workstation,
			Action: audit.UnlockFailed, Outcome: audit.Failed, Detail: map[string]string{"reason": f.Reason, "source": "auth-failures.jsonl"}})
	}
	if len(in.Problems) > 0 {
		var ps []string
		for _, p := range in.Problems {
			ps = append(ps, p.String())
		}
		events = append(events, audit.Event{Action: audit.UnlockFailuresAltered, Outcome: audit.Failed,
			Detail: map[string]string{"problems": strings.Join(ps, "; ")}})
	}
	for _, ev := range events[:max(0, len(events)-1)] {
		s.record(ev)
	}
	change := []store.MetaChange{{Name: metaAuthLog, Value: in.Next}}
	var werr error
	if len(events) > 0 {
		werr = s.recordWith(events[len(events)-1], change)
	} else {
		werr = st.UpdateMeta(change)
	}
	if werr == nil {
		_ = s.v.dir.StartAuthLog(in.Next)
	}
}

// startAuthLog begins a new vault's file of failed unlocks from a random anchor, so that
// removing the file is found at the next unlock.
func startAuthLog(st *store.Store, dir *store.Dir, now time.Time) error {
	state := store.AuthLogState{Last: store.NewID("anchor"), At: now.UTC()}
	if err := st.PutMeta(metaAuthLog, state); err != nil {
		return err
	}
	return dir.StartAuthLog(state)
}

func (s *Session) store() (*store.Store, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st == nil {
		return nil, ErrLocked
	}
	return s.st, nil
}

// read is the gate of reads that are not audited one by one (list rows, counts, the
// dashboard): the role's permission, then the open store.
func (s *Session) read(perm Permission) (*store.Store, error) {
	st, err := s.store()
	if err != nil {
		return nil, err
	}
	if !s.Role().Can(perm) {
		return nil, &PermissionError{Role: s.Role(), Permission: perm}
	}
	return st, nil
}

// Touch marks user activity, postponing the idle lock.
func (s *Session) Touch() {
	s.mu.Lock()
	s.last = s.v.opts.Now()
	s.mu.Unlock()
}

// SetIdleTimeout changes how long the session may stay idle (0 disables the idle lock).
func (s *Session) SetIdleTimeout(d time.Duration) {
	s.mu.Lock()
	s.idle = d
	s.mu.Unlock()
}

// OnLock registers a function called once when the session locks, with the reason
// ("user", "idle"). The UI uses it to clear every screen that shows personal data.
func (s *Session) OnLock(fn func(reason string)) {
	s.mu.Lock()
	s.onLock = append(s.onLock, fn)
	s.mu.Unlock()
}

// LockIfIdle locks the session if it has been idle for longer than its timeout at now.
// A ticker in the UI or CLI calls it; tests call it with a chosen time.
func (s *Session) LockIfIdle(now time.Time) bool {
	s.mu.Lock()
	idle := s.idle > 0 && s.st != nil && now.Sub(s.last) >= s.idle
	s.mu.Unlock()
	if idle {
		s.lock(audit.AutoLock, "idle")
	}
	return idle
}

// Locked reports whether the session has been locked.
func (s *Session) Locked() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st == nil
}

// Lock ends the session: the database closes and every key is dropped from memory.
func (s *Session) Lock() error { return s.lock(audit.Lock, "user") }

func (s *Session) lock(action, reason string) error {
	var err error
	s.lockOnce.Do(func() {
		s.record(audit.Event{Action: action, Outcome: audit.OK})
		// Every session leaves a signed checkpoint behind: the log can later be shown to
		// extend it.
		if st, serr := s.store(); serr == nil {
			_, _ = st.SaveCheckpoint()
		}
		err = s.closeStore()
		s.mu.Lock()
		fns := s.onLock
		s.mu.Unlock()
		for _, fn := range fns {
			fn(reason)
		}
	})
	return err
}

func (s *Session) closeStore() error {
	s.mu.Lock()
	st := s.st
	s.st = nil
	clear(s.master)
	s.master = nil
	s.mu.Unlock()
	if st == nil {
		return nil
	}
	return st.Close()
}

// Counts returns the vault's record counts.
func (s *Session) Counts() (store.Counts, error) {
	st, err := s.read(PermView)
	if err != nil {
		return store.Counts{}, err
	}
	return st.Counts(), nil
}

// CustomerNos lists every customer number, for the customer list. Listing numbers is not
// an audited view; opening a customer is.
func (s *Session) CustomerNos(ctx context.Context) ([]model.CustomerNo, error) {
	st, err := s.read(PermView)
	if err != nil {
		return nil, err
	}
	return st.CustomerNos(ctx)
}

// CustomerRow returns a customer masked for a list row. Rows scroll past by the thousand,
// so they are not audited one by one; opening a customer (Customer) is.
func (s *Session) CustomerRow(no model.CustomerNo) (model.Customer, error) {
	st, err := s.read(PermView)
	if err != nil {
		return model.Customer{}, err
	}
	c, err := st.Customer(no)
	return MaskCustomer(c), err
}

// CustomerDetail is everything about one customer, with identifiers masked.
type CustomerDetail struct {
	Customer   model.Customer
	Loans      []model.Loan
	Repayments map[uint32][]model.Repayment // by loan Seq
	Documents  []model.Document
}

// Customer opens one customer, masked. It is audited as a view.
func (s *Session) Customer(ctx context.Context, no model.CustomerNo) (CustomerDetail, error) {
	var d CustomerDetail
	err := s.do(PermView, audit.CustomerView, custTarget(no), nil, func(st *store.Store) error {
		c, err := st.Customer(no)
		if err != nil {
			return err
		}
		d.Customer = MaskCustomer(c)
		if d.Loans, err = st.Loans(ctx, no); err != nil {
			return err
		}
		d.Repayments = map[uint32][]model.Repayment{}
		for _, l := range d.Loans {
			if d.Repayments[l.Seq], err = st.Repayments(ctx, no, l.Seq); err != nil {
				return err
			}
		}
		d.Documents, err = st.Documents(ctx, no)
		return err
	})
	return d, err
}

// Reveal returns one identifier of a customer unmasked. It needs the reveal permission and
// is audited with the field's name, never its value.
func (s *Session) Reveal(no model.CustomerNo, field string) (string, error) {
	info, ok := model.Field("customers", field)
	if !ok || info.Mask == model.MaskNone {
		return "", ErrUnknownField
	}
	var val string
	err := s.do(PermReveal, audit.CustomerReveal, custTarget(no), map[string]string{"field": field}, func(st *store.Store) error {
		c, err := st.Customer(no)
		if err != nil {
			return err
		}
		val = customerField(c, field)
		return nil
	})
	return val, err
}

// SearchKind is what a search looks for.
type SearchKind string

// Search kinds.
const (
	ByIDNumber   SearchKind = "id_number"
	ByPhone      SearchKind = "phone"
	ByContract   SearchKind = "contract"
	ByNamePrefix SearchKind = "name_prefix"
)

// SearchLimit caps name-prefix results; exact searches return every hit.
const SearchLimit = 1000

// Search finds customers. The audit records that a search of this kind happened and how many
// hits it had, never the searched value.
func (s *Session) Search(ctx context.Context, kind SearchKind, value string) ([]store.Hit, error) {
	hits, _, err := s.SearchCapped(ctx, kind, value)
	return hits, err
}

// SearchCapped is Search that also says whether a name-prefix search found more customers
// than SearchLimit, of which it returns the first SearchLimit.
func (s *Session) SearchCapped(ctx context.Context, kind SearchKind, value string) (hits []store.Hit, more bool, err error) {
	detail := map[string]string{"kind": string(kind)}
	err = s.do(PermView, audit.Search, "", detail, func(st *store.Store) error {
		var err error
		switch kind {
		case ByIDNumber:
			hits, err = st.Find(ctx, blindKind(kind), value)
		case ByPhone, ByContract:
			hits, err = st.Find(ctx, blindKind(kind), value)
		case ByNamePrefix:
			if hits, err = st.FindNamePrefix(ctx, value, SearchLimit+1); len(hits) > SearchLimit {
				hits, more = hits[:SearchLimit], true
			}
		default:
			return errors.New("unknown search kind " + string(kind))
		}
		var r Restriction
		if st.GetMeta(metaRestriction, &r) == nil {
			hits = slices.DeleteFunc(hits, func(h store.Hit) bool { return r.Covers(h.Customer) })
		}
		detail["hits"] = strconv.Itoa(len(hits))
		// The customers found, by number (never a value), so that an access incident can
		// list who was searched (docs/INCIDENTS.md).
		var nos []string
		for i, h := range hits {
			if i == 1000 {
				nos = append(nos, "…")
				break
			}
			nos = append(nos, strconv.FormatUint(uint64(h.Customer), 10))
		}
		detail["customers"] = strings.Join(nos, ",")
		return err
	})
	return hits, more, err
}

// WriteDocument writes a document's content to w; it is audited.
func (s *Session) WriteDocument(ctx context.Context, no model.CustomerNo, doc uint32, w interface{ Write([]byte) (int, error) }) error {
	return s.do(PermView, audit.DocumentOpen, custTarget(no), map[string]string{"document": strconv.Itoa(int(doc))},
		func(st *store.Store) error { return st.WriteDocument(ctx, no, doc, w) })
}

// Bulk runs fn with a bulk writer; it needs the import permission and is audited with the
// counts it added. action names the kind of bulk write (e.g. audit.DemoGenerate).
func (s *Session) Bulk(ctx context.Context, action string, fn func(w *store.Writer) error) error {
	detail := map[string]string{}
	return s.do(PermImport, action, "", detail, func(st *store.Store) error {
		before := st.Counts()
		w := st.NewWriter()
		if err := fn(w); err != nil {
			w.Abort()
			return err
		}
		err := w.Close()
		after := st.Counts()
		detail["customers"] = strconv.FormatInt(after.Customers-before.Customers, 10)
		detail["loans"] = strconv.FormatInt(after.Loans-before.Loans, 10)
		detail["repayments"] = strconv.FormatInt(after.Repayments-before.Repayments, 10)
		detail["documents"] = strconv.FormatInt(after.Documents-before.Documents, 10)
		if err == nil {
			err = st.Sync()
		}
		return err
	})
}

// AuditEvents returns audit events from sequence number from on, at most limit.
func (s *Session) AuditEvents(ctx context.Context, from uint64, limit int) ([]audit.Event, error) {
	st, err := s.read(PermView)
	if err != nil {
		return nil, err
	}
	var out []audit.Event
	err = st.AuditEvents(ctx, from, func(seq uint64, b []byte) bool {
		ev, derr := audit.Decode(b)
		if derr == nil {
			ev.Seq = seq
			out = append(out, ev)
		}
		return limit <= 0 || len(out) < limit
	})
	return out, err
}

// Operators lists the vault's operators (from the sealed records).
func (s *Session) Operators(ctx context.Context) ([]store.Operator, error) {
	st, err := s.store()
	if err != nil {
		return nil, err
	}
	return st.Operators(ctx)
}

// AddOperator creates an operator with their own passphrase.
func (s *Session) AddOperator(n NewOperator) (store.Operator, error) {
	op := store.Operator{ID: store.NewID("op"), Name: strings.TrimSpace(n.Name), Role: string(n.Role),
		Created: s.v.opts.Now().UTC().Format(time.RFC3339)}
	err := s.do(PermManageOperators, audit.OperatorAdd, op.ID, map[string]string{"role": string(n.Role)}, func(*store.Store) error {
		if err := n.check(); err != nil {
			return err
		}
		return s.writeOperator(op, n.Passphrase)
	})
	return op, err
}

func (s *Session) writeOperator(op store.Operator, passphrase string) error {
	st, err := s.store()
	if err != nil {
		return err
	}
	s.mu.Lock()
	master := s.master
	s.mu.Unlock()
	sealed, err := keyslot.Wrap(master, op.ID, passphrase, s.v.opts.WorkFactor)
	if err != nil {
		return err
	}
	// The sealed record first: a slot without a record cannot unlock, a record without a
	// slot is harmless.
	if err := st.PutOperator(op); err != nil {
		return err
	}
	return s.v.dir.WriteSlot(store.SlotHeader{Operator: op.ID, Name: op.Name, Role: op.Role}, sealed)
}

// RemoveOperator deletes an operator's slot and record. The last operator who can manage
// operators cannot be removed, or nobody could ever add one again.
func (s *Session) RemoveOperator(ctx context.Context, id string) error {
	return s.do(PermManageOperators, audit.OperatorRemove, id, nil, func(st *store.Store) error {
		ops, err := st.Operators(ctx)
		if err != nil {
			return err
		}
		var target *store.Operator
		for i := range ops {
			if ops[i].ID == id {
				target = &ops[i]
			}
		}
		if target == nil {
			return ErrNoOperator
		}
		if Role(target.Role).Can(PermManageOperators) && countManagers(ops) == 1 {
			return ErrLastAdmin
		}
		if err := s.v.dir.RemoveSlot(id); err != nil && !errors.Is(err, store.ErrNoOperator) {
			return err
		}
		return st.DeleteOperator(id)
	})
}

func countManagers(ops []store.Operator) int {
	n := 0
	for _, o := range ops {
		if Role(o.Role).Can(PermManageOperators) {
			n++
		}
	}
	return n
}

// SetOperatorRole gives an operator another role. The last operator who can manage
// operators keeps that power, or nobody could ever change a role again. The role also
// changes in the operator's key slot header, which the unlock screen lists.
func (s *Session) SetOperatorRole(ctx context.Context, id string, role Role) error {
	if _, err := ParseRole(string(role)); err != nil {
		return err
	}
	// An intent comes first: the record and the slot header are two writes, and a crash
	// between them, or before the audit event, must still leave a record of the change.
	return s.doRecorded(PermManageOperators, audit.OperatorRole, id, map[string]string{"role": string(role)}, func(st *store.Store, begin beginFunc) ([]store.MetaChange, error) {
		return nil, s.setRole(ctx, st, begin, id, role)
	})
}

func (s *Session) setRole(ctx context.Context, st *store.Store, begin beginFunc, id string, role Role) error {
	ops, op, err := operatorIn(ctx, st, id)
	if err != nil {
		return err
	}
	if Role(op.Role).Can(PermManageOperators) && !role.Can(PermManageOperators) && countManagers(ops) == 1 {
		return ErrLastAdmin
	}
	h, sealed, err := s.v.dir.ReadSlot(id)
	if err != nil {
		return err
	}
	if err := begin(); err != nil {
		return err
	}
	op.Role, h.Role = string(role), string(role)
	if err := st.PutOperator(op); err != nil {
		return err
	}
	return s.v.dir.WriteSlot(h, sealed)
}

// ResetPassphrase gives another operator a new passphrase, for one who forgot theirs: an
// operator who may manage operators holds the vault key and wraps it again under the new
// passphrase. The operator should change it at their next unlock; the reset is audited.
func (s *Session) ResetPassphrase(ctx context.Context, id, passphrase string) error {
	if utf8.RuneCountInString(passphrase) < MinPassphraseLen {
		return ErrWeakPassphrase
	}
	return s.doRecorded(PermManageOperators, audit.PassphraseReset, id, nil, func(st *store.Store, begin beginFunc) ([]store.MetaChange, error) {
		return nil, s.resetSlot(ctx, st, begin, id, passphrase)
	})
}

func (s *Session) resetSlot(ctx context.Context, st *store.Store, begin beginFunc, id, passphrase string) error {
	if _, _, err := operatorIn(ctx, st, id); err != nil {
		return err
	}
	h, _, err := s.v.dir.ReadSlot(id)
	if err != nil {
		return err
	}
	s.mu.Lock()
	master := s.master
	s.mu.Unlock()
	sealed, err := keyslot.Wrap(master, id, passphrase, s.v.opts.WorkFactor)
	if err != nil {
		return err
	}
	if err := begin(); err != nil {
		return err
	}
	return s.v.dir.WriteSlot(h, sealed)
}

// operatorIn finds an operator among all of them.
func operatorIn(ctx context.Context, st *store.Store, id string) ([]store.Operator, store.Operator, error) {
	ops, err := st.Operators(ctx)
	if err != nil {
		return nil, store.Operator{}, err
	}
	i := slices.IndexFunc(ops, func(o store.Operator) bool { return o.ID == id })
	if i < 0 {
		return nil, store.Operator{}, ErrNoOperator
	}
	return ops, ops[i], nil
}

// ChangePassphrase changes the signed-in operator's own passphrase.
func (s *Session) ChangePassphrase(oldPass, newPass string) error {
	return s.doRecorded("", audit.PassphraseChange, s.op.ID, nil, func(_ *store.Store, begin beginFunc) ([]store.MetaChange, error) {
		return nil, s.v.changeSlot(s.op.ID, oldPass, newPass, begin)
	})
}

func custTarget(no model.CustomerNo) string { return "customer:" + strconv.FormatUint(uint64(no), 10) }

// doMeta is do for an operation whose whole effect is meta records: fn returns them, and they
// are committed in the one transaction that appends the operation's audit event, so that
// neither can exist without the other whatever instant the process dies at.
func (s *Session) doMeta(perm Permission, action, target string, detail map[string]string, fn func(*store.Store) ([]store.MetaChange, error)) error {
	return s.doRecorded(perm, action, target, detail, func(st *store.Store, _ beginFunc) ([]store.MetaChange, error) {
		return fn(st)
	})
}
