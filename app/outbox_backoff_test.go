package app

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wabook/wabook/store"
	"github.com/wabook/wabook/wa/sim"
)

// timedBlocks is the simulated account noting, on the injected clock,
// when each block of a contact reaches it.
type timedBlocks struct {
	*sim.Backend
	clock *fakeClock
	mu    sync.Mutex
	at    map[string][]time.Time
}

func (b *timedBlocks) SetBlocked(ctx context.Context, jid string, blocked bool) error {
	b.mu.Lock()
	b.at[jid] = append(b.at[jid], b.clock.Now())
	b.mu.Unlock()
	return b.Backend.SetBlocked(ctx, jid, blocked)
}

func (b *timedBlocks) attempts(jid string) []time.Time {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]time.Time(nil), b.at[jid]...)
}

// TestOutboxBackoffHoldsThroughWakes: while a change WhatsApp refused
// waits out its backoff, the sender is woken again and again (its own
// commits, another handle's writes, which queue changes behind it), and
// none of those wakes sends it early: attempt n+1 comes no sooner than
// the backoff after attempt n says, on the injected clock. The changes
// queued behind it wait their turn and go once it has failed for good.
func TestOutboxBackoffHoldsThroughWakes(t *testing.T) {
	t.Parallel()
	w, err := sim.LoadWorldFile(filepath.Join("..", "testdata", "world.json"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "w.db")
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	other, err := store.Open(path) // another process's handle
	if err != nil {
		t.Fatal(err)
	}
	clock := newFakeClock(time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC))
	be := &timedBlocks{Backend: sim.New(w), clock: clock, at: map[string][]time.Time{}}
	const base = 5 * time.Second
	svc := New(st, be, Options{Clock: clock.Now, OutboxRetry: base, CommitPoll: 2 * time.Millisecond})
	steps := make(chan struct{}, 1)
	var stepCount atomic.Int64
	svc.ob.stepped = func() {
		stepCount.Add(1)
		select {
		case steps <- struct{}{}:
		default:
		}
	}
	ctx, stop := context.WithCancel(context.Background())
	t.Cleanup(func() { stop(); svc.StopOutbox(); be.Close(); other.Close(); st.Close() })
	go svc.Run(ctx)
	syncCtx, done := context.WithTimeout(ctx, 10*time.Second)
	defer done()
	if err := svc.SyncOnce(syncCtx); err != nil {
		t.Fatal(err)
	}
	for range outboxMaxAttempts {
		be.FailNext("SetBlocked", errors.New("server busy"))
	}
	svc.StartOutbox(ctx)
	it, err := svc.QueueBlock(ctx, ada, true)
	if err != nil {
		t.Fatal(err)
	}
	state := func() string {
		items, err := st.OutboxItems(ctx, []int64{it.ID})
		if err != nil || len(items) != 1 {
			t.Fatalf("the block: %v %v", items, err)
		}
		return items[0].State
	}
	for i := 0; state() != OutboxFailed; i++ {
		if i > 300 {
			t.Fatalf("not failed after %d s on the clock: attempts at %v", i, be.attempts(ada))
		}
		clock.Sleep(ctx, time.Second)
		// Another handle's write: the watcher notices it and wakes the
		// sender, which must not send the refused block before its time.
		if _, err := other.QueueBlock(ctx, grace, i%2 == 0); err != nil {
			t.Fatal(err)
		}
		select {
		case <-steps:
		case <-time.After(10 * time.Second):
			t.Fatal("the sender was not woken by another handle's write")
		}
	}
	at := be.attempts(ada)
	if len(at) != outboxMaxAttempts {
		t.Fatalf("%d attempts, want %d: %v", len(at), outboxMaxAttempts, at)
	}
	wait := base
	for i := 1; i < len(at); i++ {
		if gap := at[i].Sub(at[i-1]); gap < wait {
			t.Errorf("attempt %d came %s after attempt %d; the backoff said %s", i+1, gap, i, wait)
		}
		wait *= 2
	}
	if n := stepCount.Load(); n < 2*int64(len(at)) {
		t.Errorf("the sender stepped %d times for %d attempts: the wakes did not reach it", n, len(at))
	}
	// What was queued behind it goes once it failed for good.
	eventually(t, "the changes behind the failed one sent", func() bool { return len(be.attempts(grace)) > 0 })
}
