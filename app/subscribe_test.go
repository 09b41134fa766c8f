package app

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/wabook/wabook/wa"
)

// drainFor reads ch until it has been quiet for quiet, counting the kinds.
func drainFor(ch <-chan Notice, quiet time.Duration) map[NoticeKind]int {
	got := map[NoticeKind]int{}
	for {
		select {
		case n, ok := <-ch:
			if !ok {
				return got
			}
			got[n.Kind]++
		case <-time.After(quiet):
			return got
		}
	}
}

// Every subscriber gets every kind; one that never reads holds up neither
// the service nor the others; a burst coalesces per subscriber; the
// single front end of Notices goes on as before.
func TestSubscribersEachGetEveryNotice(t *testing.T) {
	t.Parallel()

	looked := make(chan struct{}, 1)
	svc, backend := worldServiceWith(t, nil, func(s *Service) {
		s.watched = func() {
			select {
			case looked <- struct{}{}:
			default:
			}
		}
	})
	a, cancelA := svc.Subscribe()
	defer cancelA()
	b, cancelB := svc.Subscribe()
	defer cancelB()
	_, cancelStuck := svc.Subscribe() // never read
	defer cancelStuck()
	for len(svc.Notices()) > 0 {
		svc.Acknowledge(<-svc.Notices())
	}
	// The commit watcher tells of the sync's commits at its next look:
	// once it has looked twice since, that notice is out; read it.
	for range 3 {
		select {
		case <-looked:
		case <-time.After(5 * time.Second):
			t.Fatal("the commit watcher never looked")
		}
	}
	drainFor(a, 20*time.Millisecond)
	drainFor(b, 20*time.Millisecond)

	// Every kind, to every subscriber.
	svc.notify(StatusChanged)
	svc.notify(ChecksChanged)
	svc.notify(DataChanged)
	for name, ch := range map[string]<-chan Notice{"a": a, "b": b} {
		got := drainFor(ch, 100*time.Millisecond)
		for _, k := range []NoticeKind{DataChanged, StatusChanged, ChecksChanged} {
			if got[k] != 1 {
				t.Errorf("subscriber %s got %d notices of kind %d, want 1 (%v)", name, got[k], k, got)
			}
		}
	}

	// A burst while nobody reads: the service applies it all (the stuck
	// subscriber blocks nothing), and each subscriber then reads a few data
	// notices, never one per change: the one held at the hand-over, one
	// more when a change came as it was handed over, and those of the
	// commit watcher's polls (watch.go), which sees the burst's commits too.
	for i := range 50 {
		backend.Inject(wa.PushNameChanged{JID: "14155550101@s.whatsapp.net", PushName: fmt.Sprintf("n%d", i)})
	}
	eventually(t, "the burst applied", func() bool {
		c, err := svc.store.Contact(context.Background(), "14155550101@s.whatsapp.net")
		return err == nil && c.PushName == "n49"
	})
	for name, ch := range map[string]<-chan Notice{"a": a, "b": b} {
		got := drainFor(ch, 100*time.Millisecond)
		if got[DataChanged] < 1 || got[DataChanged] > 4 {
			t.Errorf("subscriber %s got %d data notices after a burst of 50, want 1 to 4", name, got[DataChanged])
		}
	}
	// The single front end still gets its one coalesced notice.
	got := 0
	for len(svc.Notices()) > 0 {
		if n := <-svc.Notices(); n.Kind == DataChanged {
			got++
		}
	}
	if got != 1 {
		t.Errorf("Notices has %d data notices after the burst, want 1", got)
	}

	// A change after a read sends a new notice.
	svc.notify(DataChanged)
	select {
	case n := <-a:
		if n.Kind != DataChanged {
			t.Errorf("got kind %d, want DataChanged", n.Kind)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no notice after a change that followed a read")
	}
}

// Cancelling closes the stream, stops the deliveries to it and leaves the
// other subscribers as they were; cancelling twice is harmless.
func TestSubscriptionCancel(t *testing.T) {
	t.Parallel()

	svc, _ := syncedService(t)
	a, cancelA := svc.Subscribe()
	b, cancelB := svc.Subscribe()
	defer cancelB()
	cancelA()
	cancelA()
	select {
	case _, ok := <-a:
		for ok { // a notice handed over before the cancel may come first
			_, ok = <-a
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the stream is not closed after cancel")
	}
	drainFor(b, 50*time.Millisecond)
	svc.notify(StatusChanged)
	select {
	case n := <-b:
		if n.Kind != StatusChanged {
			t.Errorf("got kind %d, want StatusChanged", n.Kind)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the other subscriber got nothing after one cancelled")
	}
	svc.subs.mu.Lock()
	n := len(svc.subs.set)
	svc.subs.mu.Unlock()
	if n != 1 {
		t.Errorf("%d subscribers left, want 1", n)
	}
}

// Follow looks again on notices, but never sooner than FollowGap after its
// last look: a flood of notices (a check job at a fast pace, the outbox
// confirming change after change) folds into few looks instead of one per
// notice for every follower.
func TestFollowLooksAtMostEveryGapUnderAFloodOfNotices(t *testing.T) {
	t.Parallel()
	svc, _ := worldServiceWith(t, nil, nil)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	go func() {
		for ctx.Err() == nil {
			svc.notify(ChecksChanged)
			time.Sleep(time.Millisecond)
		}
	}()
	var looks []time.Time
	err := svc.Follow(ctx, func(context.Context) (bool, error) {
		looks = append(looks, time.Now())
		return len(looks) == 6, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(looks); i++ {
		if gap := looks[i].Sub(looks[i-1]); gap < FollowGap {
			t.Errorf("look %d came %v after the one before; FollowGap is %v", i+1, gap, FollowGap)
		}
	}
}
