package store

import (
	"errors"
	"syscall"

	"modernc.org/sqlite"
)

// sqliteFull is SQLite's primary result code SQLITE_FULL ("database or
// disk is full"); extended codes keep it in their low byte.
const sqliteFull = 13

// IsDiskFull reports whether err comes from a full disk: the system's
// ENOSPC (a log, an export, a lock file, stdout on a full disk) or SQLite's
// SQLITE_FULL (a write of the database or its WAL that found no room).
func IsDiskFull(err error) bool {
	if errors.Is(err, syscall.ENOSPC) {
		return true
	}
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqliteFull
}
