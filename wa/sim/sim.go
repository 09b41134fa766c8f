// Package sim is a simulated WhatsApp account: a wa.Backend that reads its
// contacts, groups, labels, blocklist and check answers from a World (a JSON
// world file, README, "Simulated accounts"). wabook uses it for --demo and --sim, and tests use
// it in place of WhatsApp.
package sim

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/wa"
)

var _ wa.Backend = (*Backend)(nil)

// Defaults.
const (
	// DefaultPairAfter is how long an unpaired account takes to pair itself
	// when the world's pair_after_ms is 0.
	DefaultPairAfter = 4 * time.Second
	// DefaultPairCodeInterval is how often a new QR code is shown.
	DefaultPairCodeInterval = 20 * time.Second
	// MaxCheckBatch is the most numbers one CheckNumbers call takes.
	MaxCheckBatch = 20
	// EventBuffer is the capacity of the Events channel.
	EventBuffer = 1024
	// Platform is what Account().Platform says.
	Platform = "sim"
	// contactChunk is how many contacts one ContactsUpserted carries.
	contactChunk = 1000
)

// Errors.
var (
	// ErrClosed is returned by every call after Close.
	ErrClosed = errors.New("sim: backend is closed")
	// ErrNotFound is returned for users that are not on WhatsApp.
	ErrNotFound = errors.New("sim: user not found on WhatsApp")
	// ErrAlreadyPaired is returned by PairPhone on a paired account.
	ErrAlreadyPaired = errors.New("sim: account is already paired")
)

// Methods whose next call FailNext can make fail.
var failable = map[string]bool{
	"Connect": true, "PairPhone": true, "Logout": true,
	"CheckNumbers": true, "UserInfo": true, "ProfilePictureURL": true,
	"SetBlocked": true, "SendLabelEdit": true, "SendLabelChat": true,
	"FullResync": true,
}

// Option configures a Backend.
type Option func(*Backend)

// WithClock sets the clock used for the rate-limit window.
func WithClock(now func() time.Time) Option { return func(b *Backend) { b.now = now } }

// WithSleep sets how the backend waits for the check latency and the sync
// step delay. The function must return ctx.Err() when ctx ends first.
func WithSleep(sleep func(ctx context.Context, d time.Duration) error) Option {
	return func(b *Backend) { b.sleep = sleep }
}

// WithPairAfter overrides the world's pair_after_ms.
func WithPairAfter(d time.Duration) Option { return func(b *Backend) { b.pairAfter = d } }

// WithPairCodeInterval sets how often a new QR code is shown (20 s by
// default, like WhatsApp).
func WithPairCodeInterval(d time.Duration) Option { return func(b *Backend) { b.codeEvery = d } }

// WithCheckLatency overrides the world's check_latency_ms.
func WithCheckLatency(d time.Duration) Option { return func(b *Backend) { b.latency = d } }

// WithSyncStepDelay makes the initial sync wait d between its stages, so a
// progress bar has something to show. 0 by default.
func WithSyncStepDelay(d time.Duration) Option { return func(b *Backend) { b.stepDelay = d } }

// Backend is the simulated account. All methods are safe for concurrent use.
type Backend struct {
	// Set at construction, read-only after.
	now       func() time.Time
	sleep     func(ctx context.Context, d time.Duration) error
	pairAfter time.Duration
	codeEvery time.Duration
	latency   time.Duration
	stepDelay time.Duration
	account   WorldAccount
	contacts  []WorldContact
	byPhone   map[string]int // "+digits" → index in contacts
	byLID     map[string]int
	exists    map[string]bool // every "+digits" that is on WhatsApp
	rewrites  map[string]string
	failing   map[string]string
	groups    []WorldGroup
	rate      *RateLimit
	liesAfter int // throttle_lies_after; 0: never

	events *wa.EventQueue
	done   chan struct{}
	// sessions counts the running session goroutines, so a test can tell
	// that no session is left to send anything (sim_test.go, noMoreEvents).
	sessions sync.WaitGroup

	mu         sync.Mutex
	closed     bool
	paired     bool
	state      wa.ConnState
	gen        int // session generation; bumped to end a session
	cancel     context.CancelFunc
	phoneReq   chan struct{} // of the running session
	blocked    []string      // phone JIDs, in order
	labels     []WorldLabel  // current labels (chats as JIDs)
	failNext   map[string][]error
	checkCalls int
	checked    []string
	window     []checkBatch
	edits      []wa.LabelEdit
	labelChats []LabelChat

	labelsSynced bool // the labels stage has been delivered (LabelsSynced)

	persist *persister // nil: the server state lives only in memory (New)
}

// New returns a backend simulating w. w is copied, so the caller may reuse
// it. New panics when w is nil or invalid: load worlds with LoadWorld or
// check them with Validate first.
func New(w *World, opts ...Option) *Backend {
	if w == nil {
		panic("sim.New: nil world")
	}
	w = w.Clone()
	if err := w.Validate(); err != nil {
		panic("sim.New: " + err.Error())
	}
	b := &Backend{
		now:       time.Now,
		sleep:     wa.Sleep,
		pairAfter: time.Duration(w.Account.PairAfterMS) * time.Millisecond,
		codeEvery: DefaultPairCodeInterval,
		latency:   time.Duration(w.CheckLatencyMS) * time.Millisecond,
		account:   *w.Account,
		contacts:  w.Contacts,
		byPhone:   map[string]int{},
		byLID:     map[string]int{},
		exists:    map[string]bool{},
		rewrites:  w.Rewrites,
		failing:   w.Failing,
		groups:    w.Groups,
		rate:      w.RateLimit,
		liesAfter: w.ThrottleLiesAfter,
		events:    wa.NewEventQueue(EventBuffer),
		done:      make(chan struct{}),
		paired:    w.Account.IsPaired(),
		failNext:  map[string][]error{},
	}
	if b.pairAfter == 0 {
		b.pairAfter = DefaultPairAfter
	}
	for _, o := range opts {
		o(b)
	}
	if b.codeEvery <= 0 {
		b.codeEvery = DefaultPairCodeInterval
	}
	b.exists[b.account.Phone] = true
	for i, c := range b.contacts {
		b.byPhone[c.Phone] = i
		b.exists[c.Phone] = true
		if c.LID != "" {
			b.byLID[c.LID] = i
		}
	}
	for _, p := range w.Registered {
		b.exists[p] = true
	}
	for _, p := range w.Rewrites {
		b.exists[p] = true
	}
	for _, p := range w.Blocked {
		b.exists[p] = true
		if j := model.JIDFromPhone(p); !slices.Contains(b.blocked, j) {
			b.blocked = append(b.blocked, j)
		}
	}
	for _, g := range w.Groups {
		for _, p := range g.Participants {
			if strings.HasPrefix(p, "+") {
				b.exists[p] = true
			}
		}
	}
	for _, l := range w.Labels {
		for i, c := range l.Chats {
			if strings.HasPrefix(c, "+") {
				b.exists[c] = true
				l.Chats[i] = model.JIDFromPhone(c)
			}
		}
		b.labels = append(b.labels, l)
	}
	return b
}

// queueLocked hands events to the queue; b.mu must be held, which keeps
// them in the order of the state changes they report.
func (b *Backend) queueLocked(evs ...wa.Event) {
	if b.closed {
		return
	}
	b.events.Emit(evs...)
}

// step runs f under the lock if session gen is still current and queues the
// events f returns. It reports whether the session is still current.
func (b *Backend) step(gen int, f func() []wa.Event) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed || gen != b.gen {
		return false
	}
	b.queueLocked(f()...)
	return true
}

// takeFail pops the error FailNext set for method; b.mu must be held.
func (b *Backend) takeFailLocked(method string) error {
	q := b.failNext[method]
	if len(q) == 0 {
		return nil
	}
	err := q[0]
	if len(q) == 1 {
		delete(b.failNext, method)
	} else {
		b.failNext[method] = q[1:]
	}
	return err
}

// FailNext makes the next call of method (e.g. "CheckNumbers",
// "SetBlocked", "SendLabelEdit", "SendLabelChat", "UserInfo",
// "ProfilePictureURL", "PairPhone", "Logout", "Connect") return err.
// Calls queue: two FailNext make the next two calls fail. It panics on an
// unknown method name so a typo cannot make a test pass.
func (b *Backend) FailNext(method string, err error) {
	if !failable[method] {
		panic("sim.FailNext: unknown method " + strconv.Quote(method))
	}
	if err == nil {
		panic("sim.FailNext: nil error")
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.failNext[method] = append(b.failNext[method], err)
}

// Inject queues any event, as if WhatsApp had sent it (for tests: push-name
// changes, bans, groups left, …).
func (b *Backend) Inject(ev wa.Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.queueLocked(ev)
}

// Events is the stream of everything the backend reports; Close closes it.
func (b *Backend) Events() <-chan wa.Event { return b.events.Events() }

// Account describes the account; identity fields are empty while unpaired.
func (b *Backend) Account() wa.Account {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.accountLocked()
}

func (b *Backend) accountLocked() wa.Account {
	if !b.paired {
		return wa.Account{Platform: Platform}
	}
	jid := model.JIDFromPhone(b.account.Phone)
	return wa.Account{
		JID:        jid,
		Phone:      b.account.Phone,
		PushName:   b.account.PushName,
		IsBusiness: b.account.Business,
		Paired:     true,
		Platform:   Platform,
		// The simulated phone links wabook as its first device.
		Device: strings.Replace(jid, "@", ":1@", 1),
	}
}

// State is the current connection state.
func (b *Backend) State() wa.ConnState {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.state
}

// Close ends the session and closes Events; queued events not yet received
// are dropped. It is safe to call more than once.
func (b *Backend) Close() error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	b.endLocked()
	b.closed = true
	close(b.done)
	if b.persist != nil && b.persist.log != nil {
		b.persist.log.Close()
	}
	b.mu.Unlock()
	b.events.Close()
	return nil
}

// begin starts a call that needs a paired account; it returns with b.mu
// held when err is nil.
func (b *Backend) begin(ctx context.Context, method string, args map[string]any) error {
	return b.enter(ctx, method, args, true)
}

// enter starts a call: it logs it (receivedLocked) and takes the error
// FailNext queued for it. With needPaired, an unpaired account fails it
// before that, with ErrNotPaired, leaving the queued error for a later
// call. It returns with b.mu held when err is nil.
func (b *Backend) enter(ctx context.Context, method string, args map[string]any, needPaired bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b.mu.Lock()
	err := b.receivedLocked(method, args)
	if err == nil && needPaired && !b.paired {
		err = wa.ErrNotPaired
	}
	if err == nil {
		err = b.takeFailLocked(method)
	}
	if err != nil {
		b.mu.Unlock()
	}
	return err
}
