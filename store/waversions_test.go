package store_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wabook/wabook/store"
)

func TestCachedWAVersionChoice(t *testing.T) {
	t.Parallel()

	t0 := time.Unix(1_800_000_000, 0)
	at := func(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }
	const url = "https://web.whatsapp.com"
	type step struct {
		op      string // fetched, connected, connected-pinned, refused, refused-pinned
		version string
		at      int
	}
	for _, tt := range []struct {
		name  string
		steps []step
		want  string // "" = no cached choice
	}{
		{"empty", nil, ""},
		{"one fetched", []step{{"fetched", "2.3000.100", 1}}, "2.3000.100"},
		{"most recently fetched", []step{{"fetched", "2.3000.200", 1}, {"fetched", "2.3000.100", 2}}, "2.3000.100"},
		{"connected beats a later fetch", []step{
			{"fetched", "2.3000.100", 1}, {"connected", "2.3000.100", 2}, {"fetched", "2.3000.200", 3}}, "2.3000.100"},
		{"most recently connected", []step{
			{"connected", "2.3000.300", 1}, {"connected", "2.3000.100", 5}}, "2.3000.100"},
		{"a refused one is never chosen", []step{
			{"fetched", "2.3000.100", 1}, {"connected", "2.3000.100", 2}, {"refused", "2.3000.100", 3}}, ""},
		{"refused, then a newer fetched", []step{
			{"connected", "2.3000.100", 2}, {"refused", "2.3000.100", 3}, {"fetched", "2.3000.200", 4}}, "2.3000.200"},
		{"refetching a refused version keeps it refused", []step{
			{"fetched", "2.3000.100", 1}, {"refused", "2.3000.100", 2}, {"fetched", "2.3000.100", 3}}, ""},
		{"nothing older than a refused one", []step{
			{"connected", "2.3000.50", 1}, {"connected", "2.3000.100", 2}, {"refused", "2.3000.100", 3}}, ""},
		{"newer than the refused one still counts", []step{
			{"connected", "2.3000.150", 1}, {"connected", "2.3000.100", 2}, {"refused", "2.3000.100", 3}}, "2.3000.150"},
		// A version only the user named may be a typo WhatsApp does not
		// know: its refusal says nothing about the versions below it.
		{"a pinned refusal sets no floor", []step{
			{"fetched", "2.3000.100", 1}, {"refused-pinned", "2.3000.900", 2}}, "2.3000.100"},
		{"a pinned refusal of a fetched version still sets the floor", []step{
			{"connected", "2.3000.50", 1}, {"fetched", "2.3000.100", 2}, {"refused-pinned", "2.3000.100", 3}}, ""},
		// One that connected or was fetched is known real, whoever named it.
		{"a pinned version that connected sets the floor", []step{
			{"connected", "2.3000.50", 1}, {"connected-pinned", "2.3000.900", 2}, {"refused-pinned", "2.3000.900", 3}}, ""},
		{"a pinned version that connected, refused without the pin, sets the floor", []step{
			{"connected", "2.3000.50", 1}, {"connected-pinned", "2.3000.900", 2}, {"refused", "2.3000.900", 3}}, ""},
		{"a fetched version that connected pinned, refused without the pin, sets the floor", []step{
			{"connected", "2.3000.50", 1}, {"fetched", "2.3000.100", 2}, {"connected-pinned", "2.3000.100", 3},
			{"refused", "2.3000.100", 4}}, ""},
		{"a pinned refusal, then a fetch of the same version, sets the floor", []step{
			{"connected", "2.3000.50", 1}, {"refused-pinned", "2.3000.100", 2}, {"fetched", "2.3000.100", 3}}, ""},
		{"a pinned refusal is never chosen", []step{
			{"connected", "2.3000.900", 1}, {"refused-pinned", "2.3000.900", 2}}, ""},
		{"same second: the newer version", []step{
			{"fetched", "2.3000.100", 1}, {"fetched", "2.3000.200", 1}}, "2.3000.200"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			s := open(t)
			for _, st := range tt.steps {
				var err error
				switch st.op {
				case "fetched":
					err = s.RecordWAVersionFetched(ctx, st.version, url, at(st.at))
				case "connected":
					err = s.MarkWAVersionConnected(ctx, st.version, "", at(st.at))
				case "connected-pinned":
					err = s.MarkWAVersionConnected(ctx, st.version, "flag", at(st.at))
				case "refused":
					err = s.MarkWAVersionRefused(ctx, st.version, "", at(st.at))
				case "refused-pinned":
					err = s.MarkWAVersionRefused(ctx, st.version, "flag", at(st.at))
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			rec, ok, err := s.CachedWAVersion(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if got := map[bool]string{true: rec.Version}[ok]; got != tt.want {
				t.Fatalf("cached choice %q (ok=%v), want %q", rec.Version, ok, tt.want)
			}
		})
	}
}

func TestWAVersionRecordsAndBadInput(t *testing.T) {
	t.Parallel()

	path := filepath.Join(t.TempDir(), "w.db")
	s, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Unix(1_800_000_000, 0)
	if err := s.RecordWAVersionFetched(ctx, "2.3000.100", "http://127.0.0.1:1/", t0); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkWAVersionConnected(ctx, "2.3000.100", "", t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkWAVersionConnected(ctx, "2.3000.7", "flag", t0.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkWAVersionRefused(ctx, "2.3000.7", "", t0.Add(3*time.Minute)); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"", "2.3000", "2.3000.x", "2.3000.1; DROP TABLE wa_versions"} {
		if err := s.RecordWAVersionFetched(ctx, bad, "x", t0); err == nil {
			t.Errorf("RecordWAVersionFetched(%q): no error", bad)
		}
		if err := s.MarkWAVersionRefused(ctx, bad, "", t0); err == nil {
			t.Errorf("MarkWAVersionRefused(%q): no error", bad)
		}
	}
	if err := s.MarkWAVersionConnected(ctx, "2.3000.9", "", time.Time{}); err == nil {
		t.Error("MarkWAVersionConnected without a time: no error")
	}
	// It survives a reopen, most recent first, sources kept.
	s.Close()
	s, err = store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.WAVersions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []store.WAVersionRecord{
		{Version: "2.3000.7", Source: "flag", ConnectedAt: t0.Add(2 * time.Minute), RefusedAt: t0.Add(3 * time.Minute)},
		{Version: "2.3000.100", Source: "http://127.0.0.1:1/", FetchedAt: t0, ConnectedAt: t0.Add(time.Minute)},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d versions %+v, want %d", len(got), got, len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Version != w.Version || g.Source != w.Source || !g.FetchedAt.Equal(w.FetchedAt) ||
			!g.ConnectedAt.Equal(w.ConnectedAt) || !g.RefusedAt.Equal(w.RefusedAt) {
			t.Errorf("version %d: %+v, want %+v", i, g, w)
		}
	}
	rec, ok, err := s.CachedWAVersion(ctx)
	if err != nil || !ok || rec.Version != "2.3000.100" {
		t.Fatalf("cached choice %+v %v %v, want 2.3000.100 (newer than the refused 2.3000.7)", rec, ok, err)
	}
}

func TestIntegrityAndFileSchemaVersion(t *testing.T) {
	t.Parallel()

	s := open(t)
	if got := s.Integrity(ctx); got != "ok" {
		t.Fatalf("Integrity of a fresh database = %q", got)
	}
	v, err := s.FileSchemaVersion(ctx)
	if err != nil || v != store.SchemaVersion() {
		t.Fatalf("FileSchemaVersion = %d, %v; want %d", v, err, store.SchemaVersion())
	}
	s.Close()
	if got := s.Integrity(ctx); got == "ok" || strings.Contains(got, "\n") {
		t.Fatalf("Integrity on a closed database = %q, want one line of error", got)
	}
}

// A URL says where the version was read from; a pin that connected with
// it must not hide that (UserNamed would take it for a possible typo).
func TestConnectedKeepsAFetchedVersionsURL(t *testing.T) {
	t.Parallel()

	t0 := time.Unix(1_800_000_000, 0)
	const url = "http://127.0.0.1:1/sw.js"
	for _, tt := range []struct {
		name       string
		first      string // source of the first record: a URL (fetched) or a pin (connected)
		connectSrc string
		want       string
	}{
		{"fetched, connected pinned by flag", url, "flag", url},
		{"fetched, connected pinned by config", url, "config", url},
		{"fetched, connected as built-in", url, "built-in", url},
		{"fetched, connected without source", url, "", url},
		{"pinned by flag, connected pinned by config", "flag", "config", "config"},
		{"built-in, connected pinned by flag", "built-in", "flag", "flag"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			s := open(t)
			var err error
			if tt.first == url {
				err = s.RecordWAVersionFetched(ctx, "2.3000.100", url, t0)
			} else {
				err = s.MarkWAVersionConnected(ctx, "2.3000.100", tt.first, t0)
			}
			if err != nil {
				t.Fatal(err)
			}
			if err := s.MarkWAVersionConnected(ctx, "2.3000.100", tt.connectSrc, t0.Add(time.Minute)); err != nil {
				t.Fatal(err)
			}
			all, err := s.WAVersions(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(all) != 1 || all[0].Source != tt.want {
				t.Fatalf("records %+v, want one with source %q", all, tt.want)
			}
			if all[0].UserNamed() {
				t.Errorf("%+v: UserNamed after it connected", all[0])
			}
		})
	}
}

func TestUserNamed(t *testing.T) {
	t.Parallel()

	t0 := time.Unix(1_800_000_000, 0)
	for _, tt := range []struct {
		rec  store.WAVersionRecord
		want bool
	}{
		{store.WAVersionRecord{Source: "flag", RefusedAt: t0}, true},
		{store.WAVersionRecord{Source: "config", RefusedAt: t0}, true},
		{store.WAVersionRecord{Source: "flag", ConnectedAt: t0, RefusedAt: t0}, false},
		{store.WAVersionRecord{Source: "config", FetchedAt: t0, RefusedAt: t0}, false},
		{store.WAVersionRecord{Source: "https://web.whatsapp.com", FetchedAt: t0}, false},
		{store.WAVersionRecord{Source: "built-in", RefusedAt: t0}, false},
		{store.WAVersionRecord{Source: "", RefusedAt: t0}, false},
	} {
		if got := tt.rec.UserNamed(); got != tt.want {
			t.Errorf("%+v.UserNamed() = %v, want %v", tt.rec, got, tt.want)
		}
	}
}
