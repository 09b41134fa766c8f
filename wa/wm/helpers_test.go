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
	"go.mau.fi/whatsmeow/proto/waAdv"
	"go.mau.fi/whatsmeow/proto/waServerSync"
	"go.mau.fi/whatsmeow/proto/waSyncAction"
	"go.mau.fi/whatsmeow/store/sqlstore"
	"go.mau.fi/whatsmeow/types"
	waLog "go.mau.fi/whatsmeow/util/log"
	_ "modernc.org/sqlite"

	"github.com/wabook/wabook/wa"
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
	ctx := context.Background()
	c := sqlstore.NewWithDB(db, "sqlite", nil)
	if err := c.Upgrade(ctx); err != nil {
		t.Fatal(err)
	}
	dev := c.NewDevice()
	jid := types.NewADJID(ownPhone, 0, 12)
	dev.ID = &jid
	dev.LID = types.NewADJID("299999999999999", 0, 12)
	dev.LID.Server = types.HiddenUserServer
	dev.PushName = "Acme"
	dev.Platform = "android"
	if business {
		dev.BusinessName = "Acme Inc"
		dev.Platform = "smba"
	}
	dev.Account = &waAdv.ADVSignedDeviceIdentity{
		Details:             []byte{1},
		AccountSignature:    make([]byte, 64),
		AccountSignatureKey: make([]byte, 32),
		DeviceSignature:     make([]byte, 64),
	}
	if err := dev.Save(ctx); err != nil {
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

// expectQuiet checks that no event arrives for a while.
func expectQuiet(t *testing.T, b *Backend, d time.Duration) {
	t.Helper()
	select {
	case ev := <-b.Events():
		t.Fatalf("unexpected event %#v", ev)
	case <-time.After(d):
	}
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
