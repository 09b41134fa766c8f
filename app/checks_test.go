package app

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/store"
	"github.com/wabook/wabook/wa"
	"github.com/wabook/wabook/wa/sim"
)

// fakeClock is an injected clock: Sleep moves it forward at once, so a day
// of pacing, backoff and budget waits takes milliseconds.
type fakeClock struct {
	mu     sync.Mutex
	t      time.Time
	sleeps []time.Duration
	// onSleep, when set, runs (outside the lock) at the start of each sleep.
	onSleep func(d time.Duration)
	// blockFrom > 0 makes sleeps that long block until ctx ends instead.
	blockFrom time.Duration
}

func newFakeClock(t time.Time) *fakeClock { return &fakeClock{t: t} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	if c.blockFrom > 0 && d >= c.blockFrom {
		c.mu.Unlock()
		<-ctx.Done()
		return ctx.Err()
	}
	hook := c.onSleep
	c.mu.Unlock()
	if hook != nil {
		hook(d) // "during" the sleep: the clock has not moved yet
	}
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.sleeps = append(c.sleeps, d)
	c.mu.Unlock()
	return ctx.Err()
}

func (c *fakeClock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.sleeps)
}

const (
	numRegistered = "+16315551004"
	numRewritten  = "+5511987654321" // what "+55 11 8765-4321" becomes
	waRewritten   = "551187654321"   // what WhatsApp answers for it
	numFailing    = "+14155550109"
)

func checkWorld() *sim.World {
	return &sim.World{
		Account:    &sim.WorldAccount{Phone: "+14155550100", Business: true},
		Contacts:   []sim.WorldContact{{Phone: "+14155550101", FullName: "Ada Lovelace"}},
		Registered: []string{numRegistered},
		Rewrites:   map[string]string{numRewritten: "+" + waRewritten},
		Failing:    map[string]string{numFailing: "timeout"},
		Labels:     []sim.WorldLabel{{ID: "1", Name: "VIP", Color: 3, Chats: []string{"+14155550101"}}},
	}
}

// registeredWorld has n registered numbers, from +16315550000 up.
func registeredWorld(n int) (*sim.World, []string) {
	w := &sim.World{Account: &sim.WorldAccount{Phone: "+14155550100"}}
	nums := make([]string, n)
	for i := range nums {
		nums[i] = fmt.Sprintf("+1631555%04d", i)
	}
	w.Registered = slices.Clone(nums)
	return w, nums
}

type checkEnv struct {
	once   sync.Once
	svc    *Service
	sim    *sim.Backend
	st     *store.Store
	clock  *fakeClock
	ctx    context.Context
	cancel context.CancelFunc
}

// newCheckEnv builds a synced service over a fresh database, with the
// clock injected into both the service and the sim. The checker is not
// started.
func newCheckEnv(t testing.TB, w *sim.World, cfg Config, clock *fakeClock) *checkEnv {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	return newCheckEnvOn(t, st, w, cfg, clock)
}

func newCheckEnvOn(t testing.TB, st *store.Store, w *sim.World, cfg Config, clock *fakeClock) *checkEnv {
	t.Helper()
	return newCheckEnvWrapped(t, st, w, cfg, clock, nil)
}

// newCheckEnvWrapped is newCheckEnvOn with the service talking to
// wrap(sim) instead of the sim itself (nil: the sim).
func newCheckEnvWrapped(t testing.TB, st *store.Store, w *sim.World, cfg Config, clock *fakeClock, wrap func(*sim.Backend) wa.Backend) *checkEnv {
	t.Helper()
	return newCheckEnvWith(t, st, w, cfg, clock, wrap, nil)
}

// newCheckEnvWith is newCheckEnvWrapped with idled signalled each time the
// checker finds nothing to send (nil: not).
func newCheckEnvWith(t testing.TB, st *store.Store, w *sim.World, cfg Config, clock *fakeClock, wrap func(*sim.Backend) wa.Backend, idled chan<- struct{}) *checkEnv {
	t.Helper()
	be := sim.New(w, sim.WithClock(clock.Now), sim.WithSleep(func(ctx context.Context, d time.Duration) error { return ctx.Err() }))
	var backend wa.Backend = be
	if wrap != nil {
		backend = wrap(be)
	}
	svc := New(st, backend, Options{Config: &cfg, Clock: clock.Now, Sleep: clock.Sleep, CheckPoll: 5 * time.Millisecond, checkIdled: idled})
	ctx, cancel := context.WithCancel(context.Background())
	go svc.Run(ctx)
	e := &checkEnv{svc: svc, sim: be, st: st, clock: clock, ctx: ctx, cancel: cancel}
	t.Cleanup(e.close)
	syncCtx, done := context.WithTimeout(ctx, 10*time.Second)
	defer done()
	if err := svc.SyncOnce(syncCtx); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *checkEnv) close() {
	e.once.Do(func() {
		e.svc.StopChecker()
		e.cancel()
		e.sim.Close()
		e.st.Close()
	})
}

func (e *checkEnv) wait(t testing.TB, id int64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(e.ctx, 20*time.Second)
	defer cancel()
	if err := e.svc.WaitJob(ctx, id); err != nil {
		t.Fatalf("waiting for job %d: %v", id, err)
	}
}

func (e *checkEnv) check(t testing.TB, inputs []string, opts CheckOptions) (Job, []model.CheckResult) {
	t.Helper()
	job, err := e.svc.EnqueueCheck(e.ctx, inputs, opts)
	if err != nil {
		t.Fatal(err)
	}
	e.wait(t, job.ID)
	rs, err := e.svc.JobResults(e.ctx, job.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != len(inputs) {
		t.Fatalf("%d results for %d inputs", len(rs), len(inputs))
	}
	return job, rs
}

func fastConfig() Config {
	return Config{CheckBatchSize: 20, CheckPace: 0, CheckDailyBudget: 100_000, CheckMaxAge: 7 * 24 * time.Hour}
}

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.Local)

// budgetDay is the local day the queue charges its budget to.
func budgetDay(t time.Time) string { return t.Format("2006-01-02") }

// Acceptance 1, at the service level: one result per input, in order;
// duplicates share one check; what cannot be a number is never sent; a
// rewritten number reports the wa_id WhatsApp answered with.
func TestCheckResultsPerInput(t *testing.T) {
	t.Parallel()
	e := newCheckEnv(t, checkWorld(), fastConfig(), newFakeClock(t0))
	e.svc.StartChecker(e.ctx)
	inputs := []string{
		"+1 (631) 555-1004", // registered
		"16315551004",       // the same number, no "+"
		"not a number",
		"+55 11 8765-4321", // Brazil, ninth digit added, rewritten by WhatsApp
		"+1 631 555 1004",  // the same number again
		"+1 415 555 0199",  // valid, not on WhatsApp
		numFailing,         // the check errors
		"+1 415 123 4567",  // possible but not valid: never sent
		"123456789012345678901234567890",
	}
	job, rs := e.check(t, inputs, CheckOptions{})
	want := []struct {
		phone, status, waID, errPart string
	}{
		{numRegistered, model.CheckValid, "16315551004", ""},
		{numRegistered, model.CheckValid, "16315551004", ""},
		{"", model.CheckInvalid, "", "not a number"},
		{numRewritten, model.CheckValid, waRewritten, ""},
		{numRegistered, model.CheckValid, "16315551004", ""},
		{"+14155550199", model.CheckInvalid, "", ""},
		{numFailing, model.CheckFailed, "", "timeout"},
		{"+14151234567", model.CheckInvalid, "", "not a valid number"},
		{"", model.CheckInvalid, "", "too long"},
	}
	for i, w := range want {
		r := rs[i]
		if r.Input != inputs[i] || r.Phone != w.phone || r.Status != w.status || r.WAID != w.waID ||
			(w.errPart == "") != (r.Error == "") || !strings.Contains(r.Error, w.errPart) || r.Cached {
			t.Errorf("result %d (%q) = %+v, want %+v", i, inputs[i], r, w)
		}
		if r.Status == model.CheckValid && r.JID != model.JIDFromDigits(w.waID) {
			t.Errorf("result %d JID %q", i, r.JID)
		}
		if r.CheckedAt.IsZero() {
			t.Errorf("result %d has no checked_at", i)
		}
	}
	// The account's own number goes along as the batch's canary; its
	// answer is no result.
	sent := e.sim.CheckedNumbers()
	slices.Sort(sent)
	wantSent := []string{"+14155550100", "+14155550109", "+14155550199", numRegistered, numRewritten}
	if !slices.Equal(sent, wantSent) {
		t.Errorf("sent to WhatsApp %v, want each of %v once", sent, wantSent)
	}
	if n := e.sim.CheckCalls(); n != 1 {
		t.Errorf("%d CheckNumbers calls, want 1 batch", n)
	}
	job, err := e.svc.Job(e.ctx, job.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantCounts := map[string]int{"processing": 0, "valid": 4, "invalid": 4, "failed": 1, "cancelled": 0}
	if job.State != JobDone || job.Total != len(inputs) || fmt.Sprint(job.Counts.Map()) != fmt.Sprint(wantCounts) || job.ETA != 0 {
		t.Errorf("job = %+v, want done with counts %v", job, wantCounts)
	}
}

// Acceptance 2: the same check twice is answered from the cache with no
// backend call; --force and an expired max age call again.
func TestCheckCache(t *testing.T) {
	t.Parallel()
	clock := newFakeClock(t0)
	e := newCheckEnv(t, checkWorld(), fastConfig(), clock)
	e.svc.StartChecker(e.ctx)
	inputs := []string{"+1 (631) 555-1004", "+55 11 8765-4321", "+1 415 555 0199", "not a number"}
	_, first := e.check(t, inputs, CheckOptions{})
	calls := e.sim.CheckCalls()

	job, second := e.check(t, inputs, CheckOptions{})
	if e.sim.CheckCalls() != calls {
		t.Errorf("second check called the backend (%d calls, want %d)", e.sim.CheckCalls(), calls)
	}
	for i := range 3 {
		if !second[i].Cached || second[i].Status != first[i].Status || second[i].WAID != first[i].WAID ||
			!second[i].CheckedAt.Equal(first[i].CheckedAt) {
			t.Errorf("second result %d = %+v, want the cached %+v", i, second[i], first[i])
		}
	}
	if second[3].Cached || second[3].Status != model.CheckInvalid {
		t.Errorf("an invalid input is not a cache hit: %+v", second[3])
	}
	if job.Cached != 3 {
		t.Errorf("job counts %d cached, want 3", job.Cached)
	}

	_, forced := e.check(t, inputs, CheckOptions{Force: true})
	if e.sim.CheckCalls() != calls+1 {
		t.Errorf("--force: %d calls, want %d", e.sim.CheckCalls(), calls+1)
	}
	for i := range 3 {
		if forced[i].Cached {
			t.Errorf("--force result %d is cached", i)
		}
	}

	clock.mu.Lock()
	clock.t = clock.t.Add(2 * time.Hour)
	clock.mu.Unlock()
	_, aged := e.check(t, inputs[:1], CheckOptions{MaxAge: time.Hour})
	if e.sim.CheckCalls() != calls+2 || aged[0].Cached {
		t.Errorf("--max-age 1h after 2h: %d calls (want %d), cached %v", e.sim.CheckCalls(), calls+2, aged[0].Cached)
	}
	_, fresh := e.check(t, inputs[:1], CheckOptions{MaxAge: 3 * time.Hour})
	if e.sim.CheckCalls() != calls+2 || !fresh[0].Cached {
		t.Errorf("--max-age 3h: %d calls (want %d), cached %v", e.sim.CheckCalls(), calls+2, fresh[0].Cached)
	}
}

// Acceptance 4: rate-overlimit makes the queue back off (1 min, doubling),
// shows it, retries the same batch and finishes after the window.
func TestRateLimitBackoff(t *testing.T) {
	t.Parallel()
	w, nums := registeredWorld(100)
	w.RateLimit = &sim.RateLimit{Numbers: 40, PerS: 150}
	clock := newFakeClock(t0)
	cfg := pacedConfig()
	e := newCheckEnv(t, w, cfg, clock)
	during := statusDuringBackoffs(e)
	e.svc.StartChecker(e.ctx)
	_, rs := e.check(t, nums, CheckOptions{})
	if !wantAllValid(t, rs, " after the backoff") {
		t.FailNow()
	}
	if got := backoffs(clock); len(got) < 2 || got[0] != time.Minute || got[1] != 2*time.Minute {
		t.Errorf("backoff sleeps %v, want 1m then 2m", got)
	}
	seen := during()
	if len(seen) == 0 {
		t.Fatal("no status seen during the backoff")
	}
	for _, st := range seen {
		if st.BackoffUntil.IsZero() || !strings.Contains(st.Paused, "rate-overlimit") {
			t.Errorf("status during backoff = %+v, want BackoffUntil and a reason", st)
		}
	}
	if st := e.svc.CheckerStatus(); !st.BackoffUntil.IsZero() || st.Paused != "" {
		t.Errorf("status after the window = %+v, want no backoff", st)
	}
	// Refused batches are sent again, whole; the budget only counts the
	// numbers answered, and the canary (the own number) of each of the 6
	// batches of 19 answered.
	counts := map[string]int{}
	for _, n := range e.sim.CheckedNumbers() {
		counts[n]++
	}
	delete(counts, "+14155550100")
	if len(counts) != 100 || e.sim.CheckCalls() <= 6 {
		t.Errorf("%d distinct numbers in %d calls, want 100 in more than 6", len(counts), e.sim.CheckCalls())
	}
	if st := e.svc.CheckerStatus(); st.BudgetLeft != cfg.CheckDailyBudget-106 || st.Canary != "+14155550100" {
		t.Errorf("budget left %d, canary %q; want %d (refused calls are not charged) and the own number",
			st.BudgetLeft, st.Canary, cfg.CheckDailyBudget-106)
	}
}

// Acceptance 6: the daily budget stops the queue, says so, survives a
// restart, and the queue resumes the next local day.
func TestDailyBudget(t *testing.T) {
	t.Parallel()
	w, nums := registeredWorld(120)
	clock := newFakeClock(t0)
	clock.blockFrom = time.Hour // day 1: the wait for tomorrow blocks
	cfg := fastConfig()
	cfg.CheckDailyBudget = 50
	cfg.CheckPace = time.Second
	dbPath := filepath.Join(t.TempDir(), "w.db")
	st, err := store.Open(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	e := newCheckEnvOn(t, st, w, cfg, clock)
	e.svc.StartChecker(e.ctx)
	job, err := e.svc.EnqueueCheck(e.ctx, nums, CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	const reason = "daily budget of 50 numbers spent; resumes tomorrow"
	eventually(t, "budget pause", func() bool { return e.svc.CheckerStatus().Paused == reason })
	if got := len(e.sim.CheckedNumbers()); got != 50 {
		t.Errorf("%d numbers sent on day 1, want 50", got)
	}
	j, _ := e.svc.Job(e.ctx, job.ID)
	// 50 sent: three batches (19, 19, 9) and their canaries.
	if j.State != JobRunning || j.Counts.Processing != 73 || j.ETA < 14*time.Hour {
		t.Errorf("job after day 1 = %+v, want running, 73 processing, ETA past midnight", j)
	}
	e.close()

	// Restart on the same day: the budget is spent, from the database.
	st, err = store.Open(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	clock.mu.Lock()
	clock.blockFrom = 0
	clock.mu.Unlock()
	e2 := newCheckEnvOn(t, st, w, cfg, clock)
	if s := e2.svc.CheckerStatus(); s.BudgetLeft != 0 || s.Paused != reason || s.Running {
		t.Errorf("status after restart = %+v, want budget 0 and %q", s, reason)
	}
	e2.svc.StartChecker(e2.ctx)
	e2.wait(t, job.ID)
	day1, day2, day3 := budgetDay(t0), budgetDay(t0.AddDate(0, 0, 1)), budgetDay(t0.AddDate(0, 0, 2))
	for _, d := range []struct {
		day  string
		used int
	}{{day1, 50}, {day2, 50}, {day3, 28}} { // day 3: 19+1, 7+1
		if got, _ := st.CheckBudgetUsed(e2.ctx, "+14155550100", d.day); got != d.used {
			t.Errorf("budget used on %s = %d, want %d", d.day, got, d.used)
		}
	}
	if got := len(e2.sim.CheckedNumbers()); got != 78 {
		t.Errorf("%d numbers sent after the restart, want 78 (73 and 5 canaries)", got)
	}
	// The waits for the next day end exactly at local midnight.
	midnights := 0
	at := t0
	for _, d := range clock.Sleeps() {
		at = at.Add(d)
		if d > time.Hour && at.Hour() == 0 && at.Minute() == 0 && at.Second() == 0 {
			midnights++
		}
	}
	if midnights != 2 {
		t.Errorf("%d waits ended at midnight, want 2 (sleeps %v)", midnights, clock.Sleeps())
	}
}

func TestPauseResumeCancel(t *testing.T) {
	t.Parallel()
	w, nums := registeredWorld(100)
	clock := newFakeClock(t0)
	// idleNow waits until the worker has looked at the queue and found
	// nothing to send (a signal from it, not a sleep).
	idled := make(chan struct{}, 1)
	st, err := store.Open(filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	e := newCheckEnvWith(t, st, w, pacedConfig(), clock, nil, idled)
	ctx := e.ctx
	idleNow := func(what string) {
		t.Helper()
		select {
		case <-idled: // a look from before
		default:
		}
		select {
		case <-idled:
		case <-time.After(10 * time.Second):
			t.Fatalf("the worker never went idle %s", what)
		}
	}

	paused, err := e.svc.EnqueueCheck(ctx, nums[:5], CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.svc.PauseJob(ctx, paused.ID); err != nil {
		t.Fatal(err)
	}
	cancelled, err := e.svc.EnqueueCheck(ctx, nums[5:10], CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.svc.CancelJob(ctx, cancelled.ID); err != nil {
		t.Fatal(err)
	}
	e.wait(t, cancelled.ID) // returns at once
	rs, _ := e.svc.JobResults(ctx, cancelled.ID)
	for _, r := range rs {
		if r.Status != model.CheckFailed || r.Error != "cancelled" {
			t.Errorf("cancelled job result %+v", r)
		}
	}
	e.svc.StartChecker(ctx)
	idleNow("with only a paused and a cancelled job")
	if n := e.sim.CheckCalls(); n != 0 {
		t.Errorf("%d calls with only a paused and a cancelled job", n)
	}
	if err := e.svc.ResumeJob(ctx, paused.ID); err != nil {
		t.Fatal(err)
	}
	e.wait(t, paused.ID)
	if n := e.sim.CheckCalls(); n != 1 {
		t.Errorf("%d calls after resuming a 5-number job, want 1", n)
	}

	// Pausing a running job stops it after the batch in flight.
	var once sync.Once
	var running Job
	running, err = e.svc.EnqueueCheck(ctx, nums[10:], CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	clock.mu.Lock()
	clock.onSleep = func(time.Duration) {
		if e.sim.CheckCalls() < 2 { // the job has started
			return
		}
		once.Do(func() {
			if err := e.svc.PauseJob(ctx, running.ID); err != nil {
				t.Error(err)
			}
		})
	}
	clock.mu.Unlock()
	eventually(t, "the running job paused", func() bool {
		j, _ := e.svc.Job(ctx, running.ID)
		return j.State == JobPaused
	})
	idleNow("after the running job paused")
	calls := e.sim.CheckCalls()
	j, _ := e.svc.Job(ctx, running.ID)
	if j.Counts.Processing != 90-19*(calls-1) || calls > 3 { // 19 numbers and a canary per batch
		t.Errorf("paused job: %d calls, counts %v", calls, j.Counts)
	}
	if err := e.svc.ResumeJob(ctx, running.ID); err != nil {
		t.Fatal(err)
	}
	e.wait(t, running.ID)
	if n := e.sim.CheckCalls(); n != 1+5 {
		t.Errorf("%d calls in all, want 6", n)
	}

	// Transitions that make no sense are errors.
	for _, tt := range []struct {
		name string
		f    func(context.Context, int64) error
		id   int64
		want error
	}{
		{"pause done", e.svc.PauseJob, paused.ID, store.ErrJobState},
		{"resume done", e.svc.ResumeJob, paused.ID, store.ErrJobState},
		{"cancel cancelled", e.svc.CancelJob, cancelled.ID, store.ErrJobState},
		{"pause unknown", e.svc.PauseJob, 999, ErrNoJob},
	} {
		if err := tt.f(ctx, tt.id); !errors.Is(err, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
	}
}

// A batch in flight when the process died is sent again first; a finished
// batch never is.
func TestInflightBatchResent(t *testing.T) {
	t.Parallel()
	w, nums := registeredWorld(45)
	e := newCheckEnv(t, w, fastConfig(), newFakeClock(t0))
	ctx := e.ctx
	job, err := e.svc.EnqueueCheck(ctx, nums, CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	claim := store.CheckClaim{Max: 20, Now: t0, Account: "+14155550100", Day: budgetDay(t0)}
	done, err := e.st.ClaimCheckBatch(ctx, claim)
	if err != nil || done == nil {
		t.Fatal(done, err)
	}
	// The first batch was answered (all "invalid", which the sim would
	// never say for these numbers) before the crash.
	var answered []model.CheckResult
	for _, p := range done.Phones {
		answered = append(answered, model.CheckResult{Phone: p, Status: model.CheckInvalid})
	}
	if err := e.st.CompleteCheckBatch(ctx, done.ID, answered, t0); err != nil {
		t.Fatal(err)
	}
	inflight, err := e.st.ClaimCheckBatch(ctx, claim)
	if err != nil || inflight == nil {
		t.Fatal(inflight, err)
	}
	e.svc.StartChecker(ctx)
	e.wait(t, job.ID)
	// The batch in flight fills the batch size: it goes without a
	// canary; the last 5 go with one.
	sent := e.sim.CheckedNumbers()
	if len(sent) != 26 || !slices.Equal(sent[:20], inflight.Phones) || sent[25] != "+14155550100" {
		t.Errorf("sent %v, want the batch in flight %v first, then the last 5 and the canary", sent, inflight.Phones)
	}
	for _, p := range done.Phones {
		if slices.Contains(sent, p) {
			t.Errorf("%s of a finished batch was sent again", p)
		}
	}
	rs, _ := e.svc.JobResults(ctx, job.ID)
	for i, r := range rs {
		want := model.CheckValid
		if i < 20 {
			want = model.CheckInvalid
		}
		if r.Status != want {
			t.Errorf("result %d = %s, want %s", i, r.Status, want)
		}
	}
}

func TestSaveValidAsContacts(t *testing.T) {
	t.Parallel()
	e := newCheckEnv(t, checkWorld(), fastConfig(), newFakeClock(t0))
	e.svc.StartChecker(e.ctx)
	ctx := e.ctx
	job, _ := e.check(t, []string{"+1 415 555 0101", "+1 (631) 555-1004", "16315551004", "+55 11 8765-4321", "+1 415 555 0199", "nope"}, CheckOptions{})

	if _, err := e.svc.SaveValidAsContacts(ctx, job.ID, []string{strings.Repeat("x", 61)}); err == nil {
		t.Error("a label name too long was accepted")
	}
	if n, _ := e.st.ContactCount(ctx); n != 1 {
		t.Errorf("a refused save changed the contacts: %d", n)
	}
	n, err := e.svc.SaveValidAsContacts(ctx, job.ID, []string{"vip, Leads", "LEADS"})
	if err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Errorf("saved %d contacts, want 3 (Ada, 16315551004, the rewritten Brazilian)", n)
	}
	labels, _ := e.st.Labels(ctx)
	var names []string
	for _, l := range labels {
		names = append(names, l.Name)
	}
	if !slices.Equal(names, []string{"VIP", "Leads"}) {
		t.Errorf("labels %v, want VIP reused and Leads created once", names)
	}
	for _, c := range []struct{ jid, source, name string }{
		{"14155550101@s.whatsapp.net", model.SourceWhatsApp, "Ada Lovelace"},
		{"16315551004@s.whatsapp.net", model.SourceLocal, ""},
		{waRewritten + "@s.whatsapp.net", model.SourceLocal, ""},
	} {
		got, err := e.st.Contact(ctx, c.jid)
		if err != nil {
			t.Errorf("%s: %v", c.jid, err)
			continue
		}
		if got.Source != c.source || got.FullName != c.name || !got.IsWAContact || !slices.Equal(got.Labels, []string{"VIP", "Leads"}) {
			t.Errorf("%s = source %q name %q wa %v labels %v", c.jid, got.Source, got.FullName, got.IsWAContact, got.Labels)
		}
	}
	if _, err := e.st.Contact(ctx, "14155550199@s.whatsapp.net"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("an invalid number became a contact: %v", err)
	}
}

func TestJobETA(t *testing.T) {
	t.Parallel()
	w, nums := registeredWorld(100)
	clock := newFakeClock(time.Date(2026, 3, 2, 23, 0, 0, 0, time.Local))
	cfg := Config{CheckBatchSize: 20, CheckPace: 10 * time.Second, CheckDailyBudget: 1000, CheckMaxAge: time.Hour}
	e := newCheckEnv(t, w, cfg, clock)
	job, err := e.svc.EnqueueCheck(e.ctx, nums, CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if job.ETA != 50*time.Second {
		t.Errorf("ETA %v, want 5 batches × 10s", job.ETA)
	}
	second, _ := e.svc.EnqueueCheck(e.ctx, nums[:20], CheckOptions{})
	if second.ETA != 60*time.Second {
		t.Errorf("second job ETA %v, want 60s (it waits for the first)", second.ETA)
	}
	cfg.CheckDailyBudget = 50
	e2 := newCheckEnv(t, w, cfg, clock)
	job, _ = e2.svc.EnqueueCheck(e2.ctx, nums, CheckOptions{})
	// 50 today, then the other 50 after midnight (1 h away): 3 batches.
	if job.ETA != time.Hour+30*time.Second {
		t.Errorf("ETA over budget %v, want 1h30s", job.ETA)
	}
}

func TestEnqueueErrors(t *testing.T) {
	t.Parallel()
	e := newCheckEnv(t, checkWorld(), fastConfig(), newFakeClock(t0))
	for _, tt := range []struct {
		inputs []string
		opts   CheckOptions
		want   string
	}{
		{nil, CheckOptions{}, "no numbers"},
		{[]string{"1"}, CheckOptions{Region: "XX"}, "unknown region"},
		{[]string{"1"}, CheckOptions{MaxAge: -time.Hour}, "negative"},
		{make([]string, MaxCheckInputs+1), CheckOptions{}, "too many"},
	} {
		if _, err := e.svc.EnqueueCheck(e.ctx, tt.inputs, tt.opts); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("EnqueueCheck(%d inputs, %+v) = %v, want %q", len(tt.inputs), tt.opts, err, tt.want)
		}
	}
	if jobs, _ := e.svc.Jobs(e.ctx); len(jobs) != 0 {
		t.Errorf("refused checks left %d jobs", len(jobs))
	}
	// French national number with --region FR.
	job, err := e.svc.EnqueueCheck(e.ctx, []string{"06 12 34 56 78"}, CheckOptions{Region: "fr"})
	if err != nil {
		t.Fatal(err)
	}
	rs, _ := e.svc.JobResults(e.ctx, job.ID)
	if rs[0].Phone != "+33612345678" || rs[0].Status != model.CheckProcessing {
		t.Errorf("French number: %+v", rs[0])
	}
}

// Worker progress reaches the front end as ChecksChanged notices.
func TestChecksChangedNotice(t *testing.T) {
	t.Parallel()
	e := newCheckEnv(t, checkWorld(), fastConfig(), newFakeClock(t0))
	for len(e.svc.Notices()) > 0 {
		e.svc.Acknowledge(<-e.svc.Notices())
	}
	e.svc.StartChecker(e.ctx)
	e.check(t, []string{numRegistered}, CheckOptions{})
	got := false
	for len(e.svc.Notices()) > 0 {
		n := <-e.svc.Notices()
		got = got || n.Kind == ChecksChanged
	}
	if !got {
		t.Error("no ChecksChanged notice")
	}
}
