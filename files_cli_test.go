package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLogFileLinkIsRefused: a link planted where wabook writes its log
// (beside the database, or --log) is not followed: the command fails with
// one line naming it, and the file the link points to keeps its content.
func TestLogFileLinkIsRefused(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "w.db")
	victim := filepath.Join(dir, "precious.txt")
	if err := os.WriteFile(victim, []byte("keep me\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, log := range []string{filepath.Join(dir, "wabook.log"), filepath.Join(dir, "other.log")} {
		if err := os.Symlink(victim, log); err != nil {
			t.Fatal(err)
		}
		args := []string{"--sim", world, "--db", db, "contacts"}
		if filepath.Base(log) == "other.log" {
			args = append([]string{"--log", log}, args...)
		}
		_, stderr, code := runWabook(t, args...)
		if code != 1 || !strings.Contains(stderr, "symbolic link") || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q; want 1 and one line about the link", args, code, stderr)
		}
		if b, _ := os.ReadFile(victim); string(b) != "keep me\n" {
			t.Fatalf("the linked file now holds %q", b)
		}
	}
}
