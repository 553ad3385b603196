package store

import (
	"context"
	"encoding/json"
)

// PutMetaMany writes many meta documents through a write batch that commits as it fills.
// It is for records that each stand alone (one per customer: the notice tracking), where one
// transaction would be too large; changes that must commit together go through UpdateMeta
// or AppendAuditWith.
func (s *Store) PutMetaMany(ctx context.Context, changes []MetaChange) error {
	wb := s.db.NewWriteBatch()
	defer wb.Cancel()
	for i, c := range changes {
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		k := kMeta(c.Name)
		if c.Delete {
			if err := wb.Delete(k); err != nil {
				return err
			}
			continue
		}
		b, err := json.Marshal(c.Value)
		if err != nil {
			return err
		}
		if err := wb.Set(k, s.meta.Seal(nil, k, b)); err != nil {
			return err
		}
	}
	return wb.Flush()
}
