// Package checkq is the check queue: jobs of phone numbers to ask WhatsApp
// about, kept in the store (store/queue.go), and the worker that sends
// them in paced batches within a daily budget, backs off when WhatsApp
// refuses, and guards each batch with a canary (canary.go). Every wait
// goes through the injected clock's sleep, every call takes a context.
// app.Service runs one Queue and delegates its check methods to it; what
// the queue needs of the service comes in as the func fields of Options.
package checkq

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/nyaruka/phonenumbers"

	"github.com/wabook/wabook/app/config"
	"github.com/wabook/wabook/app/internal/loop"
	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/store"
	"github.com/wabook/wabook/wa"
)

// Backend is what the queue asks of WhatsApp (a wa.Backend).
type Backend interface {
	CheckNumbers(ctx context.Context, phones []string) ([]wa.CheckAnswer, error)
	Account() wa.Account
}

// Options build a Queue. Store, Backend, Clock and the funcs are required.
type Options struct {
	Store   *store.Store
	Backend Backend
	// Config holds the settings (normalized by New).
	Config config.Config
	// Clock and Sleep drive the pace, budget days and backoff: the
	// service's clock (required) and sleep (nil means wa.Sleep). Sleep must
	// return ctx.Err() when ctx ends first. Tests pass fakes.
	Clock func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
	// Poll is how often an idle worker, and Wait, look for what another
	// process did (default 1 s). It is real time (wa.Sleep): a fake
	// clock's sleep returns at once and would make idling spin.
	Poll time.Duration
	Log  *slog.Logger

	// Connected reports whether the WhatsApp connection is up.
	Connected func() bool
	// Region is the region for numbers without a country code.
	Region func() string
	// Writable says whether the database may be written now (it waits
	// while writes are held).
	Writable func(ctx context.Context) error
	// Changed tells the front ends that the queue moved.
	Changed func()
	// StoreFailed reports that a batch's answers could not be stored.
	StoreFailed func(err error)

	// Idled, when set (tests), is signalled each time the worker found
	// nothing to send and waits: a test waits for that instead of
	// sleeping and hoping the worker has looked.
	Idled chan<- struct{}
}

// Queue is the check queue of one process.
type Queue struct {
	st      *store.Store
	backend Backend
	cfg     config.Config
	clock   func() time.Time
	sleep   func(ctx context.Context, d time.Duration) error
	poll    time.Duration
	log     *slog.Logger
	o       Options       // the service's funcs
	wake    chan struct{} // kicks the worker out of a wait

	mu       sync.Mutex
	loop     loop.Loop // the worker's goroutine, guarded by mu
	draining bool      // StopAfterBatch: finish the batch in flight, claim no other
	paused   string
	changed  chan struct{} // closed and replaced on every queue change
}

// New returns a queue; Start runs its worker.
func New(o Options) *Queue {
	q := &Queue{
		st:      o.Store,
		backend: o.Backend,
		cfg:     o.Config.Normalize(),
		clock:   o.Clock,
		sleep:   o.Sleep,
		poll:    o.Poll,
		log:     o.Log,
		o:       o,
		wake:    make(chan struct{}, 1),
		changed: make(chan struct{}),
	}
	q.loop.Mu = &q.mu
	if q.clock == nil {
		panic("checkq.New: no clock")
	}
	if q.sleep == nil {
		q.sleep = wa.Sleep
	}
	if q.poll <= 0 {
		q.poll = time.Second
	}
	if q.log == nil {
		q.log = slog.New(slog.DiscardHandler)
	}
	return q
}

// Settings returns the settings in force.
func (q *Queue) Settings() config.Config { return q.cfg }

// Kick wakes the worker out of a wait: something it waits for may have
// changed (a job, the connection, a stop).
func (q *Queue) Kick() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// checksChanged wakes Wait callers and tells the front ends.
func (q *Queue) checksChanged() {
	q.mu.Lock()
	close(q.changed)
	q.changed = make(chan struct{})
	q.mu.Unlock()
	q.o.Changed()
}

// moved is a change of the queue made through its API.
func (q *Queue) moved() {
	q.checksChanged()
	q.Kick()
}

func (q *Queue) setPaused(reason string) {
	q.mu.Lock()
	changed := q.paused != reason
	q.paused = reason
	q.mu.Unlock()
	if changed {
		q.checksChanged()
	}
}

// account names the account the daily budget is counted for.
func (q *Queue) account() string {
	if p := q.backend.Account().Phone; p != "" {
		return p
	}
	return "unpaired"
}

// Enqueue queues a check of inputs (phone numbers in any format) and
// returns the job. It normalises every input (README, "Checking numbers")
// with opts.Region, else the Region func: an impossible number, or a
// possible one that is not valid and no national rule fixes, is "invalid"
// at once with the reason in Error and is never sent; a number with a
// fresh cached result (younger than opts.MaxAge, unless opts.Force) takes
// it with Cached set; the rest wait for the worker as "processing". Inputs
// naming the same number share one check, yet each input has its own
// result, in input order. The job and its items are written in one
// transaction. An empty list, more than MaxInputs numbers or an unknown
// region is an error and queues nothing.
func (q *Queue) Enqueue(ctx context.Context, inputs []string, opts CheckOptions) (Job, error) {
	if err := q.o.Writable(ctx); err != nil {
		return Job{}, err
	}
	if len(inputs) == 0 {
		return Job{}, errors.New("no numbers to check")
	}
	if len(inputs) > MaxInputs {
		return Job{}, fmt.Errorf("too many numbers (%d): at most %d per check", len(inputs), MaxInputs)
	}
	region := strings.ToUpper(strings.TrimSpace(opts.Region))
	if region != "" && phonenumbers.GetCountryCodeForRegion(region) == 0 {
		return Job{}, fmt.Errorf("%w %s (use a two-letter country code like US or FR)", ErrUnknownRegion, model.QuoteInput(opts.Region))
	}
	if region == "" {
		region = q.o.Region()
	}
	if opts.MaxAge < 0 {
		return Job{}, errors.New("the maximum age of cached results cannot be negative")
	}
	maxAge := opts.MaxAge
	if maxAge == 0 {
		maxAge = q.cfg.CheckMaxAge
	}
	now := q.clock()
	items := make([]model.CheckResult, len(inputs))
	for i, in := range inputs {
		items[i] = Normalize(in, region, now)
	}
	sopts := store.CheckJobOptions{Force: opts.Force, MaxAgeS: int64(maxAge / time.Second), Region: strings.ToUpper(strings.TrimSpace(opts.Region))}
	id, err := q.st.CreateCheckJob(ctx, now, q.account(), sopts, items)
	if err != nil {
		return Job{}, fmt.Errorf("queueing the check: %w", err)
	}
	q.moved()
	return q.Job(ctx, id)
}

// Normalize reads one input as Enqueue does: Phone is its E.164 form and
// Status "processing" when it may be sent to WhatsApp; Status "invalid"
// with the reason in Error when it is no number or not a valid one (it is
// never sent). region is used for numbers without a country code ("" reads
// them as international). wabook serve reads its requests' numbers with it.
func Normalize(in, region string, now time.Time) model.CheckResult {
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

func noJob(id int64, err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("%w: %d", ErrNoJob, id)
	}
	return err
}

// Job returns one job with its counts and ETA.
func (q *Queue) Job(ctx context.Context, id int64) (Job, error) {
	jobs, err := q.Jobs(ctx)
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
func (q *Queue) Jobs(ctx context.Context) ([]Job, error) {
	rows, err := q.st.CheckJobs(ctx)
	if err != nil {
		return nil, err
	}
	st := q.Status(ctx)
	now := q.clock()
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

// Results returns a job's results in input order, one per input: Input,
// Phone (E.164, "" when impossible), Status, WAID, JID, VerifiedName,
// Error, Cached, CheckedAt (zero while processing).
func (q *Queue) Results(ctx context.Context, id int64) ([]model.CheckResult, error) {
	rs, err := q.st.CheckItems(ctx, id)
	if err != nil {
		return nil, noJob(id, err)
	}
	return rs, nil
}

func (q *Queue) setState(ctx context.Context, id int64, to JobState) error {
	if err := q.o.Writable(ctx); err != nil {
		return err
	}
	if _, err := q.st.SetCheckJobState(ctx, id, string(to)); err != nil {
		return noJob(id, err)
	}
	q.moved()
	return nil
}

// Pause stops sending a queued or running job's numbers; a batch already
// in flight still gets its results. Pausing a finished job is an error.
func (q *Queue) Pause(ctx context.Context, id int64) error { return q.setState(ctx, id, JobPaused) }

// Resume queues a paused job again. Resuming a job that is not paused is
// an error.
func (q *Queue) Resume(ctx context.Context, id int64) error { return q.setState(ctx, id, JobQueued) }

// Cancel cancels a queued, running or paused job: numbers not yet
// answered become "failed" with the error "cancelled" and are never sent.
// Cancelling a finished job is an error.
func (q *Queue) Cancel(ctx context.Context, id int64) error {
	return q.setState(ctx, id, JobCancelled)
}

// Retry queues a job's failed numbers again (errors WhatsApp gave for one
// number, "no answer", cancelled ones) and returns how many inputs that
// is; a finished or cancelled job runs again, a paused one stays paused.
// ErrNoJob for an unknown job, ErrNothingToRetry when none failed.
func (q *Queue) Retry(ctx context.Context, id int64) (int, error) {
	if err := q.o.Writable(ctx); err != nil {
		return 0, err
	}
	n, err := q.st.RetryCheckJob(ctx, id)
	if err != nil {
		return 0, noJob(id, err)
	}
	q.moved()
	return n, nil
}

// Wait blocks until the job is done or cancelled (whichever process runs
// the queue), or ctx ends.
func (q *Queue) Wait(ctx context.Context, id int64) error {
	for {
		q.mu.Lock()
		changed := q.changed
		q.mu.Unlock()
		state, err := q.st.CheckJobState(ctx, id)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return noJob(id, err)
		}
		if js := JobState(state); js == JobDone || js == JobCancelled {
			return nil
		}
		// Another process may run it: look again after a while.
		if err := sleepUntil(ctx, wa.Sleep, waitPoll, changed); err != nil {
			return err
		}
	}
}

// waitPoll is how often Wait looks at a job another process may run.
const waitPoll = 200 * time.Millisecond

// sleepUntil sleeps d with sleep, ending early when ch is closed or
// receives; it returns ctx.Err() when ctx ended.
func sleepUntil(ctx context.Context, sleep func(context.Context, time.Duration) error, d time.Duration, ch <-chan struct{}) error {
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		select {
		case <-ch:
			cancel()
		case <-stop:
		}
	}()
	_ = sleep(wctx, d)
	return ctx.Err()
}
