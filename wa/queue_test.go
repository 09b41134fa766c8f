package wa

import (
	"slices"
	"testing"
	"time"
)

func TestMailboxTakesInOrderAndDropsAfterStop(t *testing.T) {
	t.Parallel()
	got := make(chan int, 10)
	finished := false
	m := NewMailbox(func(n int, _ <-chan struct{}) bool {
		got <- n
		return true
	}, func() { finished = true })
	m.Put(1, 2)
	m.Put()
	m.Put(3)
	var seen []int
	for len(seen) < 3 {
		select {
		case n := <-got:
			seen = append(seen, n)
		case <-time.After(5 * time.Second):
			t.Fatalf("took %v, want 1, 2, 3", seen)
		}
	}
	if !slices.Equal(seen, []int{1, 2, 3}) {
		t.Fatalf("took %v, want 1, 2, 3 in order", seen)
	}
	m.Stop()
	m.Stop() // a second Stop is harmless
	m.Wait()
	if !finished {
		t.Fatal("finally did not run before Wait returned")
	}
	m.Put(4)
	if len(got) != 0 {
		t.Fatalf("took %d after Stop", <-got)
	}
}

func TestMailboxStopUnblocksAWaitingTake(t *testing.T) {
	t.Parallel()
	started := make(chan struct{})
	gaveUp := make(chan struct{})
	m := NewMailbox(func(_ int, done <-chan struct{}) bool {
		close(started)
		<-done // a taker blocked on a full channel, say
		close(gaveUp)
		return false
	}, nil)
	m.Put(1, 2)
	<-started
	m.Stop()
	m.Wait()
	select {
	case <-gaveUp:
	default:
		t.Fatal("Wait returned before the blocked take gave up")
	}
}
