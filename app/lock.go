package app

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// ErrLocked is returned when another process holds the WhatsApp connection.
var ErrLocked = errors.New("another wabook holds the WhatsApp connection")

// LockedError names the process that holds the lock.
type LockedError struct {
	Path string
	PID  int
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("wabook (pid %d) holds the WhatsApp connection for this database (lock file %s)", e.PID, e.Path)
}

func (e *LockedError) Unwrap() error { return ErrLocked }

// Lock is the lock file next to the database that says which process owns
// the WhatsApp connection: only one may, or the two sessions would replace
// each other. The lock is an flock on the file, so it ends with the process
// however the process ends; the pid inside is only there to be named.
type Lock struct {
	path string
	file *os.File
}

// LockPath is where the lock for a database lives.
func LockPath(dbPath string) string { return dbPath + ".lock" }

// AcquireLock takes the lock for dbPath. When a live process holds it the
// error is a *LockedError naming that process.
func AcquireLock(dbPath string) (*Lock, error) {
	path := LockPath(dbPath)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening the lock file: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			pid, _ := lockHolder(path)
			return nil, &LockedError{Path: path, PID: pid}
		}
		return nil, fmt.Errorf("locking %s: %w", path, err)
	}
	if err := f.Truncate(0); err != nil {
		f.Close()
		return nil, fmt.Errorf("writing the lock file: %w", err)
	}
	if _, err := f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0); err != nil {
		f.Close()
		return nil, fmt.Errorf("writing the lock file: %w", err)
	}
	return &Lock{path: path, file: f}, nil
}

// lockHolder reads the pid written in a lock file.
func lockHolder(path string) (pid int, ok bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	pid, err = strconv.Atoi(strings.TrimSpace(string(b)))
	return pid, err == nil && pid > 0
}

// Release removes the lock file and lets the lock go.
func (l *Lock) Release() error {
	if l == nil || l.file == nil {
		return nil
	}
	// Remove while still holding the lock, so no one else's file goes.
	err := os.Remove(l.path)
	if cerr := l.file.Close(); err == nil {
		err = cerr
	}
	l.file = nil
	return err
}
