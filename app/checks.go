package app

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nyaruka/phonenumbers"

	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/store"
	"github.com/wabook/wabook/wa"
)

// CancelledError is the error of a number its job's cancellation kept
// from being sent; its status is failed, as the Business API has no other
// word for it, and the job counts it under CheckCancelled.
const CancelledError = store.CancelledError

// CheckCancelled is the key of Job.Counts for the numbers a cancellation
// kept from being sent (failed, with CancelledError). They are not counted
// under "failed", which stays WhatsApp's errors.
const CheckCancelled = store.CountCancelled

// Limits of a check job.
const (
	// MaxCheckInputs is the most numbers one job takes.
	MaxCheckInputs = 100_000
	// maxInputLen is the longest input kept; longer ones are invalid.
	maxInputLen = 200
)

// Errors of the check queue.
var (
	// ErrNoJob is returned for a job ID that names no job.
	ErrNoJob = errors.New("no such check job")
	// ErrUnknownRegion is returned by EnqueueCheck for a region that is
	// not an ISO country code libphonenumber knows.
	ErrUnknownRegion = errors.New("unknown region")
)

// CheckOptions are the options of one check job.
type CheckOptions struct {
	// Force ignores cached results: every number is sent again.
	Force bool
	// MaxAge is how old a cached result may be; 0 means the configured
	// check_max_age (7 days by default).
	MaxAge time.Duration
	// Region is the ISO region ("FR") for numbers written without a
	// country code; "" means Service.Region() (--region, else the
	// account's own country).
	Region string
}

// Job is a check job as the UI and `wabook checks` show it.
type Job struct {
	ID        int64
	CreatedAt time.Time
	State     JobState
	Total     int // inputs, duplicates included
	Counts    JobCounts
	Cached    int // inputs answered from the cache
	// ETA is the expected time until the job is done, from the pace, the
	// batches left (of this job and the jobs before it), the daily budget
	// and any backoff; 0 when done, paused or cancelled.
	ETA time.Duration
	// Error is the last job-level problem (a failed WhatsApp call that
	// will be retried), "" when none.
	Error   string
	Options CheckOptions
}

// CheckerStatus says what the check queue's worker is doing.
type CheckerStatus struct {
	// Running: the worker runs in this process (it holds the WhatsApp
	// connection). Another process may run the queue when false.
	Running bool
	// Paused says why nothing is being sent while jobs wait, in plain
	// words ("daily budget of 1000 numbers spent; resumes tomorrow"); ""
	// when sending or idle.
	Paused string
	// BackoffUntil is when sending resumes after WhatsApp refused a check
	// (rate-overlimit) or a call failed; zero when not backing off.
	BackoffUntil time.Time
	// BudgetLeft of BudgetTotal numbers may still be checked today.
	BudgetLeft  int
	BudgetTotal int
	Settings    Config
	// Canary is the number asked alongside the last batch to catch a
	// server that answers "not on WhatsApp" for everything; "" when that
	// batch went without one, and then NoCanary says why in plain words.
	Canary   string
	NoCanary string
	// CanaryTrips is how many batches were not believed because their
	// canary came back "not on WhatsApp"; LastCanaryTrip the last time
	// (zero when never).
	CanaryTrips    int
	LastCanaryTrip time.Time
}

// Settings keys of the persisted backoff, so a restart keeps backing off
// and other processes can show it.
const (
	keyBackoffUntil  = "check.backoff_until_ms"
	keyBackoffStep   = "check.backoff_step_ms"
	keyBackoffReason = "check.backoff_reason"
)

// Backoff schedules.
const (
	rateBackoffFirst = time.Minute
	rateBackoffMax   = time.Hour
	errBackoffFirst  = 15 * time.Second
	errBackoffMax    = 10 * time.Minute
)

// checkState is the check queue's part of a Service.
type checkState struct {
	cfg   Config
	clock func() time.Time
	sleep func(ctx context.Context, d time.Duration) error
	poll  time.Duration
	wake  chan struct{} // kicks the worker out of a wait

	mu       sync.Mutex
	running  bool
	draining bool // StopCheckerAfterBatch: finish the batch in flight, claim no other
	cancel   context.CancelFunc
	done     chan struct{}
	paused   string
	changed  chan struct{} // closed and replaced on every queue change
}

func newCheckState(opts Options) *checkState {
	c := &checkState{
		cfg:     DefaultConfig(),
		clock:   opts.Clock,
		sleep:   opts.Sleep,
		poll:    opts.CheckPoll,
		wake:    make(chan struct{}, 1),
		changed: make(chan struct{}),
	}
	if opts.Config != nil {
		c.cfg = opts.Config.normalize()
	}
	if c.clock == nil {
		c.clock = time.Now
	}
	if c.sleep == nil {
		c.sleep = sleepCtx
	}
	if c.poll <= 0 {
		c.poll = time.Second
	}
	return c
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// CheckSettings returns the check-queue settings in force.
func (s *Service) CheckSettings() Config { return s.chk.cfg }

func (s *Service) kickChecker() {
	select {
	case s.chk.wake <- struct{}{}:
	default:
	}
}

// checksChanged wakes WaitJob callers and sends a ChecksChanged notice.
func (s *Service) checksChanged() {
	c := s.chk
	c.mu.Lock()
	close(c.changed)
	c.changed = make(chan struct{})
	c.mu.Unlock()
	s.notify(ChecksChanged)
}

func (s *Service) setPaused(reason string) {
	c := s.chk
	c.mu.Lock()
	changed := c.paused != reason
	c.paused = reason
	c.mu.Unlock()
	if changed {
		s.checksChanged()
	}
}

// checkAccount names the account the daily budget is counted for.
func (s *Service) checkAccount() string {
	if p := s.backend.Account().Phone; p != "" {
		return p
	}
	return "unpaired"
}

func dayOf(t time.Time) string { return t.Format("2006-01-02") }

func nextDay(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, t.Location())
}

func budgetReason(cfg Config) string {
	return fmt.Sprintf("daily budget of %d numbers spent; resumes tomorrow", cfg.CheckDailyBudget)
}

// EnqueueCheck queues a check of inputs (phone numbers in any format) and
// returns the job. It normalises every input (README, "Checking numbers") with opts.Region,
// else Service.Region(): an impossible number, or a possible one that is not
// valid and no national rule fixes, is "invalid" at once with the reason
// in Error and is never sent; a number with a fresh cached result (younger
// than opts.MaxAge, unless opts.Force) takes it with Cached set; the rest
// wait for the worker as "processing". Inputs naming the same number share
// one check, yet each input has its own result, in input order. The job and
// its items are written in one transaction. An empty list, more than
// MaxCheckInputs numbers or an unknown region is an error and queues nothing.
func (s *Service) EnqueueCheck(ctx context.Context, inputs []string, opts CheckOptions) (Job, error) {
	if err := s.writable(ctx); err != nil {
		return Job{}, err
	}
	if len(inputs) == 0 {
		return Job{}, errors.New("no numbers to check")
	}
	if len(inputs) > MaxCheckInputs {
		return Job{}, fmt.Errorf("too many numbers (%d): at most %d per check", len(inputs), MaxCheckInputs)
	}
	region := strings.ToUpper(strings.TrimSpace(opts.Region))
	if region != "" && phonenumbers.GetCountryCodeForRegion(region) == 0 {
		return Job{}, fmt.Errorf("%w %s (use a two-letter country code like US or FR)", ErrUnknownRegion, model.QuoteInput(opts.Region))
	}
	if region == "" {
		region = s.Region()
	}
	if opts.MaxAge < 0 {
		return Job{}, errors.New("the maximum age of cached results cannot be negative")
	}
	maxAge := opts.MaxAge
	if maxAge == 0 {
		maxAge = s.chk.cfg.CheckMaxAge
	}
	now := s.chk.clock()
	items := make([]model.CheckResult, len(inputs))
	for i, in := range inputs {
		items[i] = normalizeInput(in, region, now)
	}
	sopts := store.CheckJobOptions{Force: opts.Force, MaxAgeS: int64(maxAge / time.Second), Region: strings.ToUpper(strings.TrimSpace(opts.Region))}
	id, err := s.store.CreateCheckJob(ctx, now, s.checkAccount(), sopts, items)
	if err != nil {
		return Job{}, fmt.Errorf("queueing the check: %w", err)
	}
	s.checksChanged()
	s.kickChecker()
	return s.Job(ctx, id)
}

// normalizeInput reads one input into a result that is final (invalid) or
// waits for a check (processing).
func normalizeInput(in, region string, now time.Time) model.CheckResult {
	r := model.CheckResult{Input: in, Status: model.CheckProcessing}
	if len(in) > maxInputLen {
		r.Input = in[:maxInputLen]
		r.Status, r.Error, r.CheckedAt = model.CheckInvalid, "too long", now
		return r
	}
	p, err := model.ParsePhone(in, region)
	switch {
	case err != nil:
		r.Status, r.Error, r.CheckedAt = model.CheckInvalid, err.Error(), now
	case !p.Sendable():
		where := p.Region
		if where == "" {
			where = "its country"
		}
		r.Phone = p.E164
		r.Status, r.Error, r.CheckedAt = model.CheckInvalid, "not a valid number for "+where, now
	default:
		r.Phone = p.E164
	}
	return r
}

func jobOptions(o store.CheckJobOptions) CheckOptions {
	return CheckOptions{Force: o.Force, MaxAge: time.Duration(o.MaxAgeS) * time.Second, Region: o.Region}
}

func (s *Service) noJob(id int64, err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("%w: %d", ErrNoJob, id)
	}
	return err
}

// Job returns one job with its counts and ETA.
func (s *Service) Job(ctx context.Context, id int64) (Job, error) {
	jobs, err := s.Jobs(ctx)
	if err != nil {
		return Job{}, err
	}
	for _, j := range jobs {
		if j.ID == id {
			return j, nil
		}
	}
	return Job{}, fmt.Errorf("%w: %d", ErrNoJob, id)
}

// Jobs lists every check job, newest first, with counts per status and ETA.
func (s *Service) Jobs(ctx context.Context) ([]Job, error) {
	rows, err := s.store.CheckJobs(ctx)
	if err != nil {
		return nil, err
	}
	st := s.CheckerStatus()
	now := s.chk.clock()
	out := make([]Job, len(rows))
	ahead := 0 // numbers of runnable jobs older than this one, plus its own
	for i := len(rows) - 1; i >= 0; i-- {
		r := rows[i]
		j := Job{ID: r.ID, CreatedAt: r.CreatedAt, State: JobState(r.State), Total: r.Total, Counts: jobCounts(r.Counts),
			Cached: r.Cached, Error: r.Error, Options: jobOptions(r.Options)}
		if j.State.Runnable() {
			ahead += r.Pending
			if r.Pending > 0 {
				j.ETA = eta(ahead, st, now)
			}
		}
		out[i] = j
	}
	return out, nil
}

// eta estimates how long n numbers take to check.
func eta(n int, st CheckerStatus, now time.Time) time.Duration {
	cfg := st.Settings
	batches := func(k int) time.Duration {
		return time.Duration((k+cfg.CheckBatchSize-1)/cfg.CheckBatchSize) * cfg.CheckPace
	}
	var d time.Duration
	if st.BackoffUntil.After(now) {
		d = st.BackoffUntil.Sub(now)
	}
	if n <= st.BudgetLeft {
		return d + batches(n)
	}
	rest := n - st.BudgetLeft
	d = max(d, batches(st.BudgetLeft))
	d = max(d, nextDay(now).Sub(now))
	days := (rest - 1) / cfg.CheckDailyBudget
	d += time.Duration(days) * 24 * time.Hour
	return d + batches(rest-days*cfg.CheckDailyBudget)
}

// JobResults returns a job's results in input order, one per input:
// Input, Phone (E.164, "" when impossible), Status, WAID, JID,
// VerifiedName, Error, Cached, CheckedAt (zero while processing).
func (s *Service) JobResults(ctx context.Context, id int64) ([]model.CheckResult, error) {
	rs, err := s.store.CheckItems(ctx, id)
	if err != nil {
		return nil, s.noJob(id, err)
	}
	return rs, nil
}

func (s *Service) setJobState(ctx context.Context, id int64, to JobState) error {
	if _, err := s.store.SetCheckJobState(ctx, id, string(to)); err != nil {
		return s.noJob(id, err)
	}
	s.checksChanged()
	s.kickChecker()
	return nil
}

// PauseJob stops sending a queued or running job's numbers; a batch already
// in flight still gets its results. Pausing a finished job is an error.
func (s *Service) PauseJob(ctx context.Context, id int64) error {
	if err := s.writable(ctx); err != nil {
		return err
	}
	return s.setJobState(ctx, id, JobPaused)
}

// ErrNothingToRetry is returned by RetryJob for a job without failed numbers.
var ErrNothingToRetry = store.ErrNothingToRetry

// RetryJob queues a job's failed numbers again (errors WhatsApp gave for
// one number, "no answer", cancelled ones) and returns how many inputs
// that is; a finished or cancelled job runs again, a paused one stays
// paused. ErrNoJob for an unknown job, ErrNothingToRetry when none failed.
func (s *Service) RetryJob(ctx context.Context, id int64) (int, error) {
	if err := s.writable(ctx); err != nil {
		return 0, err
	}
	n, err := s.store.RetryCheckJob(ctx, id)
	if err != nil {
		return 0, s.noJob(id, err)
	}
	s.checksChanged()
	s.kickChecker()
	return n, nil
}

// ResumeJob queues a paused job again. Resuming a job that is not paused is
// an error.
func (s *Service) ResumeJob(ctx context.Context, id int64) error {
	if err := s.writable(ctx); err != nil {
		return err
	}
	return s.setJobState(ctx, id, JobQueued)
}

// CancelJob cancels a queued, running or paused job: numbers not yet
// answered become "failed" with the error "cancelled" and are never sent.
// Cancelling a finished job is an error.
func (s *Service) CancelJob(ctx context.Context, id int64) error {
	if err := s.writable(ctx); err != nil {
		return err
	}
	return s.setJobState(ctx, id, JobCancelled)
}

// WaitJob blocks until the job is done or cancelled (whichever process runs
// the queue), or ctx ends.
func (s *Service) WaitJob(ctx context.Context, id int64) error {
	tick := time.NewTicker(200 * time.Millisecond) // another process may run it
	defer tick.Stop()
	for {
		s.chk.mu.Lock()
		changed := s.chk.changed
		s.chk.mu.Unlock()
		state, err := s.store.CheckJobState(ctx, id)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return s.noJob(id, err)
		}
		if js := JobState(state); js == JobDone || js == JobCancelled {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-changed:
		case <-tick.C:
		}
	}
}

// SaveValidAsContacts saves every valid result of a job as a contact, with
// labels, in one transaction, and returns how many contacts that is. A
// number not yet in the address book becomes a local contact (JID from the
// wa_id WhatsApp answered with, phone the number checked); an existing
// contact is kept and gains the labels. One person stays one contact: a
// contact kept under another form of the number than WhatsApp's ID (an
// import adds a Brazilian mobile's ninth digit, WhatsApp may know it
// without) moves to WhatsApp's ID with its name, labels and note. labels are names, each possibly a comma-separated list ("VIP,
// new customer"); names are matched ignoring case and missing ones are
// created.
func (s *Service) SaveValidAsContacts(ctx context.Context, jobID int64, labels []string) (int, error) {
	if err := s.writable(ctx); err != nil {
		return 0, err
	}
	var names []string
	for _, l := range labels {
		for _, n := range model.SplitLabelList(l) {
			if err := model.ValidateLabelName(n); err != nil {
				return 0, fmt.Errorf("label %q: %w", n, err)
			}
			dup := false
			for _, seen := range names {
				dup = dup || model.SameLabelName(seen, n)
			}
			if !dup {
				names = append(names, n)
			}
		}
	}
	results, err := s.JobResults(ctx, jobID)
	if err != nil {
		return 0, err
	}
	var cs []model.Contact
	for _, r := range results {
		if r.Status != model.CheckValid || r.WAID == "" {
			continue
		}
		// The phone is the number checked, the JID WhatsApp's ID for it:
		// the store moves a contact kept under the number's own form.
		phone := r.Phone
		if phone == "" {
			phone = "+" + r.WAID
		}
		cs = append(cs, model.Contact{
			JID:          model.JIDFromDigits(r.WAID),
			Phone:        phone,
			VerifiedName: r.VerifiedName,
			IsWAContact:  true,
			Source:       model.SourceLocal,
		})
	}
	if len(cs) == 0 {
		return 0, nil
	}
	n, err := s.store.SaveCheckedContacts(ctx, cs, names)
	if err != nil {
		return 0, fmt.Errorf("saving contacts: %w", err)
	}
	s.notify(DataChanged)
	s.outboxQueued(ctx) // the labels, with label sync on
	return n, nil
}

// CheckerStatus reports the worker's state, the day's budget and any
// backoff. It reads the store, so it also tells about a queue another
// process runs.
func (s *Service) CheckerStatus() CheckerStatus {
	c := s.chk
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	c.mu.Lock()
	st := CheckerStatus{Running: c.running, Paused: c.paused}
	c.mu.Unlock()
	st.Settings = c.cfg
	st.BudgetTotal = c.cfg.CheckDailyBudget
	now := c.clock()
	used, err := s.store.CheckBudgetUsed(ctx, s.checkAccount(), dayOf(now))
	if err != nil {
		s.log.Warn("reading the check budget", "err", err)
	}
	st.BudgetLeft = max(0, st.BudgetTotal-used)
	cst, bo := s.loadCheckState(ctx)
	reason := bo.reason
	if bo.until.After(now) {
		st.BackoffUntil = bo.until
	}
	st.Canary, st.NoCanary, st.CanaryTrips, st.LastCanaryTrip = cst.last, cst.note, cst.trips, cst.lastTrip
	if !st.Running {
		switch {
		case !st.BackoffUntil.IsZero():
			st.Paused = reason
		case st.BudgetLeft == 0:
			st.Paused = budgetReason(c.cfg)
		}
	}
	return st
}

func (s *Service) loadBackoff(ctx context.Context) (until time.Time, step time.Duration, reason string) {
	_, bo := s.loadCheckState(ctx)
	return bo.until, bo.step, bo.reason
}

// loadCheckState reads the canary's state and the backoff in one query,
// so they are seen as they were saved together.
func (s *Service) loadCheckState(ctx context.Context) (canaryState, backoff) {
	v, err := s.store.Settings(ctx, keyCanary, keyBackoffUntil, keyBackoffStep, keyBackoffReason)
	if err != nil {
		s.log.Warn("reading the check queue's state", "err", err)
		return canaryState{}, backoff{}
	}
	cst, err := decodeCanary(v[keyCanary])
	if err != nil {
		s.log.Warn("reading the check queue's state", "err", err) // the canary starts afresh
	}
	bo := backoff{reason: v[keyBackoffReason]}
	if ms, err := strconv.ParseInt(v[keyBackoffUntil], 10, 64); err == nil {
		bo.until = fromMS(ms)
	}
	if ms, err := strconv.ParseInt(v[keyBackoffStep], 10, 64); err == nil && ms > 0 {
		bo.step = time.Duration(ms) * time.Millisecond
	}
	return cst, bo
}

// backoff is a backoff to persist.
type backoff struct {
	until  time.Time
	step   time.Duration
	reason string
}

// saveCheckState writes the canary's state and the backoff, whichever is
// not nil, in one transaction: a kill cannot leave a canary trip counted
// with no backoff saved.
func (s *Service) saveCheckState(ctx context.Context, cst *canaryState, bo *backoff) {
	v := map[string]string{}
	if cst != nil {
		v[keyCanary] = cst.encode()
	}
	if bo != nil {
		v[keyBackoffUntil] = strconv.FormatInt(unixMS(bo.until), 10)
		v[keyBackoffStep] = strconv.FormatInt(bo.step.Milliseconds(), 10)
		v[keyBackoffReason] = bo.reason
	}
	if err := s.store.SetSettings(ctx, v); err != nil {
		s.log.Warn("saving the check queue's state", "err", err)
	}
}

// StartChecker starts the check queue's worker: one goroutine, until ctx
// ends or StopChecker. Only the process holding the WhatsApp connection
// runs it. It resumes unfinished jobs, sends a batch left in flight by a
// crash again, and then sends batches of at most check_batch_size numbers,
// one per check_pace (±20%), within check_daily_budget numbers per local
// day; on rate-overlimit it backs off 1 min, doubling to 1 h, and retries
// the same batch. Each batch carries a canary (canary.go) within the batch
// size and the budget; when it comes back "not on WhatsApp", or when
// WhatsApp answers none of the batch (a soft rate limit), nothing is stored
// and the batch is retried after the same backoff, its budget still spent.
// A number left out of a reply that answered others is asked again, at
// most store.MaxUnanswered times, then fails with "no answer"; only an
// explicit answer makes a number invalid. Progress is reported as
// ChecksChanged notices; calling it again while it runs does nothing.
func (s *Service) StartChecker(ctx context.Context) {
	c := s.chk
	c.mu.Lock()
	if c.running {
		c.mu.Unlock()
		return
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	c.running, c.draining, c.cancel, c.done, c.paused = true, false, cancel, done, ""
	c.mu.Unlock()
	go func() {
		defer close(done)
		defer func() {
			c.mu.Lock()
			c.running, c.paused = false, ""
			c.mu.Unlock()
			s.checksChanged()
		}()
		s.runChecker(ctx)
	}()
	s.checksChanged()
}

// StopChecker stops the worker and waits for it. A batch in flight stays
// marked so and is sent again by the next worker.
func (s *Service) StopChecker() {
	c := s.chk
	c.mu.Lock()
	cancel, done := c.cancel, c.done
	c.mu.Unlock()
	if cancel == nil {
		return
	}
	cancel()
	<-done
}

// StopCheckerAfterBatch stops the worker without cutting a query short: a
// batch in flight is answered and its answers stored (or handled as any
// reply is: backoff, retry later), no other batch is claimed, and it
// returns once the worker has ended. A process that ends when its own job
// is done calls it, so that it neither walks away from another job's batch
// mid-query (budget spent, batch sent again) nor starts one. When ctx ends
// first it stops the worker as StopChecker does.
func (s *Service) StopCheckerAfterBatch(ctx context.Context) {
	c := s.chk
	c.mu.Lock()
	cancel, done := c.cancel, c.done
	if cancel != nil {
		c.draining = true
	}
	c.mu.Unlock()
	if cancel == nil {
		return
	}
	s.kickChecker() // out of a pause (pace, backoff, budget) or an idle wait
	select {
	case <-done:
	case <-ctx.Done():
		cancel()
		<-done
	}
}

func (c *checkState) isDraining() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.draining
}

// pause waits d with the injected sleep; a kick (a new job, pause, resume,
// cancel, a connection change) ends it early. It reports whether ctx is
// still alive.
func (c *checkState) pause(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		select {
		case <-c.wake:
			cancel()
		case <-stop:
		}
	}()
	_ = c.sleep(wctx, d)
	return ctx.Err() == nil
}

// idle waits for a kick or the poll interval (real time: jobs may come
// from another process).
func (c *checkState) idle(ctx context.Context) {
	t := time.NewTimer(c.poll)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-c.wake:
	case <-t.C:
	}
}

func jitter(p time.Duration) time.Duration {
	if p <= 0 {
		return 0
	}
	return time.Duration(float64(p) * (0.8 + 0.4*rand.Float64()))
}

func nextStep(cur, first, limit time.Duration) time.Duration {
	if cur <= 0 {
		return first
	}
	return min(cur*2, limit)
}

func (s *Service) runChecker(ctx context.Context) {
	c := s.chk
	cfg := c.cfg
	until, rateStep, reason := s.loadBackoff(ctx)
	var errStep time.Duration
	var nextAt time.Time
	canaryOnly := false // the last reply was taken for a soft rate limit that answered the canary
	if last, err := s.store.LastCheckBatchAt(ctx); err == nil && !last.IsZero() {
		nextAt = last.Add(jitter(cfg.CheckPace))
	}
	for ctx.Err() == nil && !c.isDraining() {
		has, err := s.store.HasCheckWork(ctx)
		if err != nil {
			if ctx.Err() == nil {
				s.log.Error("check queue", "err", err)
				c.idle(ctx)
			}
			continue
		}
		if !has {
			s.setPaused("")
			c.idle(ctx)
			continue
		}
		if s.Status().Conn != wa.StateConnected {
			s.setPaused("waiting for the WhatsApp connection")
			c.idle(ctx)
			continue
		}
		now := c.clock()
		if now.Before(until) {
			s.setPaused(reason)
			c.pause(ctx, until.Sub(now))
			continue
		}
		account, day := s.checkAccount(), dayOf(now)
		used, err := s.store.CheckBudgetUsed(ctx, account, day)
		if err != nil {
			if ctx.Err() == nil {
				s.log.Error("check budget", "err", err)
				c.idle(ctx)
			}
			continue
		}
		left := cfg.CheckDailyBudget - used
		if left <= 0 {
			s.setPaused(budgetReason(cfg))
			c.pause(ctx, nextDay(now).Sub(now))
			continue
		}
		if now.Before(nextAt) {
			c.pause(ctx, nextAt.Sub(now))
			continue
		}
		cst := s.loadCanary(ctx)
		canary, note := s.pickCanary(ctx, cst, now, nil)
		reserve := 0
		switch {
		case canary == "":
		case cfg.CheckBatchSize < 2 || cfg.CheckDailyBudget < 2:
			canary, note = "", "no canary: batches of one number leave no room for it"
		case left < 2:
			// A canary and a number do not fit in what is left today.
			s.setPaused(budgetReason(cfg))
			c.pause(ctx, nextDay(now).Sub(now))
			continue
		default:
			reserve = 1
		}
		if c.isDraining() {
			return // asked to stop after the batch in flight, which there is none of
		}
		b, err := s.store.ClaimCheckBatch(ctx, store.CheckClaim{
			Max: min(cfg.CheckBatchSize, left), Reserve: reserve, Now: now, Account: account, Day: day,
		})
		switch {
		case errors.Is(err, store.ErrBatchTooBig):
			s.setPaused(budgetReason(cfg))
			c.pause(ctx, nextDay(now).Sub(now))
			continue
		case err != nil:
			if ctx.Err() == nil {
				s.log.Error("check queue", "err", err)
				c.idle(ctx)
			}
			continue
		case b == nil:
			// Jobs were found complete (answered from the cache).
			s.checksChanged()
			c.idle(ctx)
			continue
		}
		switch {
		case canary != "" && slices.Contains(b.Phones, canary):
			// The canary is asked anyway, as one of the batch's numbers:
			// another one takes the slot charged for it; else it serves
			// as the canary at no cost and the slot is given back.
			if other, _ := s.pickCanary(ctx, cst, now, b.Phones); other != "" && b.Reserved > 0 {
				canary = other
			} else if b.Reserved > 0 {
				if err := s.store.ReleaseCheckReserve(ctx, b); err != nil {
					s.log.Warn("check budget", "err", err)
				}
			}
		case canary != "" && b.Reserved == 0:
			canary, note = "", "no canary: the batch left in flight fills the batch size"
		}
		send := b.Phones
		if canary != "" && !slices.Contains(send, canary) {
			send = append(slices.Clone(send), canary)
		}
		cst.last, cst.note = canary, note
		s.saveCheckState(ctx, &cst, nil)
		s.setPaused("")
		s.checksChanged()
		answers, err := s.backend.CheckNumbers(ctx, send)
		// The pace runs from the reply: a slow reply must not let the
		// next batch go out at once.
		nextAt = c.clock().Add(jitter(cfg.CheckPace))
		prevCanaryOnly := canaryOnly
		canaryOnly = false
		bg := context.WithoutCancel(ctx)
		if ctx.Err() != nil {
			if err == nil && canaryVerdict(canary, answers) != canaryTrip && answeredAny(b.Phones, answers) {
				// WhatsApp answered before we were stopped: keep the
				// answers, or the next run would ask for them again.
				if cerr := s.commitBatch(bg, b, answersToResults(b.Phones, answers)); cerr != nil {
					s.log.Error("check queue: storing the last answers", "err", cerr)
				}
			}
			return // otherwise the batch stays in flight: the next worker sends it again
		}
		switch {
		case errors.Is(err, wa.ErrRateLimited):
			// Refused, nothing looked up: give the budget back.
			if err := s.store.ReleaseCheckBatch(bg, b); err != nil {
				s.log.Warn("check budget", "err", err)
			}
			rateStep = nextStep(rateStep, rateBackoffFirst, rateBackoffMax)
			until = c.clock().Add(rateStep)
			reason = fmt.Sprintf("WhatsApp asked to slow down (rate-overlimit): waiting %s, until %s",
				rateStep, until.Format("15:04:05"))
			s.saveCheckState(bg, nil, &backoff{until, rateStep, reason})
			s.log.Warn("check rate-limited", "backoff", rateStep)
			s.setPaused(reason)
			s.checksChanged()
			continue
		case err != nil:
			errStep = nextStep(errStep, errBackoffFirst, errBackoffMax)
			until = c.clock().Add(errStep)
			reason = fmt.Sprintf("checking failed (%v); retrying at %s", err, until.Format("15:04:05"))
			s.saveCheckState(bg, nil, &backoff{until, rateStep, reason})
			if err := s.store.SetCheckJobError(bg, b.JobID, err.Error()); err != nil {
				s.log.Warn("check job error", "err", err)
			}
			s.log.Warn("check failed", "err", err, "retry_in", errStep)
			s.setPaused(reason)
			s.checksChanged()
			continue
		}
		own := s.backend.Account().Phone
		verdict := canaryVerdict(canary, answers)
		batchAnswered := answeredAny(b.Phones, answers)
		switch {
		case canary == own && verdict == canaryPass:
			cst.self, cst.selfAt = selfAnswers, time.Time{}
		case canary == own && verdict == canaryLeftOut && batchAnswered:
			// Left out of a reply that answered others: WhatsApp does not
			// answer it for now; contacts serve for a day. A reply that
			// answered nothing, or an error for it alone, tells nothing.
			cst.self, cst.selfAt = selfSilent, c.clock()
		}
		if verdict == canaryTrip {
			// Not believed: nothing is stored, the batch stays in flight
			// and is sent again (with another canary) after the backoff.
			throttle := cst.tripped != "" && cst.tripped != canary
			if throttle {
				cst.streak++
			} else if cst.tripped == "" {
				cst.streak = 1
			}
			cst.trips++
			cst.lastTrip = c.clock()
			cst.tripped = canary
			rateStep = nextStep(rateStep, rateBackoffFirst, rateBackoffMax)
			if throttle {
				rateStep = nextStep(rateStep, rateBackoffFirst, rateBackoffMax)
			}
			until = c.clock().Add(rateStep)
			if throttle {
				reason = fmt.Sprintf("two canaries in a row came back \"not on WhatsApp\": WhatsApp is throttling checks; nothing stored, waiting %s, until %s",
					rateStep, until.Format("15:04:05"))
			} else {
				reason = fmt.Sprintf("the canary %s came back \"not on WhatsApp\": WhatsApp may be throttling checks; nothing stored, waiting %s, until %s",
					canary, rateStep, until.Format("15:04:05"))
			}
			s.saveCheckState(bg, &cst, &backoff{until, rateStep, reason})
			s.log.Warn("check canary tripped", "canary", canary, "throttle", throttle, "backoff", rateStep)
			s.setPaused(reason)
			s.checksChanged()
			continue
		}
		if cst.tripped != "" && (verdict == canaryPass || verdict == canaryNone && existsAny(b.Phones, answers)) {
			// Another canary (or the batch itself) was answered honestly:
			// the trip was that contact leaving WhatsApp, not a throttle.
			if cst.tripped != canary && cst.tripped != own && cst.streak < 2 {
				cst.retired = append(cst.retired, cst.tripped)
				s.log.Info("check canary retired", "canary", cst.tripped)
			}
			cst.tripped, cst.streak = "", 0
		}
		soft := !batchAnswered && !answeredAny(send, answers)
		if !batchAnswered && !soft {
			// Only the canary answered. A soft rate limit too, unless the
			// batch holds only numbers WhatsApp already left out of replies
			// that answered others, or the last reply was the same: then
			// these numbers are not answered, and each is charged a retry
			// so that it ends with "no answer" rather than backing off for
			// ever.
			soft = b.LeftOut < len(b.Phones) && !prevCanaryOnly
			canaryOnly = soft
		}
		if soft {
			// The batch stays in flight; its numbers are not charged a
			// retry.
			rateStep = nextStep(rateStep, rateBackoffFirst, rateBackoffMax)
			until = c.clock().Add(rateStep)
			reason = fmt.Sprintf("WhatsApp answered none of the %d numbers asked (a soft rate limit): waiting %s, until %s",
				len(b.Phones), rateStep, until.Format("15:04:05"))
			s.saveCheckState(bg, &cst, &backoff{until, rateStep, reason})
			s.log.Warn("check soft rate limit", "backoff", rateStep)
			s.setPaused(reason)
			s.checksChanged()
			continue
		}
		if err := s.commitBatch(bg, b, answersToResults(b.Phones, answers)); err != nil {
			// The batch stays in flight and is sent again: better than
			// losing its answers silently.
			s.saveCheckState(bg, &cst, nil)
			s.log.Error("storing check results", "err", err)
			s.updateStatus(func(st *Status) { st.LastError = err.Error() })
			c.idle(ctx)
			continue
		}
		var reset *backoff
		if rateStep != 0 || errStep != 0 || !until.IsZero() {
			rateStep, errStep, until, reason = 0, 0, time.Time{}, ""
			reset = &backoff{}
		}
		s.saveCheckState(bg, &cst, reset)
		s.checksChanged()
	}
}

// commitBatch stores a batch's answers, retrying a few times: a busy
// database must not make the batch be sent again.
func (s *Service) commitBatch(ctx context.Context, b *store.CheckBatch, results []model.CheckResult) error {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		if err = s.store.CompleteCheckBatch(ctx, b.ID, results, s.chk.clock()); err == nil {
			return nil
		}
		// The injected sleep: tests drive it, and it ends with ctx.
		if serr := s.chk.sleep(ctx, time.Duration(attempt+1)*100*time.Millisecond); serr != nil {
			return err
		}
	}
	return err
}

// answeredAny reports whether WhatsApp answered any of phones.
func answeredAny(phones []string, answers []wa.CheckAnswer) bool {
	for _, r := range answersToResults(phones, answers) {
		if r.Status != model.CheckProcessing {
			return true
		}
	}
	return false
}

// existsAny reports whether WhatsApp said any of phones is on WhatsApp.
func existsAny(phones []string, answers []wa.CheckAnswer) bool {
	for _, r := range answersToResults(phones, answers) {
		if r.Status == model.CheckValid {
			return true
		}
	}
	return false
}

// answersToResults turns WhatsApp's answers into one result per number
// sent: a number WhatsApp did not answer (missing, or Answered false) stays
// "processing", to be asked again; a per-number error is failed; only an
// explicit "not on WhatsApp" is invalid; wa_id is the number of the JID
// WhatsApp answered with.
func answersToResults(phones []string, answers []wa.CheckAnswer) []model.CheckResult {
	by := make(map[string]wa.CheckAnswer, len(answers))
	for _, a := range answers {
		by[strings.TrimPrefix(strings.TrimSpace(a.Query), "+")] = a
	}
	out := make([]model.CheckResult, len(phones))
	for i, p := range phones {
		r := model.CheckResult{Phone: p}
		a, ok := by[strings.TrimPrefix(p, "+")]
		switch {
		case !ok || !a.Answered:
			r.Status = model.CheckProcessing
		case a.Err != nil:
			r.Status, r.Error = model.CheckFailed, a.Err.Error()
		case a.Exists:
			r.Status = model.CheckValid
			r.WAID = model.JIDUser(a.JID)
			if r.WAID == "" {
				r.WAID = strings.TrimPrefix(p, "+")
			}
			r.JID = model.JIDFromDigits(r.WAID)
			r.VerifiedName = a.VerifiedName
		default:
			r.Status = model.CheckInvalid
		}
		out[i] = r
	}
	return out
}
