// Notices for many front ends at once: `wabook serve` runs a UI per SSH
// session over one service, and each needs every notice.
package app

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// subscriber is one front end's stream of notices. Its kinds coalesce the
// way Notices' do for the single front end: one notice of a kind waits
// until the subscriber has read it, and a change after that read sends a
// new one. The notifier only sets a bit and kicks; the subscriber's own
// goroutine hands the notices over, so a subscriber that never reads
// blocks neither the service nor the other subscribers.
type subscriber struct {
	pending atomic.Uint32 // a bit per NoticeKind waiting to be read
	kick    chan struct{} // capacity 1: "pending has bits"
	out     chan Notice   // unbuffered: a notice is handed over when read
	done    chan struct{} // closed by cancel
}

// subscribers is the service's set of subscribers.
type subscribers struct {
	mu  sync.Mutex
	set map[*subscriber]struct{}
}

// Subscribe returns a stream of every notice kind for one more front end,
// and the function that ends it (the stream is closed then; calling it
// again does nothing). A subscriber reads at its own pace: a kind changed
// many times before it reads arrives once. The single front end of
// Notices and Acknowledge is not one of the subscribers and goes on as it
// was.
func (s *Service) Subscribe() (notices <-chan Notice, cancel func()) {
	sub := &subscriber{
		kick: make(chan struct{}, 1),
		out:  make(chan Notice),
		done: make(chan struct{}),
	}
	s.subs.mu.Lock()
	if s.subs.set == nil {
		s.subs.set = make(map[*subscriber]struct{})
	}
	s.subs.set[sub] = struct{}{}
	s.subs.mu.Unlock()
	go sub.deliver()
	var once sync.Once
	return sub.out, func() {
		once.Do(func() {
			s.subs.mu.Lock()
			delete(s.subs.set, sub)
			s.subs.mu.Unlock()
			close(sub.done)
		})
	}
}

// notifySubscribers marks kind pending for every subscriber.
func (s *Service) notifySubscribers(kind NoticeKind) {
	s.subs.mu.Lock()
	defer s.subs.mu.Unlock()
	for sub := range s.subs.set {
		sub.mark(kind)
	}
}

func (sub *subscriber) mark(kind NoticeKind) {
	bit := uint32(1) << uint(kind)
	if sub.pending.Or(bit)&bit != 0 {
		return // already waiting to be read
	}
	select {
	case sub.kick <- struct{}{}:
	default: // a kick is waiting already
	}
}

// deliver hands the pending notices over until cancel, then closes the
// stream. It takes every pending kind at once and clears them before
// handing them over, so a change during the hand-over is never lost: it
// sets its bit again and costs at most one reload more. Taking them all
// at once keeps a kind that changes all the time from starving the others.
func (sub *subscriber) deliver() {
	defer close(sub.out)
	for {
		bits := sub.pending.Swap(0)
		if bits == 0 {
			select {
			case <-sub.kick:
				continue
			case <-sub.done:
				return
			}
		}
		for kind := NoticeKind(0); bits != 0; kind++ {
			bit := uint32(1) << uint(kind)
			if bits&bit == 0 {
				continue
			}
			bits &^= bit
			select {
			case sub.out <- Notice{Kind: kind}:
			case <-sub.done:
				return
			}
		}
	}
}

// FollowPoll is how often Follow looks besides the notices: a change made
// by another process sends none here.
const FollowPoll = 500 * time.Millisecond

// FollowGap is the least time between two of Follow's looks: notices come
// many times a second while a check job runs or the outbox sends, and every
// follower (each request of serve waiting for WhatsApp) reading again on
// each one kept the database busy for all of them — a third of serve's CPU
// in its load run. Notices that come meanwhile fold into the next look.
const FollowGap = 50 * time.Millisecond

// Follow calls look at once, then again after every notice and every
// FollowPoll, but never sooner than FollowGap after the last look, until
// it reports done or fails, or ctx ends (ctx.Err()). look gets a context
// ctx's end does not cut: a half-read answer would only be thrown away.
func (s *Service) Follow(ctx context.Context, look func(ctx context.Context) (done bool, err error)) error {
	notices, cancel := s.Subscribe()
	defer cancel()
	tick := time.NewTicker(FollowPoll)
	defer tick.Stop()
	for {
		looked := time.Now()
		if done, err := look(context.WithoutCancel(ctx)); done || err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-notices:
		case <-tick.C:
		}
		if wait := FollowGap - time.Since(looked); wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return ctx.Err()
			case <-t.C:
			}
		}
	}
}
