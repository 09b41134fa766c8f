package app

import (
	"context"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/store"
	"github.com/wabook/wabook/wa"
	"github.com/wabook/wabook/wa/sim"
)

// slowBackend passes calls to the sim after a latency on the injected
// clock, records when each call started and ended on that clock, and can
// hold a call until the test lets it go (or its context ends).
type slowBackend struct {
	*sim.Backend
	clock   *fakeClock
	latency time.Duration
	// hold, when set, returns a channel the call waits on before it is
	// answered (nil: no wait); entered gets the call's numbers first.
	hold    func(phones []string) chan struct{}
	entered chan []string

	mu    sync.Mutex
	calls []slowCall
}

type slowCall struct {
	phones     []string
	start, end time.Time
}

func (b *slowBackend) CheckNumbers(ctx context.Context, phones []string) ([]wa.CheckAnswer, error) {
	start := b.clock.Now()
	if b.hold != nil {
		if ch := b.hold(phones); ch != nil {
			b.entered <- slices.Clone(phones)
			select {
			case <-ch:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
	}
	if err := b.clock.Sleep(ctx, b.latency); err != nil {
		return nil, err
	}
	answers, err := b.Backend.CheckNumbers(ctx, phones)
	b.mu.Lock()
	b.calls = append(b.calls, slowCall{slices.Clone(phones), start, b.clock.Now()})
	b.mu.Unlock()
	return answers, err
}

func (b *slowBackend) done() []slowCall {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.calls)
}

func newSlowEnv(t *testing.T, w *sim.World, cfg Config, clock *fakeClock, latency time.Duration) (*checkEnv, *slowBackend) {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	var slow *slowBackend
	e := newCheckEnvWrapped(t, st, w, cfg, clock, func(b *sim.Backend) wa.Backend {
		slow = &slowBackend{Backend: b, clock: clock, latency: latency, entered: make(chan []string, 4)}
		return slow
	})
	return e, slow
}

// The pace runs from the reply, not from the send: a reply slower than the
// pace used to let the next batch go out the moment it came back.
func TestPaceRunsFromTheReply(t *testing.T) {
	t.Parallel()
	w, nums := registeredWorld(45) // three batches of 19 and the canary
	e, slow := newSlowEnv(t, w, pacedConfig(), newFakeClock(t0), 15*time.Second)
	e.svc.StartChecker(e.ctx)
	e.check(t, nums, CheckOptions{})
	calls := slow.done()
	if len(calls) != 3 {
		t.Fatalf("%d calls, want 3", len(calls))
	}
	for i := 1; i < len(calls); i++ {
		// jitter: at least 80% of the pace.
		if gap := calls[i].start.Sub(calls[i-1].end); gap < 8*time.Second {
			t.Errorf("call %d went out %s after the reply to call %d; want at least 8s (pace 10s ±20%%)", i+1, gap, i)
		}
	}
}

// drainEnv queues job 1 (one number) and job 2 (another), runs the queue
// until job 1 is done and returns job 2's id and number. With release not
// nil, the call that asks for job 2's number waits for it to be closed.
func drainEnv(t *testing.T, cfg Config, clock *fakeClock, release chan struct{}) (e *checkEnv, slow *slowBackend, job2 int64, second string) {
	t.Helper()
	w, nums := registeredWorld(2)
	e, slow = newSlowEnv(t, w, cfg, clock, time.Second)
	second = nums[1]
	if release != nil {
		slow.hold = func(phones []string) chan struct{} {
			if slices.Contains(phones, second) {
				return release
			}
			return nil
		}
	}
	j1, err := e.svc.EnqueueCheck(e.ctx, nums[:1], CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	j2, err := e.svc.EnqueueCheck(e.ctx, nums[1:], CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	e.svc.StartChecker(e.ctx)
	e.wait(t, j1.ID)
	return e, slow, j2.ID, second
}

func (s *slowBackend) waitEntered(t *testing.T) {
	t.Helper()
	select {
	case <-s.entered:
	case <-time.After(10 * time.Second):
		t.Fatal("job 2's batch was never sent")
	}
}

// stopAfterBatch calls StopCheckerAfterBatch in the background; the
// channel is closed when it returns.
func (e *checkEnv) stopAfterBatch() <-chan struct{} {
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		e.svc.StopCheckerAfterBatch(context.Background())
	}()
	return stopped
}

// waitedCtx is a context that tells when it is first waited on:
// StopCheckerAfterBatch waits on its context only once it has asked the
// worker to stop after the batch, so the test knows it is past that point
// without sleeping.
type waitedCtx struct {
	context.Context
	once   sync.Once
	waited chan struct{}
}

func (c *waitedCtx) Done() <-chan struct{} {
	c.once.Do(func() { close(c.waited) })
	return c.Context.Done()
}

// waitClosed fails with msg unless ch is closed within 10 seconds.
func waitClosed(t *testing.T, ch <-chan struct{}, msg string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(10 * time.Second):
		t.Fatal(msg)
	}
}

func (e *checkEnv) budgetUsed(t *testing.T) int {
	t.Helper()
	n, err := e.st.CheckBudgetUsed(e.ctx, ownNumber, budgetDay(e.clock.Now()))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func (e *checkEnv) inflight(t *testing.T) []store.CheckBatch {
	t.Helper()
	bs, err := e.st.InflightCheckBatches(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	return bs
}

// StopCheckerAfterBatch lets a batch in flight be answered and stored,
// then ends the worker: nothing is left in flight, nothing charged for
// answers that were dropped.
func TestStopCheckerAfterBatchFinishesTheBatchInFlight(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	e, slow, j2, _ := drainEnv(t, fastConfig(), newFakeClock(t0), release)
	slow.waitEntered(t) // job 2's batch is in flight
	ctx := &waitedCtx{Context: context.Background(), waited: make(chan struct{})}
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		e.svc.StopCheckerAfterBatch(ctx)
	}()
	waitClosed(t, ctx.waited, "StopCheckerAfterBatch never waited for the worker")
	select {
	case <-stopped:
		t.Fatal("StopCheckerAfterBatch returned while a batch was in flight")
	default:
	}
	close(release)
	waitClosed(t, stopped, "StopCheckerAfterBatch did not return after the reply")
	if e.svc.CheckerStatus().Running {
		t.Error("the checker still runs")
	}
	if bs := e.inflight(t); len(bs) != 0 {
		t.Errorf("batches left in flight: %+v", bs)
	}
	rs, err := e.svc.JobResults(e.ctx, j2)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 || rs[0].Status != model.CheckValid {
		t.Errorf("job 2's results %+v, want its number valid", rs)
	}
	if got := e.budgetUsed(t); got != 4 {
		t.Errorf("budget used %d, want 4 (two numbers, two canaries)", got)
	}
}

// When the worker waits (here for the pace), StopCheckerAfterBatch ends it
// at once and no batch of job 2 is claimed.
func TestStopCheckerAfterBatchClaimsNoNewBatch(t *testing.T) {
	t.Parallel()
	cfg := fastConfig()
	cfg.CheckPace = time.Hour
	clock := newFakeClock(t0)
	clock.blockFrom = 30 * time.Minute // the pace wait blocks until a kick
	e, slow, _, second := drainEnv(t, cfg, clock, nil)
	stopped := e.stopAfterBatch()
	waitClosed(t, stopped, "StopCheckerAfterBatch did not end the waiting worker")
	if e.svc.CheckerStatus().Running {
		t.Error("the checker still runs")
	}
	for _, c := range slow.done() {
		if slices.Contains(c.phones, second) {
			t.Errorf("job 2's number was sent: %v", c.phones)
		}
	}
	if bs := e.inflight(t); len(bs) != 0 {
		t.Errorf("batches left in flight: %+v", bs)
	}
	if got := e.budgetUsed(t); got != 2 {
		t.Errorf("budget used %d, want 2 (job 1's number and the canary)", got)
	}
}

// A caller that stops waiting (Ctrl-C) gets StopChecker: the batch is cut
// off and stays in flight for the next worker.
func TestStopCheckerAfterBatchGivesUpWithItsContext(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	defer close(release)
	e, slow, _, second := drainEnv(t, fastConfig(), newFakeClock(t0), release)
	slow.waitEntered(t)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	e.svc.StopCheckerAfterBatch(ctx)
	if e.svc.CheckerStatus().Running {
		t.Error("the checker still runs")
	}
	if bs := e.inflight(t); len(bs) != 1 || !slices.Equal(bs[0].Phones, []string{second}) {
		t.Errorf("in flight %+v, want job 2's batch", bs)
	}
}
