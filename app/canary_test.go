package app

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/store"
	"github.com/wabook/wabook/wa"
	"github.com/wabook/wabook/wa/sim"
)

const ownNumber = "+14155550100"

// backoffs are the sleeps of a minute or more: backoffs, not the pace.
func backoffs(c *fakeClock) []time.Duration {
	var out []time.Duration
	for _, d := range c.Sleeps() {
		if d >= time.Minute {
			out = append(out, d)
		}
	}
	return out
}

// statusDuringBackoffs records the checker's status at the start of every
// backoff sleep (the clock has not moved yet); the returned func gives
// what was seen so far.
func statusDuringBackoffs(e *checkEnv) func() []CheckerStatus {
	var mu sync.Mutex
	var seen []CheckerStatus
	e.clock.onSleep = func(d time.Duration) {
		if d >= time.Minute {
			st := e.svc.CheckerStatus()
			mu.Lock()
			seen = append(seen, st)
			mu.Unlock()
		}
	}
	return func() []CheckerStatus {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(seen)
	}
}

// savedCanary is the canary's state as the queue saves it for a restart
// and other processes (the setting check.canary, app/checkq/canary.go).
type savedCanary struct {
	Self    string   `json:"self"`
	Tripped string   `json:"tripped"`
	Retired []string `json:"retired"`
	Trips   int      `json:"trips"`
}

// savedSelfSilent is savedCanary.Self once a reply that answered others
// left the own number out.
const savedSelfSilent = "no"

// savedCheckState reads the canary's state and the end of the backoff as
// the queue saved them, in one read.
func (e *checkEnv) savedCheckState(t testing.TB) (savedCanary, time.Time) {
	v, err := e.st.Settings(e.ctx, "check.canary", "check.backoff_until_ms")
	if err != nil {
		t.Error(err)
	}
	var cst savedCanary
	if v["check.canary"] != "" {
		if err := json.Unmarshal([]byte(v["check.canary"]), &cst); err != nil {
			t.Error(err)
		}
	}
	var until time.Time
	if ms, _ := strconv.ParseInt(v["check.backoff_until_ms"], 10, 64); ms > 0 {
		until = time.UnixMilli(ms)
	}
	return cst, until
}

func countOf(nums []string, n string) int {
	k := 0
	for _, x := range nums {
		if x == n {
			k++
		}
	}
	return k
}

// Acceptance (canary): past throttle_lies_after the simulated server
// answers "not on WhatsApp" for everything. The canary (the own number)
// trips, the batch is not believed (no number stored invalid), the queue
// backs off and the job ends with every number valid.
func TestCanaryCatchesThrottleLies(t *testing.T) {
	t.Parallel()
	w, nums := registeredWorld(80)
	w.RateLimit = &sim.RateLimit{Numbers: 10_000, PerS: 150}
	w.ThrottleLiesAfter = 40
	clock := newFakeClock(t0)
	e := newCheckEnv(t, w, pacedConfig(), clock)
	seen := statusDuringBackoffs(e)
	e.svc.StartChecker(e.ctx)
	job, rs := e.check(t, nums, CheckOptions{})
	wantAllValid(t, rs, " (a lie was stored)")
	// Batches 1 and 2 (20 each with the canary) pass; batch 3 would take
	// the window past 40: lies, trips, 1 min; again at t≈80s: 2 min; at
	// t≈200s the window is clear.
	if got := backoffs(clock); len(got) < 2 || got[0] != time.Minute || got[1] != 2*time.Minute {
		t.Errorf("backoffs %v, want 1m then 2m", got)
	}
	st := e.svc.CheckerStatus()
	if st.CanaryTrips < 2 || st.LastCanaryTrip.IsZero() || st.Canary != ownNumber || st.NoCanary != "" {
		t.Errorf("status %+v, want at least 2 trips with the own number as canary", st)
	}
	if !st.BackoffUntil.IsZero() {
		t.Errorf("still backing off after the job: %+v", st)
	}
	if during := seen(); len(during) == 0 || !strings.Contains(during[0].Paused, "canary") || during[0].BackoffUntil.IsZero() {
		t.Errorf("status during the backoff %+v, want the canary named", seen())
	}
	// Nothing lied about reached the cache.
	for _, n := range nums {
		if c, err := e.st.Check(e.ctx, n); err != nil || c.Status != model.CheckValid {
			t.Errorf("cache of %s = %+v, %v", n, c, err)
		}
	}
	if j, _ := e.svc.Job(e.ctx, job.ID); j.Counts.Invalid != 0 {
		t.Errorf("job counts %v", j.Counts)
	}
}

// Acceptance (canary): a contact used as canary that really left
// WhatsApp trips once; the next batch uses another canary, which passes,
// so the first is retired and the job goes on.
func TestLoneCanaryRetired(t *testing.T) {
	t.Parallel()
	const (
		leaver = "+14155550120" // confirmed on WhatsApp earlier; left since
		ada    = "+14155550150"
	)
	w, nums := registeredWorld(45)
	// WhatsApp leaves the own number out of its replies: after the first
	// it is not the canary.
	w.Contacts = []sim.WorldContact{{Phone: ada, FullName: "Ada Lovelace"}}
	clock := newFakeClock(t0)
	e, _ := newDropEnv(t, w, pacedConfig(), clock, dropOwn)
	if err := e.st.UpsertContacts(e.ctx, []model.Contact{{JID: model.JIDFromPhone(leaver), Phone: leaver,
		FullName: "Leaver", Source: model.SourceLocal}}); err != nil {
		t.Fatal(err)
	}
	e.knownValid(t, t0.Add(-time.Hour), leaver, ada)
	e.svc.StartChecker(e.ctx)
	_, rs := e.check(t, nums, CheckOptions{})
	wantAllValid(t, rs, "")
	sent := e.sim.CheckedNumbers()
	// Batch 1 tries the own number (left out: not for a day); batch 2 takes
	// the leaver, which trips; batch 2 again with Ada passes; batch 3 Ada.
	if got := countOf(sent, ownNumber); got != 1 {
		t.Errorf("own number sent %d times, want 1", got)
	}
	if got := countOf(sent, leaver); got != 1 {
		t.Errorf("leaver sent %d times, want once (then retired)", got)
	}
	if got := countOf(sent, ada); got != 2 {
		t.Errorf("Ada sent %d times, want 2", got)
	}
	if got := backoffs(clock); len(got) != 1 || got[0] != time.Minute {
		t.Errorf("backoffs %v, want one of 1m", got)
	}
	st := e.svc.CheckerStatus()
	if st.CanaryTrips != 1 || st.Canary != ada {
		t.Errorf("status %+v, want 1 trip and Ada as canary", st)
	}
	cst, _ := e.savedCheckState(t)
	if !slices.Equal(cst.Retired, []string{leaver}) || cst.Tripped != "" || cst.Self != savedSelfSilent {
		t.Errorf("canary state %+v, want the leaver retired and the own number known silent", cst)
	}
}

// Two different canaries tripping in a row is a throttle: the backoff
// grows further than for a lone trip.
func TestTwoCanariesTripIsThrottle(t *testing.T) {
	t.Parallel()
	const bob, ada = "+14155550120", "+14155550150"
	w, nums := registeredWorld(60)
	w.Contacts = []sim.WorldContact{{Phone: ada, FullName: "Ada"}, {Phone: bob, FullName: "Bob"}}
	w.RateLimit = &sim.RateLimit{Numbers: 10_000, PerS: 600}
	w.ThrottleLiesAfter = 40
	clock := newFakeClock(t0)
	e, _ := newDropEnv(t, w, pacedConfig(), clock, dropOwn)
	e.knownValid(t, t0, bob, ada)
	e.svc.StartChecker(e.ctx)
	_, rs := e.check(t, nums, CheckOptions{})
	wantAllValid(t, rs, "")
	// Batch 1: own number (left out; 20 sent), batch 2: Bob (20, 40 in the
	// window), batch 3: Ada lies, trips (1m); the batch again with Bob
	// trips: two different canaries, a throttle: 1m doubled twice (4m).
	got := backoffs(clock)
	if len(got) < 2 || got[0] != time.Minute || got[1] != 4*time.Minute {
		t.Errorf("backoffs %v, want 1m then 4m", got)
	}
	cst, _ := e.savedCheckState(t)
	if len(cst.Retired) != 0 || cst.Trips < 2 {
		t.Errorf("canary state %+v, want no canary retired by a throttle", cst)
	}
}

// Without any possible canary the queue runs without one and says so.
func TestNoCanary(t *testing.T) {
	t.Parallel()
	w, nums := registeredWorld(5)
	e, _ := newDropEnv(t, w, fastConfig(), newFakeClock(t0), dropOwn)
	e.svc.StartChecker(e.ctx)
	e.check(t, nums[:2], CheckOptions{}) // learns the own number gets no answer
	e.check(t, nums[2:], CheckOptions{})
	st := e.svc.CheckerStatus()
	if st.Canary != "" || !strings.Contains(st.NoCanary, "no canary") {
		t.Errorf("status %+v, want no canary and why", st)
	}
	if got := e.sim.CheckedNumbers(); len(got) != 6 || countOf(got, ownNumber) != 1 {
		t.Errorf("sent %v, want the own number once, then the numbers alone", got)
	}
}

// dropBackend leaves chosen numbers out of the sim's answers, as WhatsApp
// leaves out numbers it did not answer, or gives them an error of their
// own; it records what each call sent.
type dropBackend struct {
	*sim.Backend
	mu    sync.Mutex
	calls [][]string
	drop  func(call int, phone string) bool
	fail  func(call int, phone string) bool // nil: no per-number errors
}

func (d *dropBackend) CheckNumbers(ctx context.Context, phones []string) ([]wa.CheckAnswer, error) {
	answers, err := d.Backend.CheckNumbers(ctx, phones)
	d.mu.Lock()
	d.calls = append(d.calls, slices.Clone(phones))
	call := len(d.calls)
	d.mu.Unlock()
	for i := range answers {
		q := answers[i].Query
		switch {
		case d.drop != nil && d.drop(call, q):
			answers[i] = wa.CheckAnswer{Query: q}
		case d.fail != nil && d.fail(call, q):
			answers[i] = wa.CheckAnswer{Query: q, Answered: true, Err: errors.New("item-not-found")}
		}
	}
	return answers, err
}

// sent returns what each call sent, in order.
func (d *dropBackend) sent() [][]string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.calls)
}

func newDropEnv(t *testing.T, w *sim.World, cfg Config, clock *fakeClock, drop func(int, string) bool) (*checkEnv, *dropBackend) {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	var d *dropBackend
	e := newCheckEnvWrapped(t, st, w, cfg, clock, func(be *sim.Backend) wa.Backend {
		d = &dropBackend{Backend: be, drop: drop}
		return d
	})
	return e, d
}

// pacedConfig is fastConfig with batches 10s apart, so that a run of
// batches moves through the simulated server's rate window on the fake
// clock as it does at a real pace.
func pacedConfig() Config {
	cfg := fastConfig()
	cfg.CheckPace = 10 * time.Second
	return cfg
}

// wantAllValid reports each result that is not valid (note says why that
// matters) and says whether all were.
func wantAllValid(t *testing.T, rs []model.CheckResult, note string) bool {
	t.Helper()
	ok := true
	for i, r := range rs {
		if r.Status != model.CheckValid {
			t.Errorf("result %d = %+v, want valid%s", i, r, note)
			ok = false
		}
	}
	return ok
}

// knownValid caches phones as valid, checked at the time given: contacts
// confirmed on WhatsApp, which a batch can take as its canary.
func (e *checkEnv) knownValid(t *testing.T, at time.Time, phones ...string) {
	t.Helper()
	for _, p := range phones {
		if err := e.st.PutCheck(e.ctx, model.CheckResult{Phone: p, Status: model.CheckValid, WAID: p[1:], CheckedAt: at}); err != nil {
			t.Fatal(err)
		}
	}
}

// dropOwn leaves the account's own number out of every reply.
func dropOwn(_ int, p string) bool { return p == ownNumber }

// A number left out of replies that answered others is asked again, 3
// times at most, then fails with "no answer" (never invalid); one answered
// on a retry is valid. A reply that answers none of the batch is a soft
// rate limit: backoff, and no retry counted.
func TestUnansweredNumbersRetried(t *testing.T) {
	t.Parallel()
	w, nums := registeredWorld(5)
	never, late := nums[1], nums[3]
	lateMisses := 0
	var mu sync.Mutex
	drop := func(call int, p string) bool {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case call == 2:
			return true // the second reply answers nothing at all
		case p == never:
			return true
		case p == late && lateMisses < 2:
			lateMisses++
			return true
		}
		return false
	}
	clock := newFakeClock(t0)
	e, _ := newDropEnv(t, w, fastConfig(), clock, drop)
	e.svc.StartChecker(e.ctx)
	job, rs := e.check(t, nums, CheckOptions{})
	for i, r := range rs {
		want, errText := model.CheckValid, ""
		if nums[i] == never {
			want, errText = model.CheckFailed, store.NoAnswerError
		}
		if r.Status != want || r.Error != errText {
			t.Errorf("result %d (%s) = %+v, want %s %q", i, nums[i], r, want, errText)
		}
	}
	sent := e.sim.CheckedNumbers()
	// Sent once, plus 3 retries, plus the soft-rate-limited second call
	// (which does not count).
	if got := countOf(sent, never); got != 1+store.MaxUnanswered+1 {
		t.Errorf("the unanswered number was sent %d times, want %d", got, 1+store.MaxUnanswered+1)
	}
	if got := backoffs(clock); len(got) != 1 || got[0] != time.Minute {
		t.Errorf("backoffs %v, want one of 1m for the reply that answered nothing", got)
	}
	if _, err := e.st.Check(e.ctx, never); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("an unanswered number reached the cache: %v", err)
	}
	// checks retry queues it again.
	n, err := e.svc.RetryJob(e.ctx, job.ID)
	if err != nil || n != 1 {
		t.Fatalf("RetryJob = %d, %v; want 1", n, err)
	}
	if _, err := e.svc.RetryJob(e.ctx, 999); !errors.Is(err, ErrNoJob) {
		t.Errorf("RetryJob of an unknown job: %v", err)
	}
	e.wait(t, job.ID)
	rs, _ = e.svc.JobResults(e.ctx, job.ID)
	if rs[1].Status != model.CheckFailed || rs[1].Error != store.NoAnswerError {
		t.Errorf("after the retry %+v, want failed again (still no answer)", rs[1])
	}
	if _, err := e.svc.RetryJob(e.ctx, job.ID); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	never = "" // now WhatsApp answers it
	mu.Unlock()
	e.wait(t, job.ID)
	rs, _ = e.svc.JobResults(e.ctx, job.ID)
	if rs[1].Status != model.CheckValid {
		t.Errorf("after the second retry %+v, want valid", rs[1])
	}
	if _, err := e.svc.RetryJob(e.ctx, job.ID); !errors.Is(err, ErrNothingToRetry) {
		t.Errorf("RetryJob with nothing failed: %v", err)
	}
}

// The own number stops being the canary only when a reply answered other
// numbers of the batch and left it out, and only for a day; a reply that
// answered nothing (a soft rate limit) or gave the own number an error of
// its own tells nothing about it.
func TestOwnCanaryKeptAfterOneBadReply(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		drop       func(call int, p string) bool
		fail       func(call int, p string) bool
		ownInCall2 bool
	}{
		{name: "soft rate limit first", drop: func(call int, _ string) bool { return call == 1 }, ownInCall2: true},
		{name: "one-off error for the own number", fail: func(call int, p string) bool { return call == 1 && p == ownNumber }, ownInCall2: true},
		{name: "own number left out while others answered", drop: func(call int, p string) bool { return call == 1 && p == ownNumber }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, nums := registeredWorld(8)
			clock := newFakeClock(t0)
			cfg := fastConfig()
			cfg.CheckBatchSize = 4
			e, d := newDropEnv(t, w, cfg, clock, tt.drop)
			d.fail = tt.fail
			e.svc.StartChecker(e.ctx)
			_, rs := e.check(t, nums[:6], CheckOptions{})
			wantAllValid(t, rs, "")
			calls := d.sent()
			if len(calls) < 2 {
				t.Fatalf("calls %v, want at least 2", calls)
			}
			if !slices.Contains(calls[0], ownNumber) {
				t.Fatalf("call 1 %v has no own number", calls[0])
			}
			if got := slices.Contains(calls[1], ownNumber); got != tt.ownInCall2 {
				t.Errorf("own number in call 2 %v: %v, want %v", calls[1], got, tt.ownInCall2)
			}
			// A day later the own number is asked again in any case.
			clock.mu.Lock()
			clock.t = clock.t.Add(25 * time.Hour)
			clock.mu.Unlock()
			e.check(t, nums[6:], CheckOptions{})
			calls = d.sent()
			if last := calls[len(calls)-1]; !slices.Contains(last, ownNumber) {
				t.Errorf("a day later the call %v has no own number", last)
			}
			if st := e.svc.CheckerStatus(); st.Canary != ownNumber {
				t.Errorf("status %+v, want the own number as canary", st)
			}
		})
	}
}

// A reply that answers the canary and none of the batch is a soft rate
// limit: the queue backs off and the batch's numbers are not charged a
// retry.
func TestOnlyCanaryAnsweredIsSoftLimit(t *testing.T) {
	t.Parallel()
	w, nums := registeredWorld(5)
	clock := newFakeClock(t0)
	e, d := newDropEnv(t, w, fastConfig(), clock, func(call int, p string) bool { return call == 1 && p != ownNumber })
	during := statusDuringBackoffs(e)
	e.svc.StartChecker(e.ctx)
	job, rs := e.check(t, nums, CheckOptions{})
	wantAllValid(t, rs, "")
	if got := backoffs(clock); len(got) != 1 || got[0] != time.Minute {
		t.Errorf("backoffs %v, want one of 1m", got)
	}
	if seen := during(); len(seen) == 0 || !strings.Contains(seen[0].Paused, "soft rate limit") {
		t.Errorf("status during the backoff %+v, want a soft rate limit", seen)
	}
	if calls := d.sent(); len(calls) != 2 || !slices.Equal(calls[0], calls[1]) {
		t.Errorf("calls %v, want the same batch twice", calls)
	}
	var charged int
	if err := e.st.DB().QueryRow(`SELECT COALESCE(SUM(unanswered), 0) FROM check_items WHERE job_id = ?`, job.ID).Scan(&charged); err != nil || charged != 0 {
		t.Errorf("retries charged %d (%v), want none", charged, err)
	}
}

// A canary trip and its backoff are saved together: when the database
// refuses the backoff, the trip is not counted either, so a process
// killed there cannot come back with a trip and no backoff.
func TestCanaryTripSavedWithBackoff(t *testing.T) {
	t.Parallel()
	w, nums := registeredWorld(30)
	w.RateLimit = &sim.RateLimit{Numbers: 10_000, PerS: 150}
	w.ThrottleLiesAfter = 20
	clock := newFakeClock(t0)
	e := newCheckEnv(t, w, fastConfig(), clock)
	for _, op := range []string{"INSERT", "UPDATE"} {
		if _, err := e.st.DB().ExecContext(e.ctx, `CREATE TRIGGER refuse_backoff_`+op+` BEFORE `+op+` ON settings
WHEN NEW.key = 'check.backoff_until_ms' AND NEW.value <> '0' BEGIN SELECT RAISE(ABORT, 'disk full'); END`); err != nil {
			t.Fatal(err)
		}
	}
	type saved struct {
		trips int
		until time.Time
	}
	var mu sync.Mutex
	var seen []saved
	clock.onSleep = func(d time.Duration) {
		if d >= time.Minute {
			cst, until := e.savedCheckState(t)
			mu.Lock()
			seen = append(seen, saved{cst.Trips, until})
			mu.Unlock()
		}
	}
	e.svc.StartChecker(e.ctx)
	e.check(t, nums, CheckOptions{})
	mu.Lock()
	defer mu.Unlock()
	if len(seen) == 0 {
		t.Fatal("no backoff: the canary never tripped")
	}
	if first := seen[0]; first.trips != 0 || !first.until.IsZero() {
		t.Errorf("saved during the first backoff: %+v; want neither the trip nor the backoff", first)
	}
}

// A canary that is also one of the batch's numbers is asked once: the
// slot charged for it goes to another canary when there is one, else it
// serves as the canary at no cost and the slot is given back. Either way
// the budget is charged exactly the numbers sent.
func TestCanaryInTheBatchCostsNoExtraSlot(t *testing.T) {
	t.Parallel()
	const ada = "+14155550101"
	for _, tt := range []struct {
		name       string
		contact    bool     // Ada is a contact confirmed on WhatsApp: a canary candidate
		batch      []string // besides the numbers of registeredWorld
		wantSent   []string // beyond the batch
		wantCanary string
	}{
		{"own number in the batch, a contact takes the slot", true, []string{ownNumber}, []string{ada}, ada},
		{"own number in the batch, no other canary", false, []string{ownNumber}, nil, ownNumber},
		{"own number and the only contact in the batch", true, []string{ownNumber, ada}, nil, ownNumber},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w, nums := registeredWorld(2)
			if tt.contact {
				w.Contacts = []sim.WorldContact{{Phone: ada, FullName: "Ada Lovelace"}}
			}
			clock := newFakeClock(t0)
			e := newCheckEnv(t, w, fastConfig(), clock)
			if tt.contact {
				e.knownValid(t, t0.Add(-time.Hour), ada)
			}
			e.svc.StartChecker(e.ctx)
			batch := append(slices.Clone(nums), tt.batch...)
			_, rs := e.check(t, batch, CheckOptions{Force: true})
			wantAllValid(t, rs, "")
			sent := e.sim.CheckedNumbers()
			want := append(slices.Clone(batch), tt.wantSent...)
			if !slices.Equal(sent, want) {
				t.Errorf("sent %v, want %v", sent, want)
			}
			if got := e.budgetUsed(t); got != len(sent) {
				t.Errorf("budget charged %d for %d numbers sent", got, len(sent))
			}
			if st := e.svc.CheckerStatus(); st.Canary != tt.wantCanary || st.NoCanary != "" {
				t.Errorf("canary %q (%q), want %q", st.Canary, st.NoCanary, tt.wantCanary)
			}
		})
	}
}
