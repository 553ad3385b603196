package cli

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"handover/app/vault"
)

// The law-update register (docs/LAWUPDATES.md).

func lawUpdateCommands() []*Cmd {
	return []*Cmd{lawUpdateAddCmd(), lawUpdateListCmd(), lawUpdateReportCmd()}
}

func lawUpdateAddCmd() *Cmd {
	var u vault.LawUpdate
	var effective, impact string
	return &Cmd{Name: "law-update add", Synopsis: "--vault DIR --law TEXT --article TEXT --effective DATE --summary TEXT --impact checklist,thresholds,retention,notices,workbooks,reviews,controls [--actions TEXT] [--led-to VERSION] [--json]",
		Vault: true, JSON: true, Required: []string{"law", "article", "effective", "summary", "impact"},
		Summary: "record a change in a law or standard, the rule sets it touches, the actions taken and the version it led to",
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&u.Law, "law", "", "the law or standard")
			fs.StringVar(&u.Article, "article", "", "its article or clause")
			fs.StringVar(&effective, "effective", "", "the day it takes effect, YYYY-MM-DD")
			fs.StringVar(&u.Summary, "summary", "", "what changed")
			fs.StringVar(&impact, "impact", "", "the rule sets it touches, comma-separated")
			fs.StringVar(&u.Actions, "actions", "", "what was done about it")
			fs.StringVar(&u.LedTo, "led-to", "", "the version it led to, e.g. 'loan-book checklist v4'")
		},
		Run: func(c *Call) error {
			var err error
			if u.Effective, err = parseDate("effective", effective); err != nil {
				return err
			}
			for _, i := range strings.Split(impact, ",") {
				if i = strings.TrimSpace(i); i != "" {
					u.Impact = append(u.Impact, i)
				}
			}
			s, err := c.Session()
			if err != nil {
				return err
			}
			got, err := s.AddLawUpdate(c.Ctx, u)
			if err != nil {
				return err
			}
			return c.Print(got, func(w io.Writer) error {
				c.Printf("law update %s recorded: %s %s, effective %s\n", got.ID, got.Law, got.Article, got.Effective)
				return nil
			})
		}}
}

// LawUpdatesJSON is what `law-update list --json` prints; its keys are a contract.
type LawUpdatesJSON struct {
	Updates  []vault.LawUpdate   `json:"updates"`
	Versions []vault.RuleVersion `json:"versions"`
}

func lawUpdateListCmd() *Cmd {
	return &Cmd{Name: "law-update list", Synopsis: "--vault DIR [--json]", Vault: true, JSON: true,
		Summary: "the law-update register, and which version of each rule set this deal used against the one built in",
		Run: func(c *Call) error {
			s, err := c.Session()
			if err != nil {
				return err
			}
			ups, err := s.LawUpdates(c.Ctx)
			if err != nil {
				return err
			}
			vs, err := s.RuleVersions(c.Ctx)
			if err != nil {
				return err
			}
			if ups == nil {
				ups = []vault.LawUpdate{}
			}
			return c.Print(LawUpdatesJSON{Updates: ups, Versions: vs}, func(w io.Writer) error {
				for _, u := range ups {
					fmt.Fprintf(w, "%s %s %s %s: %s (touches %s)\n", u.ID, u.Effective, u.Law, u.Article, u.Summary, strings.Join(u.Impact, ", "))
				}
				tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
				io.WriteString(tw, "rules\tused by this deal\tbuilt in now\n")
				for _, v := range vs {
					fmt.Fprintf(tw, "%s\t%s\t%s\n", v.Set, v.Used, v.Current)
				}
				return tw.Flush()
			})
		}}
}

func lawUpdateReportCmd() *Cmd {
	return pdfReportCmd("law-update report", "", "the law-update register and the rule versions this deal used, as a PDF", nil,
		func(c *Call, s *vault.Session, lang string) ([]byte, error) { return s.LawUpdateReportPDF(c.Ctx, lang) })
}
