package store_test

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/wabook/wabook/store"
)

var ctx = context.Background()

// open opens a fresh store in a temporary directory.
func open(t testing.TB) *store.Store {
	t.Helper()
	s, err := store.Open(filepath.Join(t.TempDir(), "wabook.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// count runs a count(*) query.
func count(t testing.TB, s *store.Store, q string, args ...any) int {
	t.Helper()
	var n int
	if err := s.DB().QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func mode(t *testing.T, path string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

func TestOpenCreatesPrivateDirAndFile(t *testing.T) {
	t.Parallel()

	dir := filepath.Join(t.TempDir(), "data", "wabook")
	path := filepath.Join(dir, "wabook.db")
	s, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Path() != path {
		t.Errorf("Path() = %q, want %q", s.Path(), path)
	}
	if m := mode(t, dir); m != 0o700 {
		t.Errorf("directory mode = %v, want 0700", m)
	}
	if m := mode(t, path); m != 0o600 {
		t.Errorf("file mode = %v, want 0600", m)
	}
	var fk int
	if err := s.DB().QueryRow(`PRAGMA foreign_keys`).Scan(&fk); err != nil || fk != 1 {
		t.Errorf("foreign_keys = %d, %v; want 1", fk, err)
	}
	var jm string
	if err := s.DB().QueryRow(`PRAGMA journal_mode`).Scan(&jm); err != nil || !strings.EqualFold(jm, "wal") {
		t.Errorf("journal_mode = %q, %v; want wal", jm, err)
	}
	// A commit is on disk when it returns (dsn says why FULL).
	var sync int
	if err := s.DB().QueryRow(`PRAGMA synchronous`).Scan(&sync); err != nil || sync != 2 {
		t.Errorf("synchronous = %d, %v; want 2 (FULL)", sync, err)
	}
}

// An existing file keeps the mode its user gave it (issue 11 point 10:
// Open used to force 0600 on it); a mode that lets others in is warned
// about, a private one is not.
func TestOpenKeepsTheModeOfAnExistingFile(t *testing.T) {
	t.Parallel()

	tests := []struct {
		mode fs.FileMode
		warn string
	}{
		{0o600, ""},
		{0o400, ""},
		{0o640, "open to its group (mode 0640)"},
		{0o644, "open to its group and other users (mode 0644)"},
		{0o606, "open to other users (mode 0606)"},
	}
	for _, tt := range tests {
		t.Run(tt.mode.String(), func(t *testing.T) {
			t.Parallel()

			path := filepath.Join(t.TempDir(), "wabook.db")
			s, err := store.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			if w := store.PermissionWarning(path); w != "" {
				t.Errorf("a file wabook made is warned about: %s", w)
			}
			s.Close()
			if err := os.Chmod(path, tt.mode); err != nil {
				t.Fatal(err)
			}
			s, err = store.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if m := mode(t, path); m != tt.mode {
				t.Errorf("file mode after reopen = %v, want %v as the user left it", m, tt.mode)
			}
			w := store.PermissionWarning(path)
			if tt.warn == "" && w != "" || !strings.Contains(w, tt.warn) || tt.warn != "" && !strings.Contains(w, "chmod go-rwx "+path) {
				t.Errorf("warning %q, want one with %q and the chmod to run", w, tt.warn)
			}
		})
	}
}

func TestOpenEmptyExistingFile(t *testing.T) {
	t.Parallel()

	path := filepath.Join(t.TempDir(), "wabook.db")
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := store.Open(path)
	if err != nil {
		t.Fatalf("an empty file should become a database: %v", err)
	}
	s.Close()
}

func TestOpenOddPath(t *testing.T) {
	t.Parallel()

	dir := filepath.Join(t.TempDir(), "we?ird#na%20me")
	path := filepath.Join(dir, "wabook.db")
	s, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.SetSetting(ctx, "k", "v"); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Size() == 0 {
		t.Fatalf("database not at %q: %v", path, err)
	}
}

func TestMigrationsIdempotentOnReopen(t *testing.T) {
	t.Parallel()

	path := filepath.Join(t.TempDir(), "wabook.db")
	s, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetSetting(ctx, "theme", "dark"); err != nil {
		t.Fatal(err)
	}
	tables := count(t, s, `SELECT count(*) FROM sqlite_master`)
	s.Close()

	for i := 0; i < 3; i++ {
		s, err = store.Open(path)
		if err != nil {
			t.Fatalf("reopen %d: %v", i, err)
		}
		if got := count(t, s, `SELECT count(*) FROM sqlite_master`); got != tables {
			t.Errorf("reopen %d: %d schema objects, want %d", i, got, tables)
		}
		if got := count(t, s, `SELECT count(*) FROM wabook_version`); got != 1 {
			t.Errorf("reopen %d: %d version rows, want 1", i, got)
		}
		if got := count(t, s, `SELECT max(version) FROM wabook_version`); got != store.SchemaVersion() {
			t.Errorf("reopen %d: version %d, want %d", i, got, store.SchemaVersion())
		}
		if v, err := s.Setting(ctx, "theme"); err != nil || v != "dark" {
			t.Errorf("reopen %d: setting = %q, %v", i, v, err)
		}
		s.Close()
	}
}

func TestOpenRefusesNonSQLite(t *testing.T) {
	t.Parallel()

	random := make([]byte, 8192)
	for i := range random {
		random[i] = byte(i*7 + i/13)
	}
	tests := []struct {
		name    string
		content []byte
	}{
		{"text", []byte("these are my contacts\nalice +1 555 0100\n")},
		{"short", []byte("SQLite")},
		{"almost header", []byte("SQLite format 2\x00" + strings.Repeat("x", 100))},
		{"json", []byte(`{"contacts": []}`)},
		{"binary", random},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			dir := t.TempDir()
			path := filepath.Join(dir, "wabook.db")
			if err := os.WriteFile(path, tt.content, 0o644); err != nil {
				t.Fatal(err)
			}
			before, _ := os.Stat(path)
			s, err := store.Open(path)
			if err == nil {
				s.Close()
				t.Fatal("Open accepted a file that is not SQLite")
			}
			if !errors.Is(err, store.ErrNotSQLite) {
				t.Errorf("error = %v, want ErrNotSQLite", err)
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name the file", err)
			}
			after, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(after, tt.content) {
				t.Error("file content changed")
			}
			fi, _ := os.Stat(path)
			if fi.Mode() != before.Mode() || !fi.ModTime().Equal(before.ModTime()) {
				t.Errorf("file mode/mtime changed: %v %v -> %v %v", before.Mode(), before.ModTime(), fi.Mode(), fi.ModTime())
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != 1 {
				t.Errorf("directory has %d entries, want only the file", len(entries))
			}
		})
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	t.Parallel()

	path := filepath.Join(t.TempDir(), "wabook.db")
	s, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	newer := store.SchemaVersion() + 1
	if _, err := s.DB().Exec(`UPDATE wabook_version SET version = ?`, newer); err != nil {
		t.Fatal(err)
	}
	s.Close()

	s, err = store.Open(path)
	if err == nil {
		s.Close()
		t.Fatal("Open accepted a newer schema")
	}
	if !errors.Is(err, store.ErrNewerSchema) {
		t.Errorf("error = %v, want ErrNewerSchema", err)
	}
	for _, v := range []int{newer, store.SchemaVersion()} {
		if !strings.Contains(err.Error(), strconv.Itoa(v)) {
			t.Errorf("error %q does not mention version %d", err, v)
		}
	}
}

func TestDefaultPath(t *testing.T) {
	home, err := os.UserHomeDir()
	if err != nil {
		t.Skip("no home directory")
	}
	tests := []struct {
		name, db, xdg, want string
	}{
		{"WABOOK_DB wins", "/tmp/x.db", "/data", "/tmp/x.db"},
		{"XDG_DATA_HOME", "", "/data", "/data/wabook/wabook.db"},
		{"relative XDG ignored", "", "rel", filepath.Join(home, ".local/share/wabook/wabook.db")},
		{"home fallback", "", "", filepath.Join(home, ".local/share/wabook/wabook.db")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("WABOOK_DB", tt.db)
			t.Setenv("XDG_DATA_HOME", tt.xdg)
			got, err := store.DefaultPath()
			if err != nil || got != tt.want {
				t.Errorf("DefaultPath() = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestSettings(t *testing.T) {
	t.Parallel()

	s := open(t)
	if v, err := s.Setting(ctx, "missing"); err != nil || v != "" {
		t.Errorf("unset setting = %q, %v", v, err)
	}
	for _, v := range []string{"1", "2"} {
		if err := s.SetSetting(ctx, "k", v); err != nil {
			t.Fatal(err)
		}
		if got, err := s.Setting(ctx, "k"); err != nil || got != v {
			t.Errorf("setting = %q, %v; want %q", got, err, v)
		}
	}
}
