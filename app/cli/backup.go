package cli

import (
	"context"
	"fmt"

	"handover/app/vault"
)

func backupCreate(ctx context.Context, env Env, args []string) error {
	fs := newFlags("backup create", env)
	u := addUnlockFlags(fs)
	out := fs.String("out", "", "folder to write the backup file in (another disk or a stick)")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return usagef("--out DIR is required")
	}
	s, err := u.unlock(env)
	if err != nil {
		return err
	}
	defer closeSession(s)
	info, err := s.Backup(ctx, *out)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(env.Stdout, info)
	}
	fmt.Fprintf(env.Stdout, "backup written and read back whole: %s (%d bytes, %d entries, SHA-256 %s)\n", info.Path, info.Size, info.Entries, info.SHA256)
	return nil
}

func backupVerify(ctx context.Context, env Env, args []string) error {
	fs := newFlags("backup verify", env)
	asJSON := fs.Bool("json", false, "print the result as JSON")
	files, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		return usagef("name one backup FILE")
	}
	info, err := vault.VerifyBackup(ctx, files[0])
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(env.Stdout, info)
	}
	fmt.Fprintf(env.Stdout, "backup whole: %s (%d bytes, %d entries, SHA-256 %s)\n", info.Path, info.Size, info.Entries, info.SHA256)
	return nil
}

func backupRestore(ctx context.Context, env Env, args []string) error {
	fs := newFlags("backup restore", env)
	from := fs.String("from", "", "the backup file")
	dir := fs.String("vault", "", "folder of the restored vault (must not exist or be empty)")
	op := fs.String("operator", "", "an operator of the backed-up vault (name or id)")
	passFile := fs.String("passphrase-file", "", "file holding that operator's passphrase (else HANDOVER_PASSPHRASE)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *from == "" || *dir == "" || *op == "" {
		return usagef("--from FILE, --vault DIR and --operator NAME are required")
	}
	pass, err := secret(env, *passFile, "HANDOVER_PASSPHRASE", "passphrase")
	if err != nil {
		return err
	}
	if err := vault.Restore(ctx, *from, *dir, *op, pass); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "restored %s into %s\n", *from, *dir)
	return nil
}
