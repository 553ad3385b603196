package vault

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"handover/app/audit"
	"handover/app/notice"
	"handover/store"
)

// Templates are data: the program ships them (assets/notices), and an administrator may save
// an edited copy in the vault. Each save is a new version (higher than the one it replaces),
// kept with every earlier one and audited; batches record the version they used. A copy is
// checked like a built-in one: a placeholder no data fills is refused when saved.

const metaNoticeTemplate = "notice/template/" // <id> → the current copy; <id>/v<n> → each version

// Errors of template copies, meant for the user.
var (
	ErrTemplateVersion = errors.New("a saved template needs a version higher than the one it replaces")
)

// SavedTemplate is one saved version of a template.
type SavedTemplate struct {
	Template json.RawMessage `json:"template"`
	Version  int             `json:"version"`
	By       string          `json:"by"`
	At       time.Time       `json:"at"`
}

// SaveNoticeTemplate checks and saves an edited template (its JSON) as the vault's copy.
func (s *Session) SaveNoticeTemplate(ctx context.Context, raw []byte) (*notice.Template, error) {
	var saved *notice.Template
	detail := map[string]string{}
	err := s.doMeta(PermTemplates, audit.NoticeTemplate, "", detail, func(st *store.Store) ([]store.MetaChange, error) {
		t, err := notice.Parse(raw)
		if err != nil {
			return nil, err
		}
		detail["template"], detail["version"] = t.ID, strconv.Itoa(t.Version)
		cur, err := templates(st)
		if err != nil {
			return nil, err
		}
		if old, ok := cur[t.ID]; ok && t.Version <= old.Version {
			return nil, fmt.Errorf("%w (%d)", ErrTemplateVersion, old.Version)
		}
		saved = t
		rec := SavedTemplate{Template: json.RawMessage(raw), Version: t.Version, By: s.op.Name, At: s.v.opts.Now().UTC()}
		return []store.MetaChange{{Name: metaNoticeTemplate + t.ID, Value: rec},
			{Name: metaNoticeTemplate + t.ID + "/v" + strconv.Itoa(t.Version), Value: rec}, nextNoticeGen(st)}, nil
	})
	if err == nil {
		s.refreshNotifiedFact(ctx) // a template may have become required or optional
	}
	return saved, err
}

// NoticeTemplateJSON returns a template as it is used now (the vault's copy, else the
// built-in one), as JSON to edit and save again.
func (s *Session) NoticeTemplateJSON(id string) ([]byte, error) {
	st, err := s.read(PermView)
	if err != nil {
		return nil, err
	}
	var rec SavedTemplate
	if err := st.GetMeta(metaNoticeTemplate+id, &rec); err == nil {
		return rec.Template, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	all, err := notice.Builtin()
	if err != nil {
		return nil, err
	}
	t, ok := all[id]
	if !ok {
		return nil, ErrNoticeTemplate
	}
	return json.MarshalIndent(t, "", "  ")
}

// templates are the templates in use: the built-in ones, each replaced by the vault's copy
// where one was saved.
func templates(st *store.Store) (map[string]*notice.Template, error) {
	all, err := notice.Builtin()
	if err != nil {
		return nil, err
	}
	err = st.MetaPrefix(context.Background(), metaNoticeTemplate, func(name string, b []byte) (bool, error) {
		if strings.Contains(strings.TrimPrefix(name, metaNoticeTemplate), "/") {
			return true, nil // an earlier version
		}
		var rec SavedTemplate
		if err := json.Unmarshal(b, &rec); err != nil {
			return false, &store.CorruptError{What: "notice template"}
		}
		t, err := notice.Parse(rec.Template)
		if err != nil {
			return false, &store.CorruptError{What: "notice template"}
		}
		all[t.ID] = t
		return true, nil
	})
	return all, err
}
