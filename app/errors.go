package app

import (
	"errors"

	"github.com/wabook/wabook/store"
)

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

// ErrInvalid marks input a front end sent that wabook refuses as it is (a
// number that is no number, a label name too long): the caller's mistake,
// to be fixed and sent again, never a failure of wabook's own. Every
// FieldError is one.
var ErrInvalid = errors.New("invalid input")

// FieldError is bad input in one field — "name", "phone", "labels",
// "note" — so that serve can name the field in its own terms; the message
// is the cause's.
type FieldError struct {
	Field string
	Err   error
}

func (e *FieldError) Error() string   { return e.Err.Error() }
func (e *FieldError) Unwrap() []error { return []error{e.Err, ErrInvalid} }

// fieldError wraps a non-nil err as bad input in field.
func fieldError(field string, err error) error {
	if err == nil {
		return nil
	}
	var fe *FieldError
	if errors.As(err, &fe) {
		return err
	}
	return &FieldError{Field: field, Err: err}
}

// ErrContactExists is AddContact's answer to a number already in the
// address book (under this or another form of it).
var ErrContactExists = errors.New("already in the address book")

// existsError says which contact has the number; errors.Is finds
// ErrContactExists in it.
type existsError struct{ msg string }

func (e *existsError) Error() string        { return e.msg }
func (e *existsError) Is(target error) bool { return target == ErrContactExists }
