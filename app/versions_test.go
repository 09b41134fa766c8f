package app

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wabook/wabook/store"
	"github.com/wabook/wabook/wa"
)

const testBuiltIn = "2.3000.1031080782"

// pageFetch answers fetches with what the page currently names (or err),
// and counts them.
type pageFetch struct {
	mu    sync.Mutex
	names string
	from  string // where on the site the version is read: "" the page, "/sw.js"
	err   error
	urls  []string
}

func (p *pageFetch) fetch(ctx context.Context, url string) (version, from string, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.urls = append(p.urls, url)
	if p.err != nil {
		return "", "", p.err
	}
	return p.names, url + p.from, nil
}

func (p *pageFetch) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.urls)
}

func openVersionStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func choice(v, source string) wa.VersionChoice {
	return wa.VersionChoice{Version: v, Source: source,
		Pinned: source == wa.VersionFromFlag || source == wa.VersionFromConfig}
}

func TestVersionsAnnounceOrder(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	t0 := time.Unix(1_800_000_000, 0)
	for _, tt := range []struct {
		name      string
		flag, cfg string
		url       string // config wa_version_url
		cached    string // fetched earlier
		page      string
		pageErr   error
		want      wa.VersionChoice
		fetches   int
		wantNote  string
		wantCache string // the cache's choice afterwards
	}{
		{name: "flag wins", flag: "2.3000.1000000001", cfg: "2.3000.1000000002", cached: "2.3000.1099999998", page: "2.3000.1099999999",
			want: choice("2.3000.1000000001", wa.VersionFromFlag), wantCache: "2.3000.1099999998"},
		{name: "config next", cfg: "2.3000.1000000002", cached: "2.3000.1099999998", page: "2.3000.1099999999",
			want: choice("2.3000.1000000002", wa.VersionFromConfig), wantCache: "2.3000.1099999998"},
		{name: "cache before a fetch", cached: "2.3000.1099999998", page: "2.3000.1099999999",
			want: choice("2.3000.1099999998", wa.VersionFromCache), wantCache: "2.3000.1099999998"},
		{name: "fetched and cached at once", page: "2.3000.1099999999",
			want: choice("2.3000.1099999999", wa.VersionFromFetch), fetches: 1, wantCache: "2.3000.1099999999"},
		{name: "a cache older than the built-in one is stale", cached: "2.3000.1000000000", page: "2.3000.1099999999",
			want: choice("2.3000.1099999999", wa.VersionFromFetch), fetches: 1, wantCache: "2.3000.1099999999"},
		{name: "failed fetch: built-in with a note", pageErr: errors.New("http://127.0.0.1:9/: connection refused"),
			want: choice(testBuiltIn, wa.VersionFromBuiltIn), fetches: 1, wantNote: "connection refused"},
		{name: "fetching off", url: "off", page: "2.3000.1099999999",
			want: choice(testBuiltIn, wa.VersionFromBuiltIn)},
		{name: "a fetched version older than the built-in one is not used, nor cached", page: "2.3000.1000000000",
			want: choice(testBuiltIn, wa.VersionFromBuiltIn), fetches: 1,
			wantNote: DefaultWAVersionURL + " names 2.3000.1000000000, older than the built-in " + testBuiltIn + ": not used"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			st := openVersionStore(t)
			if tt.cached != "" {
				if err := st.RecordWAVersionFetched(ctx, tt.cached, "earlier", t0); err != nil {
					t.Fatal(err)
				}
			}
			page := &pageFetch{names: tt.page, err: tt.pageErr}
			v := NewVersions(st, VersionOptions{Flag: tt.flag, Config: Config{WAVersion: tt.cfg, WAVersionURL: tt.url},
				Fetch: page.fetch, BuiltIn: testBuiltIn, Clock: func() time.Time { return t0.Add(time.Hour) }})
			got := v.Announce(ctx)
			note := got.Note
			got.Note = ""
			if got != tt.want {
				t.Errorf("Announce = %+v, want %+v", got, tt.want)
			}
			if !strings.Contains(note, tt.wantNote) || (tt.wantNote == "" && note != "") {
				t.Errorf("note %q, want one containing %q", note, tt.wantNote)
			}
			if page.count() != tt.fetches {
				t.Errorf("%d fetches, want %d", page.count(), tt.fetches)
			}
			if page.count() > 0 && page.urls[0] != DefaultWAVersionURL {
				t.Errorf("fetched %s, want %s", page.urls[0], DefaultWAVersionURL)
			}
			rec, _, err := st.CachedWAVersion(ctx)
			if err != nil || rec.Version != tt.wantCache {
				t.Errorf("cache holds %q (%v), want %q", rec.Version, err, tt.wantCache)
			}
			// Current never fetches and agrees with Announce once cached.
			before := page.count()
			cur := v.Current(ctx)
			if page.count() != before {
				t.Error("Current fetched")
			}
			if tt.fetches == 1 && tt.wantCache != "" && (cur.Version != tt.want.Version || cur.Source != wa.VersionFromCache) {
				t.Errorf("Current after the fetch = %+v, want %s cached", cur, tt.want.Version)
			}
		})
	}
}

func TestVersionsRefused(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	t0 := time.Unix(1_800_000_000, 0)
	clock := func() time.Time { t0 = t0.Add(time.Minute); return t0 }
	st := openVersionStore(t)
	page := &pageFetch{names: "2.3000.1099999999"}
	v := NewVersions(st, VersionOptions{Fetch: page.fetch, BuiltIn: testBuiltIn, Clock: clock})
	if err := st.MarkWAVersionConnected(ctx, "2.3000.1050000000", "", clock()); err != nil {
		t.Fatal(err)
	}
	if got := v.Announce(ctx); got.Version != "2.3000.1050000000" || got.Source != wa.VersionFromCache {
		t.Fatalf("Announce = %+v", got)
	}
	// Refused: the page's newer version comes back, fetched once.
	next, ok := v.Refused(ctx, "2.3000.1050000000")
	if !ok || next.Version != "2.3000.1099999999" || next.Source != wa.VersionFromFetch || page.count() != 1 {
		t.Fatalf("Refused = %+v, %v after %d fetches", next, ok, page.count())
	}
	// The refused one is never announced again.
	if got := v.Current(ctx); got.Version != "2.3000.1099999999" {
		t.Fatalf("Current after a refusal = %+v", got)
	}
	// The new one refused too while the page still names it: nothing to
	// retry with (the built-in one is older).
	next, ok = v.Refused(ctx, "2.3000.1099999999")
	if ok || !strings.Contains(next.Note, "still names 2.3000.1099999999") {
		t.Fatalf("second Refused = %+v, %v", next, ok)
	}
	if got := v.Current(ctx); got.Source != wa.VersionFromBuiltIn {
		t.Fatalf("Current with everything refused = %+v", got)
	}
	recs, _ := st.WAVersions(ctx)
	for _, r := range recs {
		if r.RefusedAt.IsZero() {
			t.Errorf("%s not marked refused", r.Version)
		}
	}

	// A pinned version is marked but never replaced, and nothing is fetched.
	st2 := openVersionStore(t)
	page2 := &pageFetch{names: "2.3000.1099999999"}
	for _, o := range []VersionOptions{{Flag: "2.3000.1000000001"}, {Config: Config{WAVersion: "2.3000.1000000002"}}} {
		o.Fetch, o.BuiltIn = page2.fetch, testBuiltIn
		pv := NewVersions(st2, o)
		pinned := pv.Announce(ctx)
		next, ok := pv.Refused(ctx, pinned.Version)
		if ok || !next.Pinned || next.Version != pinned.Version || !strings.Contains(next.Note, "pins it") {
			t.Errorf("Refused(pinned %s) = %+v, %v", pinned.Version, next, ok)
		}
	}
	if page2.count() != 0 {
		t.Errorf("a pinned refusal fetched %d times", page2.count())
	}
	if recs, _ := st2.WAVersions(ctx); len(recs) != 2 || recs[0].RefusedAt.IsZero() || recs[1].RefusedAt.IsZero() {
		t.Errorf("pinned refusals not recorded: %+v", recs)
	}

	// A failed fetch falls back to the built-in one when it is newer.
	st3 := openVersionStore(t)
	page3 := &pageFetch{err: errors.New("timed out")}
	fv := NewVersions(st3, VersionOptions{Fetch: page3.fetch, BuiltIn: testBuiltIn})
	next, ok = fv.Refused(ctx, "2.3000.1000000000")
	if !ok || next.Version != testBuiltIn || next.Source != wa.VersionFromBuiltIn || !strings.Contains(next.Note, "timed out") {
		t.Errorf("Refused with a failing page = %+v, %v", next, ok)
	}
}

func TestVersionsRefreshAndConnected(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	st := openVersionStore(t)
	page := &pageFetch{names: "2.3000.1099999999"}
	v := NewVersions(st, VersionOptions{Fetch: page.fetch, BuiltIn: testBuiltIn})
	if got := v.Current(ctx); got.Source != wa.VersionFromBuiltIn || !strings.Contains(got.Note, "connecting fetches one from https://web.whatsapp.com") {
		t.Fatalf("Current before anything = %+v", got)
	}
	if got := v.Refresh(ctx); got.Version != "2.3000.1099999999" || got.Source != wa.VersionFromFetch {
		t.Fatalf("Refresh = %+v", got)
	}
	page.names, page.err = "", errors.New("no client_revision in the page")
	if got := v.Refresh(ctx); got.Version != "2.3000.1099999999" || got.Source != wa.VersionFromCache || !strings.Contains(got.Note, "no client_revision") {
		t.Fatalf("Refresh with a garbled page = %+v", got)
	}
	pv := NewVersions(st, VersionOptions{Flag: "2.3000.1000000001", Fetch: page.fetch, BuiltIn: testBuiltIn})
	page.names, page.err = "2.3000.1100000000", nil
	if got := pv.Refresh(ctx); got.Version != "2.3000.1000000001" || got.Source != wa.VersionFromFlag || !strings.Contains(got.Note, "names 2.3000.1100000000; not used") {
		t.Fatalf("Refresh with a flag = %+v", got)
	}
	// The pinned version connected: recorded with its source.
	pv.Connected(ctx, "2.3000.1000000001")
	recs, _ := st.WAVersions(ctx)
	found := false
	for _, r := range recs {
		if r.Version == "2.3000.1000000001" {
			found = r.Source == "flag" && !r.ConnectedAt.IsZero()
		}
	}
	if !found {
		t.Errorf("Connected not recorded: %+v", recs)
	}
}

// A mistyped --wa-version that WhatsApp refuses is recorded (doctor shows
// it) but blocks none of the versions below it once the flag is gone: not
// the cache, not a fetched one, not the built-in one.
func TestVersionsPinnedRefusalBlocksNothingElse(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	t0 := time.Unix(1_800_000_000, 0)
	clock := func() time.Time { t0 = t0.Add(time.Minute); return t0 }
	const typo, cached, fetched = "2.3000.1999999999", "2.3000.1050000000", "2.3000.1099999999"
	st := openVersionStore(t)
	if err := st.RecordWAVersionFetched(ctx, cached, "https://web.whatsapp.com", clock()); err != nil {
		t.Fatal(err)
	}
	page := &pageFetch{names: fetched}
	pv := NewVersions(st, VersionOptions{Flag: typo, Fetch: page.fetch, BuiltIn: testBuiltIn, Clock: clock})
	if next, ok := pv.Refused(ctx, typo); ok || next.Version != typo {
		t.Fatalf("Refused(pinned) = %+v, %v", next, ok)
	}
	recs, _ := st.WAVersions(ctx)
	if len(recs) != 2 || recs[0].Version != typo || recs[0].RefusedAt.IsZero() || recs[0].Source != "flag" {
		t.Fatalf("the pinned refusal is not recorded with its source: %+v", recs)
	}

	v := NewVersions(st, VersionOptions{Fetch: page.fetch, BuiltIn: testBuiltIn, Clock: clock})
	if got := v.Announce(ctx); got.Version != cached || got.Source != wa.VersionFromCache {
		t.Errorf("Announce after a pinned refusal = %+v, want the cached %s", got, cached)
	}
	if got := v.Refresh(ctx); got.Version != fetched || got.Source != wa.VersionFromFetch {
		t.Errorf("Refresh after a pinned refusal = %+v, want the fetched %s", got, fetched)
	}
	// With no page, the built-in one is still worth announcing.
	bv := NewVersions(openVersionStore(t), VersionOptions{Config: Config{WAVersion: typo}, BuiltIn: testBuiltIn, Clock: clock})
	bv.Refused(ctx, typo)
	bv = NewVersions(bv.store, VersionOptions{BuiltIn: testBuiltIn, Clock: clock})
	if got := bv.Announce(ctx); got.Version != testBuiltIn || got.Source != wa.VersionFromBuiltIn || got.Note != "" {
		t.Errorf("Announce of the built-in one after a pinned refusal = %+v", got)
	}
}

// A built-in version WhatsApp refused before (itself, or a newer version)
// is not offered as if it could work: when nothing better is found the
// choice is marked Refused and the note says so. A pinned version still
// wins: the user may insist.
func TestVersionsRefusedBuiltInIsNotAnnouncedAgain(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	t0 := time.Unix(1_800_000_000, 0)
	for _, tt := range []struct {
		name     string
		refused  string
		url      string
		pageErr  error
		page     string
		wantNote []string
	}{
		{name: "built-in refused, page down", refused: testBuiltIn, pageErr: errors.New("connection refused"),
			wantNote: []string{"connection refused", "WhatsApp refused the built-in " + testBuiltIn + " before"}},
		{name: "built-in refused, fetching off", refused: testBuiltIn, url: "off",
			wantNote: []string{"WhatsApp refused the built-in " + testBuiltIn + " before"}},
		{name: "a newer one refused, the page names it", refused: "2.3000.1050000000", page: "2.3000.1050000000",
			wantNote: []string{"names 2.3000.1050000000, which WhatsApp refused before",
				"WhatsApp refused 2.3000.1050000000 before, which is newer than the built-in " + testBuiltIn}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			st := openVersionStore(t)
			if err := st.MarkWAVersionRefused(ctx, tt.refused, "", t0); err != nil {
				t.Fatal(err)
			}
			page := &pageFetch{names: tt.page, err: tt.pageErr}
			o := VersionOptions{Config: Config{WAVersionURL: tt.url}, Fetch: page.fetch, BuiltIn: testBuiltIn}
			v := NewVersions(st, o)
			for what, got := range map[string]wa.VersionChoice{"Announce": v.Announce(ctx), "Refresh": v.Refresh(ctx)} {
				if !got.Refused || got.Version != testBuiltIn || got.Source != wa.VersionFromBuiltIn {
					t.Errorf("%s = %+v, want the built-in one marked Refused", what, got)
				}
				for _, w := range tt.wantNote {
					if !strings.Contains(got.Note, w) {
						t.Errorf("%s note %q lacks %q", what, got.Note, w)
					}
				}
			}
			if tt.url == "off" {
				if got := v.Current(ctx); !got.Refused {
					t.Errorf("Current = %+v, want Refused", got)
				}
			}
			o.Flag = testBuiltIn
			if got := NewVersions(st, o).Announce(ctx); got.Refused || !got.Pinned || got.Version != testBuiltIn {
				t.Errorf("pinned: Announce = %+v, want the pinned one, not Refused", got)
			}
		})
	}
	// Not refused: the built-in one is offered plainly.
	v := NewVersions(openVersionStore(t), VersionOptions{Config: Config{WAVersionURL: "off"}, BuiltIn: testBuiltIn})
	if got := v.Announce(ctx); got.Refused || got.Note != "" {
		t.Errorf("nothing refused: Announce = %+v", got)
	}
}

// A fetched version older than the built-in one is ignored the way an
// older cached one is: Refresh, Announce and Refused say so
// and use the built-in one, nothing is cached, and Current agrees with
// them afterwards. A version read from /sw.js is cached with that URL.
func TestVersionsIgnoreAnOlderFetch(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	st := openVersionStore(t)
	page := &pageFetch{names: "2.3000.1000000000", from: "/sw.js"}
	v := NewVersions(st, VersionOptions{Fetch: page.fetch, BuiltIn: testBuiltIn})
	const note = DefaultWAVersionURL + "/sw.js names 2.3000.1000000000, older than the built-in " + testBuiltIn + ": not used"
	for what, got := range map[string]wa.VersionChoice{"Refresh": v.Refresh(ctx), "Announce": v.Announce(ctx)} {
		if got.Version != testBuiltIn || got.Source != wa.VersionFromBuiltIn || got.Note != note {
			t.Errorf("%s = %+v, want the built-in one with the note %q", what, got, note)
		}
	}
	if got, ok := v.Refused(ctx, "2.3000.999999999"); !ok || got.Version != testBuiltIn || got.Note != note {
		t.Errorf("Refused = %+v, %v; want the built-in one with the note %q", got, ok, note)
	}
	if recs, err := st.WAVersions(ctx); err != nil || len(recs) != 1 || recs[0].Version != "2.3000.999999999" {
		t.Errorf("cache %+v (%v), want only the refused one", recs, err)
	}
	if cur := v.Current(ctx); cur.Source != wa.VersionFromBuiltIn || !strings.Contains(cur.Note, "no version cached yet") {
		t.Errorf("Current = %+v", cur)
	}

	page.names = "2.3000.1099999999"
	if got := v.Refresh(ctx); got.Version != "2.3000.1099999999" || got.Source != wa.VersionFromFetch {
		t.Fatalf("Refresh = %+v", got)
	}
	if rec, ok, err := st.CachedWAVersion(ctx); err != nil || !ok || rec.Source != DefaultWAVersionURL+"/sw.js" {
		t.Errorf("cached %+v, %v, %v; want it from %s/sw.js", rec, ok, err, DefaultWAVersionURL)
	}
}
