package app

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"syscall"

	"github.com/wabook/wabook/model/files"
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

// lockBeforeFlock, when set, runs between opening the lock file and
// locking it (the tests force the interleaving of two acquirers with a
// release through it).
var lockBeforeFlock func()

// LockPath is where the lock for a database lives.
func LockPath(dbPath string) string { return dbPath + ".lock" }

// AcquireLock takes the lock for dbPath. When a live process holds it the
// error is a *LockedError naming that process. The lock file is never
// followed through a symbolic link, and anything but a plain file at its
// path is refused: a link planted there would make wabook write its pid
// into the file it points to.
func AcquireLock(dbPath string) (*Lock, error) {
	path := LockPath(dbPath)
	// Release removes the file while holding it, so a process that opened
	// the old file before that locks a file that is no longer the lock
	// file: it opens the one at the path again. A few rounds are plenty;
	// more means something keeps replacing the file.
	for range 10 {
		f, err := OpenRegularFile(path, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return nil, fmt.Errorf("opening the lock file: %w", err)
		}
		if lockBeforeFlock != nil {
			lockBeforeFlock()
		}
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			f.Close()
			if errors.Is(err, syscall.EWOULDBLOCK) {
				pid, _ := lockHolder(path)
				return nil, &LockedError{Path: path, PID: pid}
			}
			return nil, fmt.Errorf("locking %s: %w", path, err)
		}
		if same, err := isFileAt(f, path); err != nil {
			f.Close()
			return nil, fmt.Errorf("locking %s: %w", path, err)
		} else if !same {
			f.Close()
			continue
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
	return nil, fmt.Errorf("locking %s: the file keeps being replaced", path)
}

// isFileAt reports whether the open file f is still the file at path (not
// removed or replaced since it was opened).
func isFileAt(f *os.File, path string) (bool, error) {
	held, err := f.Stat()
	if err != nil {
		return false, err
	}
	return files.SameAt(held, path, os.Lstat)
}

// OpenRegularFile opens path like os.OpenFile, but refuses a symbolic link
// at the path (it is not followed), anything that is not a regular file
// (a FIFO, a device, a directory: O_NONBLOCK keeps the open of a FIFO from
// hanging) and a file with other hard links, which could be another file
// of the user's under a planted name. wabook's lock and log files are
// opened through it.
func OpenRegularFile(path string, flag int, perm os.FileMode) (*os.File, error) {
	f, err := os.OpenFile(path, flag|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, perm)
	if errors.Is(err, syscall.ELOOP) {
		return nil, fmt.Errorf("%s is a symbolic link; refusing to follow it", path)
	}
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%s is not a regular file (%s); refusing to use it", path, fileKind(fi.Mode()))
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && st.Nlink > 1 {
		f.Close()
		return nil, fmt.Errorf("%s has %d hard links; refusing to use it (remove it and wabook makes its own)", path, st.Nlink)
	}
	return f, nil
}

func fileKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "mode " + m.String()
}

// lockHolder reads the pid written in a lock file.
func lockHolder(path string) (pid int, ok bool) {
	f, err := OpenRegularFile(path, os.O_RDONLY, 0)
	if err != nil {
		return 0, false
	}
	b, err := io.ReadAll(io.LimitReader(f, 32))
	f.Close()
	if err != nil {
		return 0, false
	}
	pid, err = strconv.Atoi(strings.TrimSpace(string(b)))
	return pid, err == nil && pid > 0
}

// Release removes the lock file and lets the lock go. It removes the file
// while still holding it, so no one else's lock file goes; a process that
// opened this file before it went sees, once it has locked it, that it is
// no longer the file at the path (AcquireLock), and tries the path again.
func (l *Lock) Release() error {
	if l == nil || l.file == nil {
		return nil
	}
	err := os.Remove(l.path)
	if cerr := l.file.Close(); err == nil {
		err = cerr
	}
	l.file = nil
	return err
}
