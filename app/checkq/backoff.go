// What the worker keeps across runs and processes: its backoff and the
// canary, in settings saved in one transaction.
package checkq

import (
	"context"
	"strconv"
	"time"
)

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

// backoff is a backoff to persist: no batch goes before until; step is
// the rate-limit backoff's current step.
type backoff struct {
	until  time.Time
	step   time.Duration
	reason string
}

// nextStep doubles a backoff step from first up to limit.
func nextStep(cur, first, limit time.Duration) time.Duration {
	if cur <= 0 {
		return first
	}
	return min(cur*2, limit)
}

func (q *Queue) loadBackoff(ctx context.Context) backoff {
	_, bo := q.loadCheckState(ctx)
	return bo
}

func (q *Queue) loadCanary(ctx context.Context) canaryState {
	cst, _ := q.loadCheckState(ctx)
	return cst
}

// loadCheckState reads the canary's state and the backoff in one query,
// so they are seen as they were saved together.
func (q *Queue) loadCheckState(ctx context.Context) (canaryState, backoff) {
	v, err := q.st.Settings(ctx, keyCanary, keyBackoffUntil, keyBackoffStep, keyBackoffReason)
	if err != nil {
		q.log.Warn("reading the check queue's state", "err", err)
		return canaryState{}, backoff{}
	}
	cst, err := decodeCanary(v[keyCanary])
	if err != nil {
		q.log.Warn("reading the check queue's state", "err", err) // the canary starts afresh
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

// saveCheckState writes the canary's state and the backoff, whichever is
// not nil, in one transaction: a kill cannot leave a canary trip counted
// with no backoff saved.
func (q *Queue) saveCheckState(ctx context.Context, cst *canaryState, bo *backoff) {
	v := map[string]string{}
	if cst != nil {
		v[keyCanary] = cst.encode()
	}
	if bo != nil {
		v[keyBackoffUntil] = strconv.FormatInt(unixMS(bo.until), 10)
		v[keyBackoffStep] = strconv.FormatInt(bo.step.Milliseconds(), 10)
		v[keyBackoffReason] = bo.reason
	}
	if err := q.st.SetSettings(ctx, v); err != nil {
		q.log.Warn("saving the check queue's state", "err", err)
	}
}

func unixMS(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMS(ms int64) time.Time {
	if ms <= 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms)
}
