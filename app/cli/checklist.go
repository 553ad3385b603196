package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"handover/app/checklist"
	"handover/app/handoverpkg"
	"handover/app/report"
	"handover/app/vault"
)

func dealInitCmd() *Cmd {
	var d checklist.Deal
	var target checklist.Party
	return &Cmd{Name: "deal init", Synopsis: "--vault DIR --type equity|loan-book|merger [--subtype absorption|new_company|division|dissolution|bankruptcy] [--acting-for NAME] [--target ORG --target-credit-code CODE] --transferor NAME [--transferor-credit-code CODE | --transferor-person] --transferee NAME [--transferee-credit-code CODE | --transferee-person] [--recipient-location mainland|hmt|abroad] [--planned-start D] [--planned-end D] [--json]",
		Summary: "record the vault's deal", Vault: true, JSON: true, Required: []string{"type", "transferor", "transferee"},
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&d.Type, "type", "", "deal type: equity (股权转让), loan-book (债权/资产转让), merger (合并/分立/解散/破产)")
			fs.StringVar(&d.RecipientLocation, "recipient-location", checklist.Mainland, "where the recipient is: mainland, hmt (Hong Kong, Macao, Taiwan) or abroad")
			fs.StringVar(&d.PlannedStart, "planned-start", "", "planned start, YYYY-MM-DD")
			fs.StringVar(&d.PlannedEnd, "planned-end", "", "planned end, YYYY-MM-DD")
			fs.StringVar(&d.Subtype, "subtype", "", "merger only: absorption (吸收合并), new_company (新设合并), division (分立), dissolution (解散), bankruptcy (破产)")
			fs.StringVar(&d.ActingFor, "acting-for", "", "dissolution or bankruptcy: the liquidation team or administrator acting for the transferor")
			fs.StringVar(&target.Name, "target", "", "equity only: the company whose shares change hands (the personal-information handler)")
			fs.StringVar(&target.CreditCode, "target-credit-code", "", "equity only: the target company's unified social credit code")
			fs.BoolVar(&d.Transferor.Person, "transferor-person", false, "equity only: the selling shareholder is a natural person (no credit code)")
			fs.BoolVar(&d.Transferee.Person, "transferee-person", false, "equity only: the buying shareholder is a natural person (no credit code)")
			for _, side := range []struct {
				flag string
				p    *checklist.Party
			}{{"transferor", &d.Transferor}, {"transferee", &d.Transferee}} {
				fs.StringVar(&side.p.Name, side.flag, "", "the "+side.flag+"'s name (organisation)")
				fs.StringVar(&side.p.CreditCode, side.flag+"-credit-code", "", "the "+side.flag+"'s unified social credit code (统一社会信用代码)")
				fs.StringVar(&side.p.Address, side.flag+"-address", "", "the "+side.flag+"'s address")
				fs.StringVar(&side.p.Contact, side.flag+"-contact", "", "the "+side.flag+"'s contact person")
				fs.StringVar(&side.p.Phone, side.flag+"-phone", "", "the "+side.flag+"'s contact phone")
			}
		},
		Run: func(c *Call) error {
			if target != (checklist.Party{}) {
				d.Target = &target
			}
			s, err := c.Session()
			if err != nil {
				return err
			}
			got, err := s.InitDeal(d)
			if err != nil {
				return err
			}
			return c.Print(got, func(w io.Writer) error {
				printDeal(c, got)
				return nil
			})
		}}
}

func dealAcceptCmd() *Cmd {
	return &Cmd{Name: "deal accept", Synopsis: "--vault DIR [--json]",
		Summary: "record the deal a received package carried, as its sender recorded it", Vault: true, JSON: true,
		Run: func(c *Call) error {
			s, err := c.Session()
			if err != nil {
				return err
			}
			got, err := s.AcceptOfferedDeal()
			if err != nil {
				return err
			}
			return c.Print(got, func(w io.Writer) error {
				printDeal(c, got)
				return nil
			})
		}}
}

func printDeal(c *Call, d *checklist.Deal) {
	c.Printf("deal recorded: %s, %s (%s) → %s (%s), recipient in %s\n", d.Type, d.Transferor.Name,
		d.Transferor.CreditCode, d.Transferee.Name, d.Transferee.CreditCode, d.RecipientLocation)
}

// ChecklistJSON is what `checklist show --json` prints; its keys are a contract.
type ChecklistJSON struct {
	Deal     *checklist.Deal      `json:"deal"`
	Progress []checklist.Progress `json:"progress"`
	Items    []ChecklistItemJSON  `json:"items"`
	Blocking map[string][]string  `json:"blocking"` // step → items it waits for
	// ScopeCustomers: a partial transfer's scope, how many customers (absent: the whole book).
	ScopeCustomers int `json:"scope_customers,omitempty"`
}

// ChecklistItemJSON is one item of `checklist show --json`.
type ChecklistItemJSON struct {
	ID    string         `json:"id"`
	Phase string         `json:"phase"`
	Kind  string         `json:"kind"`
	State string         `json:"state"`
	Needs []string       `json:"needs"`
	Gate  checklist.Step `json:"gate,omitempty"`
	// FollowsFrom, for an automatic item, the fact it follows from.
	FollowsFrom checklist.Fact `json:"follows_from,omitempty"`
	// Actions are what the signed-in operator may do with the item now.
	Actions []checklist.Action `json:"actions"`
	Source  string             `json:"source"`
	Law     string             `json:"law"`
	Title   map[string]string  `json:"title"`
	Why     map[string]string  `json:"why"`
	Record  *checklist.Record  `json:"record,omitempty"`
}

func checklistShowCmd() *Cmd {
	return &Cmd{Name: "checklist show", Synopsis: "--vault DIR [--json]", Summary: "the deal's checklist: every item's state and what it still needs", Vault: true, JSON: true,
		Run: func(c *Call) error {
			ctx := c.Ctx
			env := c.Env
			s, err := c.Session()
			if err != nil {
				return err
			}
			view, err := s.Checklist(ctx)
			if err != nil {
				return err
			}
			out := ChecklistJSON{Deal: view.Deal, Progress: view.Progress, Blocking: map[string][]string{}}
			if sc, err := s.DealScopeOf(); err == nil && sc != nil {
				out.ScopeCustomers = len(sc.Customers)
			}
			for _, it := range view.Items {
				needs := it.Needs
				if needs == nil {
					needs = []string{}
				}
				actions := s.Role().ItemActions(it)
				if actions == nil {
					actions = []checklist.Action{}
				}
				out.Items = append(out.Items, ChecklistItemJSON{ID: it.ID, Phase: it.Phase, Kind: it.Kind, State: it.State, Needs: needs,
					Gate: it.Gate, FollowsFrom: it.FollowsFrom, Actions: actions, Source: it.Source, Law: it.Law, Title: it.Title, Why: it.Why, Record: it.Rec})
			}
			for _, step := range checklist.Steps {
				b := view.Blocking(step)
				if b == nil {
					b = []string{}
				}
				out.Blocking[string(step)] = b
			}
			if c.JSON {
				return printJSON(env.Stdout, out)
			}
			d := view.Deal
			fmt.Fprintf(env.Stdout, "deal: %s, %s → %s, recipient in %s\n", d.Type, d.Transferor.Name, d.Transferee.Name, d.RecipientLocation)
			tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
			phase := ""
			for _, it := range view.Items {
				if it.Phase != phase {
					phase = it.Phase
					fmt.Fprintf(tw, "%s\t\t\t\n", view.Template.PhaseName(phase, "en"))
				}
				fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", it.ID, it.State, it.Title["en"], strings.Join(it.Needs, ", "))
			}
			tw.Flush()
			for _, step := range checklist.Steps {
				if why := view.Template.NotRequired[step]["en"]; why != "" {
					fmt.Fprintf(env.Stdout, "%s: not required for this deal type: %s\n", step, why)
					continue
				}
				if b := out.Blocking[string(step)]; len(b) > 0 {
					fmt.Fprintf(env.Stdout, "%s waits for: %s\n", step, strings.Join(b, ", "))
				}
			}
			return nil
		}}
}

func checklistCompleteCmd() *Cmd {
	var note *string
	var basis *string
	var evidence listFlag
	var confirmedBy string
	var cb checklist.CrossBorder
	return &Cmd{Name: "checklist complete", Synopsis: "--vault DIR ITEM_ID [--note TEXT] [--evidence FILE]… [--confirmed-by NAME] [--basis security_assessment|standard_contract|certification|exempt --destination PLACE --filing NUMBER --consent TEXT [--prior-individuals N] [--prior-sensitive N] [--ciio]]", Summary: "complete an item (attest, attach evidence, or sign off for your party)", Vault: true, MaxArgs: -1,
		Flags: func(fs *flag.FlagSet) {
			note = fs.String("note", "", "what was checked, for the record")
			basis = fs.String("basis", "", "cross_border only: the legal basis (security_assessment, standard_contract, certification, exempt)")
			fs.Var(&evidence, "evidence", "a file to attach as evidence (repeat for each)")
			fs.StringVar(&confirmedBy, "confirmed-by", "", "an item whose reading is for counsel: who confirmed it (recorded)")
			fs.StringVar(&cb.Destination, "destination", "", "cross_border: the country or region the recipient is in")
			fs.StringVar(&cb.Filing, "filing", "", "cross_border: the standard contract's filing number, the certificate's number or the CAC approval document")
			fs.StringVar(&cb.Consent, "consent", "", "cross_border: how the separate consent of PIPL Art. 39 was obtained, or the legal basis for providing without it")
			fs.Int64Var(&cb.PriorIndividuals, "prior-individuals", 0, "cross_border: individuals already provided abroad since 1 January this year")
			fs.Int64Var(&cb.PriorSensitive, "prior-sensitive", 0, "cross_border: of them, individuals with sensitive information")
			fs.BoolVar(&cb.CIIO, "ciio", false, "cross_border: the company is a critical information infrastructure operator, or the data includes important data")
		},
		Run: func(c *Call) error {
			ctx := c.Ctx
			env := c.Env
			ids := c.Args
			if len(ids) != 1 {
				return usagef("name one ITEM_ID (see 'handover checklist show')")
			}
			id := ids[0]
			// Open the files first: a missing file must not leave half the evidence attached.
			var files []*os.File
			defer func() {
				for _, f := range files {
					f.Close()
				}
			}()
			for _, p := range evidence {
				f, err := os.Open(p)
				if err != nil {
					return err
				}
				files = append(files, f)
			}
			s, err := c.Session()
			pass := c.SessionPassphrase()
			if err != nil {
				return err
			}
			view, err := s.Checklist(ctx)
			if err != nil {
				return err
			}
			it, ok := view.Item(id)
			if !ok {
				if !plainWord.MatchString(id) {
					return vault.ErrUnknownItem
				}
				return fmt.Errorf("%s: %w", id, vault.ErrUnknownItem)
			}
			for _, f := range files {
				ref, err := s.AttachEvidence(ctx, id, filepath.Base(f.Name()), f)
				if err != nil {
					return fmt.Errorf("%s: %w", f.Name(), err)
				}
				fmt.Fprintf(env.Stdout, "attached %s (%d bytes, SHA-256 %s)\n", ref.Name, ref.Size, ref.SHA256)
			}
			if slices.Contains(checklist.Actions(it), checklist.ActSignOff) {
				// The signed-in operator signs off for their party with the passphrase just proven.
				if err := s.SignOff(ctx, id, s.Operator().ID, pass, *note); err != nil {
					return err
				}
			} else {
				comp := vault.Completion{Note: *note, Basis: *basis, ConfirmedBy: confirmedBy}
				if checklist.NeedsBasis(it.Item, view.Deal) {
					comp.CrossBorder = &cb
				}
				if err := s.CompleteItemWith(ctx, id, comp); err != nil {
					return err
				}
				if view, err = s.Checklist(ctx); err == nil {
					if it, _ := view.Item(id); it.Rec != nil && it.Rec.CrossBorder != nil {
						r := it.Rec.CrossBorder
						fmt.Fprintf(env.Stdout, "cross-border: %d individuals, %d with sensitive information: the rules of %s require at least %s; recorded %s\n",
							r.Individuals, r.Sensitive, r.Rules, r.Required, r.Basis)
					}
				}
			}
			view, err = s.Checklist(ctx)
			if err != nil {
				return err
			}
			it, _ = view.Item(id)
			fmt.Fprintf(env.Stdout, "%s: %s", id, it.State)
			if len(it.Needs) > 0 {
				fmt.Fprintf(env.Stdout, " (still needs: %s)", strings.Join(it.Needs, ", "))
			}
			fmt.Fprintln(env.Stdout)
			return nil
		}}
}

func checklistReopenCmd() *Cmd {
	var reason *string
	return &Cmd{Name: "checklist reopen", Synopsis: "--vault DIR ITEM_ID --reason TEXT", Summary: "open a completed item again", Vault: true, MaxArgs: -1,
		Flags: func(fs *flag.FlagSet) {
			reason = fs.String("reason", "", "why the item is opened again (required)")
		},
		Run: func(c *Call) error {
			ctx := c.Ctx
			env := c.Env
			ids := c.Args
			if len(ids) != 1 || strings.TrimSpace(*reason) == "" {
				return usagef("name one ITEM_ID and give --reason TEXT")
			}
			s, err := c.Session()
			if err != nil {
				return err
			}
			if err := s.ReopenItem(ctx, ids[0], *reason); err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "%s reopened\n", ids[0])
			return nil
		}}
}

// errGateClosed makes `checklist gate` exit 1 after naming the missing items.
var errGateClosed = errors.New("the step is not open yet: see above")

func checklistGateCmd() *Cmd {
	return &Cmd{Name: "checklist gate", Synopsis: "--vault DIR export|destroy", Summary: "whether a step is open, naming the items it waits for (exit 1 if not)", Vault: true, MaxArgs: -1,
		Run: func(c *Call) error {
			ctx := c.Ctx
			env := c.Env
			steps := c.Args
			if len(steps) != 1 || !slices.Contains(checklist.Steps, checklist.Step(steps[0])) {
				return usagef("name the step: export or destroy")
			}
			s, err := c.Session()
			if err != nil {
				return err
			}
			err = s.ChecklistGate(ctx, checklist.Step(steps[0]))
			var gate *vault.GateError
			if errors.As(err, &gate) {
				fmt.Fprintln(env.Stdout, gate.Error())
				return errGateClosed
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "%s is open: every item it waits for is done\n", steps[0])
			return nil
		}}
}

func checklistReportCmd() *Cmd {
	return pdfReportCmd("checklist report", "", "the checklist report as a PDF", nil, func(c *Call, s *vault.Session, lang string) ([]byte, error) {
		view, err := s.Checklist(c.Ctx)
		if err != nil {
			return nil, err
		}
		now := time.Now().UTC().Truncate(time.Second)
		return report.RenderChecklist(view.Snapshot(), s.Vault().Manifest().ID, s.Vault().Workstation(), now, lang)
	})
}

func dealRetentionCmd() *Cmd {
	var keeper, confirmedBy string
	var years int
	return &Cmd{Name: "deal retention", Synopsis: "--vault DIR --keeper transferor|transferee --years N --confirmed-by NAME [--json]",
		Summary: "record who keeps the AML records after the handover, for how long, and who confirmed that reading", Vault: true, JSON: true,
		Required: []string{"keeper", "confirmed-by"},
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&keeper, "keeper", "", "transferor (kept by the old company, restricted to storage) or transferee (handed over with the book)")
			fs.IntVar(&years, "years", 10, "years after the relationship ends (at least the retention rules' 10)")
			fs.StringVar(&confirmedBy, "confirmed-by", "", "the counsel or officer who confirmed the reading (recorded)")
		},
		Run: func(c *Call) error {
			s, err := c.Session()
			if err != nil {
				return err
			}
			d, err := s.SetRetention(c.Ctx, keeper, years, confirmedBy)
			if err != nil {
				return err
			}
			return c.Print(d, func(w io.Writer) error {
				c.Printf("retention recorded: the %s keeps the AML records %d years after each relationship ends (confirmed by %s)\n",
					d.Retention.Keeper, d.Retention.Years, d.Retention.ConfirmedBy)
				return nil
			})
		}}
}

func dealScopeCmd() *Cmd {
	var customers string
	return &Cmd{Name: "deal scope", Synopsis: "--vault DIR --customers FILE [--json]", Vault: true, JSON: true, Required: []string{"customers"},
		Summary: "record a partial transfer's scope (customer numbers, one a line): the export, the notices and the destruction of the transferor's copy take it",
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&customers, "customers", "", "file of customer numbers, one a line")
		},
		Run: func(c *Call) error {
			nos, err := handoverpkg.ReadCustomerList(customers)
			if err != nil {
				return err
			}
			s, err := c.Session()
			if err != nil {
				return err
			}
			sc, err := s.SetDealScope(c.Ctx, nos)
			if err != nil {
				return err
			}
			return c.Print(map[string]any{"customers": len(sc.Customers), "by": sc.By, "at": sc.At}, func(w io.Writer) error {
				c.Printf("scope recorded: %d customers are handed over; the export, the notices and the destruction take them\n", len(sc.Customers))
				return nil
			})
		}}
}
