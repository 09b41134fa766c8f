package wm

import (
	"context"
	"crypto/md5"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waWa6"
	"go.mau.fi/whatsmeow/types/events"
	waLog "go.mau.fi/whatsmeow/util/log"

	wastore "go.mau.fi/whatsmeow/store"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/store"
	"github.com/wabook/wabook/wa"
)

// versionSite serves a WhatsApp Web page and its service worker on
// loopback and records the requests.
type versionSite struct {
	*httptest.Server
	mu       sync.Mutex
	page, sw string // bodies; "" answers 404
	hits     []string
	agents   []string
}

func newVersionSite(t *testing.T, page, sw string) *versionSite {
	t.Helper()
	s := &versionSite{page: page, sw: sw}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits = append(s.hits, r.URL.Path)
		s.agents = append(s.agents, r.UserAgent())
		body := map[string]string{"/": s.page, "/sw.js": s.sw}[r.URL.Path]
		s.mu.Unlock()
		if body == "" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte(body))
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *versionSite) requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.hits...)
}

func fixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// restoreVersion puts whatsmeow's built-in version back after a test that
// applied another one (whatsmeow keeps it in package globals).
func restoreVersion(t *testing.T) {
	t.Cleanup(func() {
		if err := applyVersion(builtInVersion); err != nil {
			t.Error(err)
		}
	})
}

func TestFetchVersion(t *testing.T) {
	page, sw := fixture(t, "version_page.html"), fixture(t, "version_sw.js")
	for _, tt := range []struct {
		name     string
		page, sw string
		want     string
		err      []string
		requests []string
	}{
		{"page", page, sw, "2.3000.1099999999", nil, []string{"/"}},
		{"escaped quotes in sw.js", "<html>no revision here</html>", sw, "2.3000.1088888888", nil, []string{"/", "/sw.js"}},
		{"page missing", "", sw, "2.3000.1088888888", nil, []string{"/", "/sw.js"}},
		{"garbled", "<html>client_revision: soon</html>", `"client_revision":"x"`, "",
			[]string{"no client_revision", "/sw.js: no client_revision"}, []string{"/", "/sw.js"}},
		{"not found", "", "", "", []string{"HTTP 404"}, []string{"/", "/sw.js"}},
		{"zero", `"client_revision":0,`, "", "", []string{"client_revision 0 is not a revision"}, []string{"/", "/sw.js"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			site := newVersionSite(t, tt.page, tt.sw)
			got, _, err := VersionFetcher{Timeout: 5 * time.Second}.FetchFrom(context.Background(), site.URL)
			if got != tt.want {
				t.Errorf("Fetch = %q, %v; want %q", got, err, tt.want)
			}
			for _, w := range tt.err {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("error %v, want one containing %q", err, w)
				}
			}
			if tt.err == nil && err != nil {
				t.Errorf("error %v", err)
			}
			if err != nil && strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q spans lines", err)
			}
			if got := site.requests(); strings.Join(got, " ") != strings.Join(tt.requests, " ") {
				t.Errorf("requests %v, want %v", got, tt.requests)
			}
			site.mu.Lock()
			for _, ua := range site.agents {
				if !strings.Contains(ua, "Chrome/148.0.0.0") || !strings.HasPrefix(ua, "Mozilla/5.0 (X11; Linux x86_64)") {
					t.Errorf("user agent %q, want a desktop Chrome 148", ua)
				}
			}
			site.mu.Unlock()
		})
	}
}

func TestFetchVersionGivesUpInTime(t *testing.T) {
	// A server that never answers: the fetch ends at its timeout.
	hang := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-hang:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(hang)
	start := time.Now()
	_, _, err := VersionFetcher{Timeout: 200 * time.Millisecond}.FetchFrom(context.Background(), srv.URL)
	if err == nil || !strings.Contains(err.Error(), "timed out") {
		t.Errorf("error %v, want a timeout", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %s", d)
	}
	// A closed port fails at once.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	start = time.Now()
	_, _, err = VersionFetcher{}.FetchFrom(context.Background(), "http://"+addr)
	if err == nil || !strings.Contains(err.Error(), "connection refused") || time.Since(start) > 2*time.Second {
		t.Errorf("closed port: %v after %s", err, time.Since(start))
	}
	if (VersionFetcher{Timeout: time.Hour}).timeout() != MaxVersionFetch {
		t.Error("a fetch may take longer than MaxVersionFetch")
	}
}

// payloadVersion is the version in the client payload whatsmeow would send
// for the backend's device now.
func payloadVersion(b *Backend) string {
	av := b.cli().Store.GetClientPayload().GetUserAgent().GetAppVersion()
	return wastore.WAVersionContainer{av.GetPrimary(), av.GetSecondary(), av.GetTertiary()}.String()
}

func TestApplyVersionChangesTheClientPayload(t *testing.T) {
	restoreVersion(t)
	paired, _ := newTestBackend(t, testOpts{})
	unpaired, _ := newTestBackend(t, testOpts{unpaired: true})
	const v = "2.3000.1099999999"
	if err := applyVersion(v); err != nil {
		t.Fatal(err)
	}
	if got := wastore.GetWAVersion().String(); got != v {
		t.Errorf("GetWAVersion = %s", got)
	}
	// Login payload (paired) and registration payload (pairing) both carry
	// it; the registration's build hash is the version's md5.
	if got := payloadVersion(paired); got != v {
		t.Errorf("login payload announces %s", got)
	}
	reg := unpaired.cli().Store.GetClientPayload()
	if got := payloadVersion(unpaired); got != v {
		t.Errorf("registration payload announces %s", got)
	}
	if want := md5.Sum([]byte(v)); string(reg.GetDevicePairingData().GetBuildHash()) != string(want[:]) {
		t.Error("registration build hash is not the new version's")
	}
	if reg.GetUserAgent().GetPlatform() != waWa6.ClientPayload_UserAgent_WEB {
		t.Error("platform changed")
	}
	for _, bad := range []string{"2.3000", "x.y.z", "0.0.0"} {
		if err := applyVersion(bad); err == nil {
			t.Errorf("applyVersion(%q): no error", bad)
		}
	}
	if got := wastore.GetWAVersion().String(); got != v {
		t.Errorf("a bad version changed the announced one to %s", got)
	}
}

// versionBackend is a backend on a real store (whatsmeow's tables and the
// mirror's in one file, as main wires them) whose version source is the
// app's, fetching from site; dials counts its connection attempts, which
// all fail at a closed loopback port.
func versionBackend(t *testing.T, paired bool, site *versionSite, o app.VersionOptions) (b *Backend, st *store.Store, dials *atomic.Int32) {
	t.Helper()
	restoreVersion(t)
	st, err := store.Open(filepath.Join(t.TempDir(), "wabook.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if paired {
		savePairedDevice(t, st.DB(), false)
	}
	o.Config.WAVersionURL = site.URL
	o.Fetch = VersionFetcher{Timeout: 5 * time.Second}.FetchFrom
	o.BuiltIn = BuiltInVersion()
	b, err = New(context.Background(), st.DB(), Options{Log: waLog.Noop, Versions: app.NewVersions(st, o),
		ConfigPath: "/home/u/.config/wabook/config.json"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	dials = new(atomic.Int32)
	var d net.Dialer
	b.setHTTPClient(&http.Client{Transport: &http.Transport{Proxy: nil,
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			dials.Add(1)
			return d.DialContext(ctx, network, addr)
		}}})
	// One attempt, then a long wait: the test sees each attempt alone.
	b.backoff = func(int) time.Duration { return time.Hour }
	return b, st, dials
}

func refusedVersions(t *testing.T, st *store.Store) []string {
	t.Helper()
	recs, err := st.WAVersions(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range recs {
		if !r.RefusedAt.IsZero() {
			out = append(out, r.Version)
		}
	}
	return out
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// fetching is what the adapter reports before it fetches from site.
func fetching(site *versionSite) wa.ConnectionChanged {
	return wa.ConnectionChanged{State: wa.StateConnecting,
		Detail: "fetching the current WhatsApp Web version from " + site.URL + "…"}
}

var offlineRetry = wa.ConnectionChanged{State: wa.StateReconnecting, Attempt: 1,
	Detail: "no connection to WhatsApp (connection refused); retrying in 1h0m0s"}

// acceptingLogins makes b's connect attempts succeed, as WhatsApp's does
// before it answers 405: "client outdated" is the answer to the login,
// handled after ConnectContext returned nil (PROTOCOL.md, "WhatsApp Web
// version"). Each attempt records the version in the client payload and
// how many connect loops ran during it.
type acceptingLogins struct {
	mu       sync.Mutex
	versions []string
	loops    []int32
}

func acceptLogins(b *Backend) *acceptingLogins {
	a := &acceptingLogins{}
	b.connect = func(ctx context.Context, cli *whatsmeow.Client) error {
		a.mu.Lock()
		defer a.mu.Unlock()
		a.versions = append(a.versions, payloadVersion(b))
		a.loops = append(a.loops, b.loops.Load())
		return nil
	}
	return a
}

// settle waits until n attempts were made and their loops ended.
func (a *acceptingLogins) settle(t *testing.T, b *Backend, n int) {
	t.Helper()
	waitFor(t, fmt.Sprintf("%d connect attempts", n), func() bool {
		got, _ := a.attempts()
		return len(got) >= n && b.loops.Load() == 0
	})
}

func (a *acceptingLogins) attempts() (versions []string, loops []int32) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.versions...), append([]int32(nil), a.loops...)
}

// After WhatsApp answers "client outdated", the adapter fetches the current
// version and connects again once with it in the client payload; a second
// refusal is final and says what to do. The refusals come in the order
// they do on the wire: after a connect attempt returned, so no connect loop
// runs when they arrive, and the retry is the only one.
func TestClientOutdatedFetchesAndRetriesOnce(t *testing.T) {
	ctx := context.Background()
	site := newVersionSite(t, fixture(t, "version_page.html"), "")
	b, st, dials := versionBackend(t, true, site, app.VersionOptions{})
	logins := acceptLogins(b)
	// A version cached from an earlier fetch, newer than the built-in one.
	const cached, current = "2.3000.1050000000", "2.3000.1099999999"
	if err := st.RecordWAVersionFetched(ctx, cached, "earlier", time.Now().Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := b.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	expect(t, b, wa.ConnectionChanged{State: wa.StateConnecting})
	logins.settle(t, b, 1)
	if got, _ := logins.attempts(); strings.Join(got, " ") != cached || len(site.requests()) != 0 {
		t.Fatalf("first attempt announced %v after %d fetches; want the cached %s, no fetch", got, len(site.requests()), cached)
	}

	b.handle(&events.ClientOutdated{})
	expect(t, b, wa.ConnectionChanged{State: wa.StateConnecting,
		Detail: "WhatsApp refused web version " + cached + " as outdated; retrying with " + current})
	logins.settle(t, b, 2)
	got, loops := logins.attempts()
	if strings.Join(got, " ") != cached+" "+current {
		t.Errorf("attempts announced %v, want %s then %s", got, cached, current)
	}
	if loops[len(loops)-1] != 1 {
		t.Errorf("%d connect loops ran during the retry, want 1", loops[len(loops)-1])
	}
	if got := wastore.BaseClientPayload.GetUserAgent().GetAppVersion(); got.GetTertiary() != 1099999999 {
		t.Errorf("BaseClientPayload AppVersion = %v", got)
	}
	if strings.Join(site.requests(), " ") != "/" {
		t.Errorf("requests %v; want one page fetch", site.requests())
	}
	if got := refusedVersions(t, st); strings.Join(got, " ") != cached {
		t.Errorf("refused versions %v, want %s", got, cached)
	}

	// The retried version is refused too: the page still names it, so the
	// user is told, and nothing more is tried.
	b.handle(&events.ClientOutdated{})
	ev, ok := next(t, b).(wa.ConnectionChanged)
	if !ok || ev.State != wa.StateOffline {
		t.Fatalf("got %#v, want offline", ev)
	}
	for _, w := range []string{"refused web version " + current, `"wa_version"`, "/home/u/.config/wabook/config.json", "newer whatsmeow"} {
		if !strings.Contains(ev.Detail, w) {
			t.Errorf("detail %q lacks %q", ev.Detail, w)
		}
	}
	loopsEnded(t, b)
	expectNothingMore(t, b)
	if got, _ := logins.attempts(); len(got) != 2 || dials.Load() != 0 || b.loops.Load() != 0 {
		t.Errorf("%d attempts, %d dials, %d loops after the final refusal; want 2, 0, 0", len(got), dials.Load(), b.loops.Load())
	}
	if got := refusedVersions(t, st); len(got) != 2 {
		t.Errorf("refused versions %v, want both", got)
	}
	// On the next start the cache offers nothing refused: a new fetch.
	if c := app.NewVersions(st, app.VersionOptions{BuiltIn: BuiltInVersion()}).Current(ctx); c.Version == cached || c.Version == current {
		t.Errorf("a refused version is still offered: %+v", c)
	}
}

// While pairing, the QR channel reports the refusal: the retry gets a new
// QR channel and announces the fetched version.
func TestClientOutdatedWhilePairing(t *testing.T) {
	site := newVersionSite(t, "", fixture(t, "version_sw.js"))
	b, st, dials := versionBackend(t, false, site, app.VersionOptions{})
	s := startSession(b)
	b.announceVersion(s) // nothing cached: fetched from sw.js
	expect(t, b, fetching(site))
	if got := payloadVersion(b); got != "2.3000.1088888888" {
		t.Fatalf("announced %s", got)
	}
	// The page now names a newer version.
	site.mu.Lock()
	site.sw = strings.ReplaceAll(site.sw, "1088888888", "1099999999")
	site.mu.Unlock()
	ch := make(chan whatsmeow.QRChannelItem, 1)
	ch <- whatsmeow.QRChannelClientOutdated
	close(ch)
	b.watchQR(s, b.client, ch)
	expect(t, b,
		wa.ConnectionChanged{State: wa.StateConnecting,
			Detail: "WhatsApp refused web version 2.3000.1088888888 as outdated; retrying with 2.3000.1099999999"},
		offlineRetry)
	if got := payloadVersion(b); got != "2.3000.1099999999" || dials.Load() != 1 {
		t.Errorf("retry announced %s after %d dials", got, dials.Load())
	}
	if got := refusedVersions(t, st); strings.Join(got, " ") != "2.3000.1088888888" {
		t.Errorf("refused %v", got)
	}
	// Refused again: pairing fails with the advice.
	ch = make(chan whatsmeow.QRChannelItem, 1)
	ch <- whatsmeow.QRChannelClientOutdated
	close(ch)
	b.watchQR(s, b.client, ch)
	pf, ok := next(t, b).(wa.PairFailed)
	if !ok || !strings.Contains(pf.Reason, "refused web version 2.3000.1099999999") || !strings.Contains(pf.Reason, "wa_version") {
		t.Fatalf("got %#v", pf)
	}
	expect(t, b, wa.ConnectionChanged{State: wa.StateOffline, Detail: pf.Reason})
	if s.ctx.Err() == nil {
		t.Error("the session still runs")
	}
}

// A pinned version is never replaced: the adapter says so and stops
// without fetching.
func TestClientOutdatedWithPinnedVersion(t *testing.T) {
	for _, tt := range []struct {
		o    app.VersionOptions
		want []string
	}{
		{app.VersionOptions{Flag: "2.3000.1000000001"}, []string{"2.3000.1000000001", "pinned with --wa-version"}},
		{app.VersionOptions{Config: app.Config{WAVersion: "2.3000.1000000002"}},
			[]string{"2.3000.1000000002", `pinned by "wa_version" in /home/u/.config/wabook/config.json`}},
	} {
		site := newVersionSite(t, fixture(t, "version_page.html"), "")
		b, _, dials := versionBackend(t, true, site, tt.o)
		if err := b.Connect(context.Background()); err != nil {
			t.Fatal(err)
		}
		expect(t, b, wa.ConnectionChanged{State: wa.StateConnecting}, offlineRetry)
		if got := payloadVersion(b); got != tt.want[0] {
			t.Errorf("announced %s, want the pinned %s", got, tt.want[0])
		}
		b.handle(&events.ClientOutdated{})
		ev, ok := next(t, b).(wa.ConnectionChanged)
		if !ok || ev.State != wa.StateOffline {
			t.Fatalf("got %#v", ev)
		}
		for _, w := range tt.want {
			if !strings.Contains(ev.Detail, w) {
				t.Errorf("detail %q lacks %q", ev.Detail, w)
			}
		}
		if dials.Load() != 1 || len(site.requests()) != 0 {
			t.Errorf("%d dials, %d fetches after a pinned refusal", dials.Load(), len(site.requests()))
		}
	}
}

// Without a version source the built-in version is announced, and a
// refusal says which one it was.
func TestClientOutdatedWithoutVersionSource(t *testing.T) {
	restoreVersion(t)
	b, _ := newTestBackend(t, testOpts{})
	b.handle(&events.ClientOutdated{})
	ev, ok := next(t, b).(wa.ConnectionChanged)
	if !ok || ev.State != wa.StateOffline || !strings.Contains(ev.Detail, "refused web version "+BuiltInVersion()) ||
		!strings.Contains(ev.Detail, "the config file") {
		t.Fatalf("got %#v", ev)
	}
	// An unpaired device leaves it to the QR channel.
	u, _ := newTestBackend(t, testOpts{unpaired: true})
	u.handle(&events.ClientOutdated{})
	expectNothingMore(t, u)
}

// When the only version left is the built-in one and WhatsApp refused it
// before, the adapter does not dial to be refused again: it stops at once
// with the advice a refusal gets (paired or pairing). A pinned version is
// still tried.
func TestRefusedBuiltInVersionIsNotAnnouncedAgain(t *testing.T) {
	for _, paired := range []bool{true, false} {
		site := newVersionSite(t, "", "") // the page is gone: no newer version
		b, st, dials := versionBackend(t, paired, site, app.VersionOptions{})
		if err := st.MarkWAVersionRefused(context.Background(), BuiltInVersion(), "", time.Now().Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := b.Connect(context.Background()); err != nil {
			t.Fatal(err)
		}
		expect(t, b, wa.ConnectionChanged{State: wa.StateConnecting}, fetching(site))
		ev := next(t, b)
		if !paired {
			pf, ok := ev.(wa.PairFailed)
			if !ok {
				t.Fatalf("unpaired: got %#v, want PairFailed", ev)
			}
			ev = next(t, b)
			if cc, _ := ev.(wa.ConnectionChanged); cc.Detail != pf.Reason {
				t.Errorf("offline detail %q differs from the pairing failure %q", cc.Detail, pf.Reason)
			}
		}
		cc, ok := ev.(wa.ConnectionChanged)
		if !ok || cc.State != wa.StateOffline {
			t.Fatalf("paired=%v: got %#v, want offline", paired, ev)
		}
		for _, w := range []string{"refused web version " + BuiltInVersion(), "refused the built-in " + BuiltInVersion() + " before",
			`set "wa_version" in /home/u/.config/wabook/config.json`, "newer whatsmeow"} {
			if !strings.Contains(cc.Detail, w) {
				t.Errorf("paired=%v: detail %q lacks %q", paired, cc.Detail, w)
			}
		}
		loopsEnded(t, b)
		expectNothingMore(t, b)
		if dials.Load() != 0 || len(site.requests()) != 2 {
			t.Errorf("paired=%v: %d dials and requests %v; want no dial after one fetch (page and sw.js)", paired, dials.Load(), site.requests())
		}
	}

	// The user insists: a pinned version is announced even so.
	site := newVersionSite(t, "", "")
	b, st, dials := versionBackend(t, true, site, app.VersionOptions{Flag: BuiltInVersion()})
	if err := st.MarkWAVersionRefused(context.Background(), BuiltInVersion(), "", time.Now().Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := b.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	expect(t, b, wa.ConnectionChanged{State: wa.StateConnecting}, offlineRetry)
	if dials.Load() != 1 {
		t.Errorf("pinned: %d dials, want 1", dials.Load())
	}
}

// slowRefusal is the app's version source whose Refused is still busy
// (as a fetch and the cache writes can be) when Close cancels its context.
type slowRefusal struct {
	*app.Versions
	entered  chan struct{}
	finished atomic.Bool
}

func (s *slowRefusal) Refused(ctx context.Context, v string) (wa.VersionChoice, bool) {
	close(s.entered)
	<-ctx.Done()
	time.Sleep(100 * time.Millisecond) // a write that started before the cancel
	next, ok := s.Versions.Refused(ctx, v)
	s.finished.Store(true)
	return next, ok
}

// A refusal being handled when the backend closes ends before Close
// returns, so nothing writes the version cache once the caller closes the
// database; after Close no refusal reaches the version source at all.
func TestCloseWaitsForTheVersionSource(t *testing.T) {
	restoreVersion(t)
	st, err := store.Open(filepath.Join(t.TempDir(), "wabook.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	savePairedDevice(t, st.DB(), false)
	src := &slowRefusal{Versions: app.NewVersions(st, app.VersionOptions{BuiltIn: BuiltInVersion(),
		Config: app.Config{WAVersionURL: app.VersionURLOff}}), entered: make(chan struct{})}
	b, err := New(context.Background(), st.DB(), Options{Log: waLog.Noop, Versions: src})
	if err != nil {
		t.Fatal(err)
	}
	logins := acceptLogins(b)
	if err := b.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	logins.settle(t, b, 1)
	b.handle(&events.ClientOutdated{})
	<-src.entered
	b.Close()
	if !src.finished.Load() {
		t.Fatal("Close returned while the version source was still handling the refusal")
	}
	// Closed: a late refusal does not reach the version source.
	b.clientOutdated(nil, b.cli(), false)
	if recs, err := st.WAVersions(context.Background()); err != nil || len(recs) != 0 {
		t.Errorf("versions recorded after Close: %+v, %v", recs, err)
	}
}

// Before a connect attempt fetches the version, the adapter says where it
// fetches from (the fetch may take seconds); only then. Afterwards it
// tells which version it announced and where that came from.
func TestConnectTellsTheVersionFetchAndTheVersionAnnounced(t *testing.T) {
	const cached = "2.3000.1050000000"
	for _, tc := range []struct {
		name    string
		o       app.VersionOptions
		cache   bool
		fetches bool
		want    wa.VersionChoice
	}{
		{"nothing cached", app.VersionOptions{}, false, true,
			wa.VersionChoice{Version: "2.3000.1099999999", Source: wa.VersionFromFetch}},
		{"cached", app.VersionOptions{}, true, false,
			wa.VersionChoice{Version: cached, Source: wa.VersionFromCache}},
		{"pinned", app.VersionOptions{Flag: "2.3000.1000000001"}, false, false,
			wa.VersionChoice{Version: "2.3000.1000000001", Source: wa.VersionFromFlag, Pinned: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			site := newVersionSite(t, fixture(t, "version_page.html"), "")
			b, st, _ := versionBackend(t, true, site, tc.o)
			if tc.cache {
				if err := st.RecordWAVersionFetched(context.Background(), cached, "earlier", time.Now().Add(-time.Hour)); err != nil {
					t.Fatal(err)
				}
			}
			if got := b.AnnouncedVersion(); got != (wa.VersionChoice{}) {
				t.Fatalf("before connecting: announced %+v", got)
			}
			if err := b.Connect(context.Background()); err != nil {
				t.Fatal(err)
			}
			want := []wa.Event{wa.ConnectionChanged{State: wa.StateConnecting}}
			if tc.fetches {
				want = append(want, fetching(site))
			}
			expect(t, b, append(want, offlineRetry)...)
			if got := b.AnnouncedVersion(); got != tc.want {
				t.Errorf("announced %+v, want %+v", got, tc.want)
			}
			if n := len(site.requests()); (n > 0) != tc.fetches {
				t.Errorf("%d requests to the version page; fetch expected: %v", n, tc.fetches)
			}
		})
	}
}
