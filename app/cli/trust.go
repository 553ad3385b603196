package cli

import (
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
)

func trustAddCmd() *Cmd {
	var how string
	return &Cmd{Name: "trust add", Synopsis: "--vault DIR --how TEXT CARD", Vault: true, MinArgs: 1, MaxArgs: 1,
		ArgsHelp: "name one CARD and say --how its fingerprint was compared", Required: []string{"how"},
		Summary: "record that a card's fingerprint was compared with its owner",
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&how, "how", "", "how the fingerprint was compared with its owner (e.g. \"in person, read aloud\")")
		},
		Run: func(c *Call) error {
			cards, err := readCards(c.Args)
			if err != nil {
				return err
			}
			s, err := c.Session()
			if err != nil {
				return err
			}
			t, err := s.Trust(cards[0], how)
			if err != nil {
				return err
			}
			c.Printf("trusted %s (%s), fingerprint %s\n", t.Card.Name, t.Card.Organisation, t.Card.Grouped())
			return nil
		}}
}

func trustListCmd() *Cmd {
	return &Cmd{Name: "trust list", Synopsis: "--vault DIR [--json]", Vault: true, JSON: true,
		Summary: "the vault's trusted cards, with who compared them and when",
		Run: func(c *Call) error {
			s, err := c.Session()
			if err != nil {
				return err
			}
			ts, err := s.TrustedCards(c.Ctx)
			if err != nil {
				return err
			}
			return c.Print(ts, func(w io.Writer) error {
				tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "name\torganisation\trole\tfingerprint\tcompared by\tcompared at\thow")
				for _, t := range ts {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.Card.Name, t.Card.Organisation, t.Card.Role, t.Card.Fingerprint[:16],
						t.ComparedBy, t.ComparedAt.In(shanghai).Format("2006-01-02 15:04"), t.How)
				}
				return tw.Flush()
			})
		}}
}
