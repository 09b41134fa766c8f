package wm

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.mau.fi/whatsmeow"
	wastore "go.mau.fi/whatsmeow/store"
	"google.golang.org/protobuf/proto"

	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/wa"
)

// Fetching the current WhatsApp Web version (PROTOCOL.md, "WhatsApp Web
// version").
const (
	// MaxVersionFetch bounds one fetch, page and sw.js together.
	MaxVersionFetch = 10 * time.Second
	// versionUserAgent is a current desktop Chrome: the page is served to
	// browsers it knows (PROTOCOL.md, "WhatsApp Web version": the request
	// looks like a desktop browser's).
	versionUserAgent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/148.0.0.0 Safari/537.36"
	// maxVersionPage bounds how much of a page is read.
	maxVersionPage = 8 << 20
)

// clientRevision finds the web client's revision in its page or service
// worker; the service worker carries it inside a JSON string, so its quotes
// may be escaped.
var clientRevision = regexp.MustCompile(`\\?"client_revision\\?"\s*:\s*(\d+)`)

// builtInVersion is the version this whatsmeow was released with, read
// before anything could change it (applyVersion replaces whatsmeow's
// package-level value).
var builtInVersion = wastore.GetWAVersion().String()

// BuiltInVersion is the WhatsApp Web version the pinned whatsmeow announces
// on its own.
func BuiltInVersion() string { return builtInVersion }

// VersionFetcher reads the current WhatsApp Web version from the web
// client's page.
type VersionFetcher struct {
	// HTTP is the client to use; nil uses one without cookies or proxy
	// surprises beyond the environment's.
	HTTP *http.Client
	// Timeout bounds the whole fetch; 0 or more than MaxVersionFetch means
	// MaxVersionFetch.
	Timeout time.Duration
}

// FetchFrom reads `"client_revision":N` from the page at pageURL, else
// from pageURL/sw.js, and returns "2.3000.N" and the URL it was read from.
// Errors say in a few words what went wrong ("http://…: HTTP 503", "no
// client_revision in … or …/sw.js").
func (f VersionFetcher) FetchFrom(ctx context.Context, pageURL string) (version, from string, err error) {
	ctx, cancel := context.WithTimeout(ctx, f.timeout())
	defer cancel()
	hc := f.HTTP
	if hc == nil {
		hc = &http.Client{}
	}
	swURL := strings.TrimSuffix(pageURL, "/") + "/sw.js"
	var first error
	for _, u := range []string{pageURL, swURL} {
		rev, err := fetchRevision(ctx, hc, u)
		if err == nil {
			return model.WebVersionFromRevision(rev).String(), u, nil
		}
		if first != nil {
			// One line for both places: it ends up in a status line.
			return "", "", fmt.Errorf("%w; %w", first, err)
		}
		first = err
		if ctx.Err() != nil {
			break // no time left for the second place
		}
	}
	return "", "", first
}

func (f VersionFetcher) timeout() time.Duration {
	if f.Timeout <= 0 || f.Timeout > MaxVersionFetch {
		return MaxVersionFetch
	}
	return f.Timeout
}

// fetchRevision reads one URL and finds the revision in it.
func fetchRevision(ctx context.Context, hc *http.Client, u string) (uint32, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", u, err)
	}
	// What a browser opening the page by hand sends (PROTOCOL.md, "WhatsApp
	// Web version").
	req.Header.Set("User-Agent", versionUserAgent)
	req.Header.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
	req.Header.Set("Accept-Language", "en-US,en;q=0.9")
	req.Header.Set("Sec-Fetch-Dest", "document")
	req.Header.Set("Sec-Fetch-Mode", "navigate")
	req.Header.Set("Sec-Fetch-Site", "none")
	req.Header.Set("Sec-Fetch-User", "?1")
	resp, err := hc.Do(req)
	if err != nil {
		return 0, fmt.Errorf("%s: %s", u, errWords(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("%s: HTTP %d", u, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxVersionPage))
	if err != nil {
		return 0, fmt.Errorf("%s: %s", u, errWords(err))
	}
	m := clientRevision.FindSubmatch(body)
	if m == nil {
		return 0, fmt.Errorf("%s: no client_revision in the page", u)
	}
	rev, err := strconv.ParseUint(string(m[1]), 10, 32)
	if err != nil || rev == 0 {
		return 0, fmt.Errorf("%s: client_revision %s is not a revision", u, m[1])
	}
	return uint32(rev), nil
}

// applyVersion makes whatsmeow announce v. whatsmeow keeps the version in
// package globals: SetWAVersion changes the one reported and the build hash
// sent when pairing, but in the pinned whatsmeow not the client payload's
// AppVersion, which is what WhatsApp checks (PROTOCOL.md, "WhatsApp Web
// version": SetWAVersion alone does not change what is sent); so both are
// set. Only the adapter calls this, before each connect attempt.
func applyVersion(v string) error {
	parsed, err := wastore.ParseVersion(v)
	if err != nil {
		return fmt.Errorf("wm: WhatsApp Web version %q: %w", v, err)
	}
	if _, err := model.ParseWAVersion(v); err != nil {
		return fmt.Errorf("wm: %w", err)
	}
	versionMu.Lock()
	defer versionMu.Unlock()
	// Connect loops of two sessions can overlap for a moment (a pairing
	// socket replaced by a fresh one): the globals are written only when
	// the version changes, so a loop still reading them while connecting
	// is not raced by a write of the same value.
	if wastore.GetWAVersion() == parsed && proto.Equal(wastore.BaseClientPayload.GetUserAgent().GetAppVersion(), parsed.ProtoAppVersion()) {
		return nil
	}
	wastore.SetWAVersion(parsed)
	wastore.BaseClientPayload.UserAgent.AppVersion = parsed.ProtoAppVersion()
	return nil
}

// versionMu serialises writes of whatsmeow's version globals.
var versionMu sync.Mutex

// builtInChoice is what is announced without a VersionSource.
func builtInChoice() wa.VersionChoice {
	return wa.VersionChoice{Version: builtInVersion, Source: wa.VersionFromBuiltIn}
}

// announceVersion applies the version session s announces, choosing it on
// the session's first attempt (a choice may fetch, so never under b.mu).
// whatsmeow reads the version from package globals when it builds the
// client payload, so it is applied again before every attempt. When the
// only version known is one WhatsApp refused before, it ends the session
// with the advice a refusal gets and returns false: connecting would only
// be refused again.
func (b *Backend) announceVersion(s *session) bool {
	b.mu.Lock()
	choice := s.version
	b.mu.Unlock()
	if choice.Version == "" {
		choice = builtInChoice()
		if b.versions != nil && !b.versionCall(func() {
			b.tellFetch(s)
			choice = b.versions.Announce(s.ctx)
		}) {
			return false // closed
		}
		if choice.Note != "" {
			b.log.Warnf("WhatsApp Web version: %s", choice.Note)
		}
		if choice.Refused && !choice.Pinned {
			b.log.Warnf("Not connecting: WhatsApp refused web version %s before", choice.Version)
			b.versionGiveUp(s, choice, choice.Note, !b.paired(), false)
			return false
		}
		b.log.Infof("Announcing WhatsApp Web version %s (%s)", choice.Version, choice.Source)
	}
	if err := applyVersion(choice.Version); err != nil {
		b.log.Warnf("Not announcing %s: %v; announcing the built-in %s", choice.Version, err, builtInVersion)
		choice = builtInChoice()
		_ = applyVersion(choice.Version)
	}
	b.mu.Lock()
	s.version = choice
	b.applied = choice
	b.mu.Unlock()
	return true
}

// tellFetch reports, while session s is current, where the version is
// about to be fetched from when the version source will fetch: the fetch
// may take up to MaxVersionFetch.
func (b *Backend) tellFetch(s *session) {
	teller, ok := b.versions.(wa.VersionFetchTeller)
	if !ok {
		return
	}
	url := teller.AnnounceFetchURL(s.ctx)
	if url == "" {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.sess == s && !b.closed {
		b.emitLocked(wa.ConnectionChanged{State: wa.StateConnecting,
			Detail: "fetching the current WhatsApp Web version from " + url + "…"})
	}
}

var _ wa.VersionReporter = (*Backend)(nil)

// AnnouncedVersion is the WhatsApp Web version of the latest connect
// attempt and where it came from; zero before the first attempt.
func (b *Backend) AnnouncedVersion() wa.VersionChoice {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.applied
}

// versionCall runs f, a call of the version source (which may fetch and
// write the version cache), unless the backend is closed; Close waits for
// calls in flight, so none writes after it returned. It reports whether f
// ran.
func (b *Backend) versionCall(f func()) bool {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return false
	}
	b.versionCalls.Add(1)
	b.mu.Unlock()
	defer b.versionCalls.Done()
	f()
	return true
}

// versionConnected tells the version source that WhatsApp accepted the
// version announced, and allows one more refresh should WhatsApp refuse it
// some day.
func (b *Backend) versionConnected() {
	b.mu.Lock()
	v := b.applied
	if b.sess != nil {
		b.sess.versionRetried = false
	}
	b.mu.Unlock()
	if b.versions == nil || v.Version == "" {
		return
	}
	b.enqueue(func(ctx context.Context) { b.versions.Connected(ctx, v.Version) })
}

// clientOutdated handles WhatsApp's "client outdated" answer (405; the
// event, or the QR channel's item while pairing): the refused version is
// reported to the version source, which marks it and fetches the current
// one; with a different version the session retries once. Otherwise, or
// when the retry is refused too, the user is told in plain words and the
// session stops.
func (b *Backend) clientOutdated(s *session, cli *whatsmeow.Client, pairing bool) {
	b.mu.Lock()
	refused := b.applied
	retried := s != nil && s.versionRetried
	closed := b.closed
	b.mu.Unlock()
	if closed {
		return
	}
	if refused.Version == "" {
		refused = builtInChoice()
	}
	b.log.Warnf("WhatsApp refused web version %s (%s) as outdated", refused.Version, refused.Source)
	var next wa.VersionChoice
	var ok bool
	if b.versions != nil {
		ctx := b.ctx
		if s != nil {
			ctx = s.ctx
		}
		if !b.versionCall(func() { next, ok = b.versions.Refused(ctx, refused.Version) }) {
			return // closed
		}
		ok = ok && next.Version != "" && next.Version != refused.Version
	}
	if ok && !retried && s != nil && !refused.Pinned {
		b.mu.Lock()
		current := b.sess == s && !b.closed
		if current {
			s.version = next
			s.versionRetried = true
		}
		b.mu.Unlock()
		if !current {
			return
		}
		b.log.Infof("Retrying with WhatsApp Web version %s (%s)", next.Version, next.Source)
		b.emit(wa.ConnectionChanged{State: wa.StateConnecting,
			Detail: fmt.Sprintf("WhatsApp refused web version %s as outdated; retrying with %s", refused.Version, next.Version)})
		// The refused socket may still be open; connecting again needs a
		// closed one (and, while pairing, a new QR channel).
		cli.Disconnect()
		b.connectLoop(s.ctx, s, cli, 1)
		return
	}
	b.versionGiveUp(s, refused, next.Note, pairing, true)
}

// versionGiveUp stops session s because WhatsApp refused version v (note
// says why no other was found) and tells the user what to do. connected:
// whatsmeow had a connection, which it may still be cleaning up with the
// session's context, so a paired session is detached, not cancelled.
func (b *Backend) versionGiveUp(s *session, v wa.VersionChoice, note string, pairing, connected bool) {
	why := outdatedWords(v, note, b.configPath)
	if pairing || !connected {
		if s == nil || b.endSession(s) {
			var evs []wa.Event
			if pairing {
				evs = append(evs, wa.PairFailed{Reason: why})
			}
			b.emit(append(evs, wa.ConnectionChanged{State: wa.StateOffline, Detail: why})...)
		}
		return
	}
	b.detachSession()
	b.emit(wa.ConnectionChanged{State: wa.StateOffline, Detail: why})
}

// outdatedWords tells the user that WhatsApp refused version v and what to
// do about it.
func outdatedWords(v wa.VersionChoice, note, configPath string) string {
	where := "the config file"
	if configPath != "" {
		where = configPath
	}
	msg := "WhatsApp refused web version " + v.Version + " as outdated"
	switch v.Source {
	case wa.VersionFromFlag:
		return msg + "; it was pinned with --wa-version, so wabook stopped: run without --wa-version or give a newer one; if no version works, a newer wabook (newer whatsmeow) is needed"
	case wa.VersionFromConfig:
		return msg + `; it is pinned by "wa_version" in ` + where + `, so wabook stopped: remove it or set a newer one; if no version works, a newer wabook (newer whatsmeow) is needed`
	}
	if note != "" {
		msg += " and no newer one was found (" + note + ")"
	} else {
		msg += " and no newer one was found"
	}
	return msg + `; set "wa_version" in ` + where + ` to the current WhatsApp Web version (2.3000.N), or update wabook: a newer whatsmeow may be needed`
}
