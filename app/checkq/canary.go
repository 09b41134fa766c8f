package checkq

import (
	"context"
	"encoding/json"
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
// to be on WhatsApp, whose answer is not stored: the account's own number,
// unless a reply that answered other numbers left it out within the last
// day, else a contact confirmed within the cache's age, rotated. When it comes back "not on WhatsApp" the whole batch is
// treated as unanswered. One trip alone could be a contact that really left
// WhatsApp: the next batch uses another canary, and when that one passes
// the first is retired; two different canaries tripping in a row is a
// throttle, after which no canary is retired.

// keyCanary is the setting holding the canary's state as one JSON
// document, so a restart and other processes see it whole.
const keyCanary = "check.canary"

const (
	selfAnswers = "ok" // WhatsApp answered the own number
	selfSilent  = "no" // a reply answered others and left the own number out
)

// selfSilentFor is how long the own number is not the canary after a reply
// left it out: WhatsApp may answer it again later.
const selfSilentFor = 24 * time.Hour

// canaryState is the canary's persisted state.
type canaryState struct {
	self     string    // selfAnswers, selfSilent or "" (not known)
	selfAt   time.Time // when self became selfSilent
	last     string    // canary of the last batch sent, "" when none
	note     string    // why the last batch went without one
	tripped  string    // canary whose trip is not yet explained
	streak   int       // different canaries tripped in a row (2+: a throttle)
	retired  []string  // contacts that left WhatsApp: never canaries again
	trips    int       // how many trips in all
	lastTrip time.Time // when the last trip was
}

// canaryJSON is canaryState as stored; times in Unix milliseconds, 0 when
// zero.
type canaryJSON struct {
	Self       string   `json:"self,omitempty"`
	SelfAtMS   int64    `json:"self_at_ms,omitempty"`
	Last       string   `json:"last,omitempty"`
	Note       string   `json:"note,omitempty"`
	Tripped    string   `json:"tripped,omitempty"`
	Streak     int      `json:"streak,omitempty"`
	Retired    []string `json:"retired,omitempty"`
	Trips      int      `json:"trips,omitempty"`
	LastTripMS int64    `json:"last_trip_ms,omitempty"`
}

func (st canaryState) encode() string {
	b, _ := json.Marshal(canaryJSON{ // cannot fail: strings, ints and a slice
		Self: st.self, SelfAtMS: unixMS(st.selfAt), Last: st.last, Note: st.note, Tripped: st.tripped,
		Streak: st.streak, Retired: st.retired, Trips: st.trips, LastTripMS: unixMS(st.lastTrip),
	})
	return string(b)
}

// decodeCanary reads a stored state; "" (never saved) is the zero state.
func decodeCanary(v string) (canaryState, error) {
	if v == "" {
		return canaryState{}, nil
	}
	var j canaryJSON
	if err := json.Unmarshal([]byte(v), &j); err != nil {
		return canaryState{}, fmt.Errorf("reading the check canary: %w", err)
	}
	return canaryState{
		self: j.Self, selfAt: fromMS(j.SelfAtMS), last: j.Last, note: j.Note, tripped: j.Tripped,
		streak: j.Streak, retired: j.Retired, trips: j.Trips, lastTrip: fromMS(j.LastTripMS),
	}, nil
}

// ownSilent reports whether the own number is not to be the canary at now.
func (st canaryState) ownSilent(now time.Time) bool {
	return st.self == selfSilent && now.Sub(st.selfAt) < selfSilentFor
}

// pickCanary chooses the canary of the next batch: the own number unless
// a reply left it out within the last selfSilentFor or it tripped last; else the contact after the
// last one used, skipping retired ones and the one that tripped last. ""
// with the reason in plain words when there is none. Numbers in exclude
// (the batch's own) are never chosen; the reason does not mention them.
func (q *Queue) pickCanary(ctx context.Context, st canaryState, now time.Time, exclude []string) (string, string) {
	own := q.backend.Account().Phone
	ownOK := own != "" && !st.ownSilent(now) && !slices.Contains(exclude, own)
	if ownOK && st.tripped != own {
		return own, ""
	}
	maxAge := q.cfg.CheckMaxAge
	cands, err := q.st.CanaryCandidates(ctx, now.Add(-maxAge))
	if err != nil {
		q.log.Warn("check canary candidates", "err", err)
	}
	var pool []string
	for _, c := range cands {
		if c != own && c != st.tripped && !slices.Contains(st.retired, c) && !slices.Contains(exclude, c) {
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
	canaryNone    = iota // no canary in the batch
	canaryPass           // on WhatsApp, as it should be
	canaryTrip           // "not on WhatsApp": the batch is not believed
	canaryLeftOut        // left out of the reply: tells nothing about the batch
	canaryFailed         // an error for the canary alone: tells nothing
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
		case !a.Answered:
			return canaryLeftOut
		case a.Err != nil:
			return canaryFailed
		case a.Exists:
			return canaryPass
		default:
			return canaryTrip
		}
	}
	return canaryLeftOut
}
