package cli

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"handover/app/assess"
	"handover/app/vault"
)

// The assessment workbooks (docs/ASSESSMENTS.md): answers, findings, the compliance
// reviewer's sign-off and the report. The checklist's risk_assessment, compliance_review
// and pia_done follow from them.

func assessCommands() []*Cmd {
	return []*Cmd{assessShowCmd(), assessAnswerCmd(), assessFindingAddCmd(), assessFindingCloseCmd(), assessFindingsCmd(),
		assessSignOffCmd(), assessReportCmd()}
}

// WorkbookJSON is what `assess show --json` prints; its keys are a contract.
type WorkbookJSON struct {
	ID         string                 `json:"id"`
	Version    int                    `json:"version"`
	Revision   int                    `json:"revision"`
	Questions  []WorkbookQuestionJSON `json:"questions"`
	Unanswered []string               `json:"unanswered"`
	SignedOff  bool                   `json:"signed_off"`
	SignOff    *vault.WorkbookSignOff `json:"sign_off,omitempty"`
	Findings   []vault.Finding        `json:"findings"`
}

// WorkbookQuestionJSON is one question with its answer.
type WorkbookQuestionJSON struct {
	ID      string         `json:"id"`
	Section string         `json:"section"`
	Type    string         `json:"type"`
	Law     string         `json:"law"`
	Text    assess.Text    `json:"text"`
	Asked   bool           `json:"asked"` // its condition holds for this deal
	Options []string       `json:"options,omitempty"`
	Answer  *assess.Answer `json:"answer,omitempty"`
}

func assessShowCmd() *Cmd {
	var workbook string
	return &Cmd{Name: "assess show", Synopsis: "--vault DIR --workbook risk_assessment|compliance_review|pia [--json]", Vault: true, JSON: true,
		Required: []string{"workbook"}, Summary: "a workbook's questions, answers, findings and sign-off",
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&workbook, "workbook", "", "risk_assessment, compliance_review or pia")
		},
		Run: func(c *Call) error {
			s, err := c.Session()
			if err != nil {
				return err
			}
			v, err := s.Workbook(c.Ctx, workbook)
			if err != nil {
				return err
			}
			out := WorkbookJSON{ID: v.Template.ID, Version: v.Template.Version, Revision: v.Record.Revision, Unanswered: v.Unanswered,
				SignedOff: v.SignedOff, SignOff: v.Record.SignOff, Findings: v.Findings}
			if out.Unanswered == nil {
				out.Unanswered = []string{}
			}
			if out.Findings == nil {
				out.Findings = []vault.Finding{}
			}
			for _, sec := range v.Template.Sections {
				for _, q := range sec.Questions {
					qj := WorkbookQuestionJSON{ID: q.ID, Section: sec.ID, Type: q.Type, Law: q.Law, Text: q.Text, Asked: q.Applies(v.Deal)}
					for _, o := range q.Options {
						qj.Options = append(qj.Options, o.ID)
					}
					if a, ok := v.Record.Answers[q.ID]; ok {
						qj.Answer = &a
					}
					out.Questions = append(out.Questions, qj)
				}
			}
			return c.Print(out, func(w io.Writer) error {
				fmt.Fprintf(w, "%s (version %d), answers revision %d, signed off: %v\n", v.Template.Title["en"], v.Template.Version, v.Record.Revision, v.SignedOff)
				tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
				for _, sec := range v.Template.Sections {
					for _, q := range sec.Questions {
						ans := "(not answered)"
						if !q.Applies(v.Deal) {
							ans = "(not asked for this deal)"
						} else if a, ok := v.Record.Answers[q.ID]; ok {
							ans = vault.AnswerText(q, a, "en")
						}
						fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", q.ID, q.Type, q.Law, ans)
					}
				}
				tw.Flush()
				for _, f := range v.Findings {
					fmt.Fprintf(w, "finding %s [%s, %s] %s, owner %s, due %s\n", f.ID, f.Severity, f.State, f.Title, f.Owner, f.Due)
				}
				return nil
			})
		}}
}

func assessAnswerCmd() *Cmd {
	var workbook, question, value, file, owner, mitigation, residual string
	var likelihood, impact int
	return &Cmd{Name: "assess answer", Synopsis: "--vault DIR --workbook ID --question ID [--value TEXT] [--file FILE] [--likelihood 1-5 --impact 1-5 --owner NAME --mitigation TEXT --residual low|medium|high]",
		Vault: true, Required: []string{"workbook", "question"},
		Summary: "answer a workbook's question: a choice's ID, text, a number, a file (sealed in the vault), or a risk's rating",
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&workbook, "workbook", "", "risk_assessment, compliance_review or pia")
			fs.StringVar(&question, "question", "", "the question's ID (see assess show)")
			fs.StringVar(&value, "value", "", "the answer: a choice's ID, text, or a number")
			fs.StringVar(&file, "file", "", "an evidence question: the file")
			fs.IntVar(&likelihood, "likelihood", 0, "a risk: likelihood, 1 (rare) to 5 (almost certain)")
			fs.IntVar(&impact, "impact", 0, "a risk: impact, 1 (minor) to 5 (severe)")
			fs.StringVar(&owner, "owner", "", "a risk: who owns it")
			fs.StringVar(&mitigation, "mitigation", "", "a risk: the controls")
			fs.StringVar(&residual, "residual", "", "a risk: the residual risk, low, medium or high")
		},
		Run: func(c *Call) error {
			a := assess.Answer{Value: value}
			if likelihood != 0 || impact != 0 || owner != "" || mitigation != "" || residual != "" {
				a.Risk = &assess.RiskAnswer{Likelihood: likelihood, Impact: impact, Owner: owner, Mitigation: mitigation, Residual: residual}
			}
			name, f, err := proofFile(file)
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
			if err := s.AnswerQuestion(c.Ctx, workbook, question, a, name, r); err != nil {
				return err
			}
			v, err := s.Workbook(c.Ctx, workbook)
			if err != nil {
				return err
			}
			c.Printf("%s/%s answered (revision %d); %d questions left\n", workbook, question, v.Record.Revision, len(v.Unanswered))
			return nil
		}}
}

func assessFindingAddCmd() *Cmd {
	var f vault.Finding
	var due string
	return &Cmd{Name: "assess finding add", Synopsis: "--vault DIR --workbook ID --title TEXT --severity low|medium|high --owner NAME --due DATE [--question ID] [--json]",
		Vault: true, JSON: true, Required: []string{"workbook", "title", "severity", "owner", "due"},
		Summary: "record a finding of a workbook; an open finding of high severity blocks the export",
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&f.Workbook, "workbook", "", "risk_assessment, compliance_review or pia")
			fs.StringVar(&f.Title, "title", "", "what was found")
			fs.StringVar(&f.Severity, "severity", "", "low, medium or high")
			fs.StringVar(&f.Owner, "owner", "", "who deals with it")
			fs.StringVar(&due, "due", "", "by when, YYYY-MM-DD")
			fs.StringVar(&f.Question, "question", "", "the question it arose from")
		},
		Run: func(c *Call) error {
			var err error
			if f.Due, err = parseDate("due", due); err != nil {
				return err
			}
			s, err := c.Session()
			if err != nil {
				return err
			}
			got, err := s.AddFinding(c.Ctx, f)
			if err != nil {
				return err
			}
			return c.Print(got, func(w io.Writer) error {
				c.Printf("finding %s recorded (%s), owner %s, due %s\n", got.ID, got.Severity, got.Owner, got.Due)
				return nil
			})
		}}
}

func assessFindingCloseCmd() *Cmd {
	var id, reason string
	return &Cmd{Name: "assess finding close", Synopsis: "--vault DIR --id ID --reason TEXT", Vault: true, Required: []string{"id", "reason"},
		Summary: "close a finding, saying how it was dealt with",
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&id, "id", "", "the finding's ID")
			fs.StringVar(&reason, "reason", "", "how it was dealt with")
		},
		Run: func(c *Call) error {
			s, err := c.Session()
			if err != nil {
				return err
			}
			if err := s.CloseFinding(c.Ctx, id, reason); err != nil {
				return err
			}
			c.Printf("finding %s closed\n", id)
			return nil
		}}
}

func assessFindingsCmd() *Cmd {
	return &Cmd{Name: "assess findings", Synopsis: "--vault DIR [--json]", Vault: true, JSON: true, Summary: "every finding of every workbook",
		Run: func(c *Call) error {
			s, err := c.Session()
			if err != nil {
				return err
			}
			fs, err := s.Findings(c.Ctx)
			if err != nil {
				return err
			}
			if fs == nil {
				fs = []vault.Finding{}
			}
			return c.Print(fs, func(w io.Writer) error {
				tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
				io.WriteString(tw, "id\tworkbook\tseverity\tstate\tdue\towner\ttitle\n")
				for _, f := range fs {
					io.WriteString(tw, strings.Join([]string{f.ID, f.Workbook, f.Severity, f.State, f.Due.String(), f.Owner, f.Title}, "\t")+"\n")
				}
				return tw.Flush()
			})
		}}
}

func assessSignOffCmd() *Cmd {
	var workbook, note string
	return &Cmd{Name: "assess signoff", Synopsis: "--vault DIR --workbook ID [--note TEXT]", Vault: true, Required: []string{"workbook"},
		Summary: "the compliance reviewer (the signed-in auditor) signs a fully answered workbook off",
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&workbook, "workbook", "", "risk_assessment, compliance_review or pia")
			fs.StringVar(&note, "note", "", "the reviewer's remark, for the record")
		},
		Run: func(c *Call) error {
			s, err := c.Session()
			if err != nil {
				return err
			}
			// The reviewer signs for themselves with the passphrase just proven.
			if err := s.SignOffWorkbook(c.Ctx, workbook, s.Operator().ID, c.SessionPassphrase(), note); err != nil {
				return err
			}
			c.Printf("%s signed off by %s\n", workbook, s.Operator().Name)
			return nil
		}}
}

func assessReportCmd() *Cmd {
	var workbook string
	return pdfReportCmd("assess report", "--workbook ID", "a workbook's report as a PDF: questions and answers, findings, sign-off",
		func(fs *flag.FlagSet) {
			fs.StringVar(&workbook, "workbook", "", "risk_assessment, compliance_review or pia")
		},
		func(c *Call, s *vault.Session, lang string) ([]byte, error) {
			return s.WorkbookReportPDF(c.Ctx, workbook, lang)
		})
}
