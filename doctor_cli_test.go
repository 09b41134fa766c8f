package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/store"
	"github.com/wabook/wabook/wa/wm"
)

// TestMain turns WhatsApp Web version fetching off for every test in this
// package that does not set its own config: no test may reach the internet,
// and a run of the real backend would otherwise fetch from
// web.whatsapp.com when it connects.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "wabook-main-test-")
	if err != nil {
		panic(err)
	}
	cfg := filepath.Join(dir, "config.json")
	if err := os.WriteFile(cfg, []byte(`{"wa_version_url":"off"}`), 0o600); err != nil {
		panic(err)
	}
	os.Setenv("WABOOK_CONFIG", cfg)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// withConfig points WABOOK_CONFIG at a config file with body.
func withConfig(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "config.json")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("WABOOK_CONFIG", p)
	return p
}

// versionPage serves a WhatsApp Web page on loopback and counts requests.
func versionPage(t *testing.T, body string) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}

func doctorJSON(t *testing.T, args ...string) app.DoctorReport {
	t.Helper()
	out, errOut, code := runWabook(t, args...)
	if code != 0 || errOut != "" {
		t.Fatalf("%v: exit %d, stderr %q", args, code, errOut)
	}
	var r app.DoctorReport
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v: not a doctor report: %v\n%s", args, err, out)
	}
	return r
}

const versionPageBody = `<html><script>{"server_revision":1099999999,"client_revision":1099999999,"tier":""}</script></html>`

// The acceptance path of issue 9: a refresh fetches and caches, a later run
// reports the cached version without the server, and a pinned version wins.
func TestDoctorVersionFetchedThenCachedThenPinned(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.db")
	srv, hits := versionPage(t, versionPageBody)
	withConfig(t, `{"wa_version_url":"`+srv.URL+`"}`)

	// Without --refresh nothing is fetched: the built-in one, and a note
	// that connecting would fetch.
	r := doctorJSON(t, "--db", db, "doctor", "--json")
	if r.WAVersion.Source != "built-in" || r.WAVersion.Version != wm.BuiltInVersion() ||
		!strings.Contains(r.WAVersion.Note, "connecting fetches one from "+srv.URL) || hits.Load() != 0 {
		t.Fatalf("before any fetch: %+v after %d requests", r.WAVersion, hits.Load())
	}

	r = doctorJSON(t, "--db", db, "doctor", "--json", "--refresh")
	if r.WAVersion.Version != "2.3000.1099999999" || r.WAVersion.Source != "fetched" || hits.Load() != 1 {
		t.Fatalf("--refresh: %+v after %d requests", r.WAVersion, hits.Load())
	}
	if len(r.WAVersion.Known) != 1 || r.WAVersion.Known[0].Source != srv.URL || r.WAVersion.Known[0].FetchedAt == "" {
		t.Errorf("known versions %+v", r.WAVersion.Known)
	}

	srv.Close()
	r = doctorJSON(t, "--db", db, "doctor", "--json")
	if r.WAVersion.Version != "2.3000.1099999999" || r.WAVersion.Source != "cached" || r.WAVersion.Note != "" {
		t.Fatalf("later: %+v", r.WAVersion)
	}
	// --version reads the same cache.
	out, _, code := runWabook(t, "--db", db, "--version")
	if code != 0 || !strings.Contains(out, "WhatsApp Web 2.3000.1099999999 (cached)") || !strings.HasPrefix(out, "wabook ") {
		t.Errorf("--version: exit %d\n%s", code, out)
	}

	r = doctorJSON(t, "--db", db, "--wa-version", "2.3000.1000000001", "doctor", "--json")
	if r.WAVersion.Version != "2.3000.1000000001" || r.WAVersion.Source != "flag" || !r.WAVersion.Pinned {
		t.Errorf("--wa-version: %+v", r.WAVersion)
	}
	withConfig(t, `{"wa_version":"2.3000.1000000002","wa_version_url":"`+srv.URL+`"}`)
	r = doctorJSON(t, "--db", db, "doctor", "--json")
	if r.WAVersion.Version != "2.3000.1000000002" || r.WAVersion.Source != "config" || !r.WAVersion.Pinned {
		t.Errorf("config wa_version: %+v", r.WAVersion)
	}
	r = doctorJSON(t, "--db", db, "--wa-version", "2.3000.1000000001", "doctor", "--json")
	if r.WAVersion.Source != "flag" {
		t.Errorf("--wa-version over the config: %+v", r.WAVersion)
	}
}

// An unreachable or garbled page falls back to the built-in version with a
// one-line note, quickly.
func TestDoctorRefreshFallsBack(t *testing.T) {
	garbled, _ := versionPage(t, "<html>client_revision: later</html>")
	for _, tt := range []struct {
		name, url, note string
	}{
		{"unreachable", closedPort(t), "connection refused"},
		{"garbled", garbled.URL, "no client_revision"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "w.db")
			withConfig(t, `{"wa_version_url":"`+tt.url+`"}`)
			start := time.Now()
			r := doctorJSON(t, "--db", db, "doctor", "--json", "--refresh")
			if r.WAVersion.Source != "built-in" || r.WAVersion.Version != wm.BuiltInVersion() ||
				!strings.Contains(r.WAVersion.Note, tt.note) || strings.Contains(r.WAVersion.Note, "\n") {
				t.Errorf("%+v", r.WAVersion)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %s", d)
			}
			// The text form says it on one line.
			out, errOut, code := runWabook(t, "--db", db, "doctor", "--refresh")
			var noteLines []string
			for _, l := range strings.Split(out, "\n") {
				if strings.HasPrefix(l, "version note:") {
					noteLines = append(noteLines, l)
				}
			}
			if code != 0 || errOut != "" || len(noteLines) != 1 || !strings.Contains(noteLines[0], tt.note) ||
				!strings.Contains(out, "WhatsApp Web:        "+wm.BuiltInVersion()+" (built-in)") {
				t.Errorf("text: exit %d, stderr %q\n%s", code, errOut, out)
			}
		})
	}
}

// --version never fetches, even with nothing cached.
func TestVersionFlagNeverFetches(t *testing.T) {
	srv, hits := versionPage(t, versionPageBody)
	withConfig(t, `{"wa_version_url":"`+srv.URL+`"}`)
	db := filepath.Join(t.TempDir(), "w.db")
	out, errOut, code := runWabook(t, "--db", db, "--version")
	if code != 0 || errOut != "" || hits.Load() != 0 ||
		!strings.Contains(out, "WhatsApp Web "+wm.BuiltInVersion()+" (built-in)") {
		t.Fatalf("exit %d, %d requests, stderr %q\n%s", code, hits.Load(), errOut, out)
	}
	if _, err := os.Stat(db); err == nil {
		t.Error("--version created the database")
	}
	out, _, _ = runWabook(t, "--db", db, "--wa-version", "2.3000.1000000001", "--version")
	if !strings.Contains(out, "WhatsApp Web 2.3000.1000000001 (flag)") {
		t.Errorf("--version with --wa-version:\n%s", out)
	}
}

func TestWAVersionFlagAndDoctorUsage(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.db")
	for _, args := range [][]string{
		{"--db", db, "--wa-version", "2.3000", "doctor"},
		{"--db", db, "--wa-version", "latest", "contacts"},
		{"--db", db, "doctor", "--frobnicate"},
		{"--db", db, "doctor", "extra"},
	} {
		out, errOut, code := runWabook(t, args...)
		if code != 2 || out != "" || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want a usage error", args, code, out, errOut)
		}
	}
	if _, err := os.Stat(db); err == nil {
		t.Error("a usage error created the database")
	}
	out, _, _ := runWabook(t, "--help")
	for _, w := range []string{"doctor [--json] [--refresh]", "--wa-version V", "--version", `"wa_version"`, `"wa_version_url"`} {
		if !strings.Contains(out, w) {
			t.Errorf("usage lacks %q", w)
		}
	}
}

// Doctor reports on a mirror another wabook holds, with its account, last
// sync and check queue, and never creates a database that is not there.
func TestDoctorFacts(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "w.db")
	r := doctorJSON(t, "--db", db, "doctor", "--json")
	if r.Database.Exists || r.Account == nil || r.Account.Paired || r.Checks == nil || r.Checks.BudgetTotal != 1000 {
		t.Errorf("without a database: %+v %+v %+v", r.Database, r.Account, r.Checks)
	}
	if _, err := os.Stat(db); err == nil {
		t.Fatal("doctor created the database")
	}

	// A simulated account mirrored once, with a queued check.
	if _, errOut, code := runWabook(t, "--sim", world, "--db", db, "check", "--no-wait", "+16315551004", "+16315551005"); code != 0 {
		t.Fatalf("check: %s", errOut)
	}
	lock, err := app.AcquireLock(db)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Release()
	r = doctorJSON(t, "--sim", world, "--db", db, "doctor", "--json")
	if r.Lock.PID != os.Getpid() {
		t.Errorf("lock holder %d, want %d", r.Lock.PID, os.Getpid())
	}
	if !r.Database.Exists || r.Database.Integrity != "ok" || r.Database.SchemaVersion != r.Database.SchemaExpected || r.Database.SizeBytes == 0 {
		t.Errorf("database %+v", r.Database)
	}
	if r.Account == nil || !r.Account.Paired || r.Account.JID != "14155550100@s.whatsapp.net" || r.Account.PushName == "" {
		t.Errorf("account %+v", r.Account)
	}
	if _, err := time.Parse(time.RFC3339, r.LastSync); err != nil {
		t.Errorf("last sync %q", r.LastSync)
	}
	if r.Checks == nil || r.Checks.JobsWaiting != 1 || r.Checks.NumbersPending != 2 || r.Checks.BudgetTotal != 1000 {
		t.Errorf("checks %+v", r.Checks)
	}
	if r.AppState.Known {
		t.Errorf("the simulated backend does not report app state, got %+v", r.AppState)
	}
	if r.LogPath != filepath.Join(dir, "wabook.log") {
		t.Errorf("log path %q", r.LogPath)
	}
	out, _, code := runWabook(t, "--sim", world, "--db", db, "doctor")
	for _, w := range []string{"lock:", "held by wabook pid", "integrity:           ok", "account:             14155550100@s.whatsapp.net",
		"check queue:         1 job waiting, 2 numbers pending", "check budget:", "app state:           unknown"} {
		if code != 0 || !strings.Contains(out, w) {
			t.Errorf("text output lacks %q:\n%s", w, out)
		}
	}
}

// A damaged database is reported, not refused, and left as it was.
func TestDoctorOnDamagedDatabase(t *testing.T) {
	dir := t.TempDir()
	good := goodDatabase(t, filepath.Join(dir, "good.db"))
	page := sqlitePageSize(good)
	pages := len(good) / page
	bad := bytes.Clone(good)
	r := rand.New(rand.NewPCG(3, 4))
	for i := (pages / 2) * page; i < (pages/2+2)*page; i++ {
		bad[i] = byte(r.IntN(256))
	}
	db := filepath.Join(dir, "bad.db")
	if err := os.WriteFile(db, bad, 0o600); err != nil {
		t.Fatal(err)
	}
	rep := doctorJSON(t, "--db", db, "doctor", "--json")
	if rep.Database.Integrity == "ok" || rep.Database.Integrity == "" || rep.Unknown == "" || rep.Account != nil {
		t.Errorf("damaged database reported as %+v, unknown %q, account %+v", rep.Database, rep.Unknown, rep.Account)
	}
	after, err := os.ReadFile(db)
	if err != nil || !bytes.Equal(after, bad) {
		t.Error("doctor changed the damaged database")
	}
	// Not SQLite at all: the error, still a report.
	junk := filepath.Join(dir, "junk.db")
	os.WriteFile(junk, []byte("hello"), 0o600)
	rep = doctorJSON(t, "--db", junk, "doctor", "--json")
	if !strings.Contains(rep.Database.Error, "not an SQLite database") {
		t.Errorf("junk file: %+v", rep.Database)
	}
}

// The app-state resync mark a run of the real backend left in the database
// (wa/wm/appstate.go) is what doctor reports: the mark is read through the
// same settings the connected backend writes it to.
func TestDoctorReportsTheResyncMark(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.db")
	// The run that left the mark made whatsmeow's tables too; doctor
	// reads a session only from a database that has them.
	sessionDatabase(t, db)
	st, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	const reason = "app state regular: mismatching LTHash"
	if err := st.SetSetting(context.Background(), "wa_app_state_resync", reason); err != nil {
		t.Fatal(err)
	}
	st.Close()

	r := doctorJSON(t, "--db", db, "doctor", "--json")
	if !r.AppState.Known || !r.AppState.NeedsFullResync || r.AppState.Problem != reason {
		t.Fatalf("app state %+v, want the mark %q with a full resync needed", r.AppState, reason)
	}
	out, _, code := runWabook(t, "--db", db, "doctor")
	if code != 0 || !strings.Contains(out, reason) || !strings.Contains(out, "full resync needed:  yes") {
		t.Errorf("text output (exit %d) lacks the mark:\n%s", code, out)
	}
}

// brokenPipe is stdout whose reader went away (wabook doctor | head -1).
type brokenPipe struct{}

func (brokenPipe) Write([]byte) (int, error) {
	return 0, &os.PathError{Op: "write", Path: "/dev/stdout", Err: syscall.EPIPE}
}

// Doctor and the other commands share one mapping from error to exit code:
// a reader that went away is no failure, a usage error is 2.
func TestCommandExitCodes(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.db")
	for _, tt := range []struct {
		args []string
		code int
		err  string
	}{
		{[]string{"--db", db, "doctor"}, 0, ""},
		{[]string{"--db", db, "doctor", "--json"}, 0, ""},
		{[]string{"--sim", world, "--db", db, "contacts", "--format", "json"}, 0, ""},
		{[]string{"--db", db, "doctor", "extra"}, 2, "wabook: doctor: unexpected argument \"extra\""},
	} {
		var errOut bytes.Buffer
		code := run(tt.args, brokenPipe{}, &errOut)
		if code != tt.code || !strings.HasPrefix(errOut.String(), tt.err) || (tt.err == "" && errOut.Len() > 0) {
			t.Errorf("%v into a broken pipe: exit %d, stderr %q; want %d, %q", tt.args, code, errOut.String(), tt.code, tt.err)
		}
	}
}
