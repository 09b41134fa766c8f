// The queue seen from outside: the worker's status, the day's budget and
// ETAs.
package checkq

import (
	"context"
	"fmt"
	"time"

	"github.com/wabook/wabook/app/config"
)

// Status says what the check queue's worker is doing.
type Status struct {
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
	Settings    config.Config
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

// Status reports the worker's state, the day's budget and any backoff. It
// reads the store, so it also tells about a queue another process runs.
func (q *Queue) Status(ctx context.Context) Status {
	q.mu.Lock()
	st := Status{Running: q.loop.Running(), Paused: q.paused}
	q.mu.Unlock()
	st.Settings = q.cfg
	st.BudgetTotal = q.cfg.CheckDailyBudget
	now := q.clock()
	used, err := q.st.CheckBudgetUsed(ctx, q.account(), dayOf(now))
	if err != nil {
		q.log.Warn("reading the check budget", "err", err)
	}
	st.BudgetLeft = max(0, st.BudgetTotal-used)
	cst, bo := q.loadCheckState(ctx)
	if bo.until.After(now) {
		st.BackoffUntil = bo.until
	}
	st.Canary, st.NoCanary, st.CanaryTrips, st.LastCanaryTrip = cst.last, cst.note, cst.trips, cst.lastTrip
	if !st.Running {
		switch {
		case !st.BackoffUntil.IsZero():
			st.Paused = bo.reason
		case st.BudgetLeft == 0:
			st.Paused = budgetReason(q.cfg)
		}
	}
	return st
}

// eta estimates how long n numbers take to check.
func eta(n int, st Status, now time.Time) time.Duration {
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

func budgetReason(cfg config.Config) string {
	return fmt.Sprintf("daily budget of %d numbers spent; resumes tomorrow", cfg.CheckDailyBudget)
}

func dayOf(t time.Time) string { return t.Format("2006-01-02") }

func nextDay(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, t.Location())
}
