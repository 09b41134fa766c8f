package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wabook/wabook/store"
	"github.com/wabook/wabook/wa/wm"
)

// docLines are the lines of doctor's text output that start with key.
func docLines(out, key string) []string {
	var got []string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, key+":") {
			got = append(got, l)
		}
	}
	return got
}

// With an error in the config file, --refresh fetches nothing (the config
// may name another page, or "off") and says why in one line; --version
// names the error.
func TestDoctorRefreshWithAConfigError(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.db")
	srv, hits := versionPage(t, versionPageBody)
	withConfig(t, `{"wa_version_url":"`+srv.URL+`", "check_pace": "soon"}`)
	start := time.Now()
	r := doctorJSON(t, "--db", db, "doctor", "--json", "--refresh")
	if r.ConfigError == "" || !strings.Contains(r.WAVersion.Note, "not fetched: the config file has an error") ||
		len(r.WAVersion.Known) != 0 || hits.Load() != 0 {
		t.Errorf("--refresh with a config error: %+v, config error %q, %d requests", r.WAVersion, r.ConfigError, hits.Load())
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %s: something was fetched", d)
	}
	out, errOut, code := runWabook(t, "--db", db, "doctor", "--refresh")
	if notes := docLines(out, "version note"); code != 0 || errOut != "" || len(notes) != 1 ||
		!strings.Contains(notes[0], "not fetched") || len(docLines(out, "config error")) != 1 {
		t.Errorf("text: exit %d, stderr %q\n%s", code, errOut, out)
	}

	out, errOut, code = runWabook(t, "--db", db, "--version")
	if code != 1 || !strings.HasPrefix(out, "wabook ") || !strings.Contains(out, "WhatsApp Web ") ||
		strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "check_pace") || !strings.Contains(errOut, "config file") {
		t.Errorf("--version with a config error: exit %d, stderr %q\n%s", code, errOut, out)
	}
}

// sitePages serves a WhatsApp Web page and its service worker on loopback.
func sitePages(t *testing.T, page, sw string) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		switch r.URL.Path {
		case "/":
			w.Write([]byte(page))
		case "/sw.js":
			w.Write([]byte(sw))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// A fetched version older than the built-in one is not used, nor cached,
// and doctor says so; a later doctor and --version agree. A version read
// from /sw.js is listed as coming from there.
func TestDoctorRefreshOlderThanBuiltIn(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.db")
	old, _ := sitePages(t, `<script>{"client_revision":1000000000,}</script>`, "")
	withConfig(t, `{"wa_version_url":"`+old.URL+`"}`)
	r := doctorJSON(t, "--db", db, "doctor", "--json", "--refresh")
	want := old.URL + " names 2.3000.1000000000, older than the built-in " + wm.BuiltInVersion() + ": not used"
	if r.WAVersion.Version != wm.BuiltInVersion() || r.WAVersion.Source != "built-in" || r.WAVersion.Note != want ||
		len(r.WAVersion.Known) != 0 {
		t.Errorf("--refresh: %+v, want the built-in one with the note %q", r.WAVersion, want)
	}
	r = doctorJSON(t, "--db", db, "doctor", "--json")
	if r.WAVersion.Source != "built-in" || !strings.Contains(r.WAVersion.Note, "no version cached yet") {
		t.Errorf("doctor after: %+v", r.WAVersion)
	}
	out, _, _ := runWabook(t, "--db", db, "--version")
	if !strings.Contains(out, "WhatsApp Web "+wm.BuiltInVersion()+" (built-in)") {
		t.Errorf("--version after:\n%s", out)
	}

	sw, _ := sitePages(t, "<html>no revision</html>", `self.x="{\"client_revision\":1099999999}";`)
	withConfig(t, `{"wa_version_url":"`+sw.URL+`"}`)
	r = doctorJSON(t, "--db", db, "doctor", "--json", "--refresh")
	if r.WAVersion.Version != "2.3000.1099999999" || len(r.WAVersion.Known) != 1 || r.WAVersion.Known[0].Source != sw.URL+"/sw.js" {
		t.Errorf("from sw.js: %+v", r.WAVersion)
	}
	out, _, _ = runWabook(t, "--db", db, "doctor")
	if k := docLines(out, "known version"); len(k) != 1 || !strings.Contains(k[0], "2.3000.1099999999 from "+sw.URL+"/sw.js: fetched ") {
		t.Errorf("known version lines %q", k)
	}
}

// Doctor on a file it cannot read says so for everything read from it, and
// on a database without whatsmeow's tables (a simulated account's) reports
// an account that is not paired without creating them; the files are left
// byte for byte.
func TestDoctorOnUnreadableAndSessionlessDatabases(t *testing.T) {
	dir := t.TempDir()
	good := goodDatabase(t, filepath.Join(dir, "good.db"))
	for name, body := range map[string][]byte{
		"junk":      []byte("hello, not a database"),
		"truncated": good[:len(good)/2],
	} {
		t.Run(name, func(t *testing.T) {
			db := filepath.Join(dir, name+".db")
			if err := os.WriteFile(db, body, 0o600); err != nil {
				t.Fatal(err)
			}
			out, errOut, code := runWabook(t, "--db", db, "doctor")
			for key, want := range map[string]string{
				"app state": "unknown (the database could not be read)",
				"last sync": "unknown (the database could not be read)",
				"account":   "unknown",
			} {
				if l := docLines(out, key); len(l) != 1 || strings.TrimSpace(strings.TrimPrefix(l[0], key+":")) != want {
					t.Errorf("%s: %q, want %q", key, l, want)
				}
			}
			if code != 0 || errOut != "" {
				t.Errorf("exit %d, stderr %q", code, errOut)
			}
			if after, err := os.ReadFile(db); err != nil || !bytes.Equal(after, body) {
				t.Error("doctor changed the file")
			}
		})
	}

	// A simulated account's database, then doctor without --sim.
	db := filepath.Join(dir, "sim.db")
	if _, errOut, code := runWabook(t, "--sim", world, "--db", db, "check", "--no-wait", "+16315551004"); code != 0 {
		t.Fatalf("sim: %s", errOut)
	}
	before, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	r := doctorJSON(t, "--db", db, "doctor", "--json")
	if r.Account == nil || r.Account.Paired || !r.AppState.Known || len(r.AppState.Collections) != 0 ||
		r.Checks == nil || r.Checks.JobsWaiting != 1 || r.Unknown != "" || !r.Database.Readable {
		t.Errorf("account %+v, app state %+v, checks %+v, unknown %q", r.Account, r.AppState, r.Checks, r.Unknown)
	}
	out, _, _ := runWabook(t, "--db", db, "doctor")
	if l := docLines(out, "app state"); len(l) != 1 || !strings.HasSuffix(l[0], " never synced") {
		t.Errorf("app state line %q", l)
	}
	if l := docLines(out, "account"); len(l) != 1 || !strings.HasSuffix(l[0], " not paired") {
		t.Errorf("account line %q", l)
	}
	if after, err := os.ReadFile(db); err != nil || !bytes.Equal(after, before) {
		t.Error("doctor changed the simulated account's database")
	}
	st, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if st.HasTable(t.Context(), "whatsmeow_version") {
		t.Error("doctor created whatsmeow's tables")
	}
}

// Paths are printed absolute even when given relative.
func TestDoctorPrintsAbsolutePaths(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.WriteFile("config.json", []byte(`{"wa_version_url":"off"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("WABOOK_CONFIG", "config.json")
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	r := doctorJSON(t, "--db", "w.db", "--log", "logs/w.log", "doctor", "--json")
	for what, got := range map[string][2]string{
		"database": {r.Database.Path, "w.db"},
		"lock":     {r.Lock.Path, "w.db.lock"},
		"log":      {r.LogPath, "logs/w.log"},
		"config":   {r.ConfigPath, "config.json"},
	} {
		if want := filepath.Join(wd, got[1]); got[0] != want {
			t.Errorf("%s path %q, want %q", what, got[0], want)
		}
	}
	out, _, _ := runWabook(t, "--db", "w.db", "doctor")
	if l := docLines(out, "database"); len(l) != 1 || !strings.HasSuffix(l[0], " "+filepath.Join(wd, "w.db")) {
		t.Errorf("database line %q", l)
	}
}

// With fetching off there is nothing for --refresh to cache: a database
// that does not exist yet is not made.
func TestDoctorRefreshWithFetchingOffMakesNoDatabase(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "w.db")
	withConfig(t, `{"wa_version_url":"off"}`)
	out, errOut, code := runWabook(t, "--db", db, "doctor", "--refresh")
	if code != 0 || !strings.Contains(out, "not fetched: wa_version_url is off") {
		t.Fatalf("doctor --refresh: exit %d, stderr %q\n%s", code, errOut, out)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("doctor --refresh with fetching off made %v", entries)
	}
}
