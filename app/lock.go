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
// each other.
type Lock struct {
	path string
}

// LockPath is where the lock for a database lives.
func LockPath(dbPath string) string { return dbPath + ".lock" }

// AcquireLock takes the lock for dbPath. A lock left by a process that no
// longer runs is taken over. When a live process holds it the error is a
// *LockedError.
func AcquireLock(dbPath string) (*Lock, error) {
	path := LockPath(dbPath)
	for attempt := 0; attempt < 3; attempt++ {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err == nil {
			_, werr := f.WriteString(strconv.Itoa(os.Getpid()) + "\n")
			cerr := f.Close()
			if werr != nil || cerr != nil {
				os.Remove(path)
				return nil, fmt.Errorf("writing the lock file %s: %w", path, errors.Join(werr, cerr))
			}
			return &Lock{path: path}, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("creating the lock file: %w", err)
		}
		pid, alive := lockHolder(path)
		if alive {
			return nil, &LockedError{Path: path, PID: pid}
		}
		// Stale: its process is gone (killed, or a dropped SSH session).
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("removing the stale lock file: %w", err)
		}
	}
	return nil, fmt.Errorf("could not take the lock file %s", path)
}

// lockHolder reads the pid in a lock file and whether that process runs.
func lockHolder(path string) (pid int, alive bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	pid, err = strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return 0, false
	}
	if pid == os.Getpid() {
		return pid, true
	}
	err = syscall.Kill(pid, 0)
	return pid, err == nil || errors.Is(err, syscall.EPERM)
}

// Release removes the lock file if it is still ours.
func (l *Lock) Release() error {
	if l == nil {
		return nil
	}
	if pid, _ := lockHolder(l.path); pid != os.Getpid() {
		return nil
	}
	return os.Remove(l.path)
}
