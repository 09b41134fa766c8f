// Package sim is a simulated WhatsApp account: a wa.Backend that reads its
// contacts, groups, labels, blocklist and check answers from a World (a JSON
// world file, README, "Simulated accounts"). wabook uses it for --demo and --sim, and tests use
// it in place of WhatsApp.
package sim

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
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

// LabelChat is a label association sent with SendLabelChat.
type LabelChat struct {
	WALabelID string
	ChatJID   string
	Assigned  bool
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

type checkBatch struct {
	at time.Time
	n  int
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
		sleep:     sleepCtx,
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

func sleepCtx(ctx context.Context, d time.Duration) error {
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
	return wa.Account{
		JID:        model.JIDFromPhone(b.account.Phone),
		Phone:      b.account.Phone,
		PushName:   b.account.PushName,
		IsBusiness: b.account.Business,
		Paired:     true,
		Platform:   Platform,
	}
}

// State is the current connection state.
func (b *Backend) State() wa.ConnState {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.state
}

// Connect starts a session in the background: ConnectionChanged
// (connecting), pairing when unpaired (ConnectionChanged pairing, PairCode
// every pair-code interval, PairSucceeded after pair_after_ms), then
// ConnectionChanged (connected) and the full sync ending in SyncCompleted.
// The session outlives ctx; Disconnect, Logout or Close end it. Connect on a
// running session does nothing.
func (b *Backend) Connect(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.receivedLocked("Connect", nil); err != nil {
		return err
	}
	if err := b.takeFailLocked("Connect"); err != nil {
		return err
	}
	b.startLocked(false)
	return nil
}

// startLocked starts a session unless one runs; b.mu must be held.
func (b *Backend) startLocked(phoneMode bool) {
	if b.cancel != nil {
		return
	}
	b.gen++
	sctx, cancel := context.WithCancel(context.Background())
	b.cancel = cancel
	b.phoneReq = make(chan struct{}, 1)
	if phoneMode {
		b.phoneReq <- struct{}{}
	}
	b.state = wa.StateConnecting
	b.queueLocked(wa.ConnectionChanged{State: wa.StateConnecting})
	go b.run(sctx, b.gen, b.phoneReq)
}

// endLocked ends the running session; b.mu must be held.
func (b *Backend) endLocked() {
	b.gen++
	if b.cancel != nil {
		b.cancel()
		b.cancel = nil
	}
	b.phoneReq = nil
}

func (b *Backend) run(ctx context.Context, gen int, phoneReq chan struct{}) {
	b.mu.Lock()
	paired := b.paired
	b.mu.Unlock()
	if !paired && !b.pair(ctx, gen, phoneReq) {
		return
	}
	if !b.step(gen, func() []wa.Event {
		b.state = wa.StateConnected
		return []wa.Event{wa.ConnectionChanged{State: wa.StateConnected}}
	}) {
		return
	}
	b.sync(ctx, gen)
}

// pair shows QR codes until the account pairs itself. A phone pairing
// request (PairPhone) stops the codes and restarts the wait.
func (b *Backend) pair(ctx context.Context, gen int, phoneReq chan struct{}) bool {
	phoneMode := false
	select {
	case <-phoneReq:
		phoneMode = true
	default:
	}
	ok := b.step(gen, func() []wa.Event {
		b.state = wa.StatePairing
		evs := []wa.Event{wa.ConnectionChanged{State: wa.StatePairing}}
		if !phoneMode {
			evs = append(evs, wa.PairCode{Code: qrCode(), Timeout: b.codeEvery})
		}
		return evs
	})
	if !ok {
		return false
	}
	deadline := time.NewTimer(b.pairAfter)
	defer deadline.Stop()
	rotate := time.NewTicker(b.codeEvery)
	defer rotate.Stop()
	for {
		select {
		case <-ctx.Done():
			return false
		case <-phoneReq:
			phoneMode = true
			deadline.Reset(b.pairAfter)
		case <-rotate.C:
			if !phoneMode && !b.step(gen, func() []wa.Event {
				return []wa.Event{wa.PairCode{Code: qrCode(), Timeout: b.codeEvery}}
			}) {
				return false
			}
		case <-deadline.C:
			return b.step(gen, func() []wa.Event {
				b.paired = true
				return []wa.Event{wa.PairSucceeded{Account: b.accountLocked()}}
			})
		}
	}
}

// Sync stages, in order.
var syncStages = []string{"contacts", "groups", "blocklist", "labels"}

func (b *Backend) sync(ctx context.Context, gen int) {
	total := len(syncStages)
	for i, stage := range syncStages {
		if i > 0 && b.stepDelay > 0 {
			if b.sleep(ctx, b.stepDelay) != nil {
				return
			}
		}
		if !b.step(gen, func() []wa.Event {
			evs := []wa.Event{wa.SyncProgress{Stage: stage, Done: i, Total: total}}
			return append(evs, b.stageEventsLocked(stage)...)
		}) {
			return
		}
	}
	b.step(gen, func() []wa.Event {
		return []wa.Event{wa.SyncProgress{Stage: "done", Done: total, Total: total}, wa.SyncCompleted{}}
	})
}

// stageEventsLocked builds the events of one sync stage from the current
// state; b.mu must be held.
func (b *Backend) stageEventsLocked(stage string) []wa.Event {
	b.refreshLocked()
	var evs []wa.Event
	switch stage {
	case "contacts":
		all := make([]model.Contact, 0, len(b.contacts))
		for _, c := range b.contacts {
			all = append(all, b.contactLocked(c))
		}
		for len(all) > contactChunk {
			evs = append(evs, wa.ContactsUpserted{Contacts: all[:contactChunk:contactChunk]})
			all = all[contactChunk:]
		}
		evs = append(evs, wa.ContactsUpserted{Contacts: all})
	case "groups":
		gs := make([]model.Group, 0, len(b.groups))
		for _, g := range b.groups {
			mg := model.Group{JID: g.JID, Name: g.Name, Participants: make([]string, 0, len(g.Participants))}
			for _, p := range g.Participants {
				mg.Participants = append(mg.Participants, chatJID(p))
			}
			mg.ParticipantCount = len(mg.Participants)
			gs = append(gs, mg)
		}
		evs = append(evs, wa.GroupsReplaced{Groups: gs})
	case "blocklist":
		evs = append(evs, wa.BlocklistReplaced{JIDs: slices.Clone(b.blocked)})
	case "labels":
		b.labelsSynced = true
		for _, l := range b.labels {
			evs = append(evs, wa.LabelEdited{WALabelID: l.ID, Name: l.Name, Color: l.Color})
		}
		for _, l := range b.labels {
			for _, c := range l.Chats {
				evs = append(evs, wa.LabelAssociationChanged{WALabelID: l.ID, ChatJID: c, Assigned: true})
			}
		}
	}
	return evs
}

// chatJID turns a normalised world chat or participant into a JID:
// "+digits" becomes a phone JID, JIDs stay.
func chatJID(s string) string {
	if strings.HasPrefix(s, "+") {
		return model.JIDFromPhone(s)
	}
	return s
}

func (b *Backend) contactLocked(c WorldContact) model.Contact {
	jid := model.JIDFromPhone(c.Phone)
	return model.Contact{
		JID:          jid,
		Phone:        c.Phone,
		LID:          c.LID,
		FullName:     c.FullName,
		FirstName:    c.FirstName,
		PushName:     c.PushName,
		BusinessName: c.BusinessName,
		VerifiedName: c.BusinessName,
		About:        c.About,
		AvatarID:     avatarID(c.AvatarURL),
		AvatarURL:    c.AvatarURL,
		IsMyContact:  c.IsMyContact(),
		IsWAContact:  true,
		IsBlocked:    slices.Contains(b.blocked, jid),
		IsBusiness:   c.BusinessName != "",
		Source:       model.SourceWhatsApp,
	}
}

// avatarID makes a stable numeric picture id from a URL ("" for none).
func avatarID(url string) string {
	if url == "" {
		return ""
	}
	h := fnv.New64a()
	h.Write([]byte(url))
	return strconv.FormatUint(h.Sum64()%1e10, 10)
}

// qrCode makes a QR text shaped like WhatsApp's: ref,noiseKey,identityKey,
// advSecret (about 230 characters).
func qrCode() string {
	part := func(n int) string {
		buf := make([]byte, n)
		for i := range buf {
			buf[i] = byte(rand.UintN(256))
		}
		return base64.StdEncoding.EncodeToString(buf)
	}
	return "2@" + part(68) + "," + part(32) + "," + part(32) + "," + part(32)
}

// pairingAlphabet is the alphabet of WhatsApp's pairing codes.
const pairingAlphabet = "123456789ABCDEFGHJKLMNPQRSTVWXYZ"

// Disconnect ends the session, keeping the pairing, and reports offline.
func (b *Backend) Disconnect() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return
	}
	running := b.cancel != nil
	b.endLocked()
	if running || b.state != wa.StateOffline {
		b.state = wa.StateOffline
		b.queueLocked(wa.ConnectionChanged{State: wa.StateOffline})
	}
}

// PairPhone returns a pairing code ("ABCD-EFGH") for phone and pairs the
// account pair_after_ms later, starting a session when none runs. The code
// stops the QR codes of a running session.
func (b *Backend) PairPhone(ctx context.Context, phone string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if _, ok := ParsePhone(phone); !ok {
		return "", fmt.Errorf("sim: pair phone %q: %s", phone, notPhone)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.receivedLocked("PairPhone", map[string]any{"phone": phone}); err != nil {
		return "", err
	}
	if err := b.takeFailLocked("PairPhone"); err != nil {
		return "", err
	}
	if b.paired {
		return "", ErrAlreadyPaired
	}
	if b.cancel == nil {
		b.startLocked(true)
	} else {
		select {
		case b.phoneReq <- struct{}{}:
		default:
		}
	}
	var code [9]byte
	for i := range code {
		code[i] = pairingAlphabet[rand.IntN(len(pairingAlphabet))]
	}
	code[4] = '-'
	return string(code[:]), nil
}

// Logout ends the session and unpairs the account: LoggedOut, then
// ConnectionChanged (logged out). The next Connect pairs again.
func (b *Backend) Logout(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.receivedLocked("Logout", nil); err != nil {
		return err
	}
	if err := b.takeFailLocked("Logout"); err != nil {
		return err
	}
	if !b.paired {
		return wa.ErrNotPaired
	}
	b.endLocked()
	b.paired = false
	b.state = wa.StateLoggedOut
	b.queueLocked(wa.LoggedOut{Reason: "logged out"}, wa.ConnectionChanged{State: wa.StateLoggedOut})
	return nil
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
	if err := ctx.Err(); err != nil {
		return err
	}
	b.mu.Lock()
	err := b.receivedLocked(method, args)
	if err == nil && !b.paired {
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

// CheckNumbers answers which of the "+digits" numbers exist: contacts,
// registered numbers, rewrite keys (answered with the rewritten number) and
// every other number the world shows (groups, blocklist, labels). Failing
// numbers get a per-number error. Every number is answered. More than 20
// numbers is an error; when the world has a rate limit, a call that would
// take the numbers answered within the last per_s seconds over the limit
// gets wa.ErrRateLimited and is not counted. With throttle_lies_after N,
// a call that would take them over N instead gets "not on WhatsApp" for
// every number (as throttled servers have been reported to answer), and is
// not counted either. Every call and number is recorded (CheckCalls,
// CheckedNumbers), refused ones too.
func (b *Backend) CheckNumbers(ctx context.Context, phones []string) ([]wa.CheckAnswer, error) {
	b.mu.Lock()
	if !b.closed {
		b.checkCalls++
		b.checked = append(b.checked, phones...)
	}
	b.mu.Unlock()
	if len(phones) > MaxCheckBatch {
		return nil, fmt.Errorf("sim: at most %d numbers per query, got %d", MaxCheckBatch, len(phones))
	}
	if err := b.begin(ctx, "CheckNumbers", map[string]any{"phones": phones}); err != nil {
		return nil, err
	}
	if b.rate != nil {
		now := b.now()
		from := now.Add(-time.Duration(b.rate.PerS) * time.Second)
		sum, keep := 0, b.window[:0]
		for _, c := range b.window {
			if c.at.After(from) {
				keep = append(keep, c)
				sum += c.n
			}
		}
		b.window = keep
		if b.liesAfter > 0 && sum+len(phones) > b.liesAfter {
			b.mu.Unlock()
			return b.lie(ctx, phones)
		}
		if sum+len(phones) > b.rate.Numbers {
			b.mu.Unlock()
			return nil, wa.ErrRateLimited
		}
		b.window = append(b.window, checkBatch{at: now, n: len(phones)})
	}
	answers := make([]wa.CheckAnswer, len(phones))
	for i, q := range phones {
		answers[i] = b.answerLocked(q)
	}
	b.mu.Unlock()
	if b.latency > 0 {
		if err := b.sleep(ctx, b.latency); err != nil {
			return nil, err
		}
	}
	return answers, nil
}

// lie answers "not on WhatsApp" for every number, after the usual latency.
func (b *Backend) lie(ctx context.Context, phones []string) ([]wa.CheckAnswer, error) {
	answers := make([]wa.CheckAnswer, len(phones))
	for i, q := range phones {
		answers[i] = wa.CheckAnswer{Query: q, Answered: true}
		if p, ok := ParsePhone(q); ok {
			answers[i].JID = model.JIDFromPhone(p)
		}
	}
	if b.latency > 0 {
		if err := b.sleep(ctx, b.latency); err != nil {
			return nil, err
		}
	}
	return answers, nil
}

func (b *Backend) answerLocked(q string) wa.CheckAnswer {
	a := wa.CheckAnswer{Query: q, Answered: true}
	p, ok := ParsePhone(q)
	if !ok {
		a.Err = fmt.Errorf("sim: %q: %s", q, notPhone)
		return a
	}
	if reason, bad := b.failing[p]; bad {
		if reason == "" {
			reason = "check failed"
		}
		a.Err = errors.New(reason)
		return a
	}
	answer := p
	if r, ok := b.rewrites[p]; ok {
		answer = r
	} else if !b.exists[p] {
		a.JID = model.JIDFromPhone(p)
		return a
	}
	a.Exists = true
	a.JID = model.JIDFromPhone(answer)
	if i, ok := b.byPhone[answer]; ok {
		a.VerifiedName = b.contacts[i].BusinessName
		a.LID = b.contacts[i].LID
	}
	return a
}

// CheckCalls is how many times CheckNumbers was called.
func (b *Backend) CheckCalls() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.checkCalls
}

// CheckedNumbers is every number ever passed to CheckNumbers, in order.
func (b *Backend) CheckedNumbers() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.checked)
}

// lookup finds the contact for a phone JID, "+phone" or LID.
func (b *Backend) lookupLocked(jid string) (WorldContact, string, bool) {
	if isLID(jid) {
		if i, ok := b.byLID[jid]; ok {
			return b.contacts[i], model.JIDFromPhone(b.contacts[i].Phone), true
		}
		return WorldContact{}, "", false
	}
	p, ok := normPhoneOrJID(jid)
	if !ok {
		return WorldContact{}, "", false
	}
	if i, ok := b.byPhone[p]; ok {
		return b.contacts[i], model.JIDFromPhone(p), true
	}
	if b.exists[p] {
		return WorldContact{Phone: p}, model.JIDFromPhone(p), true
	}
	return WorldContact{}, "", false
}

// UserInfo returns about, picture id and verified name of users on
// WhatsApp, keyed by the JIDs asked for. Users not on WhatsApp are left
// out; when none is found the error wraps ErrNotFound.
func (b *Backend) UserInfo(ctx context.Context, jids []string) (map[string]wa.UserInfo, error) {
	if err := b.begin(ctx, "UserInfo", map[string]any{"jids": jids}); err != nil {
		return nil, err
	}
	defer b.mu.Unlock()
	out := make(map[string]wa.UserInfo, len(jids))
	for _, j := range jids {
		c, pj, ok := b.lookupLocked(j)
		if !ok {
			continue
		}
		out[j] = wa.UserInfo{
			JID:          pj,
			About:        c.About,
			AvatarID:     avatarID(c.AvatarURL),
			VerifiedName: c.BusinessName,
			IsBusiness:   c.BusinessName != "",
		}
	}
	if len(out) == 0 && len(jids) > 0 {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, strings.Join(jids, ", "))
	}
	return out, nil
}

// ProfilePictureURL returns the contact's avatar_url ("" when it has none);
// users not on WhatsApp give an error wrapping ErrNotFound.
func (b *Backend) ProfilePictureURL(ctx context.Context, jid string) (string, error) {
	if err := b.begin(ctx, "ProfilePictureURL", map[string]any{"jid": jid}); err != nil {
		return "", err
	}
	defer b.mu.Unlock()
	c, _, ok := b.lookupLocked(jid)
	if !ok {
		return "", fmt.Errorf("%w: %s", ErrNotFound, jid)
	}
	return c.AvatarURL, nil
}

// SetBlocked blocks or unblocks a phone JID (or "+phone") and reports
// BlockChanged.
func (b *Backend) SetBlocked(ctx context.Context, jid string, blocked bool) error {
	p, ok := normPhoneOrJID(jid)
	if !ok {
		return fmt.Errorf("sim: block %q: not a phone-number JID", jid)
	}
	if err := b.begin(ctx, "SetBlocked", map[string]any{"jid": jid, "blocked": blocked}); err != nil {
		return err
	}
	defer b.mu.Unlock()
	pj := model.JIDFromPhone(p)
	err := b.changeLocked(func() error {
		b.blocked = setMember(b.blocked, pj, blocked)
		return nil
	})
	if err != nil {
		return err
	}
	b.queueLocked(wa.BlockChanged{JID: pj, Blocked: blocked})
	return nil
}

// Blocked is the current blocklist as phone JIDs.
func (b *Backend) Blocked() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.refreshLocked()
	return slices.Clone(b.blocked)
}

// LabelsSynced reports whether the simulated account's labels have been
// delivered at least once (the sync's labels stage), as the real backend
// reports the "regular" app state.
func (b *Backend) LabelsSynced(ctx context.Context) (bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.labelsSynced, nil
}

var _ wa.LabelSyncReporter = (*Backend)(nil)

// SendLabelEdit records a label change and applies it to the simulated
// account's labels (the next sync shows it). Personal accounts get
// wa.ErrNotBusiness.
func (b *Backend) SendLabelEdit(ctx context.Context, edit wa.LabelEdit) error {
	if err := b.begin(ctx, "SendLabelEdit", map[string]any{"id": edit.WALabelID, "name": edit.Name, "color": edit.Color, "deleted": edit.Deleted}); err != nil {
		return err
	}
	defer b.mu.Unlock()
	if !b.account.Business {
		return wa.ErrNotBusiness
	}
	if edit.WALabelID == "" {
		return errors.New("sim: label edit without a label id")
	}
	if !edit.Deleted {
		if strings.TrimSpace(edit.Name) == "" {
			return errors.New("sim: label edit without a name")
		}
		if edit.Color < 0 || edit.Color > MaxLabelColor {
			return fmt.Errorf("sim: label colour %d: want 0–%d", edit.Color, MaxLabelColor)
		}
	}
	err := b.changeLocked(func() error {
		i := slices.IndexFunc(b.labels, func(l WorldLabel) bool { return l.ID == edit.WALabelID })
		switch {
		case edit.Deleted && i >= 0:
			b.labels = slices.Delete(b.labels, i, i+1)
		case edit.Deleted:
		case i >= 0:
			b.labels[i].Name, b.labels[i].Color = edit.Name, edit.Color
		default:
			b.labels = append(b.labels, WorldLabel{ID: edit.WALabelID, Name: edit.Name, Color: edit.Color})
		}
		return nil
	})
	if err != nil {
		return err
	}
	b.edits = append(b.edits, edit)
	return nil
}

// SendLabelChat records a label association and applies it. The label must
// exist; personal accounts get wa.ErrNotBusiness.
func (b *Backend) SendLabelChat(ctx context.Context, waLabelID, chatJID string, assigned bool) error {
	if err := b.begin(ctx, "SendLabelChat", map[string]any{"id": waLabelID, "chat": chatJID, "assigned": assigned}); err != nil {
		return err
	}
	defer b.mu.Unlock()
	if !b.account.Business {
		return wa.ErrNotBusiness
	}
	chat := strings.TrimSpace(chatJID)
	if !isGroupJID(chat) && !isLID(chat) {
		p, ok := normPhoneOrJID(chat)
		if !ok {
			return fmt.Errorf("sim: label chat %q: not a chat JID", chatJID)
		}
		chat = model.JIDFromPhone(p)
	}
	err := b.changeLocked(func() error {
		i := slices.IndexFunc(b.labels, func(l WorldLabel) bool { return l.ID == waLabelID })
		if i < 0 {
			return fmt.Errorf("sim: unknown label id %q", waLabelID)
		}
		b.labels[i].Chats = setMember(b.labels[i].Chats, chat, assigned)
		return nil
	})
	if err != nil {
		return err
	}
	b.labelChats = append(b.labelChats, LabelChat{WALabelID: waLabelID, ChatJID: chat, Assigned: assigned})
	return nil
}

// SentLabelEdits are the label edits sent so far, in order.
func (b *Backend) SentLabelEdits() []wa.LabelEdit {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.edits)
}

// SentLabelChats are the label associations sent so far, in order.
func (b *Backend) SentLabelChats() []LabelChat {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.labelChats)
}

// setMember adds v to set (when in) or takes it out, once.
func setMember(set []string, v string, in bool) []string {
	i := slices.Index(set, v)
	switch {
	case in && i < 0:
		return append(set, v)
	case !in && i >= 0:
		return slices.Delete(set, i, i+1)
	}
	return set
}
