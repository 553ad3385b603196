package cli

import (
	"encoding/json"

	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"handover/app/handoverpkg"
	"handover/app/progress"
	"handover/app/vault"
	"handover/store/atomicfile"
	"handover/store/model"
)

// The notice commands (docs/NOTICES.md): settings, preview, generation, delivery reports,
// follow-ups and where the notices stand.

func noticeCommands() []*Cmd {
	return []*Cmd{noticeSetupCmd(), noticeTemplatesCmd(), noticePreviewCmd(), noticeGenerateCmd(), noticeSentCmd(),
		noticeStatusCmd(), noticeListCmd(), noticeResolveCmd(), noticeBasisCmd(), noticeReportCmd(),
		noticeTemplateExportCmd(), noticeTemplateSaveCmd()}
}

func noticeSetupCmd() *Cmd {
	var file string
	return &Cmd{Name: "notice setup", Synopsis: "--vault DIR --file SETUP.json [--json]", Vault: true, JSON: true, Required: []string{"file"},
		Summary: "record what the notices say besides the deal: cut-off date, new repayment account, contacts, hotline, SMS signature, PIPL Art. 23 facts",
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&file, "file", "", "the settings (JSON; keys in docs/NOTICES.md)")
		},
		Run: func(c *Call) error {
			b, err := os.ReadFile(file)
			if err != nil {
				return err
			}
			var n vault.NoticeSetup
			dec := json.NewDecoder(strings.NewReader(string(b)))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&n); err != nil {
				return fmt.Errorf("%s: %v (keys in docs/NOTICES.md)", file, err)
			}
			s, err := c.Session()
			if err != nil {
				return err
			}
			if err := s.SetNoticeSetup(c.Ctx, n); err != nil {
				return err
			}
			return c.Print(map[string]string{"cutoff": n.Cutoff.String(), "reply_by": n.ReplyBy.String()}, func(w io.Writer) error {
				c.Printf("notice settings recorded: cut-off %s, replies by %s\n", n.Cutoff, n.ReplyBy)
				return nil
			})
		}}
}

func noticeTemplatesCmd() *Cmd {
	return &Cmd{Name: "notice templates", Synopsis: "--vault DIR [--json]", Vault: true, JSON: true,
		Summary: "the notice templates for the deal's type: audience, consent, whether required, the law",
		Run: func(c *Call) error {
			s, err := c.Session()
			if err != nil {
				return err
			}
			ts, err := s.NoticeTemplates()
			if err != nil {
				return err
			}
			return c.Print(ts, func(w io.Writer) error {
				for _, t := range ts {
					req := "optional"
					if t.Required {
						req = "required"
					}
					consent := ""
					if t.Consent {
						consent = ", asks for consent"
					}
					c.Printf("%s (v%d): %s, %s%s\n  %s\n  %s\n", t.ID, t.Version, t.Audience, req, consent, t.Title["zh-CN"], t.Law["en"])
				}
				return nil
			})
		}}
}

func noticePreviewCmd() *Cmd {
	var template string
	var customer uint64
	var doc pdfOut
	return &Cmd{Name: "notice preview", Synopsis: "--vault DIR --template ID --customer N --out FILE.pdf [--lang zh-CN|en]", Vault: true,
		Required: []string{"template", "customer", "out"}, Summary: "one letter as a PDF, for a real customer (audited)",
		Flags: func(fs *flag.FlagSet) {
			doc.add(fs)
			fs.StringVar(&template, "template", "", "the template's ID ('notice templates')")
			fs.Uint64Var(&customer, "customer", 0, "the customer's number")
		},
		Run: func(c *Call) error {
			if err := checkLang(doc.lang); err != nil {
				return err
			}
			s, err := c.Session()
			if err != nil {
				return err
			}
			if err := doc.write(s.PreviewNotice(c.Ctx, template, model.CustomerNo(customer), doc.lang)); err != nil {
				return err
			}
			c.Printf("letter for customer %d written to %s\n", customer, doc.path)
			return nil
		}}
}

func noticeGenerateCmd() *Cmd {
	var req vault.GenerateRequest
	var customers, ageKey string
	return &Cmd{Name: "notice generate", Synopsis: "--vault DIR --template ID --channel letter|sms|mail [--customers FILE] [--incident ID] --out DIR [--lang zh-CN|en] [--age-recipient KEY] [--json]",
		Vault: true, JSON: true, Required: []string{"template", "channel", "out"},
		Summary: "write a batch of letters (PDF, with a mailing list), SMS (CSV) or a mailing list to a folder you choose, with its manifest; every customer is tracked",
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&req.Template, "template", "", "the template's ID ('notice templates')")
			fs.StringVar(&req.Channel, "channel", "", "letter, sms or mail")
			fs.StringVar(&customers, "customers", "", "file of customer numbers, one a line (default: every customer, the deal's scope, or the incident's)")
			fs.StringVar(&req.Incident, "incident", "", "an incident's notices (template incident-individual): its fields from the decision, to its customers")
			fs.StringVar(&req.Out, "out", "", "folder to write the batch into: new or empty, not a temporary folder")
			fs.StringVar(&req.Lang, "lang", "zh-CN", "the letters' language: zh-CN, or en for the record")
			fs.StringVar(&ageKey, "age-recipient", "", "encrypt the batch's files to this age key (age1…), or to the key in this file")
		},
		Run: func(c *Call) error {
			if err := checkLang(req.Lang); err != nil {
				return err
			}
			if customers != "" {
				nos, err := handoverpkg.ReadCustomerList(customers)
				if err != nil {
					return err
				}
				req.Customers = nos
			}
			if ageKey != "" {
				if b, err := os.ReadFile(ageKey); err == nil {
					ageKey = strings.TrimSpace(string(b))
				}
				req.AgeRecipient = ageKey
			}
			req.AllowTemporaryFolder = c.Env.Getenv("HANDOVER_NOTICE_ALLOW_TMP") != ""
			s, err := c.Session()
			if err != nil {
				return err
			}
			cnt := progress.NewCounter()
			stop := showProgress(c.Env.Stderr, cnt, "customers")
			b, err := s.GenerateNotices(c.Ctx, req, cnt)
			stop()
			if err != nil {
				return err
			}
			return c.Print(b, func(w io.Writer) error {
				c.Printf("batch %s: %d %s notices written to %s (manifest SHA-256 %s)\n", b.ID, b.Count, b.Channel, b.Out, b.Manifest)
				if b.Segments > 0 {
					c.Printf("  SMS segments to pay for: %d\n", b.Segments)
				}
				for _, f := range b.Files {
					c.Printf("  %s  %s\n", f.SHA256, f.Name)
				}
				if len(b.Skipped) > 0 {
					reasons := map[string]int{}
					for _, sk := range b.Skipped {
						reasons[sk.Reason]++
					}
					c.Printf("  not reached by this channel: %d customers (%v); list them with 'handover notice list --state pending'\n", len(b.Skipped), reasons)
				}
				c.Printf("the files are personal data: hand them to the print shop or gateway, then 'handover notice sent --batch %s'\n", b.ID)
				return nil
			})
		}}
}

func noticeSentCmd() *Cmd {
	var batch, date string
	return &Cmd{Name: "notice sent", Synopsis: "--vault DIR --batch ID [--date DATE]", Vault: true, Required: []string{"batch"},
		Summary: "record that a batch was handed to the post or the SMS gateway",
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&batch, "batch", "", "the batch's ID")
			fs.StringVar(&date, "date", "", "the day it was handed over (default: today)")
		},
		Run: func(c *Call) error {
			d, err := parseDate("date", date)
			if err != nil {
				return err
			}
			if d.IsZero() {
				d = today()
			}
			s, err := c.Session()
			if err != nil {
				return err
			}
			n, err := s.MarkSent(c.Ctx, batch, d)
			if err != nil {
				return err
			}
			c.Printf("batch %s: %d notices sent on %s\n", batch, n, d)
			return nil
		}}
}

func noticeStatusCmd() *Cmd {
	var file, batch string
	return &Cmd{Name: "notice status", Synopsis: "--vault DIR --import FILE [--batch ID] [--json]", Vault: true, JSON: true, Required: []string{"import"},
		Summary: "read an SMS gateway's or the post's report (reference or mobile, status): rows that match no notice are listed and change nothing",
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&file, "import", "", "the report (CSV, UTF-8 or GBK)")
			fs.StringVar(&batch, "batch", "", "the batch whose SMS a report by mobile number answers")
		},
		Run: func(c *Call) error {
			f, err := os.Open(file)
			if err != nil {
				return err
			}
			defer f.Close()
			s, err := c.Session()
			if err != nil {
				return err
			}
			res, err := s.ImportNoticeStatus(c.Ctx, filepath.Base(file), f, batch)
			if err != nil {
				return err
			}
			return c.Print(res, func(w io.Writer) error {
				c.Printf("%s: %d rows, %d applied (%d consent answers), %d refused\n", file, res.Rows, res.Applied, res.Consents, len(res.Refused))
				for _, r := range res.Refused {
					c.Printf("  row %d: %s\n", r.Row, strings.ReplaceAll(r.Reason, "_", " "))
				}
				return nil
			})
		}}
}

func noticeListCmd() *Cmd {
	var template, state string
	return &Cmd{Name: "notice list", Synopsis: "--vault DIR [--template ID] [--state S] [--json]", Vault: true, JSON: true,
		Summary: "where the notices stand: per template, customers reached, pending, consents and follow-ups; with --state, the customer numbers in it",
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&template, "template", "", "one template (default: every template of the deal type)")
			fs.StringVar(&state, "state", "", "generated, sent, delivered, failed, returned, unknown, consented, objected, no_answer, pending or follow_up")
		},
		Run: func(c *Call) error {
			s, err := c.Session()
			if err != nil {
				return err
			}
			sums, err := s.NoticeStatus(c.Ctx)
			if err != nil {
				return err
			}
			if template != "" {
				var keep []vault.NoticeSummary
				for _, sum := range sums {
					if sum.Template == template {
						keep = append(keep, sum)
					}
				}
				if keep == nil {
					return vault.ErrNoticeTemplate
				}
				sums = keep
			}
			if state != "" {
				out := map[string][]model.CustomerNo{}
				for _, sum := range sums {
					nos, err := s.NoticeCustomers(c.Ctx, sum.Template, state)
					if err != nil {
						return err
					}
					out[sum.Template] = append([]model.CustomerNo{}, nos...)
				}
				return c.Print(out, func(w io.Writer) error {
					for _, sum := range sums {
						for _, no := range out[sum.Template] {
							c.Printf("%d\n", no)
						}
					}
					return nil
				})
			}
			return c.Print(sums, func(w io.Writer) error {
				for _, sum := range sums {
					req := "optional"
					if sum.Required {
						req = "required"
					}
					c.Printf("%s (%s): %d customers, %d reached, %d pending, %d consented, %d objected, %d no answer, %d follow-ups open\n",
						sum.Template, req, sum.Customers, sum.Reached, sum.Pending, sum.Consented, sum.Objected, sum.NoAnswer, len(sum.FollowUps))
					for ch, states := range sum.ByChannel {
						c.Printf("  %s: %v\n", ch, states)
					}
				}
				return nil
			})
		}}
}

func noticeResolveCmd() *Cmd {
	var template, reason string
	var customer uint64
	return &Cmd{Name: "notice resolve", Synopsis: "--vault DIR --template ID --customer N --reason TEXT", Vault: true,
		Required: []string{"template", "customer", "reason"}, Summary: "close a customer's follow-up (a failed notice sent again another way, an objection handled), with the reason",
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&template, "template", "", "the template's ID")
			fs.Uint64Var(&customer, "customer", 0, "the customer's number")
			fs.StringVar(&reason, "reason", "", "what was done (recorded)")
		},
		Run: func(c *Call) error {
			s, err := c.Session()
			if err != nil {
				return err
			}
			if err := s.ResolveFollowUp(c.Ctx, template, model.CustomerNo(customer), reason); err != nil {
				return err
			}
			c.Printf("follow-up of customer %d closed\n", customer)
			return nil
		}}
}

func noticeBasisCmd() *Cmd {
	var basis, decidedBy, evidence string
	return &Cmd{Name: "notice basis", Synopsis: "--vault DIR --basis TEXT --decided-by NAME --evidence FILE", Vault: true,
		Required: []string{"basis", "decided-by", "evidence"},
		Summary:  "record a legal basis for providing the data without each customer's consent, its evidence and who decided (for counsel): a loan book may then be exported before the notices",
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&basis, "basis", "", "the basis and the article it rests on")
			fs.StringVar(&decidedBy, "decided-by", "", "who decided (counsel or the compliance officer)")
			fs.StringVar(&evidence, "evidence", "", "the opinion or decision (a file, kept in the vault)")
		},
		Run: func(c *Call) error {
			f, err := os.Open(evidence)
			if err != nil {
				return err
			}
			defer f.Close()
			s, err := c.Session()
			if err != nil {
				return err
			}
			b, err := s.RecordNoticeBasis(c.Ctx, basis, decidedBy, filepath.Base(evidence), f)
			if err != nil {
				return err
			}
			c.Printf("legal basis recorded (decided by %s; evidence %s SHA-256 %s); the customers must still be notified before the transferor's copy is destroyed\n", b.DecidedBy, b.EvidenceName, b.EvidenceSHA256)
			return nil
		}}
}

func noticeReportCmd() *Cmd {
	return pdfReportCmd("notice report", "", "the notice report as a PDF: per template customers reached, pending, consents, deliveries by channel and state, follow-ups by customer number, batches", nil,
		func(c *Call, s *vault.Session, lang string) ([]byte, error) { return s.NoticeReportPDF(c.Ctx, lang) })
}

func noticeTemplateExportCmd() *Cmd {
	var template, out string
	return &Cmd{Name: "notice template export", Synopsis: "--vault DIR --template ID --out FILE.json", Vault: true, Required: []string{"template", "out"},
		Summary: "write a notice template as it is used now (the vault's saved copy, else the built-in one), to edit",
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&template, "template", "", "the template's ID")
			fs.StringVar(&out, "out", "", "the JSON file to write")
		},
		Run: func(c *Call) error {
			s, err := c.Session()
			if err != nil {
				return err
			}
			b, err := s.NoticeTemplateJSON(template)
			if err != nil {
				return err
			}
			if err := atomicfile.Write(out, append(b, '\n'), 0o644); err != nil {
				return err
			}
			c.Printf("template written to %s: edit it, raise its version, then 'handover notice template save'\n", out)
			return nil
		}}
}

func noticeTemplateSaveCmd() *Cmd {
	return &Cmd{Name: "notice template save", Synopsis: "--vault DIR FILE.json", Vault: true, MinArgs: 1, MaxArgs: 1, ArgsHelp: "name the template FILE.json",
		Summary: "save an edited notice template in the vault (administrator): checked like a built-in one, a higher version each time, every version kept and audited",
		Run: func(c *Call) error {
			b, err := os.ReadFile(c.Args[0])
			if err != nil {
				return err
			}
			s, err := c.Session()
			if err != nil {
				return err
			}
			t, err := s.SaveNoticeTemplate(c.Ctx, b)
			if err != nil {
				return err
			}
			c.Printf("template %s version %d saved; new batches use it\n", t.ID, t.Version)
			return nil
		}}
}
