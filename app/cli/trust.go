package cli

import (
	"context"
	"fmt"
	"text/tabwriter"
)

func trustAdd(_ context.Context, env Env, args []string) error {
	fs := newFlags("trust add", env)
	u := addUnlockFlags(fs)
	how := fs.String("how", "", "how the fingerprint was compared with its owner (e.g. \"in person, read aloud\")")
	files, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(files) != 1 || *how == "" {
		return usagef("name one CARD and say --how its fingerprint was compared")
	}
	cards, err := readCards(files)
	if err != nil {
		return err
	}
	s, err := u.unlock(env)
	if err != nil {
		return err
	}
	defer closeSession(s)
	t, err := s.Trust(cards[0], *how)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "trusted %s (%s), fingerprint %s\n", t.Card.Name, t.Card.Organisation, t.Card.Grouped())
	return nil
}

func trustList(ctx context.Context, env Env, args []string) error {
	fs := newFlags("trust list", env)
	u := addUnlockFlags(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	s, err := u.unlock(env)
	if err != nil {
		return err
	}
	defer closeSession(s)
	ts, err := s.TrustedCards(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(env.Stdout, ts)
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "name\torganisation\trole\tfingerprint\tcompared by\tcompared at\thow")
	for _, t := range ts {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.Card.Name, t.Card.Organisation, t.Card.Role, t.Card.Fingerprint[:16],
			t.ComparedBy, t.ComparedAt.In(shanghai).Format("2006-01-02 15:04"), t.How)
	}
	return tw.Flush()
}
