package importer

import (
	"context"
	"crypto/sha256"
	"time"

	"handover/store"
	"handover/store/model"
)

// Summary is the stored record of one input's import: what was read, what was accepted
// and what went to quarantine, with control totals of the money columns. It is written in
// the same transaction as the rows it counts, so it is also the import's checkpoint: after
// a crash or Cancel, rows up to LastRow are in the vault and the import resumes after it.
// Summaries go on the handover certificate.
type Summary struct {
	ID       string   `json:"id"`
	File     string   `json:"file"`
	SHA256   string   `json:"sha256"`
	Sheet    string   `json:"sheet,omitempty"`
	Table    Table    `json:"table"`
	Encoding string   `json:"encoding"`
	Header   []string `json:"header"`
	// HeaderRow is the line the header was read from (rows above it are a title); 0 in
	// summaries written before titles were understood, when it was the first row.
	HeaderRow int       `json:"header_row,omitempty"`
	Mapping   Mapping   `json:"mapping"`
	Refused   []string  `json:"refused_columns,omitempty"` // C3 columns, never read
	State     string    `json:"state"`                     // running, done
	LastRow   int       `json:"last_row"`
	Operator  string    `json:"operator"`
	Started   time.Time `json:"started"`
	Finished  time.Time `json:"finished,omitzero"`

	// Rows = Accepted + Quarantined, always. Corrected and Dismissed count quarantined rows
	// decided later; the rest are still open.
	Rows        int64 `json:"rows"`
	Accepted    int64 `json:"accepted"`
	Quarantined int64 `json:"quarantined"`
	Warnings    int64 `json:"warnings"`
	Corrected   int64 `json:"corrected"`
	Dismissed   int64 `json:"dismissed"`

	// Totals are the sums of the money columns over accepted rows (corrections included);
	// TotalsRead over every row whose amount could be read, to compare with the old
	// system's own totals.
	Totals     map[string]model.Fen `json:"totals"`
	TotalsRead map[string]model.Fen `json:"totals_read"`

	// TotalsRow is the line of the file's own totals row (合计 or 总计), which is not a
	// record; FileTotals are the amounts it states, compared with TotalsRead.
	TotalsRow  int                  `json:"totals_row,omitempty"`
	FileTotals map[string]model.Fen `json:"file_totals,omitempty"`
}

// Results of comparing a file's totals row with the rows read.
const (
	TotalsEqual     = "equal"
	TotalsDifferent = "different"
)

// TotalsCheck compares the amounts of the file's totals row with the totals of every row
// read (accepted or in quarantine: both are rows of the file the old system summed). It
// is "" when the file has no totals row with an amount.
func (s *Summary) TotalsCheck() string {
	if len(s.FileTotals) == 0 {
		return ""
	}
	for f, v := range s.FileTotals {
		if s.TotalsRead[f] != v {
			return TotalsDifferent
		}
	}
	return TotalsEqual
}

// AmountFields lists a table's money fields, in the order of its control totals.
func AmountFields(t Table) []string { return amountFields[t] }

// Summary states.
const (
	StateRunning = "running"
	StateDone    = "done"
)

// Open is the number of quarantined rows still undecided.
func (s *Summary) Open() int64 { return s.Quarantined - s.Corrected - s.Dismissed }

func summaryName(id string) string { return "import/" + id }

// fileKey is the 8-byte prefix of an input's quarantine records.
func fileKey(id string) [8]byte {
	h := sha256.Sum256([]byte(id))
	var k [8]byte
	copy(k[:], h[:8])
	return k
}

// Item is a quarantine record: a refused row with its original values, a warning on an
// accepted row, or a refused C3 column. Values are those of the file, except that refused
// columns are left empty: authentication data is never kept, not even in quarantine.
type Item struct {
	Input     string    `json:"input"` // the Summary's ID
	File      string    `json:"file"`
	Table     Table     `json:"table"`
	Row       int       `json:"row"`
	State     string    `json:"state"`
	Findings  []Finding `json:"findings"`
	Values    []string  `json:"values,omitempty"`
	Note      string    `json:"note,omitempty"`
	DecidedBy string    `json:"decided_by,omitempty"`
	DecidedAt time.Time `json:"decided_at,omitzero"`
}

// Item states.
const (
	ItemQuarantined = "quarantined" // refused, waiting for a decision
	ItemWarning     = "warning"     // accepted, flagged
	ItemRefused     = "refused"     // a C3 column: nothing to decide
	ItemCorrected   = "corrected"   // corrected and accepted later
	ItemDismissed   = "dismissed"   // dismissed with a recorded reason
)

// LoadSummaries reads every import summary in the vault.
func LoadSummaries(ctx context.Context, st *store.Store) ([]Summary, error) {
	var out []Summary
	err := st.MetaPrefix(ctx, "import/", func(_ string, b []byte) (bool, error) {
		var s Summary
		if err := jsonUnmarshal(b, &s); err != nil {
			return false, &store.CorruptError{What: "import summary"}
		}
		out = append(out, s)
		return true, nil
	})
	return out, err
}
