package vault

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"handover/app/audit"
	"handover/app/checklist"
	"handover/app/notice"
	"handover/store"
	"handover/store/model"
)

// Notices to borrowers (docs/NOTICES.md): the deal's notice settings, batches of letters, SMS
// and mailing lists written to a folder the operator chooses with a manifest recorded here,
// and per customer and notice what happened to it. The checklist's customers_notified
// follows from that tracking.

// Channels a notice goes by.
const (
	ChannelLetter = "letter" // A4 letters for window envelopes, in PDF batches
	ChannelSMS    = "sms"    // a CSV for an offline SMS gateway
	ChannelMail   = "mail"   // a mailing list (邮寄清单) for the postal service
)

// States of one delivery.
const (
	NoticeGenerated = "generated"
	NoticeSent      = "sent"
	NoticeDelivered = "delivered"
	NoticeFailed    = "failed"
	NoticeReturned  = "returned"
	NoticeUnknown   = "unknown"
)

// Consent answers (PIPL Art. 23 notices).
const (
	ConsentGiven    = "consented"
	ConsentRefused  = "objected"
	ConsentNoAnswer = "no_answer" // the reply deadline passed
)

// Errors of notices, meant for the user.
var (
	ErrNoticeSetup     = errors.New("record the notice settings first ('handover notice setup'): cut-off date, accounts, contacts, hotline, SMS signature")
	ErrNoticeTemplate  = errors.New("no notice template with that ID for this deal type")
	ErrNoticeChannel   = errors.New("the channel must be letter, sms or mail")
	ErrNoticeOut       = errors.New("the output folder must be new or empty, and not a temporary folder: the letters are personal data")
	ErrNoticeGuarantor = errors.New("guarantors cannot be written to yet: the book records their identity numbers but not their names and addresses")
	ErrNoticeBatch     = errors.New("this vault holds no notice batch with that ID")
	ErrNoticeReport    = errors.New("the report file has no column this program reads (reference or mobile, and status)")
	ErrResolveReason   = errors.New("say how the follow-up was resolved (recorded)")
	ErrBasisIncomplete = errors.New("a legal basis for providing without consent needs the basis, the evidence file and the name of the person who decided")
)

// NoticeSetup is what the notices say besides the deal and the customer: when the book
// changes hands, where borrowers pay from then, whom they call, and the PIPL Art. 23 facts.
type NoticeSetup struct {
	Cutoff            model.Date `json:"cutoff"`
	ReplyBy           model.Date `json:"reply_by"`
	TransfereeAddress string     `json:"transferee_address"`
	TransfereePhone   string     `json:"transferee_phone"`
	RepayAccountName  string     `json:"repay_account_name"`
	RepayAccountBank  string     `json:"repay_account_bank"`
	RepayAccountNo    string     `json:"repay_account_no"`
	RepayChannels     string     `json:"repay_channels"`
	ServicingPhone    string     `json:"servicing_phone"`
	ComplaintsPhone   string     `json:"complaints_phone"`
	Hotline           string     `json:"hotline"`
	Purpose           string     `json:"purpose"`
	Method            string     `json:"method"`
	Categories        string     `json:"categories"`
	SMSSignature      string     `json:"sms_signature"`
	Sender            string     `json:"sender,omitempty"` // the return line above the window; default the transferee and its address
	By                string     `json:"by,omitempty"`
	At                time.Time  `json:"at,omitzero"`
}

// SetupError names the notice setting that is wrong and why.
type SetupError struct{ Field, Reason string }

func (e *SetupError) Error() string { return fmt.Sprintf("notice settings: %s %s", e.Field, e.Reason) }

var signaturePattern = regexp.MustCompile(`^【[^【】]{2,16}】$`)

func (n *NoticeSetup) check() error {
	for _, f := range []struct{ name, v string }{
		{"transferee_address", n.TransfereeAddress}, {"transferee_phone", n.TransfereePhone},
		{"repay_account_name", n.RepayAccountName}, {"repay_account_bank", n.RepayAccountBank}, {"repay_account_no", n.RepayAccountNo},
		{"repay_channels", n.RepayChannels}, {"servicing_phone", n.ServicingPhone}, {"complaints_phone", n.ComplaintsPhone},
		{"hotline", n.Hotline}, {"purpose", n.Purpose}, {"method", n.Method}, {"categories", n.Categories},
	} {
		if strings.TrimSpace(f.v) == "" {
			return &SetupError{Field: f.name, Reason: "is empty"}
		}
	}
	switch {
	case n.Cutoff.IsZero():
		return &SetupError{Field: "cutoff", Reason: "is not a date"}
	case n.ReplyBy.IsZero():
		return &SetupError{Field: "reply_by", Reason: "is not a date"}
	case !signaturePattern.MatchString(n.SMSSignature):
		return &SetupError{Field: "sms_signature", Reason: "must be the sender's name in 【】, 2 to 16 characters, as the SMS rules require"}
	}
	return nil
}

const (
	metaNoticeSetup    = "notice/setup"
	metaNoticeBatch    = "notice/batch/"
	metaNoticeDelivery = "notice/d/"       // template/customer/batch → NoticeDelivery, once a report or resolution says more than the batch
	metaNoticeConsent  = "notice/consent/" // template/customer → NoticeConsent
	metaNoticeResolved = "notice/resolved/"
	metaNoticeBasis    = "notice/basis"
	metaFactNotified   = "fact/customers-notified"
)

func customerKey(no model.CustomerNo) string { return fmt.Sprintf("%016d", no) }

// SetNoticeSetup records the notice settings (checklist permission: either party).
func (s *Session) SetNoticeSetup(ctx context.Context, n NoticeSetup) error {
	return s.doMeta(PermChecklist, audit.NoticeSetup, "", map[string]string{"cutoff": n.Cutoff.String()}, func(st *store.Store) ([]store.MetaChange, error) {
		if _, err := loadDeal(st); err != nil {
			return nil, err
		}
		if err := n.check(); err != nil {
			return nil, err
		}
		n.By, n.At = s.op.Name, s.v.opts.Now().UTC()
		return []store.MetaChange{{Name: metaNoticeSetup, Value: n}}, nil
	})
}

// NoticeSettings returns the recorded notice settings.
func (s *Session) NoticeSettings() (*NoticeSetup, error) {
	st, err := s.read(PermView)
	if err != nil {
		return nil, err
	}
	return loadNoticeSetup(st)
}

func loadNoticeSetup(st *store.Store) (*NoticeSetup, error) {
	return metaRecord[NoticeSetup](st, metaNoticeSetup, ErrNoticeSetup)
}

// NoticeTemplates lists the templates for the deal's type.
func (s *Session) NoticeTemplates() ([]*notice.Template, error) {
	st, err := s.read(PermView)
	if err != nil {
		return nil, err
	}
	d, err := loadDeal(st)
	if err != nil {
		return nil, err
	}
	all, err := templates(st)
	if err != nil {
		return nil, err
	}
	var out []*notice.Template
	for _, t := range all {
		// An on-demand template (an incident's) is sent from its incident, not listed here.
		if t.For(d.Type) && !t.OnDemand {
			out = append(out, t)
		}
	}
	slices.SortFunc(out, func(a, b *notice.Template) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

func noticeTemplate(st *store.Store, d *checklist.Deal, id string) (*notice.Template, error) {
	all, err := templates(st)
	if err != nil {
		return nil, err
	}
	t, ok := all[id]
	if !ok || !t.For(d.Type) {
		return nil, ErrNoticeTemplate // the ID is not echoed: it came from the command line
	}
	if t.Audience == notice.Guarantor {
		return nil, ErrNoticeGuarantor
	}
	return t, nil
}

// noticeValues are the placeholders' values for one customer.
func noticeValues(d *checklist.Deal, n *NoticeSetup, b *store.CustomerBook, code string, day model.Date) map[string]string {
	var contracts []string
	var outstanding model.Fen
	for _, l := range b.Loans {
		if l.Contract != "" {
			contracts = append(contracts, l.Contract)
		}
		outstanding += l.Outstanding
	}
	return map[string]string{
		"name": b.Customer.Name, "contracts": strings.Join(contracts, "、"), "outstanding": "¥" + outstanding.Yuan(),
		"code": code, "date": day.String(),
		"transferor": d.Transferor.Name, "transferor_code": d.Transferor.CreditCode,
		"transferee": d.Transferee.Name, "transferee_code": d.Transferee.CreditCode,
		"cutoff": n.Cutoff.String(), "reply_by": n.ReplyBy.String(),
		"transferee_address": n.TransfereeAddress, "transferee_phone": n.TransfereePhone,
		"repay_account_name": n.RepayAccountName, "repay_account_bank": n.RepayAccountBank, "repay_account_no": n.RepayAccountNo,
		"repay_channels": n.RepayChannels, "servicing_phone": n.ServicingPhone, "complaints_phone": n.ComplaintsPhone,
		"hotline": n.Hotline, "purpose": n.Purpose, "method": n.Method, "categories": n.Categories, "sms_signature": n.SMSSignature,
	}
}

// NoticeRef is the notice a report row names.
type NoticeRef struct {
	Template string
	Customer model.CustomerNo
	Batch    string
	Channel  string
	Code     string
	Sent     bool // the batch was marked sent
}

// NoticeDelivery is one notice sent to one customer through one channel.
type NoticeDelivery struct {
	Template string           `json:"template"`
	Customer model.CustomerNo `json:"customer"`
	Batch    string           `json:"batch"`
	Channel  string           `json:"channel"`
	Code     string           `json:"code"`
	State    string           `json:"state"`
	At       time.Time        `json:"at"`
	Reason   string           `json:"reason,omitempty"`
}

// NoticeConsent is a customer's answer to a notice asking for consent.
type NoticeConsent struct {
	State  string    `json:"state"`
	At     time.Time `json:"at"`
	Source string    `json:"source"` // the report file or batch it came from
}

// NoticeResolved closes a follow-up with the reason (a second channel, a reason recorded).
type NoticeResolved struct {
	Reason string    `json:"reason"`
	By     string    `json:"by"`
	At     time.Time `json:"at"`
}

func deliveryKey(tpl string, no model.CustomerNo, batch string) string {
	return metaNoticeDelivery + tpl + "/" + customerKey(no) + "/" + batch
}

// noticeOutOK refuses a folder that is not new or empty, or that lies in a temporary folder
// (unless allowTmp: tests and benchmarks, whose folders are all temporary).
func noticeOutOK(dir string, allowTmp bool) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	for _, tmp := range []string{os.TempDir(), "/tmp", "/var/tmp", "/dev/shm"} {
		if t, err := filepath.Abs(tmp); err == nil && (abs == t || strings.HasPrefix(abs, t+string(filepath.Separator))) && !allowTmp {
			return fmt.Errorf("%w (%s)", ErrNoticeOut, dir)
		}
	}
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return fmt.Errorf("%w (%s)", ErrNoticeOut, dir)
	}
	return nil
}

// NoticeBatch is one generation: a manifest of what was written where, recorded in the vault
// (customer numbers, letter codes and file digests; never names or numbers).
type NoticeBatch struct {
	ID       string          `json:"id"`
	Template string          `json:"template"`
	Version  int             `json:"template_version"`
	Channel  string          `json:"channel"`
	Lang     string          `json:"lang"`
	Created  time.Time       `json:"created"`
	By       string          `json:"by"`
	Out      string          `json:"out"`
	Count    int             `json:"count"`
	Segments int64           `json:"sms_segments,omitempty"`
	Skipped  []NoticeSkipped `json:"skipped"`
	Files    []NoticeFile    `json:"files"`
	Entries  []NoticeEntry   `json:"entries"`
	Manifest string          `json:"manifest_sha256"`
	Sent     *time.Time      `json:"sent,omitempty"`
	// Chunks is how many chunks of entries the batch has (notice_entries.go) and
	// ChunkStarts the first customer of each.
	Chunks      int                `json:"chunks,omitempty"`
	ChunkStarts []model.CustomerNo `json:"chunk_starts,omitempty"`
}

// NoticeSkipped is a customer the batch could not reach through its channel, and why.
type NoticeSkipped struct {
	Customer model.CustomerNo `json:"customer"`
	Reason   string           `json:"reason"` // no_address, no_mobile, address_too_long
}

// NoticeFile is one file of a batch.
type NoticeFile struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

// NoticeEntry is one letter or message of a batch.
type NoticeEntry struct {
	Customer model.CustomerNo `json:"customer"`
	Code     string           `json:"code"`
	File     string           `json:"file"`
}
