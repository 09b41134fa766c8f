package app

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wabook/wabook/wa"
)

// The canary: throttled WhatsApp servers have been reported to answer "not
// on WhatsApp" for every number instead of an error (wa/wm/PROTOCOL.md,
// "Existence checks (usync)"). So each batch also asks for one number known
// to be on WhatsApp, whose answer is not stored: the account's own number
// while WhatsApp answers it, else a contact confirmed within the cache's
// age, rotated. When it comes back "not on WhatsApp" the whole batch is
// treated as unanswered. One trip alone could be a contact that really left
// WhatsApp: the next batch uses another canary, and when that one passes
// the first is retired; two different canaries tripping in a row is a
// throttle, after which no canary is retired.

// Settings keys of the canary, so a restart and other processes see them.
const (
	keyCanarySelf     = "check.canary_self"         // "ok": WhatsApp answers the own number; "no": it did not
	keyCanaryLast     = "check.canary_last"         // canary of the last batch sent, "" when none
	keyCanaryNote     = "check.canary_note"         // why the last batch went without one
	keyCanaryTripped  = "check.canary_tripped"      // canary whose trip is not yet explained
	keyCanaryStreak   = "check.canary_streak"       // different canaries tripped in a row (2+: a throttle)
	keyCanaryRetired  = "check.canary_retired"      // retired canaries, space separated
	keyCanaryTrips    = "check.canary_trips"        // how many trips in all
	keyCanaryLastTrip = "check.canary_last_trip_ms" // when the last trip was
)

const (
	selfAnswers = "ok"
	selfSilent  = "no"
)

// canaryState is the canary's persisted state.
type canaryState struct {
	self     string
	last     string
	note     string
	tripped  string
	streak   int
	retired  []string
	trips    int
	lastTrip time.Time
}

func (s *Service) loadCanary(ctx context.Context) canaryState {
	get := func(k string) string {
		v, err := s.store.Setting(ctx, k)
		if err != nil {
			s.log.Warn("reading the check canary", "err", err)
		}
		return v
	}
	st := canaryState{
		self:    get(keyCanarySelf),
		last:    get(keyCanaryLast),
		note:    get(keyCanaryNote),
		tripped: get(keyCanaryTripped),
		retired: strings.Fields(get(keyCanaryRetired)),
	}
	st.trips, _ = strconv.Atoi(get(keyCanaryTrips))
	st.streak, _ = strconv.Atoi(get(keyCanaryStreak))
	if ms, err := strconv.ParseInt(get(keyCanaryLastTrip), 10, 64); err == nil && ms > 0 {
		st.lastTrip = time.UnixMilli(ms)
	}
	return st
}

func (s *Service) saveCanary(ctx context.Context, st canaryState) {
	var ms int64
	if !st.lastTrip.IsZero() {
		ms = st.lastTrip.UnixMilli()
	}
	for k, v := range map[string]string{
		keyCanarySelf:     st.self,
		keyCanaryLast:     st.last,
		keyCanaryNote:     st.note,
		keyCanaryTripped:  st.tripped,
		keyCanaryRetired:  strings.Join(st.retired, " "),
		keyCanaryTrips:    strconv.Itoa(st.trips),
		keyCanaryStreak:   strconv.Itoa(st.streak),
		keyCanaryLastTrip: strconv.FormatInt(ms, 10),
	} {
		if err := s.store.SetSetting(ctx, k, v); err != nil {
			s.log.Warn("saving the check canary", "err", err)
		}
	}
}

// pickCanary chooses the canary of the next batch: the own number unless
// WhatsApp did not answer it or it tripped last; else the contact after the
// last one used, skipping retired ones and the one that tripped last. ""
// with the reason in plain words when there is none.
func (s *Service) pickCanary(ctx context.Context, st canaryState, now time.Time) (string, string) {
	own := s.backend.Account().Phone
	ownOK := own != "" && st.self != selfSilent
	if ownOK && st.tripped != own {
		return own, ""
	}
	maxAge := s.chk.cfg.CheckMaxAge
	cands, err := s.store.CanaryCandidates(ctx, now.Add(-maxAge))
	if err != nil {
		s.log.Warn("check canary candidates", "err", err)
	}
	var pool []string
	for _, c := range cands {
		if c != own && c != st.tripped && !slices.Contains(st.retired, c) {
			pool = append(pool, c)
		}
	}
	if len(pool) == 0 {
		if ownOK {
			return own, "" // it tripped, but nothing else can tell
		}
		if st.tripped != "" {
			return "", fmt.Sprintf("no canary: %s, the only one, came back \"not on WhatsApp\" last time", st.tripped)
		}
		return "", fmt.Sprintf("no canary: WhatsApp did not answer for the account's own number and no contact was confirmed on WhatsApp within %s",
			durationWords(maxAge))
	}
	for _, c := range pool {
		if c > st.last {
			return c, ""
		}
	}
	return pool[0], ""
}

// durationWords says a cache age the way people do ("7 days", "12h0m0s").
func durationWords(d time.Duration) string {
	if d >= 24*time.Hour && d%(24*time.Hour) == 0 {
		if n := int(d / (24 * time.Hour)); n != 1 {
			return strconv.Itoa(n) + " days"
		}
		return "1 day"
	}
	return d.String()
}

// Canary verdicts.
const (
	canaryNone   = iota // no canary in the batch
	canaryPass          // on WhatsApp, as it should be
	canaryTrip          // "not on WhatsApp": the batch is not believed
	canaryUnsure        // left out, or an error: tells nothing
)

// canaryVerdict reads the canary's answer.
func canaryVerdict(canary string, answers []wa.CheckAnswer) int {
	if canary == "" {
		return canaryNone
	}
	for _, a := range answers {
		if strings.TrimPrefix(strings.TrimSpace(a.Query), "+") != strings.TrimPrefix(canary, "+") {
			continue
		}
		switch {
		case !a.Answered || a.Err != nil:
			return canaryUnsure
		case a.Exists:
			return canaryPass
		default:
			return canaryTrip
		}
	}
	return canaryUnsure
}
