package store_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/wabook/wabook/store"
)

// checkCopy opens a backup as a database and finds the setting in it.
func checkCopy(t *testing.T, path, want string) {
	t.Helper()
	if m := mode(t, path); m != 0o600 {
		t.Errorf("backup mode %v, want 0600", m)
	}
	c, err := store.Open(path)
	if err != nil {
		t.Fatalf("the backup does not open: %v", err)
	}
	defer c.Close()
	if got := c.Integrity(ctx); got != "ok" {
		t.Errorf("backup integrity: %s", got)
	}
	if v, err := c.Setting(ctx, "backup.test"); err != nil || v != want {
		t.Errorf("backup holds %q, %v; want %q", v, err, want)
	}
}

func TestBackup(t *testing.T) {
	t.Parallel()

	s := open(t)
	if err := s.SetSetting(ctx, "backup.test", "one"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()

	t.Run("new file", func(t *testing.T) {
		dest := filepath.Join(dir, "new.db")
		if err := s.Backup(ctx, dest, false); err != nil {
			t.Fatal(err)
		}
		checkCopy(t, dest, "one")
		left, _ := filepath.Glob(filepath.Join(dir, ".wabook-backup-*"))
		if len(left) > 0 {
			t.Errorf("left behind: %v", left)
		}
	})
	t.Run("existing file without overwrite", func(t *testing.T) {
		dest := filepath.Join(dir, "taken.db")
		os.WriteFile(dest, []byte("mine"), 0o644)
		if err := s.Backup(ctx, dest, false); !errors.Is(err, store.ErrBackupExists) {
			t.Fatalf("err = %v, want ErrBackupExists", err)
		}
		if b, _ := os.ReadFile(dest); string(b) != "mine" {
			t.Errorf("the existing file now holds %q", b)
		}
	})
	t.Run("existing file overwritten", func(t *testing.T) {
		dest := filepath.Join(dir, "old.db")
		os.WriteFile(dest, []byte("old"), 0o644)
		if err := s.Backup(ctx, dest, true); err != nil {
			t.Fatal(err)
		}
		checkCopy(t, dest, "one")
	})
	t.Run("a link is replaced, not followed", func(t *testing.T) {
		target, dest := filepath.Join(dir, "target.txt"), filepath.Join(dir, "link.db")
		os.WriteFile(target, []byte("keep"), 0o600)
		if err := os.Symlink(target, dest); err != nil {
			t.Fatal(err)
		}
		if err := s.Backup(ctx, dest, false); !errors.Is(err, store.ErrBackupExists) {
			t.Fatalf("err = %v, want ErrBackupExists", err)
		}
		if err := s.Backup(ctx, dest, true); err != nil {
			t.Fatal(err)
		}
		if b, _ := os.ReadFile(target); string(b) != "keep" {
			t.Errorf("the link's target now holds %q", b)
		}
		checkCopy(t, dest, "one")
	})
	t.Run("the database itself", func(t *testing.T) {
		if err := s.Backup(ctx, s.Path(), true); err == nil {
			t.Fatal("backed up onto itself")
		}
		if v, err := s.Setting(ctx, "backup.test"); err != nil || v != "one" {
			t.Fatalf("database after: %q, %v", v, err)
		}
	})
	t.Run("from a read-only store", func(t *testing.T) {
		src := filepath.Join(t.TempDir(), "src.db")
		w, err := store.Open(src)
		if err != nil {
			t.Fatal(err)
		}
		w.SetSetting(ctx, "backup.test", "two")
		w.Close()
		r, err := store.OpenReadOnly(src)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		dest := filepath.Join(dir, "ro.db")
		if err := r.Backup(ctx, dest, false); err != nil {
			t.Fatal(err)
		}
		checkCopy(t, dest, "two")
		// The connection lent to the copy refuses writes again.
		for range 4 {
			if err := r.SetSetting(ctx, "x", "y"); err == nil {
				t.Fatal("a read-only store wrote after a backup")
			}
		}
	})
}
