package store

import (
	"context"
	"database/sql"
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

// testdata/schema4.sql, the older-schema database the root package's
// doctor tests use, is what migrate makes with the first four migrations.
func TestSchema4FixtureMatchesTheMigrations(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()

	all := migrations
	migrations = all[:4]
	s, err := Open(filepath.Join(dir, "migrated.db"))
	migrations = all
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	fixture, err := os.ReadFile("../testdata/schema4.sql")
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", dsn(filepath.Join(dir, "fixture.db")))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, string(fixture)); err != nil {
		t.Fatal(err)
	}

	want, got := schemaObjects(t, s.DB()), schemaObjects(t, db)
	if len(want) != len(got) {
		t.Fatalf("the fixture has %d schema objects, migrations[:4] make %d", len(got), len(want))
	}
	for i := range want {
		if want[i] != got[i] {
			t.Errorf("schema object %d:\nfixture    %s\nmigrations %s", i, got[i], want[i])
		}
	}
	for _, q := range []*sql.DB{s.DB(), db} {
		if v, err := schemaVersion(ctx, q); err != nil || v != 4 {
			t.Errorf("schema version %d, %v; want 4", v, err)
		}
	}
}
