// Package files holds the file rules the store and the app both follow and
// may not take from each other (store does not import app; app/config
// does not reach into store): where one of wabook's files goes by the XDG
// base directories, and whether a path still names a file already looked
// at. Like model it imports nothing of ours.
package files

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// XDGPath is where wabook keeps the file name: $override when set, else
// $xdgVar/wabook/name when that is an absolute path (the XDG rule: a
// relative one is ignored), else ~/fallback/wabook/name.
func XDGPath(override, xdgVar, fallback, name string) (string, error) {
	if p := os.Getenv(override); p != "" {
		return p, nil
	}
	if d := os.Getenv(xdgVar); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "wabook", name), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, fallback, "wabook", name), nil
}

// SameAt reports whether the file at path, looked at with stat (os.Stat
// follows a symbolic link there, os.Lstat does not), is the file fi
// describes; false when nothing is there.
func SameAt(fi fs.FileInfo, path string, stat func(string) (fs.FileInfo, error)) (bool, error) {
	now, err := stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return os.SameFile(fi, now), nil
}
