// Package loop is the life of the app's background workers, the check
// worker (app/checkq) and the outbox sender (app/outbox.go): one goroutine
// at a time, started once, stopped by cancelling it and waiting for its
// end.
package loop

import (
	"context"
	"sync"
)

// Loop is one worker's goroutine. Its state is guarded by the owner's
// mutex, Mu, so that the owner keeps its own state (a pause reason, a
// drain flag) in step with it: the hooks that change it run with Mu held.
type Loop struct {
	Mu      *sync.Mutex
	running bool
	cancel  context.CancelFunc
	done    chan struct{}
}

// Hooks are what the owner does around a run; any may be nil.
type Hooks struct {
	Begin func() // with Mu held, before the run starts
	End   func() // with Mu held, once the run returned
	Ended func() // after End, Mu released, before Stop returns
}

// Start runs run in a new goroutine until ctx ends or Stop. It reports
// false, and does nothing, while a run goes on.
func (l *Loop) Start(ctx context.Context, h Hooks, run func(ctx context.Context)) bool {
	l.Mu.Lock()
	if l.running {
		l.Mu.Unlock()
		return false
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	l.running, l.cancel, l.done = true, cancel, done
	call(h.Begin)
	l.Mu.Unlock()
	go func() {
		defer close(done)
		defer func() {
			l.Mu.Lock()
			l.running = false
			call(h.End)
			l.Mu.Unlock()
			call(h.Ended)
		}()
		run(ctx)
	}()
	return true
}

func call(f func()) {
	if f != nil {
		f()
	}
}

// Running reports whether a run goes on; the caller holds Mu.
func (l *Loop) Running() bool { return l.running }

// Stop stops the run and waits for its end (nothing when none ever
// started).
func (l *Loop) Stop() {
	l.Mu.Lock()
	cancel, done := l.cancel, l.done
	l.Mu.Unlock()
	if cancel == nil {
		return
	}
	cancel()
	<-done
}

// StopAfter lets the run end on its own: ask, run with Mu held when a run
// ever started, tells it to; StopAfter waits for the end, and when ctx
// ends first it stops the run as Stop does.
func (l *Loop) StopAfter(ctx context.Context, ask func()) {
	l.Mu.Lock()
	cancel, done := l.cancel, l.done
	if cancel != nil {
		ask()
	}
	l.Mu.Unlock()
	if cancel == nil {
		return
	}
	select {
	case <-done:
	case <-ctx.Done():
		cancel()
		<-done
	}
}
