package cli

import (
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	"handover/app/vault"
)

// Periodic reviews (docs/REVIEWS.md).

func reviewCommands() []*Cmd {
	return []*Cmd{reviewListCmd(), reviewDoCmd(), reviewReportCmd()}
}

func reviewListCmd() *Cmd {
	return &Cmd{Name: "review list", Synopsis: "--vault DIR [--json]", Vault: true, JSON: true,
		Summary: "the periodic reviews: when each was last done and when it is due (overdue ones marked)",
		Run: func(c *Call) error {
			s, err := c.Session()
			if err != nil {
				return err
			}
			rs, err := s.Reviews(c.Ctx)
			if err != nil {
				return err
			}
			return c.Print(rs, func(w io.Writer) error {
				tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
				io.WriteString(tw, "review\tperiod\tlast\tresult\tdue\n")
				for _, r := range rs {
					last, result := "never", ""
					if r.Last != nil {
						last, result = r.Last.At.In(shanghai).Format("2006-01-02"), r.Last.Result
					}
					due := r.Due.String()
					if r.Overdue {
						due += " (overdue)"
					} else if r.DueNow {
						due += " (due)"
					}
					fmt.Fprintf(tw, "%s\t%d days\t%s\t%s\t%s\n", r.ID, r.Period, last, result, due)
				}
				return tw.Flush()
			})
		}}
}

func reviewDoCmd() *Cmd {
	var id, result, note, evidence string
	return &Cmd{Name: "review do", Synopsis: "--vault DIR --review ID [--result pass|fail] [--note TEXT] [--evidence FILE] [--json]", Vault: true, JSON: true,
		Required: []string{"review"},
		Summary:  "record a review done: audit_verify runs the verification, access_review and open_findings record what the vault shows, restore_test needs its evidence",
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&id, "review", "", "audit_verify, access_review, restore_test, retention_due or open_findings")
			fs.StringVar(&result, "result", "pass", "pass or fail (a failure needs a note)")
			fs.StringVar(&note, "note", "", "what was found or decided")
			fs.StringVar(&evidence, "evidence", "", "the evidence file (sealed in the vault, recorded by its SHA-256)")
		},
		Run: func(c *Call) error {
			name, f, err := proofFile(evidence)
			if err != nil {
				return err
			}
			var r io.Reader
			if f != nil {
				defer f.Close()
				r = f
			}
			s, err := c.Session()
			if err != nil {
				return err
			}
			rec, err := s.DoReview(c.Ctx, id, result, note, name, r)
			if err != nil {
				return err
			}
			return c.Print(rec, func(w io.Writer) error {
				c.Printf("%s recorded: %s\n", rec.Review, rec.Result)
				return nil
			})
		}}
}

func reviewReportCmd() *Cmd {
	return pdfReportCmd("review report", "", "the periodic review report as a PDF", nil, func(c *Call, s *vault.Session, lang string) ([]byte, error) {
		return s.ReviewsReportPDF(c.Ctx, lang)
	})
}
