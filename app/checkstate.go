// What the check worker keeps across runs and processes: its backoff and
// the canary, in one setting saved in one transaction.
package app

import (
	"context"
	"strconv"
	"time"
)

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
