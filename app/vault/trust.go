package vault

import (
	"context"
	"encoding/json"
	"sort"
	"strings"
	"time"

	"handover/app/audit"
	"handover/crypto/identity"
	"handover/store"
)

// Trusted is a card in the vault's list of trusted cards: whose fingerprint an operator
// compared with its owner in person (or over a channel they name), and when.
type Trusted struct {
	Card       identity.Card `json:"card"`
	ComparedBy string        `json:"compared_by"` // operator ID
	ComparedAt time.Time     `json:"compared_at"` // UTC
	How        string        `json:"how"`         // e.g. "in person, QR code"
}

// Trust adds a card to the vault's trusted cards. how says how the fingerprint was
// compared; it is required, because that is what makes the entry worth anything.
func (s *Session) Trust(c identity.Card, how string) (*Trusted, error) {
	how = strings.TrimSpace(how)
	t := &Trusted{Card: c, ComparedBy: s.op.ID, ComparedAt: s.v.opts.Now().UTC().Truncate(time.Second), How: how}
	err := s.do(PermSign, audit.TrustAdd, "card:"+c.Fingerprint[:16], map[string]string{"fingerprint": c.Fingerprint}, func(st *store.Store) error {
		if how == "" {
			return ErrHowRequired
		}
		return st.PutMeta("trust/"+c.Fingerprint, t)
	})
	return t, err
}

// TrustedCards lists the vault's trusted cards by name.
func (s *Session) TrustedCards(ctx context.Context) ([]Trusted, error) {
	st, err := s.gate(PermView)
	if err != nil {
		return nil, err
	}
	var out []Trusted
	err = st.MetaPrefix(ctx, "trust/", func(_ string, b []byte) (bool, error) {
		var t Trusted
		if err := json.Unmarshal(b, &t); err != nil {
			return false, &store.CorruptError{What: "trusted card"}
		}
		out = append(out, t)
		return true, nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Card.Name < out[j].Card.Name })
	return out, err
}
