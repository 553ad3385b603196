package cli

import (
	"context"
	"fmt"
	"strconv"

	"handover/app/bag"
	"handover/app/pkg"
	"handover/app/progress"
)

// PackageResult is what export and verify print with --json; the keys are a contract.
type PackageResult struct {
	Package  string     `json:"package"`
	Dir      string     `json:"dir"`
	Sequence int        `json:"sequence"`
	Parts    []pkg.Part `json:"parts"`
	Digest   string     `json:"digest"`
	Files    int        `json:"files,omitempty"`
	Bytes    int64      `json:"bytes,omitempty"`
}

func exportCmd(ctx context.Context, env Env, args []string) error {
	fs := newFlags("export", env)
	u := addUnlockFlags(fs)
	idFile := fs.String("identity", "", "the sender's identity file")
	idPass := fs.String("identity-passphrase-file", "", "its passphrase (else HANDOVER_IDENTITY_PASSPHRASE)")
	var to listFlag
	fs.Var(&to, "to", "a recipient's card (repeat)")
	out := fs.String("out", "", "folder to write the package folder into (the USB stick)")
	split := fs.String("split-size", strconv.FormatInt(pkg.DefaultSplitSize, 10), "largest part in bytes (default fits FAT32)")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	size, err := strconv.ParseInt(*split, 10, 64)
	if err != nil || size < 64<<10 {
		return usagef("--split-size must be a number of bytes, at least 65536")
	}
	if *idFile == "" || *out == "" || len(to) == 0 {
		return usagef("--identity, --out and at least one --to CARD are required")
	}
	cards, err := readCards(to)
	if err != nil {
		return err
	}
	id, err := openIdentity(env, *idFile, *idPass, signerPassphrase)
	if err != nil {
		return err
	}
	s, err := u.unlock(env)
	if err != nil {
		return err
	}
	defer closeSession(s)
	c := progress.NewCounter()
	stop := showProgress(env.Stderr, c, "bytes")
	dir, m, err := s.Export(ctx, pkg.Options{Out: *out, Sender: id, Recipients: cards, SplitSize: size}, c)
	stop()
	if err != nil {
		return err
	}
	res := PackageResult{Package: m.ID, Dir: dir, Sequence: m.Sequence, Parts: m.Parts, Digest: m.Figures.Digest}
	if *asJSON {
		return printJSON(env.Stdout, res)
	}
	fmt.Fprintf(env.Stdout, "package %s written to %s in %d parts, every part read back and checked; book digest %s\n",
		m.ID, dir, len(m.Parts), m.Figures.Digest)
	return nil
}

func verifyCmd(_ context.Context, env Env, args []string) error {
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
	rep, err := pkg.Verify(dirs[0], id, cards, bag.DefaultLimits)
	if err != nil {
		return err
	}
	m := rep.Manifest
	if *asJSON {
		return printJSON(env.Stdout, PackageResult{Package: m.ID, Dir: dirs[0], Sequence: m.Sequence, Parts: m.Parts, Digest: m.Figures.Digest, Files: rep.Files, Bytes: rep.Bytes})
	}
	fmt.Fprintf(env.Stdout, "package %s (sequence %d) from %s (%s): signature, %d parts and %d files check out; nothing was changed\n",
		m.ID, m.Sequence, rep.Sender.Name, rep.Sender.Organisation, len(m.Parts), rep.Files)
	return nil
}
