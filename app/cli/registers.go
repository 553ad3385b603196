package cli

import (
	"flag"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"handover/app/vault"
)

// The registers (docs/REGISTERS.md): who signed which confidentiality agreement and who was
// trained when. Once a deal is recorded, an operator without a current record of each may
// not reveal, export, issue certificates or destroy.

func registerCommands() []*Cmd {
	return []*Cmd{registerNDAAddCmd(), registerTrainingAddCmd(), registerListCmd("nda"), registerListCmd("training"),
		registerReportCmd("nda"), registerReportCmd("training")}
}

func registerNDAAddCmd() *Cmd {
	var r vault.NDARecord
	var signed, until, file string
	return &Cmd{Name: "register nda add", Synopsis: "--vault DIR (--for-operator NAME | --person NAME) --agreement-version V --signed DATE [--until DATE] --scope TEXT [--liability-clause] --file FILE [--json]",
		Summary: "record a signed confidentiality agreement, with the signed copy sealed in the vault", Vault: true, JSON: true,
		Required: []string{"agreement-version", "signed", "scope", "file"},
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&r.Operator, "for-operator", "", "the operator who signed (name or ID)")
			fs.StringVar(&r.Person, "person", "", "someone without an operator account who signed (name)")
			fs.StringVar(&r.Version, "agreement-version", "", "the agreement's version")
			fs.StringVar(&signed, "signed", "", "the day it was signed, YYYY-MM-DD")
			fs.StringVar(&until, "until", "", "the last day of its term (none: no end)")
			fs.StringVar(&r.Scope, "scope", "", "what it covers")
			fs.BoolVar(&r.Liability, "liability-clause", false, "it has a liability clause (an agreement without one is recorded but does not count)")
			fs.StringVar(&file, "file", "", "the signed copy (sealed in the vault, recorded by its SHA-256)")
		},
		Run: func(c *Call) error {
			var err error
			if r.Signed, err = parseDate("signed", signed); err != nil {
				return err
			}
			if r.Until, err = parseDate("until", until); err != nil {
				return err
			}
			name, f, err := proofFile(file)
			if err != nil {
				return err
			}
			defer f.Close()
			s, err := c.Session()
			if err != nil {
				return err
			}
			got, err := s.AddNDA(c.Ctx, r, name, f)
			if err != nil {
				return err
			}
			return c.Print(got, func(w io.Writer) error {
				c.Printf("NDA recorded: %s, %s, signed %s, file SHA-256 %s\n", got.ID, got.Person, got.Signed, got.SHA256)
				if !got.Liability {
					c.Printf("warning: no liability clause: this agreement does not count for the gate\n")
				}
				return nil
			})
		}}
}

func registerTrainingAddCmd() *Cmd {
	var r vault.TrainingRecord
	var date, expires string
	score := -1
	return &Cmd{Name: "register training add", Synopsis: "--vault DIR (--for-operator NAME | --person NAME) --date DATE --content TEXT --trainer NAME [--score N] --expires DATE [--json]",
		Summary: "record a training", Vault: true, JSON: true, Required: []string{"date", "content", "trainer", "expires"},
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&r.Operator, "for-operator", "", "the operator trained (name or ID)")
			fs.StringVar(&r.Person, "person", "", "someone without an operator account who was trained (name)")
			fs.StringVar(&date, "date", "", "the day of the training, YYYY-MM-DD")
			fs.StringVar(&r.Content, "content", "", "what it covered")
			fs.StringVar(&r.Trainer, "trainer", "", "who gave it")
			fs.IntVar(&score, "score", -1, "the score, 0–100 (below 60 it does not count); leave out if not scored")
			fs.StringVar(&expires, "expires", "", "the last day it counts, YYYY-MM-DD")
		},
		Run: func(c *Call) error {
			var err error
			if r.Date, err = parseDate("date", date); err != nil {
				return err
			}
			if r.Expires, err = parseDate("expires", expires); err != nil {
				return err
			}
			if score != -1 {
				r.Score = &score
			}
			s, err := c.Session()
			if err != nil {
				return err
			}
			got, err := s.AddTraining(c.Ctx, r)
			if err != nil {
				return err
			}
			return c.Print(got, func(w io.Writer) error {
				c.Printf("training recorded: %s, %s, %s, expires %s\n", got.ID, got.Person, got.Date, got.Expires)
				return nil
			})
		}}
}

// RegisterListJSON is what `register nda list --json` and `register training list --json`
// print; its keys are a contract.
type RegisterListJSON struct {
	Operators []vault.OperatorStanding `json:"operators"`
	NDAs      []vault.NDARecord        `json:"ndas,omitempty"`
	Trainings []vault.TrainingRecord   `json:"trainings,omitempty"`
}

func registerListCmd(which string) *Cmd {
	return &Cmd{Name: "register " + which + " list", Synopsis: "--vault DIR [--json]", Vault: true, JSON: true,
		Summary: "the " + which + " register, and every operator's standing in it",
		Run: func(c *Call) error {
			s, err := c.Session()
			if err != nil {
				return err
			}
			ndas, trainings, err := s.Registers(c.Ctx)
			if err != nil {
				return err
			}
			standings, err := s.Standings(c.Ctx)
			if err != nil {
				return err
			}
			out := RegisterListJSON{Operators: standings}
			if which == "nda" {
				out.NDAs = ndas
			} else {
				out.Trainings = trainings
			}
			return c.Print(out, func(w io.Writer) error {
				tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
				io.WriteString(tw, "operator\trole\tstanding\n")
				for _, o := range standings {
					missing := o.NDAMissing
					if which == "training" {
						missing = o.TrainingMissing
					}
					if missing == "" {
						missing = "current"
					} else {
						missing = "missing: " + missing
					}
					io.WriteString(tw, strings.Join([]string{o.Name, o.Role, missing}, "\t")+"\n")
				}
				tw.Flush()
				tw = tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
				if which == "nda" {
					io.WriteString(tw, "\nrecord\tperson\tversion\tsigned\tuntil\tliability clause\tsha256\n")
					for _, n := range ndas {
						io.WriteString(tw, strings.Join([]string{n.ID, n.Person, n.Version, n.Signed.String(), n.Until.String(), yesNo(n.Liability), n.SHA256}, "\t")+"\n")
					}
				} else {
					io.WriteString(tw, "\nrecord\tperson\tdate\tcontent\ttrainer\tscore\texpires\n")
					for _, t := range trainings {
						sc := ""
						if t.Score != nil {
							sc = strconv.Itoa(*t.Score)
						}
						io.WriteString(tw, strings.Join([]string{t.ID, t.Person, t.Date.String(), t.Content, t.Trainer, sc, t.Expires.String()}, "\t")+"\n")
					}
				}
				return tw.Flush()
			})
		}}
}

func registerReportCmd(which string) *Cmd {
	return pdfReportCmd("register "+which+" report", "", "the registers report as a PDF (every operator's standing, both registers)", nil,
		func(c *Call, s *vault.Session, lang string) ([]byte, error) {
			return s.RegistersReportPDF(c.Ctx, lang)
		})
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
