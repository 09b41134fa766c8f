package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/wabook/wabook/app/internal/loop"
	"github.com/wabook/wabook/store"
	"github.com/wabook/wabook/wa"
)

// The outbox: changes WhatsApp must learn (Business labels, their chats,
// the blocklist) are queued by the store in the transaction that makes them
// in the mirror, by whichever process makes them; only the process holding
// the WhatsApp connection sends them (StartOutbox), in the order they were
// queued. Delivery is at least once: a change is marked done only after
// WhatsApp confirmed it, so one sent just before a crash is sent again, and
// every change is one WhatsApp can take twice (a label's id is recorded
// before its first send: store.OutboxWALabelID).

// OutboxItem is one change waiting for WhatsApp, or done, or failed.
type OutboxItem = store.OutboxItem

// OutboxCounts is how many changes wait for WhatsApp and how many failed.
type OutboxCounts = store.OutboxCounts

// The outbox states.
const (
	OutboxPending = store.OutboxPending
	OutboxDone    = store.OutboxDone
	OutboxFailed  = store.OutboxFailed
)

// ErrNotFailed is returned when retrying or dropping a change that has not
// failed.
var ErrNotFailed = store.ErrNotFailed

// outboxMaxAttempts is how many times WhatsApp may refuse a change (or fail
// to answer it) before it is marked failed; being offline costs no attempt.
const outboxMaxAttempts = 5

// outboxCountEvery is how often the sender reads the counts while it sends
// change after change (runOutbox).
const outboxCountEvery = 250 * time.Millisecond

// outboxKeepDone is how long confirmed changes stay listed.
const outboxKeepDone = 7 * 24 * time.Hour

// outboxState is the sending side of the outbox in this process.
type outboxState struct {
	wake    chan struct{} // a change was queued, a connection came, a sync ended
	countMu sync.Mutex    // refreshOutboxCounts, one at a time

	mu      sync.Mutex
	loop    loop.Loop // the sender's goroutine, guarded by mu
	waiting string    // why nothing is being sent now, "" when sending or idle

	// retryBase is the first backoff after a refusal (doubling, at most
	// retryMax); tests shorten it.
	retryBase, retryMax time.Duration
	// poll is how often an idle sender looks for changes it was not told
	// of (another process's are noticed by watchOtherWriters too).
	poll time.Duration
	// afterSend, when set, runs after WhatsApp accepted a change and
	// before that is recorded: the crash tests stop the process there.
	afterSend func(store.OutboxItem)
	// stepped, when set (tests), runs after each step of the sender.
	stepped func()
}

func newOutboxState(retry time.Duration) *outboxState {
	ob := &outboxState{wake: make(chan struct{}, 1), retryBase: retry, retryMax: time.Minute, poll: 5 * time.Second}
	ob.loop.Mu = &ob.mu
	if ob.retryBase <= 0 {
		ob.retryBase = time.Second
	}
	ob.retryMax = max(ob.retryMax, ob.retryBase)
	return ob
}

// kickOutbox wakes the sender, if this process runs one.
func (s *Service) kickOutbox() {
	select {
	case s.ob.wake <- struct{}{}:
	default:
	}
}

// outboxQueued is called after this process queued changes: the counts
// follow and the sender, if here, looks at once.
func (s *Service) outboxQueued(ctx context.Context) {
	s.refreshOutboxCounts(ctx)
	s.kickOutbox()
}

// refreshOutboxCounts reads how many changes wait and failed into the
// status (StatusChanged when they changed). The watcher, the sender and
// the front ends call it: one at a time, so an older count never
// overwrites a newer one.
func (s *Service) refreshOutboxCounts(ctx context.Context) {
	s.ob.countMu.Lock()
	defer s.ob.countMu.Unlock()
	c, err := s.store.CountOutbox(ctx)
	if err != nil {
		s.log.Warn("counting the outbox", "err", err)
		return
	}
	s.mu.Lock()
	same := s.status.Outbox == c
	s.mu.Unlock()
	if !same {
		s.updateStatus(func(st *Status) { st.Outbox = c })
	}
}

// StartOutbox starts sending queued changes to WhatsApp until ctx ends or
// StopOutbox. Only the process holding the WhatsApp connection runs it;
// calling it again while it runs does nothing.
func (s *Service) StartOutbox(ctx context.Context) {
	ob := s.ob
	ob.loop.Start(ctx, loop.Hooks{End: func() { ob.waiting = "" }}, func(ctx context.Context) {
		if err := s.store.PruneOutbox(ctx, s.clock().Add(-outboxKeepDone).Unix()); err != nil {
			s.log.Warn("pruning the outbox", "err", err)
		}
		s.runOutbox(ctx)
	})
}

// StopOutbox stops the sender and waits for it. A change in flight stays
// pending and is sent again by the next sender.
func (s *Service) StopOutbox() { s.ob.loop.Stop() }

// OutboxWaiting says why the sender of this process is not sending now
// ("" when it is, is idle, or does not run here).
func (s *Service) OutboxWaiting() string {
	s.ob.mu.Lock()
	defer s.ob.mu.Unlock()
	return s.ob.waiting
}

func (s *Service) setOutboxWaiting(why string) {
	s.ob.mu.Lock()
	changed := s.ob.waiting != why
	s.ob.waiting = why
	s.ob.mu.Unlock()
	if changed {
		s.notify(StatusChanged)
	}
}

// runOutbox sends pending changes in order. A label change waits while
// WhatsApp has not sent the account's own labels (a new label's id could
// collide with one of them); block changes behind it go on.
func (s *Service) runOutbox(ctx context.Context) {
	ob := s.ob
	var r outboxRetry
	var counted time.Time
	for ctx.Err() == nil {
		// The counts are read again before each step, but within a run of
		// sends at most every outboxCountEvery: a read per change costs as
		// much as its confirmation under load, and the status needs no more.
		if now := time.Now(); now.Sub(counted) >= outboxCountEvery {
			s.refreshOutboxCounts(ctx)
			counted = now
		}
		wait, why := s.outboxStep(ctx, &r)
		s.setOutboxWaiting(why)
		if wait != 0 {
			s.refreshOutboxCounts(ctx) // the run paused: the counts as they stand
			counted = time.Now()
		}
		if ob.stepped != nil {
			ob.stepped()
		}
		if wait == 0 {
			continue
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
		case <-ob.wake:
		case <-t.C:
		}
		t.Stop()
	}
}

// outboxRetry is the sender's backoff: the change WhatsApp last did not
// take and when (on the service's clock) it may be sent again. A wake (a
// change queued, a commit of another process or of the sender itself)
// looks again but never sends that change before its time: the backoff
// is kept here, not in the timer a wake cuts short.
type outboxRetry struct {
	id      int64
	at      time.Time
	backoff time.Duration // the last wait; it doubles up to retryMax
	err     string        // what WhatsApp said, in plain words
}

// wait is how long change id must still wait, 0 when its time has come.
func (r *outboxRetry) wait(id int64, now time.Time) time.Duration {
	if r.id != id || !now.Before(r.at) {
		return 0
	}
	return r.at.Sub(now)
}

// failed notes that change id was not taken: it waits the next backoff.
func (r *outboxRetry) failed(ob *outboxState, id int64, now time.Time, err string) time.Duration {
	r.backoff = min(max(r.backoff*2, ob.retryBase), ob.retryMax)
	r.id, r.at, r.err = id, now.Add(r.backoff), err
	return r.backoff
}

func (r *outboxRetry) why(wait time.Duration) string {
	if r.err == "" {
		return ""
	}
	return fmt.Sprintf("WhatsApp did not take a change (%s); trying again in %s", r.err, wait.Round(time.Second))
}

// outboxStep sends the next change it may send. It returns how long to
// wait before the next step (0: go on at once) and why, when waiting.
func (s *Service) outboxStep(ctx context.Context, r *outboxRetry) (time.Duration, string) {
	ob := s.ob
	if s.Status().Conn != wa.StateConnected {
		if c := s.Status().Outbox; c.Pending > 0 {
			return ob.poll, "waiting for the connection to WhatsApp"
		}
		return ob.poll, ""
	}
	labelsReady, why := s.labelsReady(ctx)
	var after int64
	for {
		it, ok, err := s.store.NextOutbox(ctx, after)
		if err != nil {
			if ctx.Err() == nil {
				s.log.Error("reading the outbox", "err", err)
			}
			return ob.poll, ""
		}
		if !ok {
			if after > 0 {
				return ob.poll, why // only label changes left, and they wait
			}
			*r = outboxRetry{}
			return ob.poll, ""
		}
		if it.IsLabel() && !labelsReady {
			after = it.ID
			continue
		}
		// In order: nothing behind a change waiting out its backoff goes
		// before it.
		if wait := r.wait(it.ID, s.clock()); wait > 0 {
			return wait, r.why(wait)
		}
		err = s.sendOutbox(ctx, it)
		switch {
		case err == nil:
			*r = outboxRetry{}
			return 0, ""
		case ctx.Err() != nil:
			return 0, ""
		case errors.Is(err, errNotRecorded):
			// WhatsApp took it; the mirror could not say so. It is sent
			// again (harmless) once the database answers: no attempt.
			s.log.Error("recording an outbox confirmation", "id", it.ID, "err", err)
			return r.failed(ob, it.ID, s.clock(), ""), ""
		case s.Status().Conn != wa.StateConnected:
			// Lost the connection mid-send: costs no attempt.
			return ob.poll, "waiting for the connection to WhatsApp"
		}
		// A personal account never takes label changes: no use trying again.
		giveUp := it.Attempts+1 >= outboxMaxAttempts || errors.Is(err, errOutboxPermanent) || errors.Is(err, wa.ErrNotBusiness)
		s.log.Warn("outbox change not accepted", "id", it.ID, "kind", it.Kind, "attempt", it.Attempts+1, "err", err)
		if terr := s.store.TriedOutbox(ctx, it.ID, plainOutboxError(err), giveUp); terr != nil {
			s.log.Error("recording an outbox attempt", "err", terr)
		}
		if giveUp {
			return 0, ""
		}
		wait := r.failed(ob, it.ID, s.clock(), plainOutboxError(err))
		return wait, r.why(wait)
	}
}

// labelsReady reports whether label changes may be sent: WhatsApp has
// sent the account's own labels once (backends that cannot tell are
// trusted), and why not in plain words.
func (s *Service) labelsReady(ctx context.Context) (bool, string) {
	r, ok := s.backend.(wa.LabelSyncReporter)
	if !ok {
		return true, ""
	}
	synced, err := r.LabelsSynced(ctx)
	if err != nil {
		return false, "label changes wait: cannot tell whether WhatsApp has sent this account's labels yet"
	}
	if !synced {
		return false, "label changes wait until WhatsApp has sent this account's own labels (first sync)"
	}
	return true, ""
}

// errOutboxPermanent marks a change that cannot succeed by trying again.
var errOutboxPermanent = errors.New("cannot be sent")

// errNotRecorded: WhatsApp took a change, the database did not take the
// confirmation.
var errNotRecorded = errors.New("confirmation not recorded")

func plainOutboxError(err error) string {
	switch {
	case errors.Is(err, wa.ErrNotBusiness):
		return "labels need a WhatsApp Business account"
	case errors.Is(err, wa.ErrRateLimited):
		return "WhatsApp asked to slow down"
	}
	return err.Error()
}

// sendOutbox sends one change and records WhatsApp's confirmation.
func (s *Service) sendOutbox(ctx context.Context, it store.OutboxItem) error {
	sent, err := s.sendOutboxItem(ctx, it)
	if err != nil {
		return err
	}
	if sent && s.ob.afterSend != nil {
		s.ob.afterSend(it)
	}
	if err := s.store.FinishOutbox(ctx, it.ID); err != nil {
		return fmt.Errorf("%w: %w", errNotRecorded, err)
	}
	s.notify(DataChanged)
	return nil
}

// Outbox lists the changes for WhatsApp: pending and failed ones, and the
// recently done ones too when withDone.
func (s *Service) Outbox(ctx context.Context, withDone bool) ([]OutboxItem, error) {
	return s.store.Outbox(ctx, withDone)
}

// OutboxCounts counts the pending and failed changes.
func (s *Service) OutboxCounts(ctx context.Context) (OutboxCounts, error) {
	return s.store.CountOutbox(ctx)
}

// RetryOutbox puts a failed change (id), or every failed one (id 0), back
// in the queue and returns how many.
func (s *Service) RetryOutbox(ctx context.Context, id int64) ([]int64, error) {
	return changeOutbox(ctx, s, id, s.store.RetryOutbox)
}

// DropOutbox forgets a failed change: WhatsApp will not learn it.
func (s *Service) DropOutbox(ctx context.Context, id int64) (OutboxItem, error) {
	return changeOutbox(ctx, s, id, s.store.DropOutbox)
}

// changeOutbox runs a change of the outbox's own rows (retry, drop) once
// writes are allowed; when it went through, the counts follow, the sender
// looks again and the front ends reload.
func changeOutbox[T any](ctx context.Context, s *Service, id int64, change func(context.Context, int64) (T, error)) (T, error) {
	if err := s.writable(ctx); err != nil {
		var zero T
		return zero, err
	}
	v, err := change(ctx, id)
	if err != nil {
		return v, err
	}
	s.outboxQueued(ctx)
	s.notify(DataChanged)
	return v, nil
}

// LastOutboxID is the id of the last change queued so far (0 when none):
// a command notes it before changing anything, to wait for what it queued.
func (s *Service) LastOutboxID(ctx context.Context) (int64, error) {
	return s.store.LastOutboxID(ctx)
}

// QueuedSince lists the changes this process queued after mark.
func (s *Service) QueuedSince(ctx context.Context, mark int64) ([]int64, error) {
	return s.store.OutboxQueuedBy(ctx, mark, os.Getpid())
}

// OutboxResult is how some changes stand.
type OutboxResult struct {
	Queued  int // how many
	Done    int
	Failed  []OutboxItem
	Pending int
	// Superseded: replaced by a newer change of the same thing before
	// they went out (they will not).
	Superseded int
}

// OutboxOf reads how the changes ids stand.
func (s *Service) OutboxOf(ctx context.Context, ids []int64) (OutboxResult, error) {
	items, err := s.store.OutboxItems(ctx, ids)
	if err != nil {
		return OutboxResult{}, err
	}
	var r OutboxResult
	for _, it := range items {
		r.Queued++
		switch it.State {
		case store.OutboxDone:
			r.Done++
		case store.OutboxFailed:
			r.Failed = append(r.Failed, it)
		case store.OutboxSuperseded:
			r.Superseded++
		default:
			r.Pending++
		}
	}
	return r, nil
}

// WaitOutbox waits until none of the changes ids is pending (each is done,
// failed or superseded), looking every poll, and returns how they ended;
// when ctx ends first it returns how they stand with ctx's error.
func (s *Service) WaitOutbox(ctx context.Context, ids []int64, poll time.Duration) (OutboxResult, error) {
	for {
		r, err := s.OutboxOf(ctx, ids)
		if err != nil || r.Pending == 0 {
			return r, err
		}
		if err := wa.Sleep(ctx, poll); err != nil {
			return r, err
		}
	}
}

// DrainOutbox waits until nothing in the outbox is pending, looking every
// poll (tests and the crash helper).
func (s *Service) DrainOutbox(ctx context.Context, poll time.Duration) error {
	for {
		c, err := s.store.CountOutbox(ctx)
		if err != nil || c.Pending == 0 {
			return err
		}
		if err := wa.Sleep(ctx, poll); err != nil {
			return err
		}
	}
}
