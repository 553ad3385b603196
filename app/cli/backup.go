package cli

import (
	"flag"
	"io"

	"handover/app/vault"
)

func backupCreateCmd() *Cmd {
	var out string
	return &Cmd{Name: "backup create", Synopsis: "--vault DIR --out DIR [--json]", Vault: true, JSON: true, Required: []string{"out"},
		Summary: "write a backup of the vault and read it back whole",
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&out, "out", "", "folder to write the backup file in (another disk or a stick)")
		},
		Run: func(c *Call) error {
			s, err := c.Session()
			if err != nil {
				return err
			}
			info, err := s.Backup(c.Ctx, out)
			if err != nil {
				return err
			}
			return c.Print(info, func(w io.Writer) error {
				c.Printf("backup written and read back whole: %s (%d bytes, %d entries, SHA-256 %s)\n", info.Path, info.Size, info.Entries, info.SHA256)
				return nil
			})
		}}
}

func backupVerifyCmd() *Cmd {
	return &Cmd{Name: "backup verify", Synopsis: "FILE", JSON: true, MinArgs: 1, MaxArgs: 1, ArgsHelp: "name one backup FILE",
		Summary: "check that a backup file is whole",
		Run: func(c *Call) error {
			info, err := vault.VerifyBackup(c.Ctx, c.Args[0])
			if err != nil {
				return err
			}
			return c.Print(info, func(w io.Writer) error {
				c.Printf("backup whole: %s (%d bytes, %d entries, SHA-256 %s)\n", info.Path, info.Size, info.Entries, info.SHA256)
				return nil
			})
		}}
}

func backupRestoreCmd() *Cmd {
	var from, dir, op, passFile string
	return &Cmd{Name: "backup restore", Synopsis: "--from FILE --vault NEWDIR --operator NAME",
		Summary:  "make a new vault from a backup",
		Required: []string{"from", "vault", "operator"},
		Flags: func(fs *flag.FlagSet) {
			fs.StringVar(&from, "from", "", "the backup file")
			fs.StringVar(&dir, "vault", "", "folder of the restored vault (must not exist or be empty)")
			fs.StringVar(&op, "operator", "", "an operator of the backed-up vault (name or id)")
			fs.StringVar(&passFile, "passphrase-file", "", "file holding that operator's passphrase (else HANDOVER_PASSPHRASE)")
		},
		Run: func(c *Call) error {
			pass, err := secret(c.Env, passFile, "HANDOVER_PASSPHRASE", "passphrase")
			if err != nil {
				return err
			}
			if err := vault.Restore(c.Ctx, from, dir, op, pass); err != nil {
				return err
			}
			c.Printf("restored %s into %s\n", from, dir)
			return nil
		}}
}
