package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// schemaObjects lists a database's schema: what migrations made.
func schemaObjects(t *testing.T, db *sql.DB) []string {
	t.Helper()
	rows, err := db.Query(`SELECT type || ' ' || name || ': ' || coalesce(sql, '') FROM sqlite_master ORDER BY type, name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var objs []string
	for rows.Next() {
		var o string
		if err := rows.Scan(&o); err != nil {
			t.Fatal(err)
		}
		objs = append(objs, o)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return objs
}

// CreateAtSchema stops at the version asked for, makes at the latest one
// what Open makes, and refuses a bad version or an existing file without
// touching anything.
func TestCreateAtSchema(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	dir := t.TempDir()

	opened, err := Open(filepath.Join(dir, "opened.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer opened.Close()

	for v := 1; v <= SchemaVersion(); v++ {
		path := filepath.Join(dir, "v", fmt.Sprint(v)+".db")
		if err := CreateAtSchema(ctx, path, v); err != nil {
			t.Fatalf("version %d: %v", v, err)
		}
		s, err := OpenReadOnly(path)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := schemaVersion(ctx, s.DB()); err != nil || got != v {
			t.Errorf("CreateAtSchema(%d) left schema version %d, %v", v, got, err)
		}
		if v == SchemaVersion() {
			want, got := schemaObjects(t, opened.DB()), schemaObjects(t, s.DB())
			if fmt.Sprint(want) != fmt.Sprint(got) {
				t.Errorf("at the latest version:\nCreateAtSchema %v\nOpen           %v", got, want)
			}
		}
		s.Close()
	}

	for _, v := range []int{0, -1, SchemaVersion() + 1} {
		path := filepath.Join(dir, "bad.db")
		if err := CreateAtSchema(ctx, path, v); err == nil {
			t.Errorf("CreateAtSchema(%d) made a database", v)
		}
		if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("CreateAtSchema(%d) left %s behind (%v)", v, path, err)
		}
	}

	existing := filepath.Join(dir, "existing.db")
	if err := os.WriteFile(existing, []byte("not mine"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := CreateAtSchema(ctx, existing, 4); !errors.Is(err, fs.ErrExist) {
		t.Errorf("CreateAtSchema over an existing file: %v, want fs.ErrExist", err)
	}
	if b, err := os.ReadFile(existing); err != nil || string(b) != "not mine" {
		t.Errorf("the existing file is now %q, %v", b, err)
	}
}
