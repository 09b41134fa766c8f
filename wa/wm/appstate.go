package wm

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/appstate"
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
