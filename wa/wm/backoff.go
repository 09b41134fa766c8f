// Between connect attempts wabook waits its own backoff instead of
// whatsmeow's automatic reconnect (autoReconnectHook hands over), so the
// waits and attempt numbers are the ones the status bar shows, and a
// Connect during a wait tries at once without taking an attempt number.

package wm

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"go.mau.fi/whatsmeow"

	"github.com/wabook/wabook/wa"
)

// DefaultBackoff waits 2 s before the first retry, doubling up to 2 min,
// with ±10 % jitter.
func DefaultBackoff(attempt int) time.Duration {
	const base, max = 2 * time.Second, 2 * time.Minute
	d := base
	for i := 1; i < attempt && d < max; i++ {
		d *= 2
	}
	d = min(d, max)
	return d - d/10 + rand.N(d/5+1)
}

// How a wait between two connect attempts ended.
type waitEnd int

const (
	waitElapsed      waitEnd = iota // the backoff passed
	waitWoken                       // Connect asked to try now
	waitSessionEnded                // the session ended
	waitCtxEnded                    // the caller's context ended
)

// retryWait sleeps delay before the next attempt of s. A Connect during
// the sleep cuts it short (wakeLocked): a user who presses "connect
// again" after a minute-long backoff wants an attempt now, not a second
// loop beside the sleeping one.
func (b *Backend) retryWait(ctx context.Context, s *session, delay time.Duration) waitEnd {
	t := time.NewTimer(delay)
	defer func() {
		t.Stop()
		b.mu.Lock()
		s.waiting = false
		b.mu.Unlock()
	}()
	select {
	case <-t.C:
		return waitElapsed
	case <-s.wake:
		return waitWoken
	case <-s.ctx.Done():
		return waitSessionEnded
	case <-ctx.Done():
		return waitCtxEnded
	}
}

// wakeLocked makes s, when it sleeps between two attempts, try once now;
// that try does not count as an attempt, so the attempt count and the
// backoff after a failure stay where they were. A session in the middle of an attempt is left alone: it is trying
// already.
func (b *Backend) wakeLocked(s *session) {
	if !s.waiting {
		return
	}
	s.waiting = false
	select {
	case s.wake <- struct{}{}:
	default:
	}
	b.emitLocked(wa.ConnectionChanged{State: wa.StateConnecting, Detail: "trying again now"})
}

// autoReconnectHook is called by whatsmeow when one of its automatic
// reconnects fails. wabook takes over with its own backoff, so the waits
// and attempts are the ones the status bar shows.
func (b *Backend) autoReconnectHook(err error) bool {
	b.mu.Lock()
	s, cli := b.sess, b.client
	if b.closed || s == nil || s.ctx.Err() != nil {
		b.mu.Unlock()
		return false
	}
	next := b.attempt + 1
	b.mu.Unlock()
	b.log.Warnf("Reconnecting to WhatsApp failed: %v", err)
	go b.connectLoopAfterFailure(s, cli, next, err)
	return false
}

// connectLoopAfterFailure reports a failed reconnect, waits the backoff and
// hands over to connectLoop.
func (b *Backend) connectLoopAfterFailure(s *session, cli *whatsmeow.Client, attempt int, err error) {
	delay, ok := b.announceRetry(s, attempt, err)
	if !ok {
		return
	}
	next := attempt + 1
	switch b.retryWait(s.ctx, s, delay) {
	case waitSessionEnded, waitCtxEnded:
		return
	case waitWoken:
		next = attempt // as in connectLoop: a try by hand takes no number
	}
	b.connectLoop(s.ctx, s, cli, next)
}

// announceRetry reports a failed attempt and the wait before the next one.
// It returns false when the session is over (replaced or closed) and
// nothing should be retried.
func (b *Backend) announceRetry(s *session, attempt int, err error) (time.Duration, bool) {
	delay := b.backoff(attempt)
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.sess != s || b.closed {
		return 0, false
	}
	b.attempt = attempt
	s.lastErr = errWords(err)
	s.failures++
	if s.failed != nil {
		close(s.failed)
	}
	s.failed = make(chan struct{})
	// From here a Connect wakes the wait; a wake left from an earlier
	// wait that ended by itself must not cut this one short.
	s.waiting = true
	select {
	case <-s.wake:
	default:
	}
	b.emitLocked(wa.ConnectionChanged{
		State:   wa.StateReconnecting,
		Attempt: attempt,
		Detail:  fmt.Sprintf("no connection to WhatsApp (%s); retrying in %s", s.lastErr, roundDelay(delay)),
	})
	return delay, true
}

// roundDelay makes a wait readable: whole seconds from 1 s up.
func roundDelay(d time.Duration) time.Duration {
	if d >= time.Second {
		return d.Round(time.Second)
	}
	return d.Round(10 * time.Millisecond)
}
