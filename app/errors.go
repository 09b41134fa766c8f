package app

import "github.com/wabook/wabook/store"

// diskFullError is an error caused by a full disk, told in plain words;
// the cause stays reachable through errors.Is/As.
type diskFullError struct{ err error }

func (e *diskFullError) Error() string {
	return "the disk is full; free some space and try again"
}
func (e *diskFullError) Unwrap() error { return e.err }

// PlainError is err as a front end shows it: a full disk, whichever part
// of wabook met it (SQLite's SQLITE_FULL, the system's ENOSPC), says "the
// disk is full" instead of a driver's message; anything else is returned
// as it is. main passes every error a command ends with through it.
func PlainError(err error) error {
	if err != nil && store.IsDiskFull(err) {
		return &diskFullError{err: err}
	}
	return err
}
