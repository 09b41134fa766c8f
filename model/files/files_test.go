package files

import (
	"os"
	"path/filepath"
	"testing"
)

func TestXDGPath(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("WABOOK_TEST_FILE", "")
	t.Setenv("XDG_TEST_HOME", "")
	got, err := XDGPath("WABOOK_TEST_FILE", "XDG_TEST_HOME", filepath.Join(".local", "share"), "x.db")
	if want := filepath.Join(home, ".local", "share", "wabook", "x.db"); err != nil || got != want {
		t.Errorf("no variables: %q, %v; want %q", got, err, want)
	}
	t.Setenv("XDG_TEST_HOME", "relative/dir") // ignored, as the XDG rules say
	if got, _ := XDGPath("WABOOK_TEST_FILE", "XDG_TEST_HOME", ".config", "x.db"); got != filepath.Join(home, ".config", "wabook", "x.db") {
		t.Errorf("relative XDG dir: %q", got)
	}
	t.Setenv("XDG_TEST_HOME", "/xdg")
	if got, _ := XDGPath("WABOOK_TEST_FILE", "XDG_TEST_HOME", ".config", "x.db"); got != "/xdg/wabook/x.db" {
		t.Errorf("XDG dir: %q", got)
	}
	t.Setenv("WABOOK_TEST_FILE", "/here/x.db")
	if got, _ := XDGPath("WABOOK_TEST_FILE", "XDG_TEST_HOME", ".config", "x.db"); got != "/here/x.db" {
		t.Errorf("override: %q", got)
	}
}

func TestSameAt(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a, b, link := filepath.Join(dir, "a"), filepath.Join(dir, "b"), filepath.Join(dir, "link")
	for _, p := range []string{a, b} {
		if err := os.WriteFile(p, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(a, link); err != nil {
		t.Fatal(err)
	}
	fa, err := os.Stat(a)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path string
		stat func(string) (os.FileInfo, error)
		want bool
	}{
		{a, os.Stat, true},
		{b, os.Stat, false},
		{filepath.Join(dir, "missing"), os.Stat, false},
		{link, os.Stat, true},   // followed
		{link, os.Lstat, false}, // the link itself
	}
	for _, tt := range tests {
		if got, err := SameAt(fa, tt.path, tt.stat); err != nil || got != tt.want {
			t.Errorf("SameAt(a, %s): %v, %v; want %v", filepath.Base(tt.path), got, err, tt.want)
		}
	}
	if _, err := SameAt(fa, filepath.Join(a, "under-a-file"), os.Stat); err == nil {
		t.Error("a path under a plain file: no error")
	}
}
