package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"runtime/debug"
	"strconv"

	"handover/app/bag"
	"handover/app/cert"
	"handover/app/checklist"
	"handover/app/figures"
	"handover/app/handoverpkg"
	"handover/app/progress"
	"handover/app/vault"
	"handover/crypto/identity"
	"handover/store/atomicfile"
	"handover/store/model"
)

// PackageResult is what export and verify print with --json; the keys are a contract.
type PackageResult struct {
	Package   string             `json:"package"`
	Equal     *bool              `json:"equal,omitempty"` // verify: the book's figures and digest equal package.json's
	Diff      *handoverpkg.Diff  `json:"differences,omitempty"`
	Dir       string             `json:"dir"`
	Sequence  int                `json:"sequence"`
	Parts     []handoverpkg.Part `json:"parts"`
	Digest    string             `json:"digest"`
	Scope     string             `json:"scope,omitempty"`
	Customers int64              `json:"customers,omitempty"`
	Files     int                `json:"files,omitempty"`
	Bytes     int64              `json:"bytes,omitempty"`
	Timing    *Timing            `json:"timing,omitempty"`
}

func exportCmd() *Cmd {
	var to listFlag
	var out, split, customers string
	return &Cmd{Name: "export", Synopsis: "--vault DIR --identity FILE --to CARD… --out DIR [--split-size BYTES] [--customers FILE] [--json]",
		Summary: "write the book as an encrypted, signed handover package", Vault: true, JSON: true, Identity: signerPassphrase,
		Flags: func(fs *flag.FlagSet) {
			fs.Var(&to, "to", "a recipient's card (repeat)")
			fs.StringVar(&out, "out", "", "folder to write the package folder into (the USB stick)")
			fs.StringVar(&split, "split-size", strconv.FormatInt(handoverpkg.DefaultSplitSize, 10), "largest part in bytes (default fits FAT32)")
			fs.StringVar(&customers, "customers", "", "export only these customers: a file with one customer number a line (default: the whole book)")
		},
		Run: func(c *Call) error { return export(c, to, out, split, customers) }}
}

func export(c *Call, to []string, out, split, customers string) error {
	var scope []model.CustomerNo
	if customers != "" {
		var err error
		if scope, err = handoverpkg.ReadCustomerList(customers); err != nil {
			return err
		}
	}
	size, err := strconv.ParseInt(split, 10, 64)
	if err != nil || size < 64<<10 {
		return usagef("--split-size must be a number of bytes, at least 65536")
	}
	if c.IdentityFile() == "" || out == "" || len(to) == 0 {
		return usagef("--identity, --out and at least one --to CARD are required")
	}
	cards, id, s, err := openForPackage(c, to)
	if err != nil {
		return err
	}
	cnt := progress.NewCounter()
	stop := showProgress(c.Env.Stderr, cnt, "bytes")
	dir, m, err := s.Export(c.Ctx, handoverpkg.Options{Out: out, Sender: id, Recipients: cards, SplitSize: size, Customers: scope}, cnt)
	stop()
	if err != nil {
		return err
	}
	res := PackageResult{Package: m.ID, Dir: dir, Sequence: m.Sequence, Parts: m.Parts, Digest: m.Figures.Digest,
		Scope: m.Scope, Customers: m.Figures.Customers, Timing: c.Timing()}
	return c.Print(res, func(w io.Writer) error {
		c.Printf("package %s written to %s in %d parts, every part read back and checked; book digest %s\n",
			m.ID, dir, len(m.Parts), m.Figures.Digest)
		return nil
	})
}

func verifyCmd() *Cmd {
	var trust listFlag
	return &Cmd{Name: "verify", Synopsis: "--identity FILE --trust CARD PACKAGE_DIR [--json]", JSON: true, Identity: signerPassphrase,
		Summary: "check a handover package completely, changing nothing", MinArgs: 1, MaxArgs: 1,
		ArgsHelp: "give --identity FILE, --trust CARD and one PACKAGE_DIR",
		Flags: func(fs *flag.FlagSet) {
			fs.Var(&trust, "trust", "the sender's card, whose fingerprint was compared (repeat)")
		},
		Run: func(c *Call) error { return verify(c, trust) }}
}

func verify(c *Call, trust []string) error {
	ctx, env, dirs := c.Ctx, c.Env, c.Args
	if c.IdentityFile() == "" || len(trust) == 0 {
		return usagef("give --identity FILE, --trust CARD and one PACKAGE_DIR")
	}
	cards, err := readCards(trust)
	if err != nil {
		return err
	}
	id, err := c.OpenIdentity()
	if err != nil {
		return err
	}
	c.markUnlocked()
	// Every check a receive applies, in a throwaway vault: signature, recipient, parts, the
	// age stream and the bag, then records, order, documents, figures and digest.
	cnt := progress.NewCounter()
	stop := showProgress(env.Stderr, cnt, "bytes")
	rec, err := handoverpkg.VerifyBook(ctx, dirs[0], id, cards, bag.DefaultLimits, cnt)
	stop()
	if err != nil {
		return err
	}
	m := rec.Manifest
	if c.JSON {
		if err := printJSON(env.Stdout, PackageResult{Package: m.ID, Equal: &rec.Equal, Diff: rec.Diff, Dir: dirs[0], Sequence: m.Sequence, Parts: m.Parts,
			Digest: m.Figures.Digest, Customers: rec.Figures.Customers, Files: rec.Files, Bytes: rec.Bytes, Timing: c.Timing()}); err != nil {
			return err
		}
	} else if rec.Equal {
		fmt.Fprintf(env.Stdout, "package %s (sequence %d) from %s (%s): signature, %d parts, %d files and the book (%d customers, figures and digest as package.json states) check out; nothing was changed\n",
			m.ID, m.Sequence, rec.Sender.Name, rec.Sender.Organisation, len(m.Parts), rec.Files, rec.Figures.Customers)
	} else {
		fmt.Fprintf(env.Stdout, "package %s: the book differs from package.json: figures %v; %d of the sender's records missing, %d unexpected; a receiver would not take it in\n",
			m.ID, rec.Diff.Figures, len(rec.Diff.Missing), len(rec.Diff.Unexpected))
	}
	if !rec.Equal {
		return ErrFiguresDiffer
	}
	return nil
}

// ReceiveResult is what receive prints with --json; the keys are a contract.
type ReceiveResult struct {
	Package  string            `json:"package"`
	Sequence int               `json:"sequence"`
	Sender   string            `json:"sender"` // the sender card's fingerprint
	Equal    bool              `json:"equal"`  // figures and digest equal package.json's
	Digest   string            `json:"digest"` // recomputed by the receiver
	Expected string            `json:"expected_digest"`
	Figures  figures.Figures   `json:"figures"`
	Diff     *handoverpkg.Diff `json:"differences,omitempty"`
	Receipt  string            `json:"receipt,omitempty"` // the receipt statement written
	PDF      string            `json:"receipt_pdf,omitempty"`
	// Deal is the deal the package carried: recorded with --accept-deal ("accepted"), or
	// waiting for 'handover deal accept' ("offered"); absent when the vault has its own.
	Deal      *checklist.Deal `json:"deal,omitempty"`
	DealState string          `json:"deal_state,omitempty"`
	Timing    *Timing         `json:"timing,omitempty"`
}

func receiveCmd() *Cmd {
	var trust listFlag
	var receipts, lang string
	var accept bool
	return &Cmd{Name: "receive", Synopsis: "--vault DIR --identity FILE --trust CARD PACKAGE_DIR [--receipt-dir DIR] [--accept-deal] [--json]",
		Summary: "take a handover package into a new vault, whole or not at all, and write the receipt", Vault: true, JSON: true,
		Identity: signerPassphrase, MinArgs: 1, MaxArgs: 1, ArgsHelp: "give --vault DIR, --identity FILE, --trust CARD and one PACKAGE_DIR",
		Flags: func(fs *flag.FlagSet) {
			fs.Var(&trust, "trust", "the sender's card, whose fingerprint was compared (repeat)")
			fs.StringVar(&receipts, "receipt-dir", ".", "folder for the receipt (接收回执) statement and PDF")
			fs.StringVar(&lang, "lang", "zh-CN", "language of the receipt PDF: zh-CN or en")
			fs.BoolVar(&accept, "accept-deal", false, "record the deal the package carries as this vault's deal (a vault without one), before the receipt is written")
		},
		Run: func(c *Call) error { return receive(c, trust, receipts, lang, accept) }}
}

func receive(c *Call, trust []string, receipts, lang string, accept bool) error {
	ctx, env, dirs := c.Ctx, c.Env, c.Args
	if c.IdentityFile() == "" || len(trust) == 0 {
		return usagef("give --vault DIR, --identity FILE, --trust CARD and one PACKAGE_DIR")
	}
	cards, id, s, err := openForPackage(c, trust)
	if err != nil {
		return err
	}
	cnt := progress.NewCounter()
	stop := showProgress(env.Stderr, cnt, "bytes")
	rec, err := s.Receive(ctx, dirs[0], id, cards, cnt)
	stop()
	if err != nil {
		return err
	}
	m := rec.Manifest
	res := ReceiveResult{Package: m.ID, Sequence: m.Sequence, Sender: m.Sender, Equal: rec.Equal, Digest: rec.Figures.Digest,
		Expected: m.Figures.Digest, Figures: rec.Figures, Diff: rec.Diff}
	if rec.Equal {
		if offer, err := s.OfferedDeal(); err == nil {
			res.Deal, res.DealState = &offer.Deal, "offered"
			if accept {
				if res.Deal, err = s.AcceptOfferedDeal(); err != nil {
					return err
				}
				res.DealState = "accepted"
			}
		} else if !errors.Is(err, vault.ErrNoOfferedDeal) {
			return err
		}
		// The receipt: the receiver signs it; the sender's card is listed as a party.
		st, err := s.NewReceipt(ctx, rec, []identity.Card{id.Card, rec.Sender})
		if err != nil {
			return err
		}
		res.Receipt = filepath.Join(receipts, m.ID+"-receipt.json")
		res.PDF = filepath.Join(receipts, m.ID+"-receipt.pdf")
		pdf, _, err := cert.Render(st.Marshal(), nil, lang)
		if err != nil {
			return err
		}
		if err := atomicfile.Write(res.Receipt, st.Marshal(), 0o644); err != nil {
			return err
		}
		if err := atomicfile.Write(res.PDF, pdf, 0o644); err != nil {
			return err
		}
	}
	if c.JSON {
		res.Timing = c.Timing()
		if err := printJSON(env.Stdout, res); err != nil {
			return err
		}
	} else if rec.Equal {
		fmt.Fprintf(env.Stdout, "package %s (sequence %d) received: %d customers, figures and digest equal the sender's (%s)\nreceipt: %s and %s; sign it with 'handover cert sign'\n",
			m.ID, m.Sequence, rec.Figures.Customers, rec.Figures.Digest, res.Receipt, res.PDF)
		switch d := res.Deal; res.DealState {
		case "accepted":
			printDeal(c, d)
		case "offered":
			fmt.Fprintf(env.Stdout, "the package carries the sender's deal: %s, %s → %s; record it with 'handover deal accept' (and issue the receipt again to name the parties)\n",
				d.Type, d.Transferor.Name, d.Transferee.Name)
		}
	} else {
		fmt.Fprintf(env.Stdout, "package %s was not taken in: the book differs from package.json: figures %v; %d of the sender's records missing, %d unexpected; the vault is unchanged, and a corrected package can be received\n",
			m.ID, rec.Diff.Figures, len(rec.Diff.Missing), len(rec.Diff.Unexpected))
	}
	if !rec.Equal {
		return ErrFiguresDiffer
	}
	return nil
}

// ErrFiguresDiffer makes receive exit non-zero when the received book is not the one the
// sender described.
var ErrFiguresDiffer = errors.New("the received book's figures differ from the package's")

// openForPackage reads the cards, opens the identity and unlocks the vault, cheapest first, so
// a wrong card file or identity passphrase is reported before the vault's scrypt runs.
func openForPackage(c *Call, cardFiles []string) ([]identity.Card, *identity.Identity, *vault.Session, error) {
	cards, err := readCards(cardFiles)
	if err != nil {
		return nil, nil, nil, err
	}
	// The identity's and the vault's key derivations (scrypt, about 1.3 s each on the
	// benchmark machine) are independent: they run side by side, one on each core, which
	// halves the fixed cost a small package pays (issue 21). Both hold scrypt's 256 MiB at
	// once, above the soft memory limit main sets; the limit is lifted for those seconds so
	// that the collector does not run in a loop over memory it cannot free.
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))
	var id *identity.Identity
	idErr := make(chan error, 1)
	go func() {
		var err error
		id, err = c.OpenIdentity()
		idErr <- err
	}()
	s, err := c.Session()
	if e := <-idErr; e != nil {
		return nil, nil, nil, e // the identity's error first, as when they ran one after the other
	}
	if err != nil {
		return nil, nil, nil, err
	}
	c.markUnlocked()
	return cards, id, s, nil
}
