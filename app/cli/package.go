package cli

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"

	"handover/app/bag"
	"handover/app/cert"
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
}

func exportCmd(ctx context.Context, env Env, args []string) error {
	fs := newFlags("export", env)
	u := addUnlockFlags(fs)
	idFile := fs.String("identity", "", "the sender's identity file")
	idPass := fs.String("identity-passphrase-file", "", "its passphrase (else HANDOVER_IDENTITY_PASSPHRASE)")
	var to listFlag
	fs.Var(&to, "to", "a recipient's card (repeat)")
	out := fs.String("out", "", "folder to write the package folder into (the USB stick)")
	split := fs.String("split-size", strconv.FormatInt(handoverpkg.DefaultSplitSize, 10), "largest part in bytes (default fits FAT32)")
	customers := fs.String("customers", "", "export only these customers: a file with one customer number a line (default: the whole book)")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	var scope []model.CustomerNo
	if *customers != "" {
		var err error
		if scope, err = handoverpkg.ReadCustomerList(*customers); err != nil {
			return err
		}
	}
	size, err := strconv.ParseInt(*split, 10, 64)
	if err != nil || size < 64<<10 {
		return usagef("--split-size must be a number of bytes, at least 65536")
	}
	if *idFile == "" || *out == "" || len(to) == 0 {
		return usagef("--identity, --out and at least one --to CARD are required")
	}
	cards, id, s, err := openForPackage(env, u, to, *idFile, *idPass)
	if err != nil {
		return err
	}
	defer closeSession(s)
	c := progress.NewCounter()
	stop := showProgress(env.Stderr, c, "bytes")
	dir, m, err := s.Export(ctx, handoverpkg.Options{Out: *out, Sender: id, Recipients: cards, SplitSize: size, Customers: scope}, c)
	stop()
	if err != nil {
		return err
	}
	res := PackageResult{Package: m.ID, Dir: dir, Sequence: m.Sequence, Parts: m.Parts, Digest: m.Figures.Digest,
		Scope: m.Scope, Customers: m.Figures.Customers}
	if *asJSON {
		return printJSON(env.Stdout, res)
	}
	fmt.Fprintf(env.Stdout, "package %s written to %s in %d parts, every part read back and checked; book digest %s\n",
		m.ID, dir, len(m.Parts), m.Figures.Digest)
	return nil
}

func verifyCmd(ctx context.Context, env Env, args []string) error {
	fs := newFlags("verify", env)
	idFile := fs.String("identity", "", "the recipient's identity file")
	idPass := fs.String("identity-passphrase-file", "", "its passphrase (else HANDOVER_IDENTITY_PASSPHRASE)")
	var trust listFlag
	fs.Var(&trust, "trust", "the sender's card, whose fingerprint was compared (repeat)")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	dirs, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if *idFile == "" || len(trust) == 0 || len(dirs) != 1 {
		return usagef("give --identity FILE, --trust CARD and one PACKAGE_DIR")
	}
	cards, err := readCards(trust)
	if err != nil {
		return err
	}
	id, err := openIdentity(env, *idFile, *idPass, signerPassphrase)
	if err != nil {
		return err
	}
	// Every check a receive applies, in a throwaway vault: signature, recipient, parts, the
	// age stream and the bag, then records, order, documents, figures and digest.
	c := progress.NewCounter()
	stop := showProgress(env.Stderr, c, "bytes")
	rec, err := handoverpkg.VerifyBook(ctx, dirs[0], id, cards, bag.DefaultLimits, c)
	stop()
	if err != nil {
		return err
	}
	m := rec.Manifest
	if *asJSON {
		if err := printJSON(env.Stdout, PackageResult{Package: m.ID, Equal: &rec.Equal, Diff: rec.Diff, Dir: dirs[0], Sequence: m.Sequence, Parts: m.Parts,
			Digest: m.Figures.Digest, Customers: rec.Figures.Customers, Files: rec.Files, Bytes: rec.Bytes}); err != nil {
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
}

func receiveCmd(ctx context.Context, env Env, args []string) error {
	fs := newFlags("receive", env)
	u := addUnlockFlags(fs)
	idFile := fs.String("identity", "", "the recipient's identity file")
	idPass := fs.String("identity-passphrase-file", "", "its passphrase (else HANDOVER_IDENTITY_PASSPHRASE)")
	var trust listFlag
	fs.Var(&trust, "trust", "the sender's card, whose fingerprint was compared (repeat)")
	receipts := fs.String("receipt-dir", ".", "folder for the receipt (接收回执) statement and PDF")
	lang := fs.String("lang", "zh-CN", "language of the receipt PDF: zh-CN or en")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	dirs, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if *idFile == "" || len(trust) == 0 || len(dirs) != 1 {
		return usagef("give --vault DIR, --identity FILE, --trust CARD and one PACKAGE_DIR")
	}
	cards, id, s, err := openForPackage(env, u, trust, *idFile, *idPass)
	if err != nil {
		return err
	}
	defer closeSession(s)
	c := progress.NewCounter()
	stop := showProgress(env.Stderr, c, "bytes")
	rec, err := s.Receive(ctx, dirs[0], id, cards, c)
	stop()
	if err != nil {
		return err
	}
	m := rec.Manifest
	res := ReceiveResult{Package: m.ID, Sequence: m.Sequence, Sender: m.Sender, Equal: rec.Equal, Digest: rec.Figures.Digest,
		Expected: m.Figures.Digest, Figures: rec.Figures, Diff: rec.Diff}
	if rec.Equal {
		// The receipt: the receiver signs it; the sender's card is listed as a party.
		st, err := s.NewReceipt(ctx, rec, []identity.Card{id.Card, rec.Sender})
		if err != nil {
			return err
		}
		res.Receipt = filepath.Join(*receipts, m.ID+"-receipt.json")
		res.PDF = filepath.Join(*receipts, m.ID+"-receipt.pdf")
		pdf, _, err := cert.Render(st.Marshal(), nil, *lang)
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
	if *asJSON {
		if err := printJSON(env.Stdout, res); err != nil {
			return err
		}
	} else if rec.Equal {
		fmt.Fprintf(env.Stdout, "package %s (sequence %d) received: %d customers, figures and digest equal the sender's (%s)\nreceipt: %s and %s; sign it with 'handover cert sign'\n",
			m.ID, m.Sequence, rec.Figures.Customers, rec.Figures.Digest, res.Receipt, res.PDF)
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
func openForPackage(env Env, u unlockFlags, cardFiles []string, idFile, idPass string) ([]identity.Card, *identity.Identity, *vault.Session, error) {
	cards, err := readCards(cardFiles)
	if err != nil {
		return nil, nil, nil, err
	}
	id, err := openIdentity(env, idFile, idPass, signerPassphrase)
	if err != nil {
		return nil, nil, nil, err
	}
	s, err := u.unlock(env)
	if err != nil {
		return nil, nil, nil, err
	}
	return cards, id, s, nil
}
