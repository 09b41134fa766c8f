package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/store"
	"github.com/wabook/wabook/wa/wm"
)

// dirFiles is every file in dir with its bytes: what doctor must leave as
// it found it, -wal and -shm files included.
func dirFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files[e.Name()] = b
	}
	return files
}

// sameFiles fails the test when the files in dir differ from before.
func sameFiles(t *testing.T, what, dir string, before map[string][]byte) {
	t.Helper()
	after := dirFiles(t, dir)
	for name, b := range before {
		if a, ok := after[name]; !ok {
			t.Errorf("%s removed %s", what, name)
		} else if !bytes.Equal(a, b) {
			t.Errorf("%s changed %s (%d bytes before, %d after)", what, name, len(b), len(a))
		}
	}
	for name := range after {
		if _, ok := before[name]; !ok {
			t.Errorf("%s left %s behind", what, name)
		}
	}
}

// schema4Database writes a closed database at wabook's schema 4, as a
// wabook from before migration 5 left it, that finished a sync once.
func schema4Database(t *testing.T, path string) {
	t.Helper()
	if err := store.CreateAtSchema(context.Background(), path, 4); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO settings (key, value) VALUES ('sync.last_completed', '2026-01-02T03:04:05Z')`); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

// sessionDatabase writes a closed, current database with whatsmeow's
// session tables (an account that was never paired), as the real backend
// leaves it.
func sessionDatabase(t *testing.T, path string) {
	t.Helper()
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	b, err := wm.New(context.Background(), st.DB(), wm.Options{State: app.SettingsKV(st)})
	if err != nil {
		t.Fatal(err)
	}
	b.Close()
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
}

// doctorLine is the one line of doctor's text output for key, without the
// key; it fails the test when there is not exactly one.
func doctorLine(t *testing.T, out, key string) string {
	t.Helper()
	l := docLines(out, key)
	if len(l) != 1 {
		t.Fatalf("%d %q lines in\n%s", len(l), key, out)
	}
	return strings.TrimSpace(strings.TrimPrefix(l[0], key+":"))
}

// Doctor and --version open the database read-only: an empty file, a
// database of an older schema and one with whatsmeow's tables are left
// byte for byte (no migration, no whatsmeow table upgrade, no -wal or -shm
// left behind), and the report says what it found.
func TestDoctorAndVersionNeverChangeTheDatabase(t *testing.T) {
	latest := store.SchemaVersion()
	for _, tt := range []struct {
		name   string
		make   func(t *testing.T, path string)
		schema string
		// unknown is in the "unknown" line; "" when there is none.
		unknown string
	}{
		{"empty file", func(t *testing.T, path string) {
			if err := os.WriteFile(path, nil, 0o600); err != nil {
				t.Fatal(err)
			}
		}, fmt.Sprintf("none (this wabook writes %d): not a wabook database", latest), "not a wabook database"},
		{"older schema", schema4Database, fmt.Sprintf("4 (this wabook writes %d): not upgraded", latest),
			fmt.Sprintf("the database has schema 4 and this wabook writes %d", latest)},
		{"whatsmeow tables", sessionDatabase, fmt.Sprintf("%d (this wabook writes %d)", latest, latest), ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			db := filepath.Join(dir, "w.db")
			tt.make(t, db)
			before := dirFiles(t, dir)

			out, errOut, code := runWabook(t, "--db", db, "doctor")
			if code != 0 || errOut != "" {
				t.Fatalf("doctor: exit %d, stderr %q\n%s", code, errOut, out)
			}
			sameFiles(t, "doctor", dir, before)
			if got := doctorLine(t, out, "schema version"); got != tt.schema {
				t.Errorf("schema version: %q, want %q", got, tt.schema)
			}
			if got := doctorLine(t, out, "integrity"); got != "ok" {
				t.Errorf("integrity: %q", got)
			}
			if tt.unknown == "" {
				if l := docLines(out, "unknown"); len(l) != 0 || doctorLine(t, out, "account") != "not paired" {
					t.Errorf("a session database reads as\n%s", out)
				}
			} else if got := doctorLine(t, out, "unknown"); !strings.Contains(got, tt.unknown) ||
				doctorLine(t, out, "account") != "unknown" {
				t.Errorf("unknown: %q, want it to say %q; account %q", got, tt.unknown, doctorLine(t, out, "account"))
			}

			r := doctorJSON(t, "--db", db, "doctor", "--json")
			sameFiles(t, "doctor --json", dir, before)
			if !r.Database.Exists || r.Database.Integrity != "ok" {
				t.Errorf("database %+v", r.Database)
			}

			out, errOut, code = runWabook(t, "--db", db, "--version")
			if code != 0 || errOut != "" || !strings.Contains(out, "WhatsApp Web "+wm.BuiltInVersion()+" (built-in)") {
				t.Errorf("--version: exit %d, stderr %q\n%s", code, errOut, out)
			}
			sameFiles(t, "--version", dir, before)
		})
	}
}

// On session tables of another whatsmeow version doctor starts no backend
// (whatsmeow would upgrade them) and says why; the file is left as it was.
func TestDoctorSkipsSessionTablesOfAnotherVersion(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "w.db")
	sessionDatabase(t, db)
	st, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	var v int
	if err := st.DB().QueryRow(`SELECT version FROM whatsmeow_version`).Scan(&v); err != nil {
		t.Fatal(err)
	}
	if _, err := st.DB().Exec(`UPDATE whatsmeow_version SET version = ?, compat = ?`, v-1, v-1); err != nil {
		t.Fatal(err)
	}
	st.Close()
	before := dirFiles(t, dir)

	out, errOut, code := runWabook(t, "--db", db, "doctor")
	if code != 0 || errOut != "" {
		t.Fatalf("doctor: exit %d, stderr %q\n%s", code, errOut, out)
	}
	sameFiles(t, "doctor", dir, before)
	want := fmt.Sprintf("account, app state and check queue: the WhatsApp session tables are at version %d and this wabook's whatsmeow uses %d: not upgraded", v-1, v)
	if got := doctorLine(t, out, "unknown"); got != want {
		t.Errorf("unknown: %q, want %q", got, want)
	}
	if got := doctorLine(t, out, "account"); got != "unknown" {
		t.Errorf("account: %q", got)
	}
}

// --refresh still fetches on an older schema, but does not migrate the
// database to cache what it fetched: it says so in one line.
func TestDoctorRefreshOnAnOlderSchemaDoesNotCache(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "w.db")
	schema4Database(t, db)
	before := dirFiles(t, dir)
	srv, hits := versionPage(t, versionPageBody)
	withConfig(t, `{"wa_version_url":"`+srv.URL+`"}`)

	out, errOut, code := runWabook(t, "--db", db, "doctor", "--refresh")
	if code != 0 || errOut != "" || hits.Load() != 1 {
		t.Fatalf("exit %d, stderr %q, %d requests\n%s", code, errOut, hits.Load(), out)
	}
	sameFiles(t, "doctor --refresh", dir, before)
	want := fmt.Sprintf("not cached: the database has schema 4 and this wabook writes %d; doctor does not upgrade it (any other wabook command does)", store.SchemaVersion())
	if got := doctorLine(t, out, "version note"); got != want {
		t.Errorf("version note: %q, want %q", got, want)
	}
	if got := doctorLine(t, out, "WhatsApp Web"); got != "2.3000.1099999999 (fetched)" {
		t.Errorf("WhatsApp Web: %q", got)
	}
}
