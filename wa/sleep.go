package wa

import (
	"context"
	"time"
)

// Sleep waits d on a real timer, or until ctx ends, and returns ctx.Err()
// then (also at once when d is not positive). It is the one real-time wait
// of the app's check queue, the outbox and the simulated backend: each
// takes it as the default of an injected sleep, so tests pass fakes.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
