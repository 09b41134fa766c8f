package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/wabook/wabook/app"
)

type contactOut struct {
	ContactID   string   `json:"contact_id"`
	ContactName string   `json:"contact_name"`
	ContactType string   `json:"contact_type"`
	Phone       string   `json:"phone"`
	PushName    string   `json:"push_name"`
	Labels      []string `json:"labels"`
	ChatIDs     []string `json:"chat_ids"`
	IsMyContact bool     `json:"is_my_contact"`
	IsWAContact bool     `json:"is_wa_contact"`
	IsBlocked   bool     `json:"is_blocked"`
	UpdatedAt   string   `json:"updated_at"`
}

const world = "testdata/world.json"

func runWabook(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return out.String(), errOut.String(), code
}

// runStep runs wabook with base and args and checks it exits with code and
// says want: on stdout when it succeeds, on stderr when it fails.
func runStep(t *testing.T, base, args []string, code int, want string) (stdout, stderr string) {
	t.Helper()
	out, errOut, got := runWabook(t, append(base, args...)...)
	where := out
	if code != 0 {
		where = errOut
	}
	if got != code || !strings.Contains(where, want) {
		t.Errorf("%v: exit %d (want %d), stdout %q, stderr %q; want %q", args, got, code, out, errOut, want)
	}
	return out, errOut
}

func TestContactsJSONMatchesWorld(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.db")
	out, errOut, code := runWabook(t, "--sim", world, "--db", db, "contacts", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got []contactOut
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("output is not a JSON array of contacts: %v\n%s", err, out)
	}
	// What the world file says, written out by hand.
	want := map[string]struct {
		labels, chats []string
		blocked       bool
	}{
		"14155550101@c.us":   {[]string{"New customer"}, []string{"14155550101@c.us", "120363000000000001@g.us", "120363000000000002@g.us"}, false},
		"14155550104@c.us":   {[]string{"VIP"}, []string{"14155550104@c.us", "120363000000000001@g.us"}, false},
		"442079460958@c.us":  {[]string{"New customer"}, []string{"442079460958@c.us", "120363000000000002@g.us"}, false},
		"4915123456789@c.us": {nil, []string{"4915123456789@c.us"}, false},
		"14155550105@c.us":   {nil, []string{"14155550105@c.us"}, false},
		"14155550103@c.us":   {nil, []string{"14155550103@c.us"}, true},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d contacts, want %d", len(got), len(want))
	}
	for _, c := range got {
		w, ok := want[c.ContactID]
		if !ok {
			t.Errorf("unexpected contact %q", c.ContactID)
			continue
		}
		if !slices.Equal(c.ChatIDs, w.chats) {
			t.Errorf("%s chat_ids = %v, want %v", c.ContactID, c.ChatIDs, w.chats)
		}
		if !slices.Equal(c.Labels, w.labels) && !(len(c.Labels) == 0 && len(w.labels) == 0) {
			t.Errorf("%s labels = %v, want %v", c.ContactID, c.Labels, w.labels)
		}
		if c.Labels == nil {
			t.Errorf("%s labels is null, want []", c.ContactID)
		}
		if c.IsBlocked != w.blocked {
			t.Errorf("%s is_blocked = %v, want %v", c.ContactID, c.IsBlocked, w.blocked)
		}
		if c.ContactType != "user" || !c.IsWAContact || c.UpdatedAt == "" || "+"+strings.TrimSuffix(c.ContactID, "@c.us") != c.Phone {
			t.Errorf("%s: bad fields %+v", c.ContactID, c)
		}
	}
}

func TestShowAcceptsEveryIDForm(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.db")
	for _, id := range []string{"+1 (415) 555-0101", "14155550101", "14155550101@c.us", "14155550101@s.whatsapp.net", "211111111111111@lid"} {
		out, errOut, code := runWabook(t, "--sim", world, "--db", db, "show", id, "--json")
		if code != 0 {
			t.Errorf("show %q: exit %d: %s", id, code, errOut)
			continue
		}
		var c contactOut
		if err := json.Unmarshal([]byte(out), &c); err != nil {
			t.Errorf("show %q: %v", id, err)
		}
		if c.ContactID != "14155550101@c.us" || c.ContactName != "Ada Lovelace" {
			t.Errorf("show %q gave %s %q", id, c.ContactID, c.ContactName)
		}
	}
}

func TestErrorsAreOneLine(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.db")
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--sim", world, "--db", db, "show", "+1 415 555 0199"}, 1, "not in the address book"},
		{[]string{"--sim", world, "--db", db, "show", "garbage"}, 1, "not a phone number"},
		{[]string{"--sim", world, "--db", db, "show"}, 2, "usage"},
		{[]string{"--sim", world, "--db", db, "contacts", "--format", "xml"}, 2, "unknown --format"},
		{[]string{"--sim", world, "--db", db, "frobnicate"}, 2, "unknown command"},
		{[]string{"--nope"}, 2, "not defined"},
		{[]string{"--sim", "testdata/missing.json", "--db", db, "contacts"}, 1, "missing.json"},
		{[]string{"--demo", "--sim", world, "contacts"}, 2, "either --demo or --sim"},
		{[]string{"--demo", "--db", db, "contacts"}, 2, "throw-away database"},
		{[]string{"--sim", world, "--db", db, "--region", "ZZ", "contacts"}, 2, "not a country code"},
	}
	for _, tt := range tests {
		out, errOut, code := runWabook(t, tt.args...)
		if code != tt.code {
			t.Errorf("%v: exit %d, want %d (stderr %q)", tt.args, code, tt.code, errOut)
		}
		if out != "" {
			t.Errorf("%v: wrote to stdout: %q", tt.args, out)
		}
		if strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, tt.want) {
			t.Errorf("%v: stderr %q, want one line containing %q", tt.args, errOut, tt.want)
		}
	}
}

func TestContactsQueryAndFormats(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.db")
	out, _, code := runWabook(t, "--sim", world, "--db", db, "contacts", "--query", "label:vip")
	if code != 0 || !strings.Contains(out, "Grace Hopper") || strings.Contains(out, "Ada") {
		t.Errorf("table with --query label:vip: exit %d\n%s", code, out)
	}
	out, _, code = runWabook(t, "--sim", world, "--db", db, "contacts", "--format", "csv")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 7 || !strings.HasPrefix(lines[0], "contact_id,") {
		t.Errorf("csv: exit %d, %d lines\n%s", code, len(lines), out)
	}
	if strings.ContainsRune(out, 0x1b) {
		t.Error("csv output carries an escape character from a name")
	}
}

// A second process that needs the WhatsApp connection is told which pid has
// it; reading the mirror still works.
func TestSecondConnectionNamesTheHolder(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.db")
	if _, _, code := runWabook(t, "--sim", world, "--db", db, "contacts"); code != 0 {
		t.Fatal("first run failed")
	}
	lock, err := app.AcquireLock(db)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Release()
	for _, cmd := range []string{"sync", "pair", "logout"} {
		_, errOut, code := runWabook(t, "--sim", world, "--db", db, cmd)
		if code != 1 || !strings.Contains(errOut, "pid "+strconv.Itoa(os.Getpid())) {
			t.Errorf("%s while locked: exit %d, stderr %q; want exit 1 naming pid %d", cmd, code, errOut, os.Getpid())
		}
	}
	out, errOut, code := runWabook(t, "--sim", world, "--db", db, "contacts", "--format", "csv")
	if code != 0 || !strings.Contains(out, "Ada Lovelace") {
		t.Errorf("reading while locked: exit %d, %s %s", code, out, errOut)
	}
}

func TestSyncPrintsSummary(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.db")
	out, errOut, code := runWabook(t, "--sim", world, "--db", db, "sync")
	if code != 0 || out != "synced: 6 contacts, 3 groups, 2 labels, 1 blocked\n" {
		t.Errorf("sync: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	_, errOut, code = runWabook(t, "--sim", "testdata/unpaired.json", "--db", filepath.Join(t.TempDir(), "u.db"), "sync")
	if code != 1 || !strings.Contains(errOut, "wabook pair") {
		t.Errorf("sync of an unpaired account: exit %d, %q", code, errOut)
	}
}

func TestPairPrintsQRThenPairs(t *testing.T) {
	db := filepath.Join(t.TempDir(), "u.db")
	out, errOut, code := runWabook(t, "--sim", "testdata/unpaired.json", "--db", db, "pair")
	if code != 0 {
		t.Fatalf("pair: exit %d: %s", code, errOut)
	}
	for _, want := range []string{"Scan with WhatsApp", "▀", "paired with +14155550100", "synced: 6 contacts"} {
		if !strings.Contains(out, want) {
			t.Errorf("pair output lacks %q:\n%s", want, out)
		}
	}
	out, errOut, code = runWabook(t, "--sim", "testdata/unpaired.json", "--db", db, "pair", "--code", "+1 415 555 0100")
	if code != 0 || !strings.Contains(out, "Link with phone number instead") {
		t.Errorf("pair --code: exit %d\n%s%s", code, out, errOut)
	}
}

// Bad files and places get one clear line and are left as they were.
func TestBadDatabaseIsRefusedAndUntouched(t *testing.T) {
	dir := t.TempDir()
	notSQLite := filepath.Join(dir, "notes.txt")
	body := []byte("these are my notes, not a database\n")
	if err := os.WriteFile(notSQLite, body, 0o644); err != nil {
		t.Fatal(err)
	}
	aFile := filepath.Join(dir, "file")
	os.WriteFile(aFile, []byte("x"), 0o644)
	tests := []struct {
		name string
		db   string
		want string
	}{
		{"not SQLite", notSQLite, "not an sqlite database"},
		{"parent is a file", filepath.Join(aFile, "w.db"), "file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := runWabook(t, "--sim", world, "--db", tt.db, "contacts")
			if code != 1 || out != "" || strings.Count(errOut, "\n") != 1 || !strings.Contains(strings.ToLower(errOut), tt.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want one line about %q", code, out, errOut, tt.want)
			}
		})
	}
	if got, _ := os.ReadFile(notSQLite); !bytes.Equal(got, body) {
		t.Errorf("the non-database file was changed: %q", got)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("files were created next to the bad database: %d entries", len(entries))
	}
}
