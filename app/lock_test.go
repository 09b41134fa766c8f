package app

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

func TestLockIsExclusiveAndStaleLocksAreTakenOver(t *testing.T) {
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
