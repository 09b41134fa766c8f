package cli

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/wabook/wabook/app"
)

const backupUsage = `usage: wabook backup FILE [--force]  (a copy of the database; use it with --db FILE)`

// Backup writes a consistent copy of the database to FILE, readable only
// by the user; it may run while another wabook uses the database.
//
//	wabook backup FILE [--force]
func Backup(ctx context.Context, env Env, args []string) error {
	fs := newFlags("backup")
	force := fs.Bool("force", false, "replace FILE when it exists")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || pos[0] == "" {
		return usagef(backupUsage)
	}
	dest := pos[0]
	err = env.Svc.Backup(ctx, dest, *force)
	if errors.Is(err, app.ErrBackupExists) {
		return fmt.Errorf("backup: %s exists; add --force to replace it", dest)
	}
	if err != nil {
		return err
	}
	size := ""
	if fi, err := os.Stat(dest); err == nil {
		size = " (" + humanBytes(fi.Size()) + ")"
	}
	_, err = fmt.Fprintf(env.Out, "backed up to %s%s\n", dest, size)
	return err
}
