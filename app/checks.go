package app

import (
	"context"
	"errors"
	"fmt"
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

	// idled, when set (tests), is signalled each time the worker found
	// nothing to send and waits: a test waits for that instead of
	// sleeping and hoping the worker has looked.
	idled chan struct{}
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
		c.cfg = opts.Config.Normalize()
	}
	if c.clock == nil {
		c.clock = time.Now
	}
	if c.sleep == nil {
		c.sleep = wa.Sleep
	}
	if c.poll <= 0 {
		c.poll = time.Second
	}
	return c
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
