package app

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/wabook/wabook/app/config"
	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/store"
	"github.com/wabook/wabook/wa"
)

// WhatsApp Web version settings (README, "When WhatsApp changes").
const (
	// DefaultWAVersionURL is where the current WhatsApp Web version is read.
	DefaultWAVersionURL = "https://web.whatsapp.com"
	// VersionURLOff as wa_version_url never fetches a version.
	VersionURLOff = config.VersionURLOff
)

// VersionFetch reads the current WhatsApp Web version ("2.3000.N") from
// the page at url, or from a place the page leads to (its /sw.js); from is
// the URL the version was actually read from. The whatsmeow adapter
// provides it (main wires it in).
type VersionFetch func(ctx context.Context, url string) (version, from string, err error)

// VersionOptions configure Versions.
type VersionOptions struct {
	// Flag is --wa-version ("" when not given).
	Flag string
	// Config gives wa_version and wa_version_url.
	Config Config
	// Fetch reads a version from a page; nil never fetches.
	Fetch VersionFetch
	// BuiltIn is the version the WhatsApp library was released with.
	BuiltIn string
	// Clock is the time recorded with each version; nil means time.Now.
	Clock func() time.Time
	// NoCache, when set, says why a fetched version cannot be cached
	// (`wabook doctor --refresh` on a database it may not upgrade): the
	// store is then only read, and Refresh's note says so.
	NoCache string
}

// Versions picks the WhatsApp Web version to announce, in the order
// --wa-version, the config's wa_version, the cached one, one fetched from
// wa_version_url, the built-in one, and learns from WhatsApp's answers
// (wa.VersionSource). The cache is the wa_versions table; a cached version
// older than the built-in one is stale (wabook was updated since) and
// skipped, and a fetched one older than the built-in one is not used (nor
// cached) either.
type Versions struct {
	store   *store.Store // nil: no cache (the database could not be opened)
	flag    string
	config  string
	url     string // "" when fetching is off
	fetch   VersionFetch
	builtIn string
	now     func() time.Time
	noCache string

	mu sync.Mutex // one fetch at a time
}

var (
	_ wa.VersionSource      = (*Versions)(nil)
	_ wa.VersionFetchTeller = (*Versions)(nil)
)

// NewVersions returns the version source over st (which may be nil).
func NewVersions(st *store.Store, o VersionOptions) *Versions {
	v := &Versions{store: st, flag: o.Flag, config: o.Config.WAVersion, fetch: o.Fetch,
		builtIn: o.BuiltIn, now: o.Clock, noCache: o.NoCache}
	switch o.Config.WAVersionURL {
	case "":
		v.url = DefaultWAVersionURL
	case VersionURLOff:
	default:
		v.url = o.Config.WAVersionURL
	}
	if v.fetch == nil {
		v.url = ""
	}
	if v.now == nil {
		v.now = time.Now
	}
	return v
}

// URL is where versions are fetched from, "" when fetching is off.
func (v *Versions) URL() string { return v.url }

// BuiltIn is the WhatsApp library's own version.
func (v *Versions) BuiltIn() string { return v.builtIn }

// pinned is the version the user chose, if any.
func (v *Versions) pinned() (wa.VersionChoice, bool) {
	switch {
	case v.flag != "":
		return wa.VersionChoice{Version: v.flag, Source: wa.VersionFromFlag, Pinned: true}, true
	case v.config != "":
		return wa.VersionChoice{Version: v.config, Source: wa.VersionFromConfig, Pinned: true}, true
	}
	return wa.VersionChoice{}, false
}

// known is the version the user or the cache gives, without fetching.
func (v *Versions) known(ctx context.Context) (wa.VersionChoice, bool) {
	if c, ok := v.pinned(); ok {
		return c, true
	}
	return v.cached(ctx)
}

// cached is the cache's choice, unless it is older than the built-in one.
func (v *Versions) cached(ctx context.Context) (wa.VersionChoice, bool) {
	if v.store == nil {
		return wa.VersionChoice{}, false
	}
	rec, ok, err := v.store.CachedWAVersion(ctx)
	if err != nil || !ok || older(rec.Version, v.builtIn) {
		return wa.VersionChoice{}, false
	}
	return wa.VersionChoice{Version: rec.Version, Source: wa.VersionFromCache}, true
}

// builtInChoice is the built-in version; note says why nothing better was
// used.
func (v *Versions) builtInChoice(note string) wa.VersionChoice {
	return wa.VersionChoice{Version: v.builtIn, Source: wa.VersionFromBuiltIn, Note: note}
}

// lastResort is the built-in version when nothing better is known. When
// WhatsApp refused it (or a newer one) before, it is marked Refused and
// the Note says so: announcing it would only get another 405.
func (v *Versions) lastResort(ctx context.Context, note string) wa.VersionChoice {
	by, ok := v.refusedBy(ctx, v.builtIn)
	if !ok {
		return v.builtInChoice(note)
	}
	why := "WhatsApp refused the built-in " + v.builtIn + " before"
	if by != v.builtIn {
		why = fmt.Sprintf("WhatsApp refused %s before, which is newer than the built-in %s", by, v.builtIn)
	}
	if note != "" {
		why = note + "; " + why
	}
	c := v.builtInChoice(why)
	c.Refused = true
	return c
}

// Current is the version a connection would announce now, without
// fetching: when a fetch would happen on connect, the Note says so.
func (v *Versions) Current(ctx context.Context) wa.VersionChoice {
	if c, ok := v.known(ctx); ok {
		return c
	}
	if v.url != "" {
		return v.builtInChoice("no version cached yet: connecting fetches one from " + v.url + " first")
	}
	return v.lastResort(ctx, "")
}

// AnnounceFetchURL is the URL Announce would fetch from now, "" when it
// would not fetch (wa.VersionFetchTeller).
func (v *Versions) AnnounceFetchURL(ctx context.Context) string {
	if _, ok := v.known(ctx); ok {
		return ""
	}
	return v.url
}

// Announce returns the version to announce, fetching one (and caching it
// at once) when neither the user nor the cache gives one.
func (v *Versions) Announce(ctx context.Context) wa.VersionChoice {
	if c, ok := v.known(ctx); ok {
		return c
	}
	if v.url == "" {
		return v.lastResort(ctx, "")
	}
	got, from, err := v.fetchAndCache(ctx)
	if err != nil {
		return v.lastResort(ctx, err.Error())
	}
	if !v.usable(ctx, got) {
		return v.lastResort(ctx, fmt.Sprintf("%s names %s, which WhatsApp refused before", from, got))
	}
	return wa.VersionChoice{Version: got, Source: wa.VersionFromFetch}
}

// Refresh fetches the current version now (caching it) and returns the
// version a connection would announce after it: a pinned version still
// wins, and the Note tells what the fetch found or why it failed.
func (v *Versions) Refresh(ctx context.Context) wa.VersionChoice {
	if v.url == "" {
		c := v.Current(ctx)
		if c.Note == "" {
			c.Note = "not fetched: wa_version_url is off"
		}
		return c
	}
	got, from, err := v.fetchAndCache(ctx)
	c := v.afterRefresh(ctx, got, from, err)
	if err == nil && v.noCache != "" {
		uncached := "not cached: " + v.noCache
		if c.Note != "" {
			uncached = c.Note + "; " + uncached
		}
		c.Note = uncached
	}
	return c
}

// afterRefresh is Refresh's choice once the fetch gave got (from) or err.
func (v *Versions) afterRefresh(ctx context.Context, got, from string, err error) wa.VersionChoice {
	if c, ok := v.pinned(); ok {
		if err != nil {
			c.Note = err.Error()
		} else {
			c.Note = fmt.Sprintf("%s names %s; not used: %s pins %s", from, got, pinWord(c.Source), c.Version)
		}
		return c
	}
	if err == nil && v.usable(ctx, got) {
		return wa.VersionChoice{Version: got, Source: wa.VersionFromFetch}
	}
	note := ""
	if err != nil {
		note = err.Error()
	} else {
		note = fmt.Sprintf("%s names %s, which WhatsApp refused before", from, got)
	}
	if c, ok := v.cached(ctx); ok {
		c.Note = note
		return c
	}
	return v.lastResort(ctx, note)
}

// Refused marks refused as outdated and, unless the user pinned the
// version, finds another to retry with: a freshly fetched one, else one
// the cache still trusts, else the built-in one, whichever is newer than
// refused and not refused itself. A pinned version is marked with its
// source, so that a typo blocks no other version (store.UserNamed).
func (v *Versions) Refused(ctx context.Context, refused string) (wa.VersionChoice, bool) {
	pin, pinned := v.pinned()
	if v.store != nil && v.noCache == "" {
		source := ""
		if pinned && pin.Version == refused {
			source = pin.Source
		}
		if err := v.store.MarkWAVersionRefused(ctx, refused, source, v.now()); err != nil {
			return wa.VersionChoice{Note: err.Error()}, false
		}
	}
	if pinned {
		pin.Note = fmt.Sprintf("%s pins it", pinWord(pin.Source))
		return pin, false
	}
	var note string
	if v.url != "" {
		got, from, err := v.fetchAndCache(ctx)
		switch {
		case err != nil:
			note = err.Error()
		case got == refused:
			note = from + " still names " + got
		case !v.usable(ctx, got) || !older(refused, got):
			note = fmt.Sprintf("%s names %s, which is not newer", from, got)
		default:
			return wa.VersionChoice{Version: got, Source: wa.VersionFromFetch}, true
		}
	} else {
		note = "fetching is off (wa_version_url)"
	}
	if c, ok := v.cached(ctx); ok && older(refused, c.Version) {
		c.Note = note
		return c, true
	}
	if older(refused, v.builtIn) && v.usable(ctx, v.builtIn) {
		return v.builtInChoice(note), true
	}
	return wa.VersionChoice{Note: note}, false
}

// Connected records that WhatsApp accepted version.
func (v *Versions) Connected(ctx context.Context, version string) {
	if v.store == nil || v.noCache != "" {
		return
	}
	source := ""
	switch version {
	case v.flag:
		source = wa.VersionFromFlag
	case v.config:
		source = wa.VersionFromConfig
	case v.builtIn:
		source = wa.VersionFromBuiltIn
	}
	// Best effort: at worst the next start fetches again.
	_ = v.store.MarkWAVersionConnected(ctx, version, source, v.now())
}

// fetchAndCache fetches the current version and records it at once, with
// the URL it was read from, so a crash right after still has it. A version
// older than the built-in one is an error and is not cached: the cache
// would skip it anyway (cached), and announcing it would go back in time.
func (v *Versions) fetchAndCache(ctx context.Context) (version, from string, err error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	got, from, err := v.fetch(ctx, v.url)
	if err != nil {
		return "", "", fmt.Errorf("fetching the WhatsApp Web version failed: %w", err)
	}
	if from == "" {
		from = v.url
	}
	if _, err := model.ParseWAVersion(got); err != nil {
		return "", "", fmt.Errorf("fetching the WhatsApp Web version from %s: %w", from, err)
	}
	if older(got, v.builtIn) {
		return "", "", fmt.Errorf("%s names %s, older than the built-in %s: not used", from, got, v.builtIn)
	}
	if v.store != nil && v.noCache == "" {
		if err := v.store.RecordWAVersionFetched(ctx, got, from, v.now()); err != nil {
			return got, from, nil // still usable now; only the cache missed it
		}
	}
	return got, from, nil
}

// usable reports whether version may be announced: no refusal rules it
// out (store.RefusalOf, the rule the cache's choice follows too).
func (v *Versions) usable(ctx context.Context, version string) bool {
	_, refused := v.refusedBy(ctx, version)
	return !refused
}

// refusedBy finds the refusal that rules version out (store.RefusalOf);
// ok is false when none does.
func (v *Versions) refusedBy(ctx context.Context, version string) (by string, ok bool) {
	if v.store == nil {
		return "", false
	}
	all, err := v.store.WAVersions(ctx)
	if err != nil {
		return "", false
	}
	return store.RefusalOf(all, version)
}

// older reports whether a is an older version than b; unreadable versions
// are never older.
func older(a, b string) bool {
	va, err1 := model.ParseWAVersion(a)
	vb, err2 := model.ParseWAVersion(b)
	return err1 == nil && err2 == nil && va.Compare(vb) < 0
}

func pinWord(source string) string {
	if source == wa.VersionFromFlag {
		return "--wa-version"
	}
	return "the config's wa_version"
}
