// The app-state save guard (the why is at the top of appstate.go): shielded
// handler contexts, which saves are in the middle, and the stores whatsmeow
// writes app state and contact names through.

package wm

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	wastore "go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/types"
)

// errShieldEnded refuses app-state work under a shielded context that is
// ending. It counts as a cancel, not as a failure of the app state.
var errShieldEnded = fmt.Errorf("wm: app-state work stopped because the session is ending: %w", context.Canceled)

// errSaveAborted refuses the MAC writes of a save whose version write was
// refused or failed: written alone they would not match the saved LTHash.
var errSaveAborted = errors.New("wm: app-state save abandoned: its version was not written")

// shieldKey is the context key of the shield a context comes from;
// whatsmeow passes the context, and its values, down to the store calls.
type shieldKey struct{}

// shieldState is one shielded context as the save guard sees it. Each
// shield waits for its own saves only: one whose handler saved nothing ends
// at once even while another shield's save is in the middle, and never
// marks a resync for a save it did not make.
type shieldState struct {
	// Under appStateGuard.mu:
	ending bool      // app-state work under the context is refused
	saving int       // its saves between the version write and the MAC write
	last   time.Time // its last app-state save or contact write

	// epoch is Backend.markEpoch when the shield was made; a logout moves
	// that on, and a shield of an earlier epoch marks nothing: whatsmeow
	// deleted the app state it was saving.
	epoch uint64
}

// shieldOf returns the shield ctx comes from, nil when none.
func shieldOf(ctx context.Context) *shieldState {
	sh, _ := ctx.Value(shieldKey{}).(*shieldState)
	return sh
}

// appStateGuard knows what app-state work is in flight: saves between the
// version write and the MAC write, and how recently the stores were
// written, per shield (the context of each write carries its shield). A fetch between two saves needs no waiting for: the saved
// version, LTHash and MACs agree there, and a full sync cut short leaves
// version 0 or a consistent partial state that the next fetch continues.
type appStateGuard struct {
	settle time.Duration
	// onSaveError is told about a failed write inside a save: the
	// collection's LTHash and MACs may disagree from then on. ctx is the
	// save's.
	onSaveError func(ctx context.Context, name string, err error)

	mu      sync.Mutex
	saving  map[string]int  // saves in the middle per collection
	aborted map[string]bool // the collection's current save wrote no version
	changed chan struct{}   // closed and replaced whenever a save ends
}

func newAppStateGuard(onSaveError func(context.Context, string, error)) *appStateGuard {
	return &appStateGuard{
		settle:      appStateSettle,
		onSaveError: onSaveError,
		saving:      map[string]int{},
		aborted:     map[string]bool{},
		changed:     make(chan struct{}),
	}
}

// wrap puts the guard between whatsmeow and the device's app-state and
// contact stores. whatsmeow reaches both through these interface fields.
func (g *appStateGuard) wrap(dev *wastore.Device) {
	if dev.AppState != nil {
		if _, done := dev.AppState.(*guardedAppState); !done {
			dev.AppState = &guardedAppState{AppStateStore: dev.AppState, g: g}
		}
	}
	if dev.Contacts != nil {
		if _, done := dev.Contacts.(*guardedContacts); !done {
			dev.Contacts = &guardedContacts{ContactStore: dev.Contacts, g: g}
		}
	}
}

// wakeLocked tells waiters that something ended.
func (g *appStateGuard) wakeLocked() {
	close(g.changed)
	g.changed = make(chan struct{})
}

// endingLocked reports whether ctx comes from a shield that is ending.
func endingLocked(ctx context.Context) bool {
	sh := shieldOf(ctx)
	return sh != nil && sh.ending
}

// refuses reports whether app-state work under ctx is refused.
func (g *appStateGuard) refuses(ctx context.Context) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return endingLocked(ctx)
}

// saveStart counts a save of name as in the middle, unless ctx's shield is
// ending: then the save is abandoned before it writes anything. Deciding
// this under the lock endWhenIdle decides under is what closes the gap
// between "no save in the middle" and the cancel.
func (g *appStateGuard) saveStart(ctx context.Context, name string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if endingLocked(ctx) {
		g.aborted[name] = true
		return false
	}
	delete(g.aborted, name)
	g.saving[name]++
	if sh := shieldOf(ctx); sh != nil {
		sh.saving++
		sh.last = time.Now()
	}
	return true
}

// saveAbort ends a save whose version write failed: it wrote nothing, and
// its MAC writes are refused.
func (g *appStateGuard) saveAbort(ctx context.Context, name string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.aborted[name] = true
	g.endLocked(ctx, name)
}

// abandoned reports whether the current save of name wrote no version;
// last: this is its last write, after which the next save starts afresh.
func (g *appStateGuard) abandoned(name string, last bool) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	a := g.aborted[name]
	if a && last {
		delete(g.aborted, name)
	}
	return a
}

func (g *appStateGuard) saveEnd(ctx context.Context, name string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.endLocked(ctx, name)
}

// endLocked ends a save of name made under ctx. whatsmeow makes the three
// writes of a save with one context (appstate/decode.go,
// Processor.storeMACs), so the save ends on the shield it started on.
func (g *appStateGuard) endLocked(ctx context.Context, name string) {
	// A MAC write without a version write before it (none in whatsmeow)
	// must not unbalance the count.
	if g.saving[name] > 0 {
		g.saving[name]--
	}
	if g.saving[name] == 0 {
		delete(g.saving, name)
	}
	if sh := shieldOf(ctx); sh != nil {
		if sh.saving > 0 {
			sh.saving--
		}
		sh.last = time.Now()
	}
	g.wakeLocked()
}

// touch notes a write under ctx's shield.
func (g *appStateGuard) touch(ctx context.Context) {
	sh := shieldOf(ctx)
	if sh == nil {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	sh.last = time.Now()
}

// failed reports a failed write of a save made under ctx, unless the
// write failed because ctx's own shield ended it: that shield saw the save
// in the middle when it decided to end, and marks the resync itself.
func (g *appStateGuard) failed(ctx context.Context, name string, err error) {
	g.mu.Lock()
	cut := endingLocked(ctx) && ctx.Err() != nil
	g.mu.Unlock()
	if !cut {
		g.onSaveError(ctx, name, err)
	}
}

// end marks sh as ending: app-state work under its context is refused from
// now on, except the remaining writes of a save already in the middle.
func (g *appStateGuard) end(sh *shieldState) {
	g.mu.Lock()
	defer g.mu.Unlock()
	sh.ending = true
}

// endWhenIdle waits until no save of sh's is in the middle and sh has
// written nothing for the settle time, or until wait has passed, and then
// marks sh as ending in the same step. It reports whether no save of sh's
// was left in the middle. Other shields' saves do not count: sh ending
// cuts none of them.
func (g *appStateGuard) endWhenIdle(sh *shieldState, wait time.Duration) bool {
	deadline := time.NewTimer(wait)
	defer deadline.Stop()
	for {
		g.mu.Lock()
		busy := sh.saving > 0
		quietFor := time.Since(sh.last)
		changed := g.changed
		if !busy && quietFor >= g.settle {
			sh.ending = true
			g.mu.Unlock()
			return true
		}
		g.mu.Unlock()
		var settle <-chan time.Time
		var t *time.Timer
		if !busy {
			t = time.NewTimer(g.settle - quietFor)
			settle = t.C
		}
		select {
		case <-changed:
		case <-settle:
		case <-deadline.C:
			if t != nil {
				t.Stop()
			}
			g.mu.Lock()
			idle := sh.saving == 0
			sh.ending = true
			g.mu.Unlock()
			return idle
		}
		if t != nil {
			t.Stop()
		}
	}
}

// guardedAppState is the device's app-state store as whatsmeow sees it.
// whatsmeow saves a patch as PutAppStateVersion, DeleteAppStateMutationMACs,
// PutAppStateMutationMACs, in that order, for one collection, one save at a
// time, going on after a failed write (PROTOCOL.md, "App state (contacts,
// labels)", "How a save can break").
type guardedAppState struct {
	wastore.AppStateStore
	g *appStateGuard
}

// The reads and the version delete refuse an ending shield's context too:
// a fetch that goes on after a refused save would decode its next patch
// against MACs that lack the refused one and report a mismatch the saved
// state does not have.

func (s *guardedAppState) GetAppStateVersion(ctx context.Context, name string) (uint64, [128]byte, error) {
	if s.g.refuses(ctx) {
		return 0, [128]byte{}, errShieldEnded
	}
	return s.AppStateStore.GetAppStateVersion(ctx, name)
}

func (s *guardedAppState) DeleteAppStateVersion(ctx context.Context, name string) error {
	if s.g.refuses(ctx) {
		return errShieldEnded
	}
	return s.AppStateStore.DeleteAppStateVersion(ctx, name)
}

func (s *guardedAppState) GetAppStateMutationMAC(ctx context.Context, name string, indexMAC []byte) ([]byte, error) {
	if s.g.refuses(ctx) {
		return nil, errShieldEnded
	}
	return s.AppStateStore.GetAppStateMutationMAC(ctx, name, indexMAC)
}

func (s *guardedAppState) PutAppStateVersion(ctx context.Context, name string, version uint64, hash [128]byte) error {
	if !s.g.saveStart(ctx, name) {
		return errShieldEnded
	}
	err := s.AppStateStore.PutAppStateVersion(ctx, name, version, hash)
	if err != nil {
		s.g.saveAbort(ctx, name)
		// The version write wrote nothing. On an ended context every later
		// write of this fetch fails too, so the collection stays as it
		// was. Any other failure leaves whatsmeow decoding the fetch's next
		// patch on an LTHash that includes this one, whose MACs are never
		// saved: that breaks the collection.
		if ctx.Err() == nil {
			s.g.onSaveError(ctx, name, err)
		}
	}
	return err
}

func (s *guardedAppState) DeleteAppStateMutationMACs(ctx context.Context, name string, indexMACs [][]byte) error {
	if s.g.abandoned(name, false) {
		return errSaveAborted
	}
	s.g.touch(ctx)
	err := s.AppStateStore.DeleteAppStateMutationMACs(ctx, name, indexMACs)
	if err != nil {
		s.g.failed(ctx, name, err)
	}
	return err
}

func (s *guardedAppState) PutAppStateMutationMACs(ctx context.Context, name string, version uint64, mutations []wastore.AppStateMutationMAC) error {
	if s.g.abandoned(name, true) {
		return errSaveAborted
	}
	defer s.g.saveEnd(ctx, name)
	err := s.AppStateStore.PutAppStateMutationMACs(ctx, name, version, mutations)
	if err != nil {
		s.g.failed(ctx, name, err)
	}
	return err
}

// guardedContacts notes the contact writes whatsmeow makes for the
// mutations of a patch it has just saved.
type guardedContacts struct {
	wastore.ContactStore
	g *appStateGuard
}

func (s *guardedContacts) PutContactName(ctx context.Context, user types.JID, fullName, firstName string) error {
	defer s.g.touch(ctx)
	return s.ContactStore.PutContactName(ctx, user, fullName, firstName)
}

func (s *guardedContacts) PutAllContactNames(ctx context.Context, contacts []wastore.ContactEntry) error {
	defer s.g.touch(ctx)
	return s.ContactStore.PutAllContactNames(ctx, contacts)
}

// shieldLocked returns a context for app-state work under parent: it ends
// when parent ends, but not while one of its saves is in the middle, and at
// most appStateWait later (then the resync mark is set). From the moment it
// decides to end, the app-state store refuses work under it. release stops
// it early (not needed when parent ends anyway). b.mu must be held and b
// not closed; Close waits for every shield.
func (b *Backend) shieldLocked(parent context.Context) (ctx context.Context, release func()) {
	sh := &shieldState{epoch: b.markEpoch}
	ctx, cancel := context.WithCancel(context.WithValue(context.WithoutCancel(parent), shieldKey{}, sh))
	b.shields.Add(1)
	stop := context.AfterFunc(parent, func() {
		defer b.shields.Done()
		idle := b.guard.endWhenIdle(sh, b.appStateWait)
		if b.shieldEnding != nil {
			b.shieldEnding()
		}
		// Cancel before writing the mark: when the database is what
		// stalls, the save in the middle holds SQLite's write lock, and
		// the mark's write would wait for it (and give up after
		// markWriteWait) while the cancel it waits behind is what
		// releases the lock.
		cancel()
		if !idle {
			b.log.Warnf("An app-state save was still in the middle %s after its context ended; a full app-state resync is due", b.appStateWait)
			b.markFor(sh, "wabook stopped while the app state was being saved; contacts and labels need a full resync")
		}
	})
	return ctx, func() {
		if stop() {
			b.shields.Done()
		}
		b.guard.end(sh)
		cancel()
	}
}

// shield is shieldLocked for callers that do not hold b.mu.
func (b *Backend) shield(parent context.Context) (context.Context, func(), error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, nil, ErrClosed
	}
	ctx, release := b.shieldLocked(parent)
	return ctx, release, nil
}
