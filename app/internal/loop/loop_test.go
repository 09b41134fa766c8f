package loop

import (
	"context"
	"slices"
	"sync"
	"testing"
)

// owner is a worker's owner as checkq and the outbox are: its state and
// the loop's under one mutex.
type owner struct {
	mu    sync.Mutex
	loop  Loop
	steps []string
}

func newOwner() *owner {
	o := &owner{}
	o.loop.Mu = &o.mu
	return o
}

func (o *owner) note(s string) { o.steps = append(o.steps, s) } // Mu held

func (o *owner) hooks() Hooks {
	return Hooks{
		Begin: func() { o.note("begin") },
		End:   func() { o.note("end") },
		Ended: func() { o.mu.Lock(); o.note("ended"); o.mu.Unlock() },
	}
}

func TestStartOnceStopWaits(t *testing.T) {
	t.Parallel()
	o := newOwner()
	o.loop.Stop() // never started: returns at once
	running := make(chan struct{})
	if !o.loop.Start(context.Background(), o.hooks(), func(ctx context.Context) {
		close(running)
		<-ctx.Done()
		o.mu.Lock()
		o.note("run done")
		o.mu.Unlock()
	}) {
		t.Fatal("first Start: false")
	}
	<-running
	if o.loop.Start(context.Background(), o.hooks(), func(context.Context) { t.Error("a second run started") }) {
		t.Error("Start while running: true")
	}
	o.mu.Lock()
	if !o.loop.Running() {
		t.Error("Running: false while it runs")
	}
	o.mu.Unlock()
	o.loop.Stop()
	o.mu.Lock()
	defer o.mu.Unlock()
	if want := []string{"begin", "run done", "end", "ended"}; !slices.Equal(o.steps, want) {
		t.Errorf("steps %v, want %v", o.steps, want)
	}
	if o.loop.Running() {
		t.Error("Running: true after Stop")
	}
}

func TestStartAgainAfterEnd(t *testing.T) {
	t.Parallel()
	o := newOwner()
	for i := range 2 {
		ran := make(chan struct{})
		if !o.loop.Start(context.Background(), Hooks{}, func(context.Context) { close(ran) }) {
			t.Fatalf("Start %d: false", i)
		}
		<-ran
		o.loop.Stop() // the run ended on its own: Stop only waits
	}
}

func TestStopAfter(t *testing.T) {
	t.Parallel()
	o := newOwner()
	asked := make(chan struct{})
	o.loop.StopAfter(context.Background(), func() { t.Error("asked with no run") })
	o.loop.Start(context.Background(), Hooks{}, func(ctx context.Context) {
		select {
		case <-asked: // ends on its own
		case <-ctx.Done():
			t.Error("cancelled instead of asked")
		}
	})
	o.loop.StopAfter(context.Background(), func() { close(asked) })

	// A run that does not end when asked is stopped once ctx ends.
	ctx, cancel := context.WithCancel(context.Background())
	o.loop.Start(context.Background(), Hooks{}, func(ctx context.Context) { <-ctx.Done() })
	o.loop.StopAfter(ctx, cancel)
}
