package app

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

func TestLockIsExclusiveAndStaleLocksAreTakenOver(t *testing.T) {
	t.Parallel()

	db := filepath.Join(t.TempDir(), "w.db")
	first, err := AcquireLock(db)
	if err != nil {
		t.Fatal(err)
	}
	// A second holder in this process would be a live pid: refused.
	_, err = AcquireLock(db)
	var locked *LockedError
	if !errors.As(err, &locked) || locked.PID != os.Getpid() || !errors.Is(err, ErrLocked) {
		t.Fatalf("second lock: %v, want a LockedError naming pid %d", err, os.Getpid())
	}
	if err := first.Release(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(LockPath(db)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("lock file still there after release: %v", err)
	}

	// A lock left by a process that has exited is stale.
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skip("cannot run a child process:", err)
	}
	if err := os.WriteFile(LockPath(db), []byte(strconv.Itoa(cmd.Process.Pid)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := AcquireLock(db)
	if err != nil {
		t.Fatalf("stale lock not taken over: %v", err)
	}
	b, _ := os.ReadFile(LockPath(db))
	if string(b) != strconv.Itoa(os.Getpid())+"\n" {
		t.Errorf("lock file holds %q", b)
	}
	l.Release()

	// Garbage in the lock file is stale too.
	os.WriteFile(LockPath(db), []byte("not a pid"), 0o600)
	if l, err = AcquireLock(db); err != nil {
		t.Fatalf("garbage lock not taken over: %v", err)
	}
	l.Release()
}

// TestLockReleaseRaceKeepsOneHolder forces the interleaving in which a
// release lets two processes hold the lock: B opens the lock file while A
// holds it; A releases (the path goes away); C creates a new file and locks
// it; B then locks the old file, which no one holds any more. B must see
// that its file is no longer the lock file and find C's.
func TestLockReleaseRaceKeepsOneHolder(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.db")
	a, err := AcquireLock(db)
	if err != nil {
		t.Fatal(err)
	}
	var c *Lock
	var cErr error
	calls := 0
	lockBeforeFlock = func() {
		calls++
		if calls != 1 {
			return // C's own acquire
		}
		if err := a.Release(); err != nil {
			t.Errorf("releasing A: %v", err)
		}
		c, cErr = AcquireLock(db)
	}
	defer func() { lockBeforeFlock = nil }()

	b, bErr := AcquireLock(db)
	lockBeforeFlock = nil
	if cErr != nil {
		t.Fatalf("C could not take the released lock: %v", cErr)
	}
	defer c.Release()
	if bErr == nil {
		b.Release()
		t.Fatal("B and C both hold the lock")
	}
	var locked *LockedError
	if !errors.As(bErr, &locked) || locked.PID != os.Getpid() {
		t.Fatalf("B: %v, want a LockedError naming C (pid %d)", bErr, os.Getpid())
	}
}

// TestLockRefusesLinksAndOddFiles: a link planted at the lock path is not
// followed (the file it points to keeps its content), and whatever is not a
// plain file of its own there is refused, without hanging on a FIFO.
func TestLockRefusesLinksAndOddFiles(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name  string
		plant func(t *testing.T, lock, victim string)
		want  string
	}{
		{"symlink to a file", func(t *testing.T, lock, victim string) {
			if err := os.Symlink(victim, lock); err != nil {
				t.Fatal(err)
			}
		}, "symbolic link"},
		{"dangling symlink", func(t *testing.T, lock, victim string) {
			if err := os.Symlink(victim+".new", lock); err != nil {
				t.Fatal(err)
			}
		}, "symbolic link"},
		{"hard link", func(t *testing.T, lock, victim string) {
			if err := os.Link(victim, lock); err != nil {
				t.Fatal(err)
			}
		}, "hard links"},
		{"fifo", func(t *testing.T, lock, victim string) {
			if err := syscall.Mkfifo(lock, 0o600); err != nil {
				t.Fatal(err)
			}
		}, "named pipe"},
		{"directory", func(t *testing.T, lock, victim string) {
			if err := os.Mkdir(lock, 0o700); err != nil {
				t.Fatal(err)
			}
		}, "directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			dir := t.TempDir()
			db := filepath.Join(dir, "w.db")
			victim := filepath.Join(dir, "precious.txt")
			if err := os.WriteFile(victim, []byte("keep me\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			tt.plant(t, LockPath(db), victim)
			l, err := AcquireLock(db)
			if err == nil {
				l.Release()
				t.Fatal("lock taken through a planted file")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want it to say %q", err, tt.want)
			}
			if b, _ := os.ReadFile(victim); string(b) != "keep me\n" {
				t.Errorf("the file the link points to now holds %q", b)
			}
			if _, err := os.Stat(victim + ".new"); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the dangling link's target was created: %v", err)
			}
		})
	}
}
