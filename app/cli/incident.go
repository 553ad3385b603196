package cli

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"handover/app/handoverpkg"
	"handover/app/vault"
)

// Incidents (docs/INCIDENTS.md): open with a scope the vault computes, the timeline, the
// decision on notification, actions, the closing sign-offs and the drafts.

func incidentCommands() []*Cmd {
	return []*Cmd{incidentOpenCmd(), incidentListCmd(), incidentShowCmd(), incidentNoteCmd(), incidentDecideCmd(), incidentStateCmd(),
		incidentActionAddCmd(), incidentActionDoneCmd(), incidentRootCauseCmd(), incidentCloseCmd(), incidentDraftCmd()}
}

// parseTime reads a time flag: "2026-12-01 14:30" or "2026-12-01" in Asia/Shanghai, or RFC 3339.
func parseTime(flagName, v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, v, shanghai); err == nil {
			return t, nil
		}
	}
	return time.Time{}, usagef("--%s must be a time like 2026-12-01 14:30 (Beijing time) or RFC 3339", flagName)
}

func incidentOpenCmd() *Cmd {
	var r vault.IncidentRequest
	var discovered, customers, from, to, custodians string
	return &Cmd{Name: "incident open", Synopsis: "--vault DIR --kind lost_media|wrong_recipient|unauthorised_access|other --discovered TIME [--package ID | --customers FILE | --from TIME --to TIME] --summary TEXT [--custodians NAMES] [--json]",
		Vault: true, JSON: true, Required: []string{"kind", "discovered", "summary"},
		Summary: "record an incident; the vault computes its scope from the package's record, a customer list, or the audit log in a window",
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&r.Kind, "kind", "", "lost_media, wrong_recipient, unauthorised_access or other")
			fs.StringVar(&discovered, "discovered", "", "when it was discovered (2026-12-01 14:30, Beijing time)")
			fs.StringVar(&r.Package, "package", "", "the package concerned (its ID)")
			fs.StringVar(&customers, "customers", "", "file of the customer numbers concerned, one a line")
			fs.StringVar(&from, "from", "", "unauthorised_access: the window's start")
			fs.StringVar(&to, "to", "", "unauthorised_access: the window's end")
			fs.StringVar(&r.Summary, "summary", "", "what happened")
			fs.StringVar(&custodians, "custodians", "", "who held the data or medium, comma-separated")
		},
		Run: func(c *Call) error {
			var err error
			if r.Discovered, err = parseTime("discovered", discovered); err != nil {
				return err
			}
			if from != "" || to != "" {
				if r.From, err = parseTime("from", from); err != nil {
					return err
				}
				if r.To, err = parseTime("to", to); err != nil {
					return err
				}
			}
			if customers != "" {
				if r.Customers, err = handoverpkg.ReadCustomerList(customers); err != nil {
					return err
				}
			}
			for _, name := range strings.Split(custodians, ",") {
				if n := strings.TrimSpace(name); n != "" {
					r.Custodians = append(r.Custodians, n)
				}
			}
			s, err := c.Session()
			if err != nil {
				return err
			}
			in, err := s.OpenIncident(c.Ctx, r)
			if err != nil {
				return err
			}
			return c.Print(in, func(w io.Writer) error {
				printIncident(w, in)
				return nil
			})
		}}
}

func printIncident(w io.Writer, in *vault.Incident) {
	sc := in.Scope
	fmt.Fprintf(w, "incident %s (%s), %s, discovered %s\n", in.ID, in.Kind, in.State, in.Discovered.In(shanghai).Format("2006-01-02 15:04"))
	fmt.Fprintf(w, "scope from the %s: %d customers; records %v; sensitive fields %v; encrypted %v\n", sc.Source, len(sc.Customers), sc.Records, sc.Sensitive, sc.Encrypted)
	if d := in.Decision; d != nil {
		fmt.Fprintf(w, "decision: notify individuals %v (by %s, notices by %s): %s\n", d.NotifyIndividuals, d.DecidedBy, d.Due, d.Reasoning)
	}
	for _, a := range in.Actions {
		done := "open"
		if !a.Done.IsZero() {
			done = "done"
		}
		fmt.Fprintf(w, "action %s [%s] %s, owner %s, due %s\n", a.ID, done, a.What, a.Owner, a.Due)
	}
	for _, e := range in.Timeline {
		fmt.Fprintf(w, "  %s  %s  %s\n", e.At.In(shanghai).Format("2006-01-02 15:04"), e.By, e.What)
	}
}

func incidentListCmd() *Cmd {
	return &Cmd{Name: "incident list", Synopsis: "--vault DIR [--json]", Vault: true, JSON: true, Summary: "every incident, with its state and scope",
		Run: func(c *Call) error {
			s, err := c.Session()
			if err != nil {
				return err
			}
			ins, err := s.Incidents(c.Ctx)
			if err != nil {
				return err
			}
			if ins == nil {
				ins = []vault.Incident{}
			}
			return c.Print(ins, func(w io.Writer) error {
				tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
				io.WriteString(tw, "id\tkind\tstate\tcustomers\tdiscovered\n")
				for _, in := range ins {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", in.ID, in.Kind, in.State, len(in.Scope.Customers), in.Discovered.In(shanghai).Format("2006-01-02 15:04"))
				}
				return tw.Flush()
			})
		}}
}

func incidentShowCmd() *Cmd {
	var id string
	var customers bool
	return &Cmd{Name: "incident show", Synopsis: "--vault DIR --id ID [--customers] [--json]", Vault: true, JSON: true, Required: []string{"id"},
		Summary: "an incident: scope, decision, actions, timeline (--customers: its customer numbers, one a line)",
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&id, "id", "", "the incident")
			fs.BoolVar(&customers, "customers", false, "print the customer numbers it concerns, one a line")
		},
		Run: func(c *Call) error {
			s, err := c.Session()
			if err != nil {
				return err
			}
			in, err := s.IncidentOf(id)
			if err != nil {
				return err
			}
			if customers {
				for _, no := range in.Scope.Customers {
					c.Printf("%d\n", no)
				}
				return nil
			}
			return c.Print(in, func(w io.Writer) error {
				printIncident(w, in)
				return nil
			})
		}}
}

func incidentNoteCmd() *Cmd {
	var id, text string
	return &Cmd{Name: "incident note", Synopsis: "--vault DIR --id ID --text TEXT", Vault: true, Required: []string{"id", "text"},
		Summary: "add a line to an incident's timeline",
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&id, "id", "", "the incident")
			fs.StringVar(&text, "text", "", "what happened or was done")
		},
		Run: func(c *Call) error {
			s, err := c.Session()
			if err != nil {
				return err
			}
			if err := s.AddIncidentEntry(id, text); err != nil {
				return err
			}
			c.Printf("noted on %s\n", id)
			return nil
		}}
}

func incidentDecideCmd() *Cmd {
	var id, due, authorities string
	var d vault.IncidentDecision
	var ct vault.IncidentContent
	notify := true
	return &Cmd{Name: "incident decide", Synopsis: "--vault DIR --id ID --notify-individuals=true|false --reasoning TEXT --decided-by NAME --authorities NAMES --due DATE --cause TEXT --harm TEXT --measures TEXT --advice TEXT [--contact TEXT]",
		Vault: true, Required: []string{"id", "reasoning", "decided-by", "authorities", "due", "cause", "harm", "measures", "advice"},
		Summary: "record the decision on notification (PIPL Art. 57) and what the notices say",
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&id, "id", "", "the incident")
			fs.BoolVar(&notify, "notify-individuals", true, "whether the individuals are notified (false only where the measures effectively avoid harm)")
			fs.StringVar(&d.Reasoning, "reasoning", "", "why")
			fs.StringVar(&d.DecidedBy, "decided-by", "", "who decided")
			fs.StringVar(&authorities, "authorities", "", "the authorities told, comma-separated (e.g. 省网信办,省地方金融管理局)")
			fs.StringVar(&due, "due", "", "by when the notices go, YYYY-MM-DD")
			fs.StringVar(&ct.Cause, "cause", "", "how it happened")
			fs.StringVar(&ct.Harm, "harm", "", "the harm that may follow")
			fs.StringVar(&ct.Measures, "measures", "", "the remedial measures taken")
			fs.StringVar(&ct.Advice, "advice", "", "what individuals can do to reduce harm")
			fs.StringVar(&ct.Contact, "contact", "", "the handler's contact (default: the deal's transferor)")
		},
		Run: func(c *Call) error {
			var err error
			if d.Due, err = parseDate("due", due); err != nil {
				return err
			}
			d.NotifyIndividuals = notify
			for _, a := range strings.Split(authorities, ",") {
				if a = strings.TrimSpace(a); a != "" {
					d.Authorities = append(d.Authorities, a)
				}
			}
			s, err := c.Session()
			if err != nil {
				return err
			}
			if err := s.DecideIncident(id, d, ct); err != nil {
				return err
			}
			c.Printf("decision recorded on %s\n", id)
			return nil
		}}
}

func incidentStateCmd() *Cmd {
	var id, state, note string
	return &Cmd{Name: "incident state", Synopsis: "--vault DIR --id ID --state contained|notified [--note TEXT]", Vault: true, Required: []string{"id", "state"},
		Summary: "move an incident on: contained, then notified (closing is by two sign-offs)",
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&id, "id", "", "the incident")
			fs.StringVar(&state, "state", "", "contained or notified")
			fs.StringVar(&note, "note", "", "what was done")
		},
		Run: func(c *Call) error {
			s, err := c.Session()
			if err != nil {
				return err
			}
			if err := s.AdvanceIncident(id, state, note); err != nil {
				return err
			}
			c.Printf("%s is %s\n", id, state)
			return nil
		}}
}

func incidentActionAddCmd() *Cmd {
	var id, due string
	var a vault.IncidentAction
	return &Cmd{Name: "incident action add", Synopsis: "--vault DIR --id ID --what TEXT --owner NAME --due DATE [--json]", Vault: true, JSON: true,
		Required: []string{"id", "what", "owner", "due"}, Summary: "record a remediation action with its owner and due date",
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&id, "id", "", "the incident")
			fs.StringVar(&a.What, "what", "", "the action")
			fs.StringVar(&a.Owner, "owner", "", "who does it")
			fs.StringVar(&due, "due", "", "by when, YYYY-MM-DD")
		},
		Run: func(c *Call) error {
			var err error
			if a.Due, err = parseDate("due", due); err != nil {
				return err
			}
			s, err := c.Session()
			if err != nil {
				return err
			}
			got, err := s.AddIncidentAction(id, a)
			if err != nil {
				return err
			}
			return c.Print(got, func(w io.Writer) error {
				c.Printf("action %s recorded on %s\n", got.ID, id)
				return nil
			})
		}}
}

func incidentActionDoneCmd() *Cmd {
	var id, action string
	return &Cmd{Name: "incident action done", Synopsis: "--vault DIR --id ID --action ACTION", Vault: true, Required: []string{"id", "action"},
		Summary: "mark a remediation action done",
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&id, "id", "", "the incident")
			fs.StringVar(&action, "action", "", "the action's ID")
		},
		Run: func(c *Call) error {
			s, err := c.Session()
			if err != nil {
				return err
			}
			if err := s.CompleteIncidentAction(id, action); err != nil {
				return err
			}
			c.Printf("action %s done\n", action)
			return nil
		}}
}

func incidentRootCauseCmd() *Cmd {
	var id, cause string
	return &Cmd{Name: "incident root-cause", Synopsis: "--vault DIR --id ID --cause TEXT", Vault: true, Required: []string{"id", "cause"},
		Summary: "record an incident's root cause",
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&id, "id", "", "the incident")
			fs.StringVar(&cause, "cause", "", "the root cause")
		},
		Run: func(c *Call) error {
			s, err := c.Session()
			if err != nil {
				return err
			}
			if err := s.SetRootCause(id, cause); err != nil {
				return err
			}
			c.Printf("root cause recorded on %s\n", id)
			return nil
		}}
}

func incidentCloseCmd() *Cmd {
	var id string
	return &Cmd{Name: "incident close", Synopsis: "--vault DIR --id ID", Vault: true, Required: []string{"id"},
		Summary: "the signed-in operator's closing sign-off; the second, by another role, closes the incident",
		Flags:   func(fs *flag.FlagSet) { fs.StringVar(&id, "id", "", "the incident") },
		Run: func(c *Call) error {
			s, err := c.Session()
			if err != nil {
				return err
			}
			if err := s.SignOffIncident(id, s.Operator().ID, c.SessionPassphrase()); err != nil {
				return err
			}
			in, err := s.IncidentOf(id)
			if err != nil {
				return err
			}
			c.Printf("%s signed off by %s; %s\n", id, s.Operator().Name, in.State)
			return nil
		}}
}

func incidentDraftCmd() *Cmd {
	var id, which string
	return pdfReportCmd("incident draft", "--id ID --which authority|individuals", "an incident's draft report to the authorities, or notice to individuals, as a PDF",
		func(fs *flag.FlagSet) {
			fs.StringVar(&id, "id", "", "the incident")
			fs.StringVar(&which, "which", "authority", "authority or individuals")
		},
		func(c *Call, s *vault.Session, lang string) ([]byte, error) {
			return s.IncidentPDF(id, which, lang)
		})
}
