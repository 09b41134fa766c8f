package wm

import (
	"context"
	"reflect"
	"sync"
	"testing"
	"time"

	"go.mau.fi/whatsmeow/proto/waHistorySync"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"

	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/wa"
)

// testClock is a clock the test moves by hand.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

// fakeClock makes b read the time from a clock the test moves.
func fakeClock(b *Backend) *testClock {
	c := &testClock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	b.mu.Lock()
	b.now = c.now
	b.mu.Unlock()
	return c
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// syncEvents reads events up to and including SyncCompleted.
func syncEvents(t *testing.T, b *Backend) []wa.Event {
	t.Helper()
	var evs []wa.Event
	for {
		ev := next(t, b)
		evs = append(evs, ev)
		if _, ok := ev.(wa.SyncCompleted); ok {
			return evs
		}
	}
}

func countEvents[T wa.Event](evs []wa.Event) int {
	n := 0
	for _, e := range evs {
		if _, ok := e.(T); ok {
			n++
		}
	}
	return n
}

func TestReconnectBurstIsThrottled(t *testing.T) {
	t.Parallel()

	b, fake := newTestBackend(t, testOpts{contactsSynced: true})
	ctx := context.Background()
	clock := fakeClock(b)
	srv := serveBlocklist(t, fake, "list_empty")
	if err := b.client.Store.Contacts.PutContactName(ctx, pn("14155550101"), "Ada", "Ada Lovelace"); err != nil {
		t.Fatal(err)
	}
	fake.groups = []*types.GroupInfo{teamGroup()}

	pass := func() []wa.Event {
		t.Helper()
		b.handle(&events.Connected{})
		return syncEvents(t, b)
	}
	calls := func() (groups, blocklists int) {
		fake.mu.Lock()
		groups = fake.groupsCalls
		fake.mu.Unlock()
		blocklists, _ = srv.calls()
		return
	}

	if evs := pass(); countEvents[wa.ContactsUpserted](evs) != 1 || countEvents[wa.GroupsReplaced](evs) != 1 {
		t.Fatalf("first pass: %s", describe(evs))
	}
	// Three more Connected within the minute: the sync still completes,
	// but nothing is read or fetched again.
	for i := range 3 {
		clock.advance(20 * time.Second)
		evs := pass()
		if countEvents[wa.ContactsUpserted](evs)+countEvents[wa.GroupsReplaced](evs)+countEvents[wa.BlocklistReplaced](evs) != 0 {
			t.Fatalf("reconnect %d re-read: %s", i+1, describe(evs))
		}
	}
	if g, bl := calls(); g != 1 || bl != 1 {
		t.Fatalf("GetJoinedGroups %d times, blocklist %d times; want 1 and 1", g, bl)
	}

	// A stage that failed is retried on the next reconnect, even in the
	// window; the others are not.
	fake.mu.Lock()
	fake.groupsErr = context.DeadlineExceeded
	fake.mu.Unlock()
	clock.advance(b.syncEvery)
	pass() // all due: groups fail
	fake.mu.Lock()
	fake.groupsErr = nil
	fake.mu.Unlock()
	clock.advance(time.Second)
	evs := pass()
	if countEvents[wa.GroupsReplaced](evs) != 1 || countEvents[wa.ContactsUpserted](evs) != 0 {
		t.Fatalf("after a failed group fetch: %s", describe(evs))
	}
	if g, bl := calls(); g != 3 || bl != 2 {
		t.Fatalf("GetJoinedGroups %d times, blocklist %d times; want 3 and 2", g, bl)
	}

	// Contact changes waiting to be read make the contacts stage run.
	b.mu.Lock()
	b.contactsDelay = time.Hour
	b.mu.Unlock()
	b.contactsChanged()
	clock.advance(time.Second)
	if evs := pass(); countEvents[wa.ContactsUpserted](evs) != 1 || countEvents[wa.GroupsReplaced](evs) != 0 {
		t.Fatalf("with contact changes waiting: %s", describe(evs))
	}

	// A new pairing makes the next pass a full one.
	b.handle(&events.PairSuccess{ID: types.NewADJID(ownPhone, 0, 12)})
	clock.advance(time.Second)
	if evs := pass(); countEvents[wa.ContactsUpserted](evs) != 1 || countEvents[wa.GroupsReplaced](evs) != 1 ||
		countEvents[wa.BlocklistReplaced](evs) != 1 {
		t.Fatalf("after a new pairing: %s", describe(evs))
	}
}

// historySync is a history sync blob as whatsmeow hands it over.
func historySync(names map[string]string, mappings [][2]string, convs ...*waHistorySync.Conversation) *events.HistorySync {
	hs := &waHistorySync.HistorySync{SyncType: waHistorySync.HistorySync_PUSH_NAME.Enum()}
	for id, name := range names {
		hs.Pushnames = append(hs.Pushnames, &waHistorySync.Pushname{ID: proto.String(id), Pushname: proto.String(name)})
	}
	for _, m := range mappings {
		hs.PhoneNumberToLidMappings = append(hs.PhoneNumberToLidMappings,
			&waHistorySync.PhoneNumberToLIDMapping{LidJID: proto.String(m[0]), PnJID: proto.String(m[1])})
	}
	hs.Conversations = convs
	if len(convs) > 0 {
		hs.SyncType = waHistorySync.HistorySync_RECENT.Enum()
	}
	return &events.HistorySync{Data: hs}
}

func TestHistorySyncRereadsContacts(t *testing.T) {
	t.Parallel()

	b, _ := newTestBackend(t, testOpts{contactsSynced: true})
	ctx := context.Background()
	timers := useManualTimers(b)
	st := b.client.Store
	// Ada is in the address book under her LID only: skipped until her
	// number is known.
	if err := st.Contacts.PutContactName(ctx, lid("211111111111111"), "Ada", "Ada Lovelace"); err != nil {
		t.Fatal(err)
	}
	if got, err := b.readContacts(ctx); err != nil || len(got) != 0 {
		t.Fatalf("before history sync: %+v, %v", got, err)
	}

	// Two chunks close together: one re-read covers both.
	b.handle(historySync(map[string]string{"211111111111111@lid": "ada"},
		[][2]string{{"211111111111111@lid", "14155550101@s.whatsapp.net"}}))
	b.handle(historySync(nil, nil,
		&waHistorySync.Conversation{ID: proto.String("233333333333333@lid"), PnJID: proto.String("14155550103@s.whatsapp.net")},
		&waHistorySync.Conversation{ID: proto.String("14155550104@s.whatsapp.net"), LidJID: proto.String("244444444444444@lid")},
		&waHistorySync.Conversation{ID: proto.String("120363000000000001@g.us")},
	))
	expectNothingMore(t, b) // both chunks are handled before the re-read
	timers.fire(t, b.historyDelay)
	expect(t, b, wa.ContactsUpserted{Contacts: []model.Contact{{
		JID: "14155550101@s.whatsapp.net", Phone: "+14155550101", LID: "211111111111111@lid",
		FullName: "Ada Lovelace", FirstName: "Ada", PushName: "ada", IsMyContact: true, IsWAContact: true,
		Source: model.SourceWhatsApp,
	}}})
	timers.expectNone(t)
	expectNothingMore(t, b)
	for l, want := range map[string]string{"233333333333333": "14155550103", "244444444444444": "14155550104"} {
		if got, err := st.LIDs.GetPNForLID(ctx, lid(l)); err != nil || got != pn(want) {
			t.Errorf("conversation mapping %s: %v, %v", l, got, err)
		}
	}
}

func TestGroupsTeachLIDsBeforeContacts(t *testing.T) {
	t.Parallel()

	b, fake := newTestBackend(t, testOpts{contactsSynced: true})
	ctx := context.Background()
	if err := b.client.Store.Contacts.PutContactName(ctx, lid("233333333333333"), "Cy", "Cy Young"); err != nil {
		t.Fatal(err)
	}
	fake.groups = []*types.GroupInfo{{
		JID:       types.NewJID("120363000000000005", types.GroupServer),
		GroupName: types.GroupName{Name: "Club"},
		Participants: []types.GroupParticipant{
			{JID: lid("233333333333333"), PhoneNumber: pn("14155550103")},
		},
	}}
	b.handle(&events.Connected{})
	evs := syncEvents(t, b)
	want := wa.ContactsUpserted{Contacts: []model.Contact{{
		JID: "14155550103@s.whatsapp.net", Phone: "+14155550103", LID: "233333333333333@lid",
		FullName: "Cy Young", FirstName: "Cy", IsMyContact: true, IsWAContact: true, Source: model.SourceWhatsApp,
	}}}
	found := false
	for _, e := range evs {
		if cu, ok := e.(wa.ContactsUpserted); ok {
			found = true
			if !reflect.DeepEqual(cu, want) {
				t.Fatalf("contacts: %+v", cu)
			}
		}
	}
	if !found {
		t.Fatalf("the contact known only by LID was not mirrored in the same pass: %s", describe(evs))
	}
}

func TestSkippedContactsMirroredOnceMapped(t *testing.T) {
	t.Parallel()

	b, fake := newTestBackend(t, testOpts{contactsSynced: true})
	ctx := context.Background()
	if err := b.client.Store.Contacts.PutContactName(ctx, lid("211111111111111"), "Ada", "Ada Lovelace"); err != nil {
		t.Fatal(err)
	}
	b.handle(&events.Connected{})
	if evs := syncEvents(t, b); countEvents[wa.ContactsUpserted](evs) != 0 {
		t.Fatalf("unmapped contact mirrored: %s", describe(evs))
	}
	// A later blocklist answer names her LID with her number: she is
	// read again and mirrored.
	serveBlocklist(t, fake, "list_lid")
	b.handle(&events.Blocklist{Action: events.BlocklistActionModify})
	var got wa.ContactsUpserted
	for {
		ev := next(t, b)
		if cu, ok := ev.(wa.ContactsUpserted); ok {
			got = cu
			break
		}
	}
	if len(got.Contacts) != 1 || got.Contacts[0].JID != "14155550109@s.whatsapp.net" || got.Contacts[0].FullName != "Ada Lovelace" {
		t.Fatalf("after the mapping was learnt: %+v", got)
	}
}

func TestRereadAfterNewPairing(t *testing.T) {
	t.Parallel()

	b, _ := newTestBackend(t, testOpts{})
	ctx := context.Background()
	timers := useManualTimers(b)
	b.handle(&events.PairSuccess{ID: types.NewADJID(ownPhone, 0, 12)})
	// History sync stored a push name without an event of its own.
	if _, _, err := b.client.Store.Contacts.PutPushName(ctx, pn("14155550102"), "bob"); err != nil {
		t.Fatal(err)
	}
	timers.fire(t, b.pairRereadDelay)
	expect(t, b, wa.ContactsUpserted{Contacts: []model.Contact{{
		JID: "14155550102@s.whatsapp.net", Phone: "+14155550102", PushName: "bob", IsWAContact: true,
		Source: model.SourceWhatsApp,
	}}})
	timers.expectNone(t)
	expectNothingMore(t, b)
}
