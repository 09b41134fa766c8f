package main

import (
	"bytes"
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/wabook/wabook/store"
	"github.com/wabook/wabook/store/storetest"
)

// sqlitePageSize is the page size of a database file, from its header.
func sqlitePageSize(b []byte) int {
	n := int(b[16])<<8 | int(b[17])
	if n == 1 {
		return 65536
	}
	return n
}

// goodDatabase writes a closed, current database of generated contacts to
// path and returns its bytes.
func goodDatabase(t *testing.T, path string) []byte {
	t.Helper()
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	cs, gs, ls := storetest.Generate(3000, 60, 20, 9)
	if err := storetest.Populate(context.Background(), st, cs, gs, ls); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + "-wal"); err == nil {
		t.Fatal("the WAL was not checkpointed on close")
	}
	return b
}

// badDatabaseCommands are run against each bad database: a read command on
// a simulated account (which syncs, that is writes, first), the same on the
// real backend (whose client creates its tables), and a write command.
var badDatabaseCommands = [][]string{
	{"--sim", world, "contacts"},
	{"contacts", "--format", "csv"},
	{"--sim", world, "label", "add", "Fresh"},
}

// refuse writes body to a fresh file for each command, runs the command on
// it and wants exit 1, nothing on stdout, one line on stderr that contains
// every string of want and one of anyOf (when given), and the file
// byte-identical afterwards.
func refuse(t *testing.T, body []byte, want, anyOf []string) {
	t.Helper()
	for _, args := range badDatabaseCommands {
		db := filepath.Join(t.TempDir(), "w.db")
		if err := os.WriteFile(db, body, 0o600); err != nil {
			t.Fatal(err)
		}
		out, errOut, code := runWabook(t, append([]string{"--db", db, "--log", filepath.Join(t.TempDir(), "w.log")}, args...)...)
		lower := strings.ToLower(errOut)
		ok := code == 1 && out == "" && strings.Count(errOut, "\n") == 1 && strings.HasPrefix(errOut, "wabook: ")
		for _, w := range want {
			ok = ok && strings.Contains(lower, strings.ToLower(w))
		}
		if len(anyOf) > 0 {
			ok = ok && slices.ContainsFunc(anyOf, func(w string) bool { return strings.Contains(lower, w) })
		}
		if !ok {
			t.Errorf("%v: exit %d, stdout %d bytes, stderr %q; want exit 1 and one line with %q and one of %q", args, code, len(out), errOut, want, anyOf)
		}
		after, err := os.ReadFile(db)
		if err != nil || !bytes.Equal(after, body) {
			at := -1
			for i := range min(len(after), len(body)) {
				if after[i] != body[i] {
					at = i
					break
				}
			}
			t.Errorf("%v changed the database file (%d bytes before, %d after, first difference at byte %d, %v)", args, len(body), len(after), at, err)
		}
	}
}

// A database whose pages were overwritten, or that was cut short, is
// refused with one clear line and left byte-identical.
func TestCorruptDatabaseIsRefusedAndUntouched(t *testing.T) {
	dir := t.TempDir()
	good := goodDatabase(t, filepath.Join(dir, "good.db"))
	page := sqlitePageSize(good)
	pages := len(good) / page
	if pages < 20 {
		t.Fatalf("the database has only %d pages", pages)
	}
	r := rand.New(rand.NewPCG(1, 2))

	garbage := bytes.Clone(good)
	for p := pages/2 - 2; p < pages/2+2; p++ {
		for i := p * page; i < (p+1)*page; i++ {
			garbage[i] = byte(r.IntN(256))
		}
	}
	// The pages holding the schema and the root pages stay, so opening
	// works; the damage is in the data.
	truncated := good[:(pages/2)*page]

	for _, tt := range []struct {
		name string
		body []byte
	}{
		{"garbage pages", garbage},
		{"truncated", truncated},
	} {
		t.Run(tt.name, func(t *testing.T) {
			refuse(t, tt.body, nil, []string{"malformed", "corrupt", "damaged"})
		})
	}
}

// A database written by a newer wabook is refused with a message naming both
// versions, and left untouched.
func TestNewerSchemaIsRefused(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.db")
	goodDatabase(t, db)
	st, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	newer := store.SchemaVersion() + 1
	if _, err := st.DB().Exec(`UPDATE wabook_version SET version = ?`, newer); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	body, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	refuse(t, body, []string{"newer", "version " + strconv.Itoa(newer), strconv.Itoa(store.SchemaVersion())}, nil)
}
