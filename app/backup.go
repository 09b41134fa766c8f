package app

import (
	"context"

	"github.com/wabook/wabook/store"
)

// ErrBackupExists is returned (wrapped) by Backup when the file exists and
// overwriting was not asked for.
var ErrBackupExists = store.ErrBackupExists

// Backup writes a consistent copy of the database to dest, 0600, safe while
// this or another wabook writes to it (store.Backup). The copy is a wabook
// database: `wabook --db dest` opens it. It refuses an existing dest unless
// overwrite is set. It only reads the database, so it works on a read-only
// one and needs no connection.
func (s *Service) Backup(ctx context.Context, dest string, overwrite bool) error {
	return s.store.Backup(ctx, dest, overwrite)
}
