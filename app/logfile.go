// The log file, reopened on demand: wabook serve runs for months, and
// logrotate moves the file away and sends SIGHUP for the process to start
// a new one at the same path.
package app

import (
	"fmt"
	"os"
	"sync"
)

// LogFile is an append-only log file that Reopen can swap for a new one at
// the same path while writers keep writing to it. It is opened through
// OpenRegularFile: never through a link, never into anything but a plain
// file of its own.
type LogFile struct {
	path string
	mu   sync.Mutex
	f    *os.File
}

// OpenLogFile opens (creating, 0600) the log file at path for appending.
func OpenLogFile(path string) (*LogFile, error) {
	f, err := OpenRegularFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, err
	}
	return &LogFile{path: path, f: f}, nil
}

// Path is where the log is written.
func (l *LogFile) Path() string { return l.path }

// Write appends p to the current file.
func (l *LogFile) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return 0, os.ErrClosed
	}
	return l.f.Write(p)
}

// Reopen opens the file at the path again (a new one when it was moved
// away) and closes the old one; when the open fails, writing goes on to
// the old one and the error says why.
func (l *LogFile) Reopen() error {
	f, err := OpenRegularFile(l.path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("reopening the log file: %w", err)
	}
	l.mu.Lock()
	old := l.f
	l.f = f
	l.mu.Unlock()
	if old != nil {
		old.Close()
	}
	return nil
}

// Close closes the file; later writes fail.
func (l *LogFile) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}
