package vault

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"filippo.io/age"

	"handover/app/audit"
	"handover/app/notice"
	"handover/app/progress"
	"handover/store"
	"handover/store/atomicfile"
	"handover/store/model"
)

// LettersPerFile is how many letters one PDF of a batch holds.
const LettersPerFile = 1000

// GenerateRequest is what a batch is made of.
type GenerateRequest struct {
	Template  string
	Channel   string
	Customers []model.CustomerNo // nil: every customer in the book, or in the deal's scope
	Out       string             // a folder the operator chose: new or empty
	Lang      string             // the letters' language: zh-CN, or en for the record
	// AgeRecipient, if set, encrypts every file of the batch (not the manifest, which holds
	// no personal data) to the print shop's or SMS operator's age key.
	AgeRecipient string
	// AllowTemporaryFolder lets Out lie under the system's temporary folders: for tests and
	// benchmarks (HANDOVER_NOTICE_ALLOW_TMP on the command line); the app never sets it.
	AllowTemporaryFolder bool
	// Incident, if set, fills the incident's fields (PIPL Art. 57, from its decision) and
	// sends to its customers unless Customers names some of them.
	Incident string
}

var mobilePattern = regexp.MustCompile(`^1[3-9]\d{9}$`)

// GenerateNotices writes a batch: letters (PDF, LettersPerFile a file, with a mailing list),
// an SMS file or a mailing list, and manifest.json, into req.Out; then records each
// customer's delivery (state generated, with the letter code) and the batch. Customers the
// channel cannot reach (no address, no mobile, an address too long for the window) are
// listed in the batch, not skipped silently. A placeholder the data cannot fill stops the
// batch before anything is written.
func (s *Session) GenerateNotices(ctx context.Context, req GenerateRequest, p progress.Reporter) (*NoticeBatch, error) {
	if p == nil {
		p = progress.Discard
	}
	now := s.v.opts.Now().UTC().Truncate(time.Second)
	batch := &NoticeBatch{ID: "NB-" + now.Format("20060102-150405") + "-" + strings.ToUpper(store.NewID("n")[2:6]), Template: req.Template,
		Channel: req.Channel, Lang: req.Lang, Created: now, By: s.op.Name, Out: req.Out, Skipped: []NoticeSkipped{}}
	detail := map[string]string{"batch": batch.ID, "template": req.Template, "channel": req.Channel, "out": req.Out}
	err := s.doRecorded(PermNotify, audit.NoticeGenerate, "", detail, func(st *store.Store, begin beginFunc) ([]store.MetaChange, error) {
		if req.Channel != ChannelLetter && req.Channel != ChannelSMS && req.Channel != ChannelMail {
			return nil, ErrNoticeChannel
		}
		d, err := loadDeal(st)
		if err != nil {
			return nil, err
		}
		setup, err := loadNoticeSetup(st)
		if err != nil {
			return nil, err
		}
		t, err := noticeTemplate(st, d, req.Template)
		if err != nil {
			return nil, err
		}
		batch.Version = t.Version
		if err := noticeOutOK(req.Out, req.AllowTemporaryFolder); err != nil {
			return nil, err
		}
		var recipient age.Recipient
		if req.AgeRecipient != "" {
			if recipient, err = age.ParseX25519Recipient(strings.TrimSpace(req.AgeRecipient)); err != nil {
				return nil, fmt.Errorf("the print shop's key: %w", err)
			}
		}
		// A partial transfer's notices go to the customers it hands over: its scope when no
		// list is given, and never anyone outside it. An incident's go to its customers.
		extra := map[string]string{}
		if req.Incident != "" {
			in, err := loadIncident(st, req.Incident)
			if err != nil {
				return nil, err
			}
			if in.Decision == nil || in.Content == nil {
				return nil, ErrIncidentUnnotified
			}
			extra = incidentValues(in, req.Lang)
			if req.Customers == nil {
				req.Customers = slices.Clone(in.Scope.Customers)
			}
			detail["incident"] = in.ID
		} else if req.Customers, err = exportScope(st, req.Customers); err != nil {
			return nil, err
		}
		want := map[model.CustomerNo]bool{}
		for _, no := range req.Customers {
			if _, err := st.Customer(no); err != nil {
				return nil, fmt.Errorf("customer %d: %w", no, err)
			}
			want[no] = true
		}
		total := st.Counts().Customers
		if len(want) > 0 {
			total = int64(len(want))
		}
		p.SetTotal(total)
		day := model.DateOf(now.In(shanghai))
		// Every value but the customer's must fill: checked before anything is written.
		probe := &store.CustomerBook{Customer: model.Customer{Name: "-"}, Loans: []model.Loan{{Contract: "-"}}}
		if _, _, _, err := t.Render(req.Lang, withValues(noticeValues(d, setup, probe, "0000-0000", day), extra)); err != nil {
			return nil, err
		}
		if _, err := t.Fill(t.SMS["zh-CN"], withValues(noticeValues(d, setup, probe, "0000-0000", day), extra)); err != nil {
			return nil, err
		}
		if err := begin(); err != nil {
			return nil, err
		}
		if err := os.MkdirAll(req.Out, 0o700); err != nil {
			return nil, err
		}
		w := newBatchWriter(req.Out, recipient, batch)
		sender := setup.Sender
		if sender == "" {
			sender = d.Transferee.Name + " · " + setup.TransfereeAddress
			if t.For("equity") {
				sender = d.Transferor.Name
			}
		}
		var letters *notice.Batch
		err = st.EachCustomerWith(ctx, store.WalkOptions{NoRepayments: true}, func(b *store.CustomerBook) error {
			if len(want) > 0 && !want[b.Customer.No] {
				return nil
			}
			defer p.Add(1)
			no := b.Customer.No
			code := notice.NewCode()
			values := withValues(noticeValues(d, setup, b, code, day), extra)
			var file string
			switch req.Channel {
			case ChannelLetter:
				if strings.TrimSpace(b.Customer.Address) == "" {
					batch.Skipped = append(batch.Skipped, NoticeSkipped{no, "no_address"})
					return nil
				}
				if letters == nil {
					letters = notice.NewBatch(req.Lang, batch.ID, now)
				}
				addr, err := letters.Address(b.Customer.Address, b.Customer.Name)
				if err != nil {
					batch.Skipped = append(batch.Skipped, NoticeSkipped{no, "address_too_long"})
					return nil
				}
				title, paras, slip, err := t.Render(req.Lang, values)
				if err != nil {
					return fmt.Errorf("customer %d: %w", no, err)
				}
				letters.Add(notice.Letter{Code: code, Sender: sender, Address: addr, Title: title, Paragraphs: paras, ReplySlip: slip})
				file = w.letterFile()
				if err := w.mail(code, b.Customer.Name, b.Customer.Address, file); err != nil {
					return err
				}
				if w.inFile++; w.inFile == LettersPerFile {
					if err := w.flushLetters(letters); err != nil {
						return err
					}
					letters = nil
				}
			case ChannelSMS:
				mobile := strings.TrimSpace(b.Customer.Phone)
				if !mobilePattern.MatchString(mobile) {
					batch.Skipped = append(batch.Skipped, NoticeSkipped{no, "no_mobile"})
					return nil
				}
				msg, err := t.Fill(t.SMS["zh-CN"], values)
				if err != nil {
					return fmt.Errorf("customer %d: %w", no, err)
				}
				if err := notice.CheckSMS(msg); err != nil {
					return fmt.Errorf("customer %d: %w", no, err)
				}
				if err := w.sms(mobile, msg, code); err != nil {
					return err
				}
				file = "sms.csv"
			case ChannelMail:
				if strings.TrimSpace(b.Customer.Address) == "" {
					batch.Skipped = append(batch.Skipped, NoticeSkipped{no, "no_address"})
					return nil
				}
				if err := w.mail(code, b.Customer.Name, b.Customer.Address, ""); err != nil {
					return err
				}
				file = "mailing-list.csv"
			}
			batch.Entries = append(batch.Entries, NoticeEntry{Customer: no, Code: code, File: file})
			return nil
		})
		if err == nil && letters != nil {
			err = w.flushLetters(letters)
		}
		if err == nil {
			err = w.close()
		}
		if err != nil {
			w.abort()
			return nil, err
		}
		batch.Count = len(batch.Entries)
		manifest, err := json.MarshalIndent(batch, "", "  ")
		if err != nil {
			return nil, err
		}
		if err := atomicfile.Write(filepath.Join(req.Out, "manifest.json"), append(manifest, '\n'), 0o600); err != nil {
			return nil, err
		}
		sum := sha256.Sum256(append(manifest, '\n'))
		batch.Manifest = hex.EncodeToString(sum[:])
		// The entries are written before the batch record, which commits with the event; the
		// entries of a batch that was never recorded are not read.
		changes, chunks := entryChanges(batch.ID, batch.Entries)
		batch.Chunks = chunks
		for i := 0; i < len(batch.Entries); i += entriesPerChunk {
			batch.ChunkStarts = append(batch.ChunkStarts, batch.Entries[i].Customer)
		}
		if err := st.PutMetaMany(ctx, changes); err != nil {
			return nil, err
		}
		detail["count"], detail["skipped"], detail["manifest_sha256"] = strconv.Itoa(batch.Count), strconv.Itoa(len(batch.Skipped)), batch.Manifest
		if batch.Segments > 0 {
			detail["sms_segments"] = strconv.FormatInt(batch.Segments, 10)
		}
		rec := *batch
		rec.Entries = nil // the manifest file and the deliveries hold them
		return []store.MetaChange{{Name: metaNoticeBatch + batch.ID, Value: rec}, nextNoticeGen(st)}, nil
	})
	if err != nil {
		return nil, err
	}
	s.refreshNotifiedFact(ctx)
	return batch, nil
}

// batchWriter writes a batch's files: each through a temporary name in the output folder
// (never a temporary folder elsewhere), synced and renamed when complete, optionally
// encrypted with age.
type batchWriter struct {
	dir       string
	recipient age.Recipient
	batch     *NoticeBatch
	letterNo  int // number of the letters file being filled, from 1
	inFile    int
	smsOut    *batchFile
	smsCSV    *csv.Writer
	mailOut   *batchFile
	mailCSV   *csv.Writer
	mailSeq   int
}

func newBatchWriter(dir string, r age.Recipient, b *NoticeBatch) *batchWriter {
	return &batchWriter{dir: dir, recipient: r, batch: b, letterNo: 1}
}

func (w *batchWriter) name(base string) string {
	if w.recipient != nil {
		return base + ".age"
	}
	return base
}

func (w *batchWriter) letterFile() string { return w.name(fmt.Sprintf("letters-%04d.pdf", w.letterNo)) }

func (w *batchWriter) flushLetters(b *notice.Batch) error {
	pdf, err := b.PDF()
	if err != nil {
		return err
	}
	f, err := w.create(w.letterFile())
	if err != nil {
		return err
	}
	if _, err := f.Write(pdf); err != nil {
		f.abort()
		return err
	}
	if err := f.close(); err != nil {
		return err
	}
	w.letterNo++
	w.inFile = 0
	return nil
}

func (w *batchWriter) sms(mobile, msg, code string) error {
	if w.smsOut == nil {
		f, err := w.create(w.name("sms.csv"))
		if err != nil {
			return err
		}
		w.smsOut, w.smsCSV = f, csv.NewWriter(f)
		if err := w.smsCSV.Write([]string{"mobile", "message", "reference", "segments"}); err != nil {
			return err
		}
	}
	n := notice.Segments(msg)
	w.batch.Segments += int64(n)
	return w.smsCSV.Write([]string{mobile, msg, code, strconv.Itoa(n)})
}

func (w *batchWriter) mail(code, name, address, letters string) error {
	if w.mailOut == nil {
		f, err := w.create(w.name("mailing-list.csv"))
		if err != nil {
			return err
		}
		w.mailOut, w.mailCSV = f, csv.NewWriter(f)
		if err := w.mailCSV.Write([]string{"seq", "reference", "recipient", "address", "letters_file", "registered_no"}); err != nil {
			return err
		}
	}
	w.mailSeq++
	return w.mailCSV.Write([]string{strconv.Itoa(w.mailSeq), code, name, address, letters, ""})
}

func (w *batchWriter) close() error {
	for _, c := range []struct {
		f *batchFile
		w *csv.Writer
	}{{w.smsOut, w.smsCSV}, {w.mailOut, w.mailCSV}} {
		if c.f == nil {
			continue
		}
		c.w.Flush()
		if err := c.w.Error(); err != nil {
			return err
		}
		if err := c.f.close(); err != nil {
			return err
		}
	}
	w.smsOut, w.mailOut = nil, nil
	slices.SortFunc(w.batch.Files, func(a, b NoticeFile) int { return strings.Compare(a.Name, b.Name) })
	return nil
}

// abort removes what the batch wrote: its files are personal data.
func (w *batchWriter) abort() {
	for _, f := range []*batchFile{w.smsOut, w.mailOut} {
		if f != nil {
			f.abort()
		}
	}
	for _, f := range w.batch.Files {
		os.Remove(filepath.Join(w.dir, f.Name))
	}
	os.Remove(w.dir) // the folder this batch made, if nothing else is in it
}

// batchFile is one file being written: hashed as written, through age if asked.
type batchFile struct {
	w     *batchWriter
	name  string
	tmp   *os.File
	buf   *bufio.Writer
	enc   io.WriteCloser
	out   io.Writer
	hash  hashWriter
	bytes int64
}

type hashWriter struct {
	h interface {
		io.Writer
		Sum([]byte) []byte
	}
}

func (w *batchWriter) create(name string) (*batchFile, error) {
	tmp, err := os.CreateTemp(w.dir, "."+name+".*.partial")
	if err != nil {
		return nil, err
	}
	f := &batchFile{w: w, name: name, tmp: tmp, hash: hashWriter{sha256.New()}}
	f.buf = bufio.NewWriterSize(io.MultiWriter(tmp, f.hash.h, countWriter{&f.bytes}), 1<<20)
	f.out = f.buf
	if w.recipient != nil {
		if f.enc, err = age.Encrypt(f.buf, w.recipient); err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
			return nil, err
		}
		f.out = f.enc
	}
	return f, nil
}

func (f *batchFile) Write(b []byte) (int, error) { return f.out.Write(b) }

func (f *batchFile) close() error {
	if f.enc != nil {
		if err := f.enc.Close(); err != nil {
			f.abort()
			return err
		}
	}
	if err := f.buf.Flush(); err != nil {
		f.abort()
		return err
	}
	if err := f.tmp.Sync(); err != nil {
		f.abort()
		return err
	}
	if err := f.tmp.Close(); err != nil {
		os.Remove(f.tmp.Name())
		return err
	}
	if err := os.Rename(f.tmp.Name(), filepath.Join(f.w.dir, f.name)); err != nil {
		os.Remove(f.tmp.Name())
		return err
	}
	f.w.batch.Files = append(f.w.batch.Files, NoticeFile{Name: f.name, SHA256: hex.EncodeToString(f.hash.h.Sum(nil)), Size: f.bytes})
	return atomicfile.SyncDir(f.w.dir)
}

func (f *batchFile) abort() {
	f.tmp.Close()
	os.Remove(f.tmp.Name())
}

type countWriter struct{ n *int64 }

func (c countWriter) Write(b []byte) (int, error) { *c.n += int64(len(b)); return len(b), nil }

// resolveNoticeBatch removes what an interrupted batch wrote: letters, SMS and mailing lists
// are personal data, and a batch never recorded is not counted. Only the batch's own file
// names are removed (the folder was new or empty when it began), then the folder if empty.
func resolveNoticeBatch(detail map[string]string) {
	out := detail["out"]
	if out == "" {
		detail["found"] = "unknown"
		return
	}
	entries, err := os.ReadDir(out)
	if err != nil {
		detail["found"] = "no batch folder"
		return
	}
	removed := 0
	for _, e := range entries {
		n := strings.TrimSuffix(e.Name(), ".age")
		ours := n == "sms.csv" || n == "mailing-list.csv" || n == "manifest.json" || strings.HasSuffix(n, ".partial") ||
			(strings.HasPrefix(n, "letters-") && strings.HasSuffix(n, ".pdf"))
		if ours && os.Remove(filepath.Join(out, e.Name())) == nil {
			removed++
		}
	}
	os.Remove(out) // only if empty
	detail["found"] = fmt.Sprintf("unrecorded batch: %d files removed", removed)
}
