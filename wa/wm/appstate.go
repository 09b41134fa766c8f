package wm

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/appstate"
	wastore "go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/types"
	waLog "go.mau.fi/whatsmeow/util/log"

	"github.com/wabook/wabook/wa"
)

// App-state safety (PROTOCOL.md, "App state (contacts, labels)").
//
// whatsmeow saves a synced app-state patch in three separate writes
// (version and LTHash, removed MACs, added MACs) with the context of the
// handler that fetched it; a cancel between them leaves an LTHash that no
// longer matches the MACs, and every later patch of that collection fails to
// verify. So the context whatsmeow's handlers get is shielded: it ends only
// once no save is in the middle (bounded by appStateWait), and when the
// bound runs out the backend persists a "needs full resync" mark. From the
// moment a shield decides to end, the app-state store refuses all work under
// its context, so no save can start in the gap before the cancel. Failures
// that show such a broken state are reported and marked too; the mark makes
// the next connection fetch the contacts and labels collections from
// scratch, once.

const (
	// DefaultAppStateWait bounds how long shutdown waits for an app-state
	// save in the middle.
	DefaultAppStateWait = 5 * time.Second
	// appStateSettle is how long the app-state and contact stores must have
	// been quiet before a handler counts as done: whatsmeow writes a patch's
	// contacts right after saving the patch, with no signal at the end.
	appStateSettle = 150 * time.Millisecond
	// resyncMarkKey is the State key of the "needs a full app-state
	// resync" mark; its value is the reason in plain words, "" when unset.
	resyncMarkKey = "wa_app_state_resync"
	// markWriteWait bounds a write of the mark.
	markWriteWait = 5 * time.Second
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

// resyncCollections are the collections a full resync fetches again: the
// address book (critical_unblock_low) and labels (regular).
var resyncCollections = []appstate.WAPatchName{appstate.WAPatchCriticalUnblockLow, appstate.WAPatchRegular}

// collectionWords names a collection for people.
func collectionWords(name appstate.WAPatchName) string {
	switch name {
	case appstate.WAPatchCriticalUnblockLow:
		return "contacts (critical_unblock_low)"
	case appstate.WAPatchRegular:
		return "labels (regular)"
	}
	return string(name)
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

// loadResyncMark reads the mark left by an earlier run and reports it.
func (b *Backend) loadResyncMark(ctx context.Context) {
	if b.kv == nil {
		return
	}
	reason, err := b.kv.Get(ctx, resyncMarkKey)
	if err != nil {
		b.log.Warnf("Reading the app-state resync mark failed: %v", err)
		return
	}
	if reason == "" {
		return
	}
	b.mu.Lock()
	b.resyncReason = reason
	b.mu.Unlock()
	b.emit(wa.AppStateProblem{Problem: reason, NeedsFullResync: true})
}

// setResyncMark records that a full resync is due (in State when there is
// one, until Close returns), reports it and, when connected, starts the
// automatic resync.
func (b *Backend) setResyncMark(reason string) { b.markFor(nil, reason) }

// markFor is setResyncMark for a problem met under shield sh (nil: under
// none): nothing is marked when a logout came after sh was made.
func (b *Backend) markFor(sh *shieldState, reason string) {
	b.markMu.Lock()
	defer b.markMu.Unlock()
	b.mu.Lock()
	if sh != nil && sh.epoch != b.markEpoch {
		b.mu.Unlock()
		return
	}
	changed := b.resyncReason != reason || b.asProblem != reason
	b.resyncReason, b.asProblem = reason, reason
	b.mu.Unlock()
	if !changed {
		return
	}
	if b.kv != nil && !b.marksDone {
		ctx, cancel := context.WithTimeout(context.Background(), markWriteWait)
		err := b.kv.Set(ctx, resyncMarkKey, reason)
		cancel()
		if err != nil {
			b.log.Errorf("Saving the app-state resync mark failed: %v", err)
		}
	}
	b.emit(wa.AppStateProblem{Problem: reason, NeedsFullResync: true})
	if b.cli().IsLoggedIn() {
		b.enqueue(b.autoResync)
	}
}

// clearResyncMark forgets the mark after a full resync (or a logout, after
// which the next pairing starts from scratch anyway; see loggedOutHere for
// the shields still ending then).
func (b *Backend) clearResyncMark() {
	b.markMu.Lock()
	defer b.markMu.Unlock()
	b.mu.Lock()
	had := b.resyncReason != ""
	b.resyncReason, b.asProblem, b.autoTried = "", "", false
	b.mu.Unlock()
	if !had || b.kv == nil || b.marksDone {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), markWriteWait)
	defer cancel()
	if err := b.kv.Set(ctx, resyncMarkKey, ""); err != nil {
		b.log.Errorf("Clearing the app-state resync mark failed: %v", err)
	}
}

// isAppStateMismatch reports whether err shows a collection whose saved
// state no longer matches WhatsApp's: the LTHash or a patch MAC does not
// verify.
func isAppStateMismatch(err error) bool {
	return errors.Is(err, appstate.ErrMismatchingLTHash) || errors.Is(err, appstate.ErrMismatchingPatchMAC)
}

// appStateFailed looks at an app-state error from any source: a mismatch
// marks a full resync as due.
func (b *Backend) appStateFailed(err error) {
	if isAppStateMismatch(err) {
		b.setResyncMark("the saved app state no longer matches WhatsApp's (" + mismatchWords(err) + "); contacts and labels need a full resync")
	}
}

func mismatchWords(err error) string {
	if errors.Is(err, appstate.ErrMismatchingPatchMAC) {
		return "mismatching patch MAC"
	}
	return "mismatching LTHash"
}

// saveFailed is the guard's report of a failed write inside a save made
// under ctx.
func (b *Backend) saveFailed(ctx context.Context, name string, err error) {
	b.log.Errorf("Saving app state %s failed: %v", name, err)
	b.markFor(shieldOf(ctx), fmt.Sprintf("saving the app state of %s failed (%v); contacts and labels need a full resync",
		collectionWords(appstate.WAPatchName(name)), err))
}

// reportProblem reports an app-state problem that needs no resync.
func (b *Backend) reportProblem(problem string) {
	b.mu.Lock()
	needs := b.resyncReason != ""
	changed := b.asProblem != problem
	b.asProblem = problem
	b.mu.Unlock()
	if changed {
		b.emit(wa.AppStateProblem{Problem: problem, NeedsFullResync: needs})
	}
}

// autoResync runs the full resync once after the mark was set: on the next
// connection, or at once when the mark is set while connected.
func (b *Backend) autoResync(ctx context.Context) {
	b.mu.Lock()
	due := b.resyncReason != "" && !b.autoTried
	if due {
		b.autoTried = true
	}
	b.mu.Unlock()
	if !due {
		return
	}
	b.log.Infof("Running the full app-state resync that was marked as due")
	if err := b.fullResync(ctx, false); err != nil {
		b.log.Warnf("The automatic full app-state resync failed: %v", err)
	}
}

// FullResync fetches the contacts (critical_unblock_low) and labels
// (regular) app state again from scratch, re-reads the contacts, and
// clears the resync mark. It needs a connection. Contacts and labels come
// as the usual events, then AppStateResynced.
func (b *Backend) FullResync(ctx context.Context) error {
	if err := b.begin(ctx); err != nil {
		return err
	}
	return b.fullResync(ctx, true)
}

func (b *Backend) fullResync(ctx context.Context, reread bool) error {
	b.resyncMu.Lock()
	defer b.resyncMu.Unlock()
	sctx, release, err := b.shield(ctx)
	if err != nil {
		return err
	}
	defer release()
	for _, name := range resyncCollections {
		err := b.net().FetchAppState(sctx, name, true, false)
		if err == nil {
			continue
		}
		b.appStateFailed(err)
		words := fmt.Sprintf("the full resync of %s failed: %s", collectionWords(name), appStateErrWords(err))
		b.mu.Lock()
		marked := b.resyncReason != ""
		b.mu.Unlock()
		if marked {
			b.reportProblem(words + "; it is still due")
		}
		return fmt.Errorf("wm: full app-state resync of %s: %w", collectionWords(name), err)
	}
	b.clearResyncMark()
	if reread {
		b.syncContacts(ctx)
	}
	b.emit(wa.AppStateResynced{})
	return nil
}

// appStateErrWords says in a few words why app-state work failed.
func appStateErrWords(err error) string {
	switch {
	case isAppStateMismatch(err):
		return "the saved state does not match WhatsApp's (" + mismatchWords(err) + ")"
	case errors.Is(err, whatsmeow.ErrNotConnected), errors.Is(err, whatsmeow.ErrIQDisconnected):
		return "not connected to WhatsApp"
	case errors.Is(err, whatsmeow.ErrIQTimedOut), errors.Is(err, context.DeadlineExceeded):
		return "WhatsApp did not answer in time"
	}
	return errWords(err)
}

// connectivityErr: the failure says nothing about the app state itself.
func connectivityErr(err error) bool {
	return errors.Is(err, whatsmeow.ErrNotConnected) || errors.Is(err, whatsmeow.ErrIQDisconnected) ||
		errors.Is(err, whatsmeow.ErrIQTimedOut) || errors.Is(err, context.Canceled) ||
		errors.Is(err, context.DeadlineExceeded)
}

// sendAppState sends a patch (label edits), shielded like a fetch:
// whatsmeow fetches and saves the collection before and after sending. A
// failure other than a lost connection is reported; one WhatsApp refused
// or one showing a broken saved state marks a full resync as due.
func (b *Backend) sendAppState(ctx context.Context, patch appstate.PatchInfo) error {
	sctx, release, err := b.shield(ctx)
	if err != nil {
		return err
	}
	defer release()
	err = b.net().SendAppState(sctx, patch)
	switch {
	case err == nil, connectivityErr(err):
	case isAppStateMismatch(err):
		b.appStateFailed(err)
	case errors.Is(err, whatsmeow.ErrAppStateUpdate):
		b.setResyncMark(fmt.Sprintf("WhatsApp refused a change to %s; contacts and labels need a full resync",
			collectionWords(patch.Type)))
	default:
		b.reportProblem(fmt.Sprintf("sending a change to %s failed: %s", collectionWords(patch.Type), errWords(err)))
	}
	return err
}

// Diagnostics tells the app-state collection versions the device store
// holds, the last app-state problem and whether a full resync is due. It
// does not connect.
func (b *Backend) Diagnostics(ctx context.Context) wa.Diagnostics {
	b.mu.Lock()
	d := wa.Diagnostics{AppStateProblem: b.asProblem, NeedsFullResync: b.resyncReason != ""}
	if d.AppStateProblem == "" {
		d.AppStateProblem = b.resyncReason
	}
	b.mu.Unlock()
	if !b.paired() {
		return d
	}
	st := b.cli().Store
	if st.AppState == nil {
		return d
	}
	d.AppState = map[string]uint64{}
	for _, name := range appstate.AllPatchNames {
		v, _, err := st.AppState.GetAppStateVersion(ctx, string(name))
		if err != nil {
			b.log.Warnf("Reading the version of app state %s failed: %v", name, err)
			continue
		}
		d.AppState[string(name)] = v
	}
	return d
}

var (
	_ wa.Diagnoser    = (*Backend)(nil)
	_ wa.FullResyncer = (*Backend)(nil)
)

// watchLog is whatsmeow's logger with an eye on app-state failures: the
// pinned whatsmeow has no event for them, and the fetches it starts itself
// (after a server_sync notification, after an app-state key share) only log
// their error ("Failed to sync app state after notification: %v", "Failed
// to do initial fetch of app state %s: %v"). The error arguments of
// warnings and errors are inspected; see PROTOCOL.md.
type watchLog struct {
	waLog.Logger
	seen func(error)
}

func (l watchLog) inspect(args []any) {
	for _, a := range args {
		if err, ok := a.(error); ok {
			l.seen(err)
		}
	}
}

func (l watchLog) Errorf(msg string, args ...any) {
	l.Logger.Errorf(msg, args...)
	l.inspect(args)
}

func (l watchLog) Warnf(msg string, args ...any) {
	l.Logger.Warnf(msg, args...)
	l.inspect(args)
}

func (l watchLog) Sub(module string) waLog.Logger {
	return watchLog{Logger: l.Logger.Sub(module), seen: l.seen}
}
