package cli

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	"handover/app/report"
	"handover/app/vault"
	"handover/store/atomicfile"
)

// errAuditBad makes audit verify exit 1 after its report.
var errAuditBad = errors.New("the audit log does not verify: see above")

func auditVerifyCmd() *Cmd {
	var cps listFlag
	var archive string
	return &Cmd{Name: "audit verify", Synopsis: "--vault DIR [--checkpoint FILE]… | --archive DIR", Vault: true,
		Summary: "verify the audit log's Merkle tree against the vault's and the given checkpoints; --archive DIR verifies a compliance archive instead, without the vault",
		Flags: func(fs *flag.FlagSet) {
			fs.Var(&cps, "checkpoint", "a checkpoint file handed out earlier (repeat); the log must extend each")
			fs.StringVar(&archive, "archive", "", "a compliance archive folder (vault archive or vault destroy): verified without any vault")
		},
		Run: func(c *Call) error {
			var rep *vault.AuditReport
			var err error
			if archive != "" {
				if c.VaultDir() != "" || len(cps) > 0 {
					return usagef("--archive is verified on its own: without --vault or --checkpoint")
				}
				if rep, err = vault.VerifyArchive(archive); err != nil {
					return fmt.Errorf("%s: %w", archive, err)
				}
			} else {
				var texts []string
				for _, p := range cps {
					b, err := os.ReadFile(p)
					if err != nil {
						return err
					}
					texts = append(texts, string(b))
				}
				s, err := c.Session()
				if err != nil {
					return err
				}
				if rep, err = s.VerifyAudit(c.Ctx, texts); err != nil {
					return err
				}
			}
			c.Printf("events %d\nroot %s\ncheckpoints checked %d\n", rep.Events, base64.StdEncoding.EncodeToString(rep.Root[:]), rep.Checkpoints)
			if rep.Problem != nil {
				c.Printf("FIRST BAD EVENT %d: %s: %s\n", rep.Problem.Seq, rep.Problem.Reason, rep.Problem.Detail)
				return errAuditBad
			}
			c.Printf("ok: every event is in place and the log extends every checkpoint\n")
			return nil
		}}
}

func auditCheckpointCmd() *Cmd {
	var out *string
	return &Cmd{Name: "audit checkpoint", Synopsis: "--vault DIR [--out FILE]", Summary: "issue a signed checkpoint of the audit log (C2SP tlog-checkpoint)", Vault: true,
		Flags: func(fs *flag.FlagSet) {
			out = fs.String("out", "", "file to write the signed checkpoint to (default: print it)")
		},
		Run: func(c *Call) error {
			env := c.Env
			s, err := c.Session()
			if err != nil {
				return err
			}
			cp, key, err := s.Checkpoint()
			if err != nil {
				return err
			}
			if *out == "" {
				fmt.Fprint(env.Stdout, cp)
				fmt.Fprintf(env.Stderr, "verifier key: %s\n", key)
				return nil
			}
			if err := atomicfile.Write(*out, []byte(cp), 0o644); err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "checkpoint written to %s\nverifier key: %s\n", *out, key)
			return nil
		}}
}

func auditListCmd() *Cmd {
	var since *string
	var action *string
	return &Cmd{Name: "audit list", Synopsis: "--vault DIR [--json] [--since T] [--action A]", Summary: "list audit events", Vault: true, JSON: true,
		Flags: func(fs *flag.FlagSet) {
			since = fs.String("since", "", "only events at or after this time (RFC 3339, or 2006-01-02 in Asia/Shanghai)")
			action = fs.String("action", "", "only this action (e.g. customer.reveal)")
		},
		Run: func(c *Call) error {
			ctx := c.Ctx
			env := c.Env
			var from time.Time
			if *since != "" {
				t, err := time.Parse(time.RFC3339, *since)
				if err != nil {
					t, err = time.ParseInLocation("2006-01-02", *since, shanghai)
				}
				if err != nil {
					return usagef("--since must be RFC 3339 (2026-11-28T08:00:00Z) or a date (2026-11-28)")
				}
				from = t
			}
			s, err := c.Session()
			if err != nil {
				return err
			}
			evs, err := s.AuditEventsFiltered(ctx, from, *action)
			if err != nil {
				return err
			}
			enc := json.NewEncoder(env.Stdout)
			for _, ev := range evs {
				if c.JSON {
					if err := enc.Encode(ev); err != nil {
						return err
					}
					continue
				}
				fmt.Fprintf(env.Stdout, "%6d %s %-26s %-10s %-16s %s%s\n", ev.Seq, ev.Time.In(shanghai).Format("2006-01-02 15:04:05"),
					ev.Action, ev.Outcome, ev.Operator, ev.Target, detailText(ev.Detail))
			}
			return nil
		}}
}

func parseDay(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.ParseInLocation("2006-01-02", s, shanghai)
}

func auditReportCmd() *Cmd {
	var since, until string
	var doc pdfOut
	return &Cmd{Name: "audit report", Synopsis: "--vault DIR --out FILE.pdf [--since D] [--until D] [--lang zh-CN|en]",
		Summary: "the audit report as a PDF", Vault: true, Required: []string{"out"},
		Flags: func(fs *flag.FlagSet) {
			doc.add(fs)
			fs.StringVar(&since, "since", "", "start of the period (RFC 3339, or a date in Asia/Shanghai)")
			fs.StringVar(&until, "until", "", "end of the period, exclusive")
		},
		Run: func(c *Call) error {
			from, err1 := parseDay(since)
			to, err2 := parseDay(until)
			if err1 != nil || err2 != nil {
				return usagef("--since and --until must be RFC 3339 or dates like 2026-11-28")
			}
			if err := checkLang(doc.lang); err != nil {
				return err
			}
			s, err := c.Session()
			if err != nil {
				return err
			}
			sum, err := s.AuditReport(c.Ctx, from, to)
			if err != nil {
				return err
			}
			if err := doc.write(report.RenderAudit(sum, doc.lang)); err != nil {
				return err
			}
			c.Printf("audit report written to %s: %d events, %d exceptions; %s\n", doc.path, sum.Events, len(sum.Exceptions), sum.Verified)
			return nil
		}}
}

// pdfOut is where a report goes: --out FILE.pdf and --lang.
type pdfOut struct{ path, lang string }

func (p *pdfOut) add(fs *flag.FlagSet) {
	fs.StringVar(&p.path, "out", "", "PDF file to write")
	fs.StringVar(&p.lang, "lang", "zh-CN", "language: zh-CN or en")
}

// write writes a rendered PDF atomically.
func (p *pdfOut) write(pdf []byte, err error) error {
	if err != nil {
		return err
	}
	return atomicfile.Write(p.path, pdf, 0o644)
}

// pdfReportCmd is a command that draws one report of the vault as a PDF: --out, --lang, and
// any flags of its own; render makes the PDF in the language asked for.
func pdfReportCmd(name, extraSynopsis, summary string, flags func(*flag.FlagSet), render func(c *Call, s *vault.Session, lang string) ([]byte, error)) *Cmd {
	var doc pdfOut
	synopsis := "--vault DIR --out FILE.pdf"
	if extraSynopsis != "" {
		synopsis += " " + extraSynopsis
	}
	return &Cmd{Name: name, Synopsis: synopsis + " [--lang zh-CN|en]", Summary: summary, Vault: true, Required: []string{"out"},
		Flags: func(fs *flag.FlagSet) {
			doc.add(fs)
			if flags != nil {
				flags(fs)
			}
		},
		Run: func(c *Call) error {
			if err := checkLang(doc.lang); err != nil {
				return err
			}
			s, err := c.Session()
			if err != nil {
				return err
			}
			if err := doc.write(render(c, s, doc.lang)); err != nil {
				return err
			}
			c.Printf("%s written to %s\n", name, doc.path)
			return nil
		}}
}

func auditExportCmd() *Cmd {
	var out *string
	return &Cmd{Name: "audit export", Synopsis: "--vault DIR --out FILE.jsonl", Summary: "every audit event as JSON Lines", Vault: true,
		Flags: func(fs *flag.FlagSet) {
			out = fs.String("out", "", "JSON Lines file to write (one event per line)")
		},
		Run: func(c *Call) error {
			ctx := c.Ctx
			env := c.Env
			if *out == "" {
				return usagef("--out FILE.jsonl is required")
			}
			s, err := c.Session()
			if err != nil {
				return err
			}
			evs, err := s.AuditEventsFiltered(ctx, time.Time{}, "")
			if err != nil {
				return err
			}
			var b strings.Builder
			enc := json.NewEncoder(&b)
			for _, ev := range evs {
				enc.Encode(ev)
			}
			if err := atomicfile.Write(*out, []byte(b.String()), 0o644); err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "%d events written to %s\n", len(evs), *out)
			return nil
		}}
}

// detailText prints an event's detail as sorted key=value pairs (nothing when it has none,
// where fmt printed "map[]").
func detailText(d map[string]string) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(d)) {
		b.WriteString(" " + k + "=" + d[k])
	}
	return b.String()
}
