package wa

import "context"

// Where the announced WhatsApp Web version came from (README, "When WhatsApp changes"), in the
// order they are tried.
const (
	VersionFromFlag    = "flag"     // --wa-version
	VersionFromConfig  = "config"   // the config file's wa_version
	VersionFromCache   = "cached"   // the last that connected, else the last fetched
	VersionFromFetch   = "fetched"  // read from wa_version_url just now
	VersionFromBuiltIn = "built-in" // the one whatsmeow was released with
)

// VersionChoice is the WhatsApp Web version a backend announces.
type VersionChoice struct {
	Version string // "2.3000.1031080782"
	Source  string // one of the VersionFrom… constants
	// Pinned: the user chose it (flag or config); it is never replaced
	// automatically.
	Pinned bool
	// Note says in one line why a better source was not used ("fetching
	// https://web.whatsapp.com failed: timeout"), "" when nothing to say.
	Note string
	// Refused: WhatsApp refused this version (or a newer one) before and
	// nothing better is known, so announcing it would only be refused
	// again; the backend tells the user what to do instead of connecting.
	// Never set on a pinned version: the user may insist.
	Refused bool
}

// VersionSource picks the WhatsApp Web version the real backend announces
// and learns which versions WhatsApp accepts. The app implements it over
// the store; the whatsmeow adapter calls it.
type VersionSource interface {
	// Announce returns the version to announce now; one marked Refused
	// is not worth announcing.
	Announce(ctx context.Context) VersionChoice
	// Refused records that WhatsApp refused v as outdated (405) and returns
	// a freshly fetched version to retry with; ok is false when there is
	// none (a pinned version, a failed fetch, or nothing newer).
	Refused(ctx context.Context, v string) (next VersionChoice, ok bool)
	// Connected records that WhatsApp accepted v.
	Connected(ctx context.Context, v string)
}

// VersionFetchTeller is a VersionSource that tells before Announce
// whether Announce will fetch: a fetch takes up to 10 s, and the user
// should see where it goes rather than a bare "connecting…".
type VersionFetchTeller interface {
	// AnnounceFetchURL returns the URL Announce would read the version
	// from now, "" when it would not fetch (a pinned or cached version,
	// or fetching is off).
	AnnounceFetchURL(ctx context.Context) string
}

// VersionReporter is a Backend that tells which WhatsApp Web version it
// announces, for the Account screen. A backend that announces none (the
// simulated account) does not implement it.
type VersionReporter interface {
	// AnnouncedVersion is the version of the latest connect attempt and
	// its source; zero before the first attempt.
	AnnouncedVersion() VersionChoice
}
