package vault

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"time"

	"handover/app/audit"
	"handover/app/cert"
	"handover/store"
)

// An intent is stored before an operation makes an effect that a crash could leave without
// its record: a package on a stick, a backup file, a key slot, a received book. It is
// removed in the same transaction as the audit event that reports the effect, so one found
// at unlock means the process stopped in between; resolveIntents then records what can be
// established (docs/VAULT.md, "Crashes").
type intent struct {
	ID       string            `json:"id"`
	Action   string            `json:"action"`
	Target   string            `json:"target,omitempty"`
	Operator string            `json:"operator"`
	Started  time.Time         `json:"started"`
	Detail   map[string]string `json:"detail,omitempty"`
}

const intentPrefix = "intent/"

func (in *intent) meta() string { return intentPrefix + in.ID }

// beginFunc stores the intent, with changes that must be durable before the effect (the
// export's sequence number).
type beginFunc func(first ...store.MetaChange) error

// crashAt marks each boundary between an effect and its record. Tests end the process there,
// as a power cut would; it does nothing otherwise.
var crashAt = func(step string) {}

func (s *Session) beginIntent(st *store.Store, action, target string, detail map[string]string, first []store.MetaChange) (*intent, error) {
	in := &intent{ID: store.NewID("i"), Action: action, Target: target, Operator: s.op.ID,
		Started: s.v.opts.Now().UTC(), Detail: maps.Clone(detail)}
	if err := st.UpdateMeta(append(first, store.MetaChange{Name: in.meta(), Value: in})); err != nil {
		return nil, err
	}
	crashAt(action + ".begun")
	return in, nil
}

// resolveIntents records every operation a crash cut off between its effect and its
// record, with what is known now, and removes its intent.
func (s *Session) resolveIntents(ctx context.Context, st *store.Store) {
	var found []intent
	_ = st.MetaPrefix(ctx, intentPrefix, func(_ string, b []byte) (bool, error) {
		var in intent
		if json.Unmarshal(b, &in) == nil && in.ID != "" {
			found = append(found, in)
		}
		return true, nil
	})
	for _, in := range found {
		detail := maps.Clone(in.Detail)
		if detail == nil {
			detail = map[string]string{}
		}
		detail["started"] = in.Started.Format(time.RFC3339)
		changes := []store.MetaChange{{Name: in.meta(), Delete: true}}
		switch in.Action {
		case audit.PackageExport:
			changes = append(changes, s.resolveExport(detail)...)
		case audit.DestroyRun:
			changes = append(changes, s.resolveDestroy(ctx, st, detail)...)
		case audit.NoticeGenerate:
			resolveNoticeBatch(detail)
		}
		_ = s.recordWith(audit.Event{Action: in.Action, Target: in.Target, Operator: in.Operator,
			Outcome: audit.Interrupted, Detail: detail}, changes)
	}
}

// resolveExport looks for the package an interrupted export was writing. A folder with its
// signed package.json is a finished package: it is recorded as an export would have
// recorded it, so certificates list it. A folder without one is removed (parts are written as
// .partial and are useless without package.json). The sequence number was stored before
// anything was written, so it is never used twice either way.
func (s *Session) resolveExport(detail map[string]string) []store.MetaChange {
	dir := filepath.Join(detail["out"], detail["package"])
	if detail["out"] == "" || detail["package"] == "" {
		detail["found"] = "unknown"
		return nil
	}
	recs, err := packageRecords(dir, detail["package"])
	switch {
	case err == nil:
		detail["found"] = "complete package"
		return append(recs, factChange(metaFactExported, s.v.opts.Now()))
	case os.IsNotExist(err):
		if _, serr := os.Stat(dir); serr == nil {
			os.RemoveAll(dir)
			detail["found"] = "incomplete package removed"
		} else {
			detail["found"] = "no package folder (medium absent or nothing written)"
		}
	default:
		detail["found"] = "unreadable"
	}
	return nil
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// packageRecords are what an export or receive stores about a package: certificates list
// every package by the digest of its signed package.json.
func packageRecords(dir, id string) ([]store.MetaChange, error) {
	js, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if err != nil {
		return nil, err
	}
	return []store.MetaChange{{Name: "package/" + id, Value: cert.Package{ID: id, SHA256: sha256Hex(js)}}}, nil
}

func factChange(name string, at time.Time) store.MetaChange {
	return store.MetaChange{Name: name, Value: factTime{At: at.UTC()}}
}
