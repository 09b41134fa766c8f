package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wabook/wabook/store"
)

// files reads every file in dir.
func files(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]byte{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		got[e.Name()] = b
	}
	return got
}

// unchanged fails when dir's files (but the names in volatile, which
// SQLite may rewrite) differ from before, or files came or went.
func unchanged(t *testing.T, dir string, before map[string][]byte, volatile ...string) {
	t.Helper()
	after := files(t, dir)
	if len(after) != len(before) {
		t.Errorf("%d files after, %d before", len(after), len(before))
	}
outer:
	for name, b := range before {
		for _, v := range volatile {
			if name == v {
				continue outer
			}
		}
		if a, ok := after[name]; !ok || !bytes.Equal(a, b) {
			t.Errorf("%s changed (%d bytes before, %d after)", name, len(b), len(a))
		}
	}
}

// schema4 writes a closed database at schema 4, as a wabook from before
// migration 5 left it.
func schema4(t *testing.T, path string) {
	t.Helper()
	if err := store.CreateAtSchema(context.Background(), path, 4); err != nil {
		t.Fatal(err)
	}
}

// OpenReadOnly reads what is there, refuses every write, creates nothing
// and leaves the files as they were; OpenCurrent refuses to migrate.
func TestOpenReadOnly(t *testing.T) {
	t.Parallel()

	t.Run("missing file", func(t *testing.T) {
		t.Parallel()

		dir := t.TempDir()
		if s, err := store.OpenReadOnly(filepath.Join(dir, "w.db")); err == nil || !errors.Is(err, fs.ErrNotExist) {
			if s != nil {
				s.Close()
			}
			t.Fatalf("err = %v, want fs.ErrNotExist", err)
		}
		if s, err := store.OpenCurrent(filepath.Join(dir, "w.db")); err == nil || !errors.Is(err, fs.ErrNotExist) {
			if s != nil {
				s.Close()
			}
			t.Fatalf("OpenCurrent: err = %v, want fs.ErrNotExist", err)
		}
		if len(files(t, dir)) != 0 {
			t.Error("a file was created")
		}
	})
	t.Run("not SQLite", func(t *testing.T) {
		t.Parallel()

		path := filepath.Join(t.TempDir(), "w.db")
		os.WriteFile(path, []byte("hello"), 0o644)
		if _, err := store.OpenReadOnly(path); !errors.Is(err, store.ErrNotSQLite) {
			t.Fatalf("err = %v, want ErrNotSQLite", err)
		}
	})

	for _, tt := range []struct {
		name   string
		make   func(t *testing.T, path string)
		schema int
	}{
		{"empty file", func(t *testing.T, path string) { os.WriteFile(path, nil, 0o644) }, 0},
		{"schema 4", schema4, 4},
		{"current", func(t *testing.T, path string) {
			s, err := store.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			s.SetSetting(ctx, "k", "v")
			s.Close()
		}, store.SchemaVersion()},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			dir := t.TempDir()
			path := filepath.Join(dir, "w.db")
			tt.make(t, path)
			if err := os.Chmod(path, 0o644); err != nil { // Open would tighten it
				t.Fatal(err)
			}
			before := files(t, dir)

			s, err := store.OpenReadOnly(path)
			if err != nil {
				t.Fatal(err)
			}
			if v, err := s.FileSchemaVersion(ctx); err != nil || v != tt.schema {
				t.Errorf("FileSchemaVersion = %d, %v; want %d", v, err, tt.schema)
			}
			if got := s.Integrity(ctx); got != "ok" {
				t.Errorf("Integrity = %q", got)
			}
			if _, err := s.DB().Exec(`CREATE TABLE intruder (a)`); err == nil {
				t.Error("a write went through")
			}
			if err := s.SetSetting(ctx, "k", "w"); err == nil {
				t.Error("SetSetting went through")
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			unchanged(t, dir, before)
			if m := mode(t, path); m != 0o644 {
				t.Errorf("mode %v, want it left at 0644", m)
			}

			c, err := store.OpenCurrent(path)
			if tt.schema == store.SchemaVersion() {
				if err != nil {
					t.Fatalf("OpenCurrent on a current database: %v", err)
				}
				if err := c.SetSetting(ctx, "k", "w"); err != nil {
					t.Errorf("OpenCurrent cannot write: %v", err)
				}
				c.Close()
				return
			}
			if err == nil {
				c.Close()
				t.Fatal("OpenCurrent opened an older schema")
			}
			if !errors.Is(err, store.ErrOlderSchema) {
				t.Errorf("OpenCurrent: err = %v, want ErrOlderSchema", err)
			}
			unchanged(t, dir, before)
		})
	}
}

// A wabook that stopped without closing the database leaves what it wrote
// in the WAL, not yet checkpointed; OpenReadOnly reads it there, and
// closing it checkpoints nothing into the database (the -shm, SQLite's
// index of the WAL, may be rebuilt).
func TestOpenReadOnlyLeavesAStoppedWritersWAL(t *testing.T) {
	t.Parallel()

	live := filepath.Join(t.TempDir(), "w.db")
	w, err := store.Open(live)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.SetSetting(ctx, "k", "in the WAL"); err != nil {
		t.Fatal(err)
	}
	// The files as the writer has them now, as if it had been killed.
	dir := t.TempDir()
	for _, suffix := range []string{"", "-wal", "-shm"} {
		b, err := os.ReadFile(live + suffix)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "w.db"+suffix), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	before := files(t, dir)
	if len(before["w.db-wal"]) == 0 {
		t.Fatal("the writer's WAL is empty: nothing to test")
	}

	r, err := store.OpenReadOnly(filepath.Join(dir, "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	if v, err := r.Setting(ctx, "k"); err != nil || v != "in the WAL" {
		t.Errorf("Setting = %q, %v", v, err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	unchanged(t, dir, before, "w.db-shm")
}

// A rollback journal left by a write that was cut off (a database that is
// not in WAL mode) is left for a writer to recover: reading it read-only
// rewrites nothing and keeps the journal.
func TestOpenReadOnlyLeavesAHotJournal(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "w.db")
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	for _, q := range []string{`PRAGMA journal_mode=DELETE`, `PRAGMA cache_size=1`, `BEGIN IMMEDIATE`} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	// Enough changed pages to spill into the database file before the
	// commit that never comes: the journal holds what they were.
	for i := range 2000 {
		if _, err := db.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)`,
			fmt.Sprintf("k%d", i), strings.Repeat("x", 200)); err != nil {
			t.Fatal(err)
		}
	}
	// The files as a killed writer leaves them.
	crash := filepath.Join(t.TempDir(), "w.db")
	for _, suffix := range []string{"", "-journal"} {
		data, err := os.ReadFile(path + suffix)
		if err != nil {
			t.Fatalf("%s: %v", suffix, err)
		}
		if err := os.WriteFile(crash+suffix, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	before, _ := os.ReadFile(crash)
	if ro, err := store.OpenReadOnly(crash); err == nil {
		_, _ = ro.FileSchemaVersion(ctx)
		ro.Close()
	}
	after, _ := os.ReadFile(crash)
	if !bytes.Equal(before, after) {
		t.Error("reading read-only rolled the journal back into the database")
	}
	if _, err := os.Stat(crash + "-journal"); err != nil {
		t.Errorf("the journal is gone: %v", err)
	}
}
