// The check worker: it claims a batch, adds the canary, asks WhatsApp,
// stores the answers in one transaction, paces itself, keeps the day's
// budget and backs off on rate limits (the queue's API is queue.go).
package checkq

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/wabook/wabook/app/internal/loop"
	"github.com/wabook/wabook/store"
	"github.com/wabook/wabook/wa"
)

// Start starts the worker: one goroutine, until ctx ends or Stop. Only
// the process holding the WhatsApp connection runs it. It resumes
// unfinished jobs, sends a batch left in flight by a crash again, and then
// sends batches of at most check_batch_size numbers, one per check_pace
// (±20%), within check_daily_budget numbers per local day; on
// rate-overlimit it backs off 1 min, doubling to 1 h, and retries the same
// batch. Each batch carries a canary (canary.go) within the batch size and
// the budget; when it comes back "not on WhatsApp", or when WhatsApp
// answers none of the batch (a soft rate limit), nothing is stored and the
// batch is retried after the same backoff, its budget still spent. A
// number left out of a reply that answered others is asked again, at most
// store.MaxUnanswered times, then fails with "no answer"; only an explicit
// answer makes a number invalid. Progress is reported through Changed;
// calling it again while it runs does nothing.
func (q *Queue) Start(ctx context.Context) {
	started := q.loop.Start(ctx, loop.Hooks{
		Begin: func() { q.draining, q.paused = false, "" },
		End:   func() { q.paused = "" },
		Ended: q.checksChanged,
	}, q.run)
	if started {
		q.checksChanged()
	}
}

// Stop stops the worker and waits for it. A batch in flight stays marked
// so and is sent again by the next worker.
func (q *Queue) Stop() { q.loop.Stop() }

// StopAfterBatch stops the worker without cutting a query short: a batch
// in flight is answered and its answers stored (or handled as any reply
// is: backoff, retry later), no other batch is claimed, and it returns
// once the worker has ended. A process that ends when its own job is done
// calls it, so that it neither walks away from another job's batch
// mid-query (budget spent, batch sent again) nor starts one. When ctx ends
// first it stops the worker as Stop does.
func (q *Queue) StopAfterBatch(ctx context.Context) {
	q.loop.StopAfter(ctx, func() {
		q.draining = true
		q.Kick() // out of a pause (pace, backoff, budget) or an idle wait
	})
}

func (q *Queue) isDraining() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.draining
}

// pause waits d with the injected sleep; a kick (a new job, pause, resume,
// cancel, a connection change) ends it early.
func (q *Queue) pause(ctx context.Context, d time.Duration) {
	if d > 0 {
		_ = sleepUntil(ctx, q.sleep, d, q.wake)
	}
}

// idle waits for a kick or the poll interval (real time: jobs may come
// from another process).
func (q *Queue) idle(ctx context.Context) {
	if q.o.Idled != nil {
		select {
		case q.o.Idled <- struct{}{}:
		default:
		}
	}
	_ = sleepUntil(ctx, wa.Sleep, q.poll, q.wake)
}

func jitter(p time.Duration) time.Duration {
	if p <= 0 {
		return 0
	}
	return time.Duration(float64(p) * (0.8 + 0.4*rand.Float64()))
}

// worker is the state of one run of the worker loop.
type worker struct {
	q  *Queue
	bo backoff // until, the rate-limit step and the reason
	// errStep is the backoff after failed calls (not persisted).
	errStep time.Duration
	// nextAt is when the pace lets the next batch go.
	nextAt time.Time
	// canaryOnly: the last reply was taken for a soft rate limit that
	// answered the canary.
	canaryOnly bool
}

// slot is when a batch may go and how much of the day's budget it may use.
type slot struct {
	now          time.Time
	account, day string
	left         int
}

func (q *Queue) run(ctx context.Context) {
	w := &worker{q: q, bo: q.loadBackoff(ctx)}
	if last, err := q.st.LastCheckBatchAt(ctx); err == nil && !last.IsZero() {
		w.nextAt = last.Add(jitter(q.cfg.CheckPace))
	}
	for ctx.Err() == nil && !q.isDraining() {
		if !w.step(ctx) {
			return
		}
	}
}

// step sends one batch, or waits for what keeps it from going. It reports
// false when the worker is to end: asked to stop after a batch and none
// was claimed, or stopped while a batch was out.
func (w *worker) step(ctx context.Context) bool {
	q := w.q
	sl, ok := w.ready(ctx)
	if !ok {
		return true
	}
	cst := q.loadCanary(ctx)
	canary, note, reserve, ok := w.chooseCanary(ctx, cst, sl)
	if !ok {
		return true
	}
	if q.isDraining() {
		return false // asked to stop after the batch in flight, which there is none of
	}
	b, ok := w.claim(ctx, sl, reserve)
	if !ok {
		return true
	}
	canary, note = w.placeCanary(ctx, cst, sl.now, b, canary, note)
	send := b.Phones
	if canary != "" && !slices.Contains(send, canary) {
		send = append(slices.Clone(send), canary)
	}
	cst.last, cst.note = canary, note
	q.saveCheckState(ctx, &cst, nil)
	q.setPaused("")
	q.checksChanged()
	return w.send(ctx, b, send, canary, cst)
}

// ready waits (and reports false) unless there is work, the connection is
// up, no backoff runs, the day's budget has room and the pace allows a
// batch now.
func (w *worker) ready(ctx context.Context) (slot, bool) {
	q, cfg := w.q, w.q.cfg
	has, err := q.st.HasCheckWork(ctx)
	if err != nil {
		w.trouble(ctx, "check queue", err)
		return slot{}, false
	}
	if !has {
		q.setPaused("")
		q.idle(ctx)
		return slot{}, false
	}
	if !q.o.Connected() {
		q.setPaused("waiting for the WhatsApp connection")
		q.idle(ctx)
		return slot{}, false
	}
	now := q.clock()
	if now.Before(w.bo.until) {
		q.setPaused(w.bo.reason)
		q.pause(ctx, w.bo.until.Sub(now))
		return slot{}, false
	}
	sl := slot{now: now, account: q.account(), day: dayOf(now)}
	used, err := q.st.CheckBudgetUsed(ctx, sl.account, sl.day)
	if err != nil {
		w.trouble(ctx, "check budget", err)
		return slot{}, false
	}
	sl.left = cfg.CheckDailyBudget - used
	if sl.left <= 0 {
		w.budgetSpent(ctx, now)
		return slot{}, false
	}
	if now.Before(w.nextAt) {
		q.pause(ctx, w.nextAt.Sub(now))
		return slot{}, false
	}
	return sl, true
}

// trouble logs an error of the store and idles, unless the worker is
// being stopped (which is what made the store call fail).
func (w *worker) trouble(ctx context.Context, what string, err error) {
	if ctx.Err() == nil {
		w.q.log.Error(what, "err", err)
		w.q.idle(ctx)
	}
}

// budgetSpent waits for the next day's budget.
func (w *worker) budgetSpent(ctx context.Context, now time.Time) {
	w.q.setPaused(budgetReason(w.q.cfg))
	w.q.pause(ctx, nextDay(now).Sub(now))
}

// chooseCanary picks the batch's canary and whether a budget slot is
// reserved for it; false when the budget left has no room for a canary
// and a number (it waited for the next day).
func (w *worker) chooseCanary(ctx context.Context, cst canaryState, sl slot) (canary, note string, reserve int, ok bool) {
	cfg := w.q.cfg
	canary, note = w.q.pickCanary(ctx, cst, sl.now, nil)
	switch {
	case canary == "":
	case cfg.CheckBatchSize < 2 || cfg.CheckDailyBudget < 2:
		canary, note = "", "no canary: batches of one number leave no room for it"
	case sl.left < 2:
		// A canary and a number do not fit in what is left today.
		w.budgetSpent(ctx, sl.now)
		return "", "", 0, false
	default:
		reserve = 1
	}
	return canary, note, reserve, true
}

// claim takes the next batch (a batch left in flight first).
func (w *worker) claim(ctx context.Context, sl slot, reserve int) (*store.CheckBatch, bool) {
	q := w.q
	b, err := q.st.ClaimCheckBatch(ctx, store.CheckClaim{
		Max: min(q.cfg.CheckBatchSize, sl.left), Reserve: reserve, Now: sl.now, Account: sl.account, Day: sl.day,
	})
	switch {
	case errors.Is(err, store.ErrBatchTooBig):
		w.budgetSpent(ctx, sl.now)
		return nil, false
	case err != nil:
		w.trouble(ctx, "check queue", err)
		return nil, false
	case b == nil:
		// Jobs were found complete (answered from the cache).
		q.checksChanged()
		q.idle(ctx)
		return nil, false
	}
	return b, true
}

// placeCanary settles the canary once the batch is known: a canary that
// is one of the batch's numbers is asked anyway, as one of them, so
// another one takes the slot charged for it, else it serves as the canary
// at no cost and the slot is given back; a batch left in flight that
// fills the batch size goes without one.
func (w *worker) placeCanary(ctx context.Context, cst canaryState, now time.Time, b *store.CheckBatch, canary, note string) (string, string) {
	q := w.q
	switch {
	case canary != "" && slices.Contains(b.Phones, canary):
		if other, _ := q.pickCanary(ctx, cst, now, b.Phones); other != "" && b.Reserved > 0 {
			canary = other
		} else if b.Reserved > 0 {
			if err := q.st.ReleaseCheckReserve(ctx, b); err != nil {
				q.log.Warn("check budget", "err", err)
			}
		}
	case canary != "" && b.Reserved == 0:
		canary, note = "", "no canary: the batch left in flight fills the batch size"
	}
	return canary, note
}
