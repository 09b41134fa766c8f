package wm

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/appstate"
	waBinary "go.mau.fi/whatsmeow/binary"
	"go.mau.fi/whatsmeow/proto/waServerSync"
	"go.mau.fi/whatsmeow/proto/waSyncAction"
	"go.mau.fi/whatsmeow/types"
	waLog "go.mau.fi/whatsmeow/util/log"
	_ "modernc.org/sqlite"

	"github.com/wabook/wabook/wa"
	"github.com/wabook/wabook/wa/wm/wmtest"
)

// ownPhone is the test account's number.
const ownPhone = "14155550100"

// openDB opens a fresh database file the way store.Open does.
func openDB(t *testing.T) *sql.DB {
	t.Helper()
	path := filepath.Join(t.TempDir(), "wabook.db")
	db, err := sql.Open("sqlite", "file:"+path+
		"?_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// savePairedDevice stores a device with an identity, as pairing would, so
// New loads a paired session. business makes it a WhatsApp Business one.
func savePairedDevice(t *testing.T, db *sql.DB, business bool) {
	t.Helper()
	if err := wmtest.SavePairedDevice(context.Background(), db, ownPhone, business); err != nil {
		t.Fatal(err)
	}
}

type testOpts struct {
	unpaired       bool
	personal       bool
	contactsSynced bool
}

// newTestBackend returns a backend on a real device store with its network
// calls going to a fake.
func newTestBackend(t *testing.T, o testOpts) (*Backend, *fakeNet) {
	t.Helper()
	db := openDB(t)
	if !o.unpaired {
		savePairedDevice(t, db, !o.personal)
	}
	b, err := New(context.Background(), db, Options{Log: waLog.Noop})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	fake := &fakeNet{groupInfo: map[types.JID]*types.GroupInfo{}, groupErr: map[types.JID]error{}}
	b.netOverride = fake
	serveBlocklist(t, fake, "list_empty") // an account that blocked nobody
	b.contactsDelay = 20 * time.Millisecond
	if o.contactsSynced && !o.unpaired {
		var hash [128]byte
		// Below the save guard: this is no save of whatsmeow's (appstate.go).
		err := b.client.Store.AppState.(*guardedAppState).AppStateStore.PutAppStateVersion(context.Background(), string(appstate.WAPatchCriticalUnblockLow), 7, hash)
		if err != nil {
			t.Fatal(err)
		}
	}
	return b, fake
}

// next returns the next event, failing the test after a while.
func next(t *testing.T, b *Backend) wa.Event {
	t.Helper()
	select {
	case ev, ok := <-b.Events():
		if !ok {
			t.Fatal("events channel closed")
		}
		return ev
	case <-time.After(5 * time.Second):
		t.Fatal("no event within 5s")
	}
	return nil
}

// expect reads len(want) events and compares them with want, in order.
func expect(t *testing.T, b *Backend, want ...wa.Event) {
	t.Helper()
	for i, w := range want {
		got := next(t, b)
		if !reflect.DeepEqual(got, w) {
			t.Fatalf("event %d:\n got %#v\nwant %#v", i, got, w)
		}
	}
}

// endMark is the event expectNothingMore sends through the backend's own
// queue. A type of the test's (it borrows wa.SyncCompleted's marker method)
// can never be mistaken for one the backend reports.
type endMark struct{ wa.SyncCompleted }

// expectNothingMore checks that the backend reports nothing more of the work
// done so far. Instead of waiting for a while, it queues a task on the
// backend's worker that emits endMark, and requires that mark to be the
// next event: events are queued in order, so by then everything handle
// emitted and every task queued before (each emits before it ends) has
// had its events delivered. Work started by a timer or another goroutine
// needs its own signal first (manualTimers, waitFor).
func expectNothingMore(t *testing.T, b *Backend) {
	t.Helper()
	b.enqueue(func(context.Context) { b.emit(endMark{}) })
	if ev := next(t, b); ev != (endMark{}) {
		t.Fatalf("unexpected event %#v", ev)
	}
}

// manualTimers stands in for the timers b arms (Backend.afterFunc): none
// fires by itself, the test fires them, so it knows how many are pending
// without waiting to see whether one fires.
type manualTimers struct {
	mu    sync.Mutex
	timer []*manualTimer
}

type manualTimer struct {
	d     time.Duration
	f     func()
	fired bool
	// stand is what the backend holds and may Stop; it never runs out.
	stand *time.Timer
}

const neverFires = 100 * 365 * 24 * time.Hour

func useManualTimers(b *Backend) *manualTimers {
	m := &manualTimers{}
	b.afterFunc = func(d time.Duration, f func()) *time.Timer {
		mt := &manualTimer{d: d, f: f, stand: time.AfterFunc(neverFires, func() {})}
		m.mu.Lock()
		m.timer = append(m.timer, mt)
		m.mu.Unlock()
		return mt.stand
	}
	return m
}

// pending lists the timers neither fired nor stopped by the backend.
func (m *manualTimers) pending() []*manualTimer {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []*manualTimer
	for _, mt := range m.timer {
		// Stop tells whether the backend stopped it; Reset arms it again.
		if !mt.fired && mt.stand.Stop() {
			mt.stand.Reset(neverFires)
			out = append(out, mt)
		}
	}
	return out
}

// fire requires exactly one pending timer, armed for d, and fires it.
func (m *manualTimers) fire(t *testing.T, d time.Duration) {
	t.Helper()
	p := m.pending()
	if len(p) != 1 || p[0].d != d {
		t.Fatalf("%d timers pending (%s), want one of %s", len(p), m.describe(p), d)
	}
	m.mu.Lock()
	p[0].fired = true
	p[0].stand.Stop()
	m.mu.Unlock()
	p[0].f()
}

// expectNone requires no timer to be pending.
func (m *manualTimers) expectNone(t *testing.T) {
	t.Helper()
	if p := m.pending(); len(p) != 0 {
		t.Fatalf("%d timers still pending (%s), want none", len(p), m.describe(p))
	}
}

func (m *manualTimers) describe(p []*manualTimer) string {
	ds := make([]string, len(p))
	for i, mt := range p {
		ds[i] = mt.d.String()
	}
	return strings.Join(ds, ", ")
}

func pn(user string) types.JID  { return types.NewJID(user, types.DefaultUserServer) }
func lid(user string) types.JID { return types.NewJID(user, types.HiddenUserServer) }

func mustJID(t *testing.T, s string) types.JID {
	t.Helper()
	j, err := types.ParseJID(s)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// dispatch runs an app state mutation through whatsmeow's own handling:
// the device store is updated as in a real sync and the event whatsmeow
// would dispatch is returned.
func dispatch(t *testing.T, b *Backend, index []string, action *waSyncAction.SyncActionValue) any {
	t.Helper()
	m := appstate.Mutation{
		Operation: waServerSync.SyncdMutation_SET,
		Action:    action,
		Version:   2,
		Index:     index,
	}
	//nolint:staticcheck // DangerousInternals is the only way to run a mutation without a server
	evt := b.client.DangerousInternals().DispatchAppState(context.Background(), m, false)
	if evt == nil {
		t.Fatalf("mutation %v produced no event", index)
	}
	return evt
}

// fakeNet answers the network calls.
type fakeNet struct {
	mu          sync.Mutex
	groups      []*types.GroupInfo
	groupsErr   error
	groupsCalls int
	groupInfo   map[types.JID]*types.GroupInfo
	groupErr    map[types.JID]error
	userInfo    map[types.JID]types.UserInfo
	pictures    map[types.JID]*types.ProfilePictureInfo
	pictureErr  error
	patches     []appstate.PatchInfo
	// iq answers SendIQ by namespace ("usync", "blocklist", …) with a reply
	// node; iqs records every query sent.
	iq  map[string]func(q whatsmeow.DangerousInfoQuery) (*waBinary.Node, error)
	iqs []whatsmeow.DangerousInfoQuery
	// fetchAppState answers FetchAppState (appstate_test.go has a server);
	// fetches records each call as "name full|patches".
	fetchAppState func(ctx context.Context, name appstate.WAPatchName, fullSync, onlyIfNotSynced bool) error
	fetches       []string
}

func (f *fakeNet) FetchAppState(ctx context.Context, name appstate.WAPatchName, fullSync, onlyIfNotSynced bool) error {
	f.mu.Lock()
	kind := "patches"
	if fullSync {
		kind = "full"
	}
	f.fetches = append(f.fetches, string(name)+" "+kind)
	fn := f.fetchAppState
	f.mu.Unlock()
	if fn == nil {
		return errors.New("no app state server configured")
	}
	return fn(ctx, name, fullSync, onlyIfNotSynced)
}

// SendIQ hands the query to the namespace's handler. A reply of type
// "error" becomes a *whatsmeow.IQError carrying the <error> child's code
// and text, as whatsmeow's own sendIQ does with a server reply (PROTOCOL.md).
func (f *fakeNet) SendIQ(ctx context.Context, q whatsmeow.DangerousInfoQuery) (*waBinary.Node, error) {
	f.mu.Lock()
	f.iqs = append(f.iqs, q)
	h := f.iq[q.Namespace]
	f.mu.Unlock()
	if h == nil {
		return nil, fmt.Errorf("no answer configured for %s queries", q.Namespace)
	}
	res, err := h(q)
	if err != nil || res == nil {
		return res, err
	}
	if t, _ := res.Attrs["type"].(string); res.Tag == "iq" && t == "error" {
		iqErr := &whatsmeow.IQError{RawNode: res}
		if e, ok := res.GetOptionalChildByTag("error"); ok {
			iqErr.ErrorNode = &e
			ag := e.AttrGetter()
			iqErr.Code = ag.OptionalInt("code")
			iqErr.Text = ag.OptionalString("text")
		}
		return res, iqErr
	}
	return res, nil
}

func (f *fakeNet) GetJoinedGroups(ctx context.Context) ([]*types.GroupInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.groupsCalls++
	return f.groups, f.groupsErr
}

func (f *fakeNet) GetGroupInfo(ctx context.Context, jid types.JID) (*types.GroupInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.groupErr[jid]; err != nil {
		return nil, err
	}
	if g := f.groupInfo[jid]; g != nil {
		return g, nil
	}
	return nil, errors.New("info query timed out")
}

func (f *fakeNet) GetUserInfo(ctx context.Context, jids []types.JID) (map[types.JID]types.UserInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[types.JID]types.UserInfo{}
	for _, j := range jids {
		if info, ok := f.userInfo[j]; ok {
			out[j] = info
		}
	}
	return out, nil
}

func (f *fakeNet) GetProfilePictureInfo(ctx context.Context, jid types.JID, params *whatsmeow.GetProfilePictureParams) (*types.ProfilePictureInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if params == nil {
		return nil, errors.New("nil params")
	}
	if f.pictureErr != nil {
		return nil, f.pictureErr
	}
	return f.pictures[jid], nil
}

func (f *fakeNet) SendAppState(ctx context.Context, patch appstate.PatchInfo) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.patches = append(f.patches, patch)
	return nil
}

// describe prints events compactly for failure messages.
func describe(evs []wa.Event) string {
	var sb strings.Builder
	for _, e := range evs {
		fmt.Fprintf(&sb, "\n  %#v", e)
	}
	return sb.String()
}
