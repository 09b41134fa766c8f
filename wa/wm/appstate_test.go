package wm

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/appstate"
	"go.mau.fi/whatsmeow/proto/waServerSync"
	"go.mau.fi/whatsmeow/proto/waSyncAction"
	wastore "go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/store/sqlstore"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	waLog "go.mau.fi/whatsmeow/util/log"
	"google.golang.org/protobuf/proto"

	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/wa"
)

// testKV is a wa.KV in a table of the test database, so a mark survives
// into the next Backend on the same file as it does with the mirror's
// settings table.
type testKV struct{ db *sql.DB }

// pairedKV is the database of a paired account with a testKV in it.
func pairedKV(t *testing.T) (*sql.DB, testKV) {
	t.Helper()
	db := openDB(t)
	savePairedDevice(t, db, true)
	return db, newTestKV(t, db)
}

func newTestKV(t *testing.T, db *sql.DB) testKV {
	t.Helper()
	if _, err := db.Exec(`CREATE TABLE IF NOT EXISTS test_kv (key TEXT PRIMARY KEY, value TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	return testKV{db}
}

func (k testKV) Get(ctx context.Context, key string) (string, error) {
	var v string
	err := k.db.QueryRowContext(ctx, `SELECT value FROM test_kv WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, err
}

func (k testKV) Set(ctx context.Context, key, value string) error {
	_, err := k.db.ExecContext(ctx, `INSERT INTO test_kv (key, value) VALUES (?, ?)
ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}

func (k testKV) mark(t *testing.T) string {
	t.Helper()
	v, err := k.Get(context.Background(), resyncMarkKey)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// appStateServer plays WhatsApp's side of app-state sync: it encodes
// patches with whatsmeow's own encoder and an app-state key the device also
// holds, keeping the server's LTHash and MACs in a device store of its own.
// Its fetch does what whatsmeow's Client.FetchAppState does (delete the
// version on a full sync, read the version, apply the patches after it,
// dispatch the events; PROTOCOL.md, "App state (contacts, labels)", "Full
// sync"), through whatsmeow's real ApplyAppStatePatches; the one difference
// is that a full sync gets the patches from version 1 instead of a snapshot
// (PROTOCOL.md, same section, "Test server").
type appStateServer struct {
	t     *testing.T
	proc  *appstate.Processor
	keyID []byte
	key   wastore.AppStateSyncKey

	mu      sync.Mutex
	state   map[appstate.WAPatchName]appstate.HashState
	patches map[appstate.WAPatchName][]*waServerSync.SyncdPatch
}

func newAppStateServer(t *testing.T) *appStateServer {
	t.Helper()
	ctx := context.Background()
	db := openDB(t)
	savePairedDevice(t, db, true)
	dev, err := sqlstore.NewWithDB(db, "sqlite", nil).GetFirstDevice(ctx)
	if err != nil {
		t.Fatal(err)
	}
	data := make([]byte, 32)
	rand.Read(data)
	s := &appStateServer{
		t:       t,
		proc:    appstate.NewProcessor(dev, waLog.Noop),
		keyID:   []byte{0, 0, 0, 1},
		key:     wastore.AppStateSyncKey{Data: data, Fingerprint: []byte{1}, Timestamp: time.Now().UnixMilli()},
		state:   map[appstate.WAPatchName]appstate.HashState{},
		patches: map[appstate.WAPatchName][]*waServerSync.SyncdPatch{},
	}
	if err := dev.AppStateKeys.PutAppStateSyncKey(ctx, s.keyID, s.key); err != nil {
		t.Fatal(err)
	}
	return s
}

// shareKey gives the device the app-state key, as the phone does.
func (s *appStateServer) shareKey(b *Backend) {
	s.t.Helper()
	if err := b.cli().Store.AppStateKeys.PutAppStateSyncKey(context.Background(), s.keyID, s.key); err != nil {
		s.t.Fatal(err)
	}
}

// add makes the next patch of a collection.
func (s *appStateServer) add(name appstate.WAPatchName, muts ...appstate.MutationInfo) {
	s.t.Helper()
	ctx := context.Background()
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.state[name]
	raw, err := s.proc.EncodePatch(ctx, s.keyID, st, appstate.PatchInfo{Type: name, Mutations: muts})
	if err != nil {
		s.t.Fatal(err)
	}
	var p waServerSync.SyncdPatch
	if err := proto.Unmarshal(raw, &p); err != nil {
		s.t.Fatal(err)
	}
	p.Version = &waServerSync.SyncdVersion{Version: proto.Uint64(st.Version + 1)}
	// Decoding decrypts the blobs in place: every reader gets a copy.
	list := &appstate.PatchList{Name: name, Patches: []*waServerSync.SyncdPatch{proto.Clone(&p).(*waServerSync.SyncdPatch)}}
	if _, st, err = s.proc.DecodePatches(ctx, list, st, true); err != nil {
		s.t.Fatal(err)
	}
	s.state[name] = st
	s.patches[name] = append(s.patches[name], &p)
}

func (s *appStateServer) version(name appstate.WAPatchName) uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state[name].Version
}

// fetch syncs one collection of b's device from the server.
func (s *appStateServer) fetch(b *Backend) func(context.Context, appstate.WAPatchName, bool, bool) error {
	return func(ctx context.Context, name appstate.WAPatchName, fullSync, onlyIfNotSynced bool) error {
		cli := b.cli()
		if fullSync {
			if err := cli.Store.AppState.DeleteAppStateVersion(ctx, string(name)); err != nil {
				return err
			}
		}
		version, hash, err := cli.Store.AppState.GetAppStateVersion(ctx, string(name))
		if err != nil {
			return err
		}
		if version == 0 {
			fullSync = true
		} else if onlyIfNotSynced {
			return nil
		}
		s.mu.Lock()
		var todo []*waServerSync.SyncdPatch
		for _, p := range s.patches[name] {
			if p.GetVersion().GetVersion() > version {
				todo = append(todo, proto.Clone(p).(*waServerSync.SyncdPatch))
			}
		}
		s.mu.Unlock()
		var evs []any
		list := &appstate.PatchList{Name: name, Patches: todo}
		//nolint:staticcheck // DangerousInternals runs whatsmeow's own patch handling without a server
		in := cli.DangerousInternals()
		if _, err := in.ApplyAppStatePatches(ctx, name, appstate.HashState{Version: version, Hash: hash}, list, fullSync, &evs); err != nil {
			return err
		}
		if fullSync {
			evs = append(evs, &events.AppStateSyncComplete{Name: name})
		}
		for _, e := range evs {
			in.DispatchEvent(e)
		}
		return nil
	}
}

// notified does what whatsmeow does on a server_sync notification: fetch,
// and only log a failure, on the client's logger (PROTOCOL.md, "App state
// (contacts, labels)", "What a mismatch looks like").
func (s *appStateServer) notified(ctx context.Context, b *Backend, name appstate.WAPatchName) error {
	err := s.fetch(b)(ctx, name, false, false)
	if err != nil {
		b.cli().Log.Errorf("Failed to sync app state after notification: %v", err)
	}
	return err
}

func contactMutation(jid, full string) appstate.MutationInfo {
	return appstate.MutationInfo{
		Index:   []string{appstate.IndexContact, jid},
		Version: 2,
		Value: &waSyncAction.SyncActionValue{ContactAction: &waSyncAction.ContactAction{
			FullName: proto.String(full), FirstName: proto.String(strings.Fields(full)[0]),
		}},
	}
}

func labelMutation(id, name string) appstate.MutationInfo {
	return appstate.BuildLabelEdit(id, name, 3, false).Mutations[0]
}

const adaJID, graceJID = "14155550101@s.whatsapp.net", "14155550103@s.whatsapp.net"

// appStateBackend opens a backend on db with the mark kept in kv and its
// app-state fetches answered by srv.
func appStateBackend(t *testing.T, db *sql.DB, kv wa.KV, srv *appStateServer, wait time.Duration) (*Backend, *fakeNet) {
	t.Helper()
	b, err := New(context.Background(), db, Options{Log: waLog.Noop, State: kv, AppStateWait: wait})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	fake := &fakeNet{groupInfo: map[types.JID]*types.GroupInfo{}, groupErr: map[types.JID]error{}}
	fake.fetchAppState = srv.fetch(b)
	b.netOverride = fake
	b.contactsDelay = 20 * time.Millisecond
	srv.shareKey(b)
	return b, fake
}

// waitEvent reads events until one satisfies ok.
func waitEvent(t *testing.T, b *Backend, what string, ok func(wa.Event) bool) wa.Event {
	t.Helper()
	timeout := time.After(10 * time.Second)
	var seen []wa.Event
	for {
		select {
		case ev, open := <-b.Events():
			if !open {
				t.Fatalf("events closed while waiting for %s; saw:%s", what, describe(seen))
			}
			if ok(ev) {
				return ev
			}
			seen = append(seen, ev)
		case <-timeout:
			t.Fatalf("no %s within 10s; saw:%s", what, describe(seen))
		}
	}
}

func isResynced(ev wa.Event) bool { _, ok := ev.(wa.AppStateResynced); return ok }

func isProblem(ev wa.Event) bool { _, ok := ev.(wa.AppStateProblem); return ok }

// contactNamed waits for a re-read that carries jid with the full name.
func contactNamed(jid, full string) func(wa.Event) bool {
	return func(ev wa.Event) bool {
		cu, ok := ev.(wa.ContactsUpserted)
		return ok && slices.ContainsFunc(cu.Contacts, func(c model.Contact) bool { return c.JID == jid && c.FullName == full })
	}
}

// resyncedOnce checks that the app-state fetches so far are the one full
// resync of contacts and labels, and that it cleared the mark.
func resyncedOnce(t *testing.T, fake *fakeNet, kv testKV) {
	t.Helper()
	fake.mu.Lock()
	fetches := slices.Clone(fake.fetches)
	fake.mu.Unlock()
	if want := []string{"critical_unblock_low full", "regular full"}; !slices.Equal(fetches, want) {
		t.Fatalf("fetches = %q, want %q", fetches, want)
	}
	if got := kv.mark(t); got != "" {
		t.Fatalf("mark after the resync = %q", got)
	}
}

// blockingAppState holds whatsmeow's save of a patch between its version
// write and its MAC writes, as a slow disk or a busy database would.
type blockingAppState struct {
	wastore.AppStateStore
	blocked chan context.Context
	release chan struct{}
}

func (s *blockingAppState) DeleteAppStateMutationMACs(ctx context.Context, name string, macs [][]byte) error {
	s.blocked <- ctx
	<-s.release
	return s.AppStateStore.DeleteAppStateMutationMACs(ctx, name, macs)
}

// holdSaves puts a blocker under b's save guard.
func holdSaves(b *Backend) *blockingAppState {
	g := b.cli().Store.AppState.(*guardedAppState)
	bl := &blockingAppState{AppStateStore: g.AppStateStore, blocked: make(chan context.Context, 1), release: make(chan struct{})}
	g.AppStateStore = bl
	return bl
}

// openSession connects offline so a session (and the context whatsmeow
// would hand its handlers) exists, and returns that context.
func openSession(t *testing.T, b *Backend) context.Context {
	t.Helper()
	offline(t, b)
	if err := b.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.sess.handlerCtx
}

// sessionEnds is closed when Close (or anything else) ends b's running
// session. From then on, while a save of its handlers is held, the shield
// over their context waits on that save, and so does Close: a check that
// Close has not returned made after it cannot pass for want of Close
// having got that far.
func sessionEnds(b *Backend) <-chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.sess.ctx.Done()
}

// The acceptance test for a shutdown in the middle of a save: Close waits
// (bounded) for the handler, the handler's context stays live meanwhile,
// the wait runs out and the mark is persisted; the interrupted save really
// breaks the collection; the next Backend on the same database resyncs it
// in full on connecting, clears the mark, and incremental sync works again.
func TestShutdownDuringAppStateSaveMarksAndResyncsOnNextStart(t *testing.T) {
	t.Parallel()

	const wait = 400 * time.Millisecond
	ctx := context.Background()
	db, kv := pairedKV(t)
	srv := newAppStateServer(t)
	srv.add(appstate.WAPatchCriticalUnblockLow, contactMutation(adaJID, "Ada Lovelace"), contactMutation(graceJID, "Grace Hopper"))
	srv.add(appstate.WAPatchRegular, labelMutation("1", "VIP"))

	b1, _ := appStateBackend(t, db, kv, srv, wait)
	for _, name := range resyncCollections {
		if err := srv.fetch(b1)(ctx, name, false, false); err != nil {
			t.Fatalf("first sync of %s: %v", name, err)
		}
	}

	// A new patch arrives; whatsmeow's handler is in the middle of saving
	// it when shutdown starts.
	srv.add(appstate.WAPatchCriticalUnblockLow, contactMutation(adaJID, "Ada King"))
	handlerCtx := openSession(t, b1)
	ended := sessionEnds(b1)
	bl := holdSaves(b1)
	handlerDone := make(chan error, 1)
	go func() { handlerDone <- srv.notified(handlerCtx, b1, appstate.WAPatchCriticalUnblockLow) }()
	<-bl.blocked

	start := time.Now()
	closed := make(chan time.Duration, 1)
	go func() {
		b1.Close()
		closed <- time.Since(start)
	}()
	<-ended
	select {
	case <-closed:
		t.Fatal("Close returned while a save was in the middle")
	default:
	}
	if err := handlerCtx.Err(); err != nil {
		t.Fatalf("the handler's context ended while Close was waiting: %v", err)
	}
	var took time.Duration
	select {
	case took = <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return after the wait ran out")
	}
	if took < wait {
		t.Errorf("Close returned after %s, before the %s wait ran out", took, wait)
	}
	if handlerCtx.Err() == nil {
		t.Error("the handler's context still lives after Close")
	}
	if got := kv.mark(t); !strings.Contains(got, "stopped while the app state was being saved") {
		t.Fatalf("resync mark after the wait ran out = %q", got)
	}
	// The handler goes on with an ended context: its MAC write fails. The
	// mark is already saved, and nothing is written once Close returned.
	close(bl.release)
	if err := <-handlerDone; err != nil {
		t.Logf("handler after shutdown: %v", err)
	}
	if got := kv.mark(t); !strings.Contains(got, "stopped while the app state was being saved") {
		t.Fatalf("resync mark written after Close returned: %q", got)
	}

	// Next start, same database: the mark is reported at once.
	srv.add(appstate.WAPatchCriticalUnblockLow, contactMutation(adaJID, "Ada Lovelace King"))
	b2, fake2 := appStateBackend(t, db, kv, srv, wait)
	ev := waitEvent(t, b2, "the mark reported at start", isProblem).(wa.AppStateProblem)
	if !ev.NeedsFullResync || ev.Problem == "" {
		t.Fatalf("at start: %#v", ev)
	}
	if d := b2.Diagnostics(ctx); !d.NeedsFullResync || d.AppState["critical_unblock_low"] != 2 || d.AppState["regular"] != 1 {
		t.Fatalf("Diagnostics at start = %#v", d)
	}
	// The interrupted save really broke the collection: the next patch
	// does not verify.
	if err := srv.fetch(b2)(ctx, appstate.WAPatchCriticalUnblockLow, false, false); !errors.Is(err, appstate.ErrMismatchingLTHash) {
		t.Fatalf("incremental sync after the interrupted save: %v, want ErrMismatchingLTHash", err)
	}

	// Connecting runs the full resync once, before the sync pass.
	b2.handle(&events.Connected{})
	waitEvent(t, b2, "AppStateResynced", isResynced)
	waitEvent(t, b2, "the re-read contacts", contactNamed(adaJID, "Ada Lovelace King"))
	resyncedOnce(t, fake2, kv)
	if d := b2.Diagnostics(ctx); d.NeedsFullResync || d.AppStateProblem != "" || d.AppState["critical_unblock_low"] != srv.version(appstate.WAPatchCriticalUnblockLow) {
		t.Fatalf("Diagnostics after the resync = %#v", d)
	}
	// Incremental sync works again.
	srv.add(appstate.WAPatchCriticalUnblockLow, contactMutation(graceJID, "Grace Brewster Hopper"))
	if err := srv.notified(ctx, b2, appstate.WAPatchCriticalUnblockLow); err != nil {
		t.Fatalf("incremental sync after the resync: %v", err)
	}
	// Only once: another connection does not resync again.
	b2.handle(&events.Connected{})
	waitEvent(t, b2, "the sync pass", func(ev wa.Event) bool { _, ok := ev.(wa.SyncCompleted); return ok })
	fake2.mu.Lock()
	n := len(fake2.fetches)
	fake2.mu.Unlock()
	if n != 2 {
		t.Fatalf("%d fetches after a second connection, want the 2 of the one resync", n)
	}
}

// A save that ends within the bound is waited for: Close returns after it,
// nothing is marked, and the saved state stays sound.
func TestCloseWaitsForAppStateSaveToFinish(t *testing.T) {
	t.Parallel()

	const wait = 3 * time.Second
	ctx := context.Background()
	b1, srv, kv := syncedBackend(t, wait, "Ada King")
	handlerCtx := openSession(t, b1)
	ended := sessionEnds(b1)
	bl := holdSaves(b1)
	handlerDone := make(chan error, 1)
	go func() { handlerDone <- srv.notified(handlerCtx, b1, appstate.WAPatchCriticalUnblockLow) }()
	<-bl.blocked

	var released atomic.Bool
	closed := make(chan struct{})
	go func() {
		b1.Close()
		if !released.Load() {
			t.Error("Close returned while a save was in the middle")
		}
		close(closed)
	}()
	<-ended
	select {
	case <-closed:
		t.Fatal("Close returned while a save was in the middle")
	default:
	}
	released.Store(true)
	close(bl.release)
	if err := <-handlerDone; err != nil {
		t.Fatalf("the handler failed although the save was waited for: %v", err)
	}
	select {
	case <-closed:
	case <-time.After(wait):
		t.Fatal("Close did not return once the save was done")
	}
	if got := kv.mark(t); got != "" {
		t.Fatalf("mark after a save that finished = %q", got)
	}
	srv.add(appstate.WAPatchCriticalUnblockLow, contactMutation(adaJID, "Augusta Ada King"))
	b2, _ := appStateBackend(t, kv.db, kv, srv, wait)
	if err := srv.fetch(b2)(ctx, appstate.WAPatchCriticalUnblockLow, false, false); err != nil {
		t.Fatalf("incremental sync after a waited-for save: %v", err)
	}
}

// corrupt leaves the collection as an interrupted save does: the version
// moved on, the MACs did not.
func corrupt(t *testing.T, b *Backend, name appstate.WAPatchName) {
	t.Helper()
	inner := b.cli().Store.AppState.(*guardedAppState).AppStateStore
	v, hash, err := inner.GetAppStateVersion(context.Background(), string(name))
	if err != nil {
		t.Fatal(err)
	}
	hash[0] ^= 0xff
	if err := inner.PutAppStateVersion(context.Background(), string(name), v, hash); err != nil {
		t.Fatal(err)
	}
}

// A mismatch met by one of whatsmeow's own fetches reaches wabook only
// through whatsmeow's log: it is reported, marked, and a full resync
// (FullResync, as `wabook sync --full` and the Account screen call it)
// repairs the collection and clears the mark.
func TestMismatchIsReportedAndResynced(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	db, kv := pairedKV(t)
	srv := newAppStateServer(t)
	srv.add(appstate.WAPatchCriticalUnblockLow, contactMutation(adaJID, "Ada Lovelace"))
	srv.add(appstate.WAPatchRegular, labelMutation("1", "VIP"))
	b, fake := appStateBackend(t, db, kv, srv, time.Second)
	for _, name := range resyncCollections {
		if err := srv.fetch(b)(ctx, name, false, false); err != nil {
			t.Fatal(err)
		}
	}
	corrupt(t, b, appstate.WAPatchCriticalUnblockLow)
	srv.add(appstate.WAPatchCriticalUnblockLow, contactMutation(adaJID, "Ada King"))

	err := srv.notified(ctx, b, appstate.WAPatchCriticalUnblockLow)
	if !errors.Is(err, appstate.ErrMismatchingLTHash) {
		t.Fatalf("fetch of a corrupted collection: %v, want ErrMismatchingLTHash", err)
	}
	ev := waitEvent(t, b, "AppStateProblem", isProblem).(wa.AppStateProblem)
	if !ev.NeedsFullResync || !strings.Contains(ev.Problem, "mismatching LTHash") {
		t.Fatalf("reported %#v", ev)
	}
	if got := kv.mark(t); !strings.Contains(got, "mismatching LTHash") {
		t.Fatalf("mark = %q", got)
	}
	if d := b.Diagnostics(ctx); !d.NeedsFullResync || !strings.Contains(d.AppStateProblem, "mismatching LTHash") {
		t.Fatalf("Diagnostics = %#v", d)
	}

	if err := b.FullResync(ctx); err != nil {
		t.Fatalf("FullResync: %v", err)
	}
	waitEvent(t, b, "the re-read contacts", contactNamed(adaJID, "Ada King"))
	waitEvent(t, b, "AppStateResynced", isResynced)
	resyncedOnce(t, fake, kv)
	srv.add(appstate.WAPatchCriticalUnblockLow, contactMutation(adaJID, "Augusta Ada King"))
	if err := srv.notified(ctx, b, appstate.WAPatchCriticalUnblockLow); err != nil {
		t.Fatalf("incremental sync after the resync: %v", err)
	}
}

// A full resync that fails keeps the mark and says so; the error reaches
// the caller.
func TestFailedFullResyncKeepsTheMark(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	db, kv := pairedKV(t)
	srv := newAppStateServer(t)
	srv.add(appstate.WAPatchCriticalUnblockLow, contactMutation(adaJID, "Ada Lovelace"))
	b, fake := appStateBackend(t, db, kv, srv, time.Second)
	b.setResyncMark("the saved app state no longer matches WhatsApp's (mismatching LTHash); contacts and labels need a full resync")
	waitEvent(t, b, "the mark", isProblem)

	// The server's patch arrives damaged: its MAC does not verify even
	// from scratch.
	srv.mu.Lock()
	srv.patches[appstate.WAPatchCriticalUnblockLow][0].PatchMAC[0] ^= 0xff
	srv.mu.Unlock()
	err := b.FullResync(ctx)
	if !errors.Is(err, appstate.ErrMismatchingPatchMAC) {
		t.Fatalf("FullResync = %v, want ErrMismatchingPatchMAC", err)
	}
	ev := waitEvent(t, b, "the failure", func(ev wa.Event) bool {
		p, ok := ev.(wa.AppStateProblem)
		return ok && strings.Contains(p.Problem, "the full resync of")
	}).(wa.AppStateProblem)
	if !ev.NeedsFullResync || !strings.Contains(ev.Problem, "still due") {
		t.Fatalf("reported %#v", ev)
	}
	if kv.mark(t) == "" {
		t.Fatal("the mark was cleared by a failed resync")
	}
	if d := b.Diagnostics(ctx); !d.NeedsFullResync {
		t.Fatalf("Diagnostics = %#v", d)
	}

	// Without a connection it fails in plain words, and nothing changes.
	fake.fetchAppState = func(context.Context, appstate.WAPatchName, bool, bool) error { return whatsmeow.ErrNotConnected }
	if err := b.FullResync(ctx); !errors.Is(err, whatsmeow.ErrNotConnected) {
		t.Fatalf("FullResync offline = %v", err)
	}
	if kv.mark(t) == "" {
		t.Fatal("the mark was cleared by a failed resync")
	}
}

// failingSendNet answers SendAppState with an error.
type failingSendNet struct {
	*fakeNet
	err error
}

func (f failingSendNet) SendAppState(context.Context, appstate.PatchInfo) error { return f.err }

// A label change WhatsApp refuses is reported and marks a resync; one lost
// to the connection is only returned.
func TestFailedSendAppStateIsReported(t *testing.T) {
	t.Parallel()

	refused := fmt.Errorf("%w (regular): <error code=\"400\" text=\"bad-request\"/>", whatsmeow.ErrAppStateUpdate)
	tests := []struct {
		name     string
		err      error
		problem  string // "" when nothing is reported
		needsAll bool
	}{
		{"refused", refused, "WhatsApp refused a change to labels (regular)", true},
		{"mismatch", fmt.Errorf("failed to fetch app state after sending update: %w", appstate.ErrMismatchingLTHash), "mismatching LTHash", true},
		{"no keys", errors.New("no app state keys found, creating app state keys is not yet supported"), "sending a change to labels (regular) failed", false},
		{"offline", whatsmeow.ErrNotConnected, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, fake := newTestBackend(t, testOpts{})
			b.netOverride = failingSendNet{fake, tt.err}
			err := b.SendLabelEdit(context.Background(), wa.LabelEdit{WALabelID: "5", Name: "VIP", Color: 1})
			if !errors.Is(err, tt.err) {
				t.Fatalf("SendLabelEdit = %v, want %v", err, tt.err)
			}
			if tt.problem == "" {
				expectNothingMore(t, b)
				if d := b.Diagnostics(context.Background()); d.AppStateProblem != "" || d.NeedsFullResync {
					t.Fatalf("Diagnostics = %#v", d)
				}
				return
			}
			ev := waitEvent(t, b, "AppStateProblem", isProblem).(wa.AppStateProblem)
			if !strings.Contains(ev.Problem, tt.problem) || ev.NeedsFullResync != tt.needsAll {
				t.Fatalf("reported %#v, want %q (resync %v)", ev, tt.problem, tt.needsAll)
			}
		})
	}
}

// A mark left by an earlier run is loaded (and shown without connecting);
// clearing it (after a resync or a logout) removes it from State.
func TestResyncMarkIsLoadedAndCleared(t *testing.T) {
	t.Parallel()

	db := openDB(t)
	kv := newTestKV(t, db)
	if err := kv.Set(context.Background(), resyncMarkKey, "left over"); err != nil {
		t.Fatal(err)
	}
	b, err := New(context.Background(), db, Options{Log: waLog.Noop, State: kv})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if d := b.Diagnostics(context.Background()); !d.NeedsFullResync || d.AppStateProblem != "left over" {
		t.Fatalf("Diagnostics = %#v", d)
	}
	b.clearResyncMark()
	if kv.mark(t) != "" || b.Diagnostics(context.Background()).NeedsFullResync {
		t.Fatal("mark not cleared")
	}
}

// pausingAppState sits above the save guard, where whatsmeow calls it: it
// holds the first version write before the guard sees it, as a handler that
// has decoded a patch and is about to save it.
type pausingAppState struct {
	wastore.AppStateStore
	once   sync.Once
	paused chan struct{}
	resume chan struct{}
}

func (s *pausingAppState) PutAppStateVersion(ctx context.Context, name string, version uint64, hash [128]byte) error {
	s.once.Do(func() {
		s.paused <- struct{}{}
		<-s.resume
	})
	return s.AppStateStore.PutAppStateVersion(ctx, name, version, hash)
}

// pauseBeforeSave puts a pausingAppState above b's save guard.
func pauseBeforeSave(b *Backend) *pausingAppState {
	st := b.cli().Store
	p := &pausingAppState{AppStateStore: st.AppState, paused: make(chan struct{}), resume: make(chan struct{})}
	st.AppState = p
	return p
}

// A save that whatsmeow starts as the session's context is ending, once the
// shield saw no save in the middle, writes nothing: neither in the moment
// between that decision and the cancel (where its version write would
// succeed and its MAC writes fail on the cancelled context, breaking the
// collection) nor after the cancel (where the failed version write wrote
// nothing and needs no full resync). Either way no mark is written, during
// or after Close, and the collection goes on syncing incrementally. When
// the fetch carries a second patch, its decoding is refused too rather than
// run against MACs that lack the refused patch (a mismatch that is not in
// the saved state).
func TestSaveStartingAsTheShieldEndsWritesNothing(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name     string
		inWindow bool // the save goes on between the decision and the cancel
		patches  int  // new patches in the fetch
	}{
		{"between the decision and the cancel", true, 1},
		{"after the cancel", false, 1},
		{"two patches, between the decision and the cancel", true, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			const wait = 3 * time.Second
			ctx := context.Background()
			var next []string
			for i := range tt.patches {
				next = append(next, fmt.Sprintf("Ada King %d", i+1))
			}
			b1, srv, kv := syncedBackend(t, wait, next...)
			handlerCtx := openSession(t, b1)
			bl := holdSaves(b1)
			p := pauseBeforeSave(b1)
			handlerDone := make(chan error, 1)
			go func() { handlerDone <- srv.notified(handlerCtx, b1, appstate.WAPatchCriticalUnblockLow) }()
			<-p.paused

			// resume lets the held version write go on and waits until the
			// save is held in its MAC writes or the handler is done.
			resume := func() {
				close(p.resume)
				select {
				case <-bl.blocked:
				case err := <-handlerDone:
					handlerDone <- err
				}
			}
			if tt.inWindow {
				var once sync.Once
				b1.shieldEnding = func() { once.Do(resume) }
			}
			b1.Close()
			if !tt.inWindow {
				resume()
			}
			close(bl.release)
			if err := <-handlerDone; err != nil {
				t.Logf("handler: %v", err)
			}
			if got := kv.mark(t); got != "" {
				t.Fatalf("resync mark = %q, want none: the save wrote nothing", got)
			}

			srv.add(appstate.WAPatchCriticalUnblockLow, contactMutation(adaJID, "Augusta Ada King"))
			b2, _ := appStateBackend(t, kv.db, kv, srv, wait)
			if d := b2.Diagnostics(ctx); d.NeedsFullResync || d.AppState["critical_unblock_low"] != 1 {
				t.Fatalf("Diagnostics = %#v, want version 1 and no resync due", d)
			}
			if err := srv.fetch(b2)(ctx, appstate.WAPatchCriticalUnblockLow, false, false); err != nil {
				t.Fatalf("incremental sync after the save that wrote nothing: %v", err)
			}
		})
	}
}

// failingWrites fails the app-state writes named in fail beneath the save
// guard, as a full disk would, and counts the MAC writes that reach it.
type failingWrites struct {
	wastore.AppStateStore
	fail      map[string]error // "version", "delete", "put"
	macWrites int
}

func (s *failingWrites) PutAppStateVersion(ctx context.Context, name string, version uint64, hash [128]byte) error {
	if err := s.fail["version"]; err != nil {
		return err
	}
	return s.AppStateStore.PutAppStateVersion(ctx, name, version, hash)
}

func (s *failingWrites) DeleteAppStateMutationMACs(ctx context.Context, name string, macs [][]byte) error {
	s.macWrites++
	if err := s.fail["delete"]; err != nil {
		return err
	}
	return s.AppStateStore.DeleteAppStateMutationMACs(ctx, name, macs)
}

func (s *failingWrites) PutAppStateMutationMACs(ctx context.Context, name string, version uint64, muts []wastore.AppStateMutationMAC) error {
	s.macWrites++
	if err := s.fail["put"]; err != nil {
		return err
	}
	return s.AppStateStore.PutAppStateMutationMACs(ctx, name, version, muts)
}

// Which failed writes of a save mark a full resync: a failed version write
// on an ended context wrote nothing (and the save's MAC writes must then
// not be made either); a failed write of a save whose version was written,
// or a version write that failed for another reason while whatsmeow goes
// on decoding, leaves the collection broken.
func TestFailedSaveWritesMarkOnlyWhenSomethingWasWritten(t *testing.T) {
	t.Parallel()

	diskErr := errors.New("disk I/O error")
	tests := []struct {
		name      string
		ended     bool // the save's context has ended
		fail      map[string]error
		mark      bool
		macWrites int
	}{
		{"a save that succeeds", false, nil, false, 2},
		{"version write on an ended context", true, nil, false, 0},
		{"version write fails", false, map[string]error{"version": diskErr}, true, 0},
		{"MAC delete of a started save fails", false, map[string]error{"delete": diskErr}, true, 2},
		{"MAC write of a started save fails", false, map[string]error{"put": diskErr}, true, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, kv := pairedKV(t)
			b, err := New(context.Background(), db, Options{Log: waLog.Noop, State: kv})
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			g := b.cli().Store.AppState.(*guardedAppState)
			inner := &failingWrites{AppStateStore: g.AppStateStore, fail: tt.fail}
			g.AppStateStore = inner

			ctx, cancel := context.WithCancel(context.Background())
			if tt.ended {
				cancel()
			}
			defer cancel()
			// The three writes of whatsmeow's save of one patch, in order
			// (PROTOCOL.md, "App state": how a save can break).
			name := string(appstate.WAPatchRegular)
			_ = g.PutAppStateVersion(ctx, name, 7, [128]byte{1})
			mac := func(b byte) []byte { return bytes.Repeat([]byte{b}, 32) }
			_ = g.DeleteAppStateMutationMACs(ctx, name, [][]byte{mac(1)})
			_ = g.PutAppStateMutationMACs(ctx, name, 7, []wastore.AppStateMutationMAC{{IndexMAC: mac(2), ValueMAC: mac(3)}})

			if got := kv.mark(t) != ""; got != tt.mark {
				t.Errorf("marked = %v, want %v (mark %q)", got, tt.mark, kv.mark(t))
			}
			if inner.macWrites != tt.macWrites {
				t.Errorf("%d MAC writes reached the store, want %d", inner.macWrites, tt.macWrites)
			}
			g.g.mu.Lock()
			saving := len(g.g.saving)
			g.g.mu.Unlock()
			if saving != 0 {
				t.Errorf("the guard still counts %d saves in the middle", saving)
			}
		})
	}
}

// syncedBackend is a backend of a paired account whose contacts collection
// is synced once (Ada Lovelace), with a patch for each name in next waiting
// on the server.
func syncedBackend(t *testing.T, wait time.Duration, next ...string) (*Backend, *appStateServer, testKV) {
	t.Helper()
	db, kv := pairedKV(t)
	srv := newAppStateServer(t)
	srv.add(appstate.WAPatchCriticalUnblockLow, contactMutation(adaJID, "Ada Lovelace"))
	b, _ := appStateBackend(t, db, kv, srv, wait)
	if err := srv.fetch(b)(context.Background(), appstate.WAPatchCriticalUnblockLow, false, false); err != nil {
		t.Fatal(err)
	}
	for _, name := range next {
		srv.add(appstate.WAPatchCriticalUnblockLow, contactMutation(adaJID, name))
	}
	return b, srv, kv
}

// A shield waits for its own saves only: while a full resync (a shield of
// its own) is in the middle of a save, the session's shield, whose handler
// saved nothing, ends at once when the session ends, and marks nothing; the
// resync's save then finishes and the collection stays sound.
func TestShieldEndsWithoutWaitingForAnotherShieldsSave(t *testing.T) {
	const wait = time.Second
	ctx := context.Background()
	b, srv, kv := syncedBackend(t, wait, "Ada King")
	handlerCtx := openSession(t, b)

	resyncCtx, releaseResync, err := b.shield(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer releaseResync()
	bl := holdSaves(b)
	saveDone := make(chan error, 1)
	go func() { saveDone <- srv.notified(resyncCtx, b, appstate.WAPatchCriticalUnblockLow) }()
	<-bl.blocked

	start := time.Now()
	b.Disconnect()
	select {
	case <-handlerCtx.Done():
	case <-time.After(wait / 2):
		t.Fatalf("the session's shield still waits %s after the session ended, for a save that is not its own", wait/2)
	}
	t.Logf("the session's shield ended after %s", time.Since(start))
	close(bl.release)
	if err := <-saveDone; err != nil {
		t.Fatalf("the other shield's save: %v", err)
	}
	releaseResync()
	b.Close() // waits for every shield: any mark is written by now
	if got := kv.mark(t); got != "" {
		t.Fatalf("resync mark = %q, want none: no save was cut", got)
	}
	srv.add(appstate.WAPatchCriticalUnblockLow, contactMutation(adaJID, "Augusta Ada King"))
	b2, _ := appStateBackend(t, kv.db, kv, srv, wait)
	if err := srv.fetch(b2)(ctx, appstate.WAPatchCriticalUnblockLow, false, false); err != nil {
		t.Fatalf("incremental sync after the other shield's save: %v", err)
	}
}

// stallingAppState is a MAC write stuck in the database: it holds SQLite's
// write lock (a transaction begun IMMEDIATE, as the test database opens
// them) until the save's context ends, as an interrupted statement does.
type stallingAppState struct {
	wastore.AppStateStore
	db      *sql.DB
	stalled chan struct{}
}

func (s *stallingAppState) DeleteAppStateMutationMACs(ctx context.Context, _ string, _ [][]byte) error {
	tx, err := s.db.BeginTx(context.Background(), nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`UPDATE test_kv SET value = value`); err != nil {
		return err
	}
	close(s.stalled)
	<-ctx.Done()
	return ctx.Err()
}

// When the database is what stalls a save, the shield's wait runs out
// while the save holds SQLite's write lock: the mark is still saved, at
// once, because the cancel that ends the stalled write comes first.
func TestMarkIsSavedWhenTheDatabaseStallsTheSave(t *testing.T) {
	t.Parallel()

	const wait = 300 * time.Millisecond
	b, srv, kv := syncedBackend(t, wait, "Ada King")
	handlerCtx := openSession(t, b)
	g := b.cli().Store.AppState.(*guardedAppState)
	st := &stallingAppState{AppStateStore: g.AppStateStore, db: kv.db, stalled: make(chan struct{})}
	g.AppStateStore = st
	handlerDone := make(chan error, 1)
	go func() { handlerDone <- srv.notified(handlerCtx, b, appstate.WAPatchCriticalUnblockLow) }()
	<-st.stalled

	start := time.Now()
	b.Close()
	took := time.Since(start)
	// whatsmeow only logs a failed write of a save and goes on.
	if err := <-handlerDone; err != nil {
		t.Logf("handler: %v", err)
	}
	if got := kv.mark(t); !strings.Contains(got, "stopped while the app state was being saved") {
		t.Fatalf("resync mark = %q, want it saved", got)
	}
	if took > wait+2*time.Second {
		t.Errorf("Close took %s; the mark's write waited behind the stalled save", took)
	}
}

// After a logout the session's shield, still waiting for a save in the
// middle, runs out of time later: it marks nothing, nor does the save it
// cuts, so the logged-out account shows no full resync as due.
func TestLogoutLeavesNoMarkFromTheEndingSession(t *testing.T) {
	t.Parallel()

	for _, how := range []string{"from wabook", "from the phone"} {
		t.Run(how, func(t *testing.T) {
			t.Parallel()
			testLogoutLeavesNoMark(t, how == "from the phone")
		})
	}
}

func testLogoutLeavesNoMark(t *testing.T, fromPhone bool) {
	const wait = 300 * time.Millisecond
	b, srv, kv := syncedBackend(t, wait, "Ada King")
	b.setResyncMark("left over")
	handlerCtx := openSession(t, b)
	bl := holdSaves(b)
	handlerDone := make(chan error, 1)
	go func() { handlerDone <- srv.notified(handlerCtx, b, appstate.WAPatchCriticalUnblockLow) }()
	<-bl.blocked

	if fromPhone {
		b.handle(&events.LoggedOut{Reason: events.ConnectFailureLoggedOut})
		b.Disconnect() // the detached session ends with the next connect or Close
	} else {
		b.loggedOutHere()
	}
	if got := kv.mark(t); got != "" {
		t.Fatalf("mark right after the logout = %q", got)
	}
	select {
	case <-handlerCtx.Done():
	case <-time.After(wait + 2*time.Second):
		t.Fatal("the session's shield did not end")
	}
	close(bl.release)
	if err := <-handlerDone; err != nil {
		t.Logf("handler: %v", err)
	}
	b.Close() // waits for every shield: any mark is written by now
	if got := kv.mark(t); got != "" {
		t.Fatalf("mark after the logged-out session's shield ended = %q, want none", got)
	}
	if d := b.Diagnostics(context.Background()); d.NeedsFullResync || d.AppStateProblem != "" {
		t.Fatalf("Diagnostics = %#v", d)
	}
}
