package app

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// WriteFileAtomic writes a file through write into a private (0600)
// temporary file beside path, syncs it and only then moves it into place:
// a failure or a crash never leaves half a file at path. With overwrite
// false the move is a hard link, which fails with fs.ErrExist when path
// exists, so a file that appeared meanwhile is not replaced either.
// Every export (ui, cli, check results) goes through it; errors come back
// as the OS or write gave them, for the caller to word.
func WriteFileAtomic(path string, overwrite bool, write func(w io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".wabook-export-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after the move: nothing left to remove
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	err = write(tmp)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if overwrite {
		return os.Rename(tmp.Name(), path)
	}
	err = os.Link(tmp.Name(), path)
	if err != nil && !errors.Is(err, fs.ErrExist) {
		// A filesystem without hard links (FAT, some network mounts): a
		// last look is the best there is.
		if _, serr := os.Lstat(path); serr == nil {
			return fs.ErrExist
		}
		return os.Rename(tmp.Name(), path)
	}
	return err
}
