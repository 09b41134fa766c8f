package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/wabook/wabook/model/files"
)

// ErrBackupExists is returned by Backup when the destination exists and
// overwriting was not asked for.
var ErrBackupExists = errors.New("the file exists")

// Backup writes a consistent copy of the database to dest: one snapshot
// (VACUUM INTO reads in one read transaction, so other connections and
// other processes may go on writing meanwhile and none of their half-done
// transactions is copied), readable only by the user (0600), complete or
// absent: it is written beside dest and renamed into place. An existing
// dest is refused with ErrBackupExists unless overwrite is set; then it is
// replaced (a symbolic link there is replaced too, never followed).
func (s *Store) Backup(ctx context.Context, dest string, overwrite bool) error {
	if dest == "" {
		return errors.New("store: backup: empty file name")
	}
	if same, err := sameFile(s.path, dest); err != nil {
		return fmt.Errorf("store: backup: %w", err)
	} else if same {
		return fmt.Errorf("store: backup: %s is the database itself", dest)
	}
	if !overwrite {
		if _, err := os.Lstat(dest); err == nil {
			return fmt.Errorf("%s: %w", dest, ErrBackupExists)
		}
	}
	// VACUUM INTO wants a missing or empty file; an empty one made here
	// has the mode the copy must have from its first byte on.
	tmp, err := os.CreateTemp(filepath.Dir(dest), ".wabook-backup-*")
	if err != nil {
		return fmt.Errorf("cannot write a backup in %s: %w", filepath.Dir(dest), errors.Unwrap(err))
	}
	name := tmp.Name()
	defer os.Remove(name) // after a rename or link, only the spare name
	err = tmp.Chmod(0o600)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	if err := s.vacuumInto(ctx, name); err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	if err := syncFile(name); err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	if overwrite {
		err = os.Rename(name, dest)
	} else if err = os.Link(name, dest); errors.Is(err, fs.ErrExist) {
		// Made meanwhile: still not ours to replace.
		return fmt.Errorf("%s: %w", dest, ErrBackupExists)
	}
	if err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	return syncFile(filepath.Dir(dest))
}

// vacuumInto copies the database into the empty file at path. A
// read-only store's connections refuse every statement that writes, VACUUM
// INTO too, although it writes only the copy: query_only is lifted for it
// on one connection (which opened the file read-only, when the file is not
// this user's to write, so the database itself stays safe), and that
// connection never goes back to the pool without it.
func (s *Store) vacuumInto(ctx context.Context, path string) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if s.readOnly {
		if _, err := conn.ExecContext(ctx, `PRAGMA query_only = 0`); err != nil {
			return err
		}
		defer func() {
			if _, err := conn.ExecContext(context.Background(), `PRAGMA query_only = 1`); err != nil {
				conn.Raw(func(any) error { return driver.ErrBadConn }) // dropped, not pooled
			}
		}()
	}
	_, err = conn.ExecContext(ctx, `VACUUM INTO ?`, path)
	return err
}

func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// sameFile reports whether a and b name one file (b may not exist).
func sameFile(a, b string) (bool, error) {
	fa, err := os.Stat(a)
	if err != nil {
		return false, err
	}
	return files.SameAt(fa, b, os.Stat)
}
