package wm

import (
	"context"
	"testing"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/appstate"
	"go.mau.fi/whatsmeow/proto/waSyncAction"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"

	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/wa"
)

func contactAction(full, first, lidJID, pnJID string) *waSyncAction.SyncActionValue {
	act := &waSyncAction.ContactAction{}
	if full != "" {
		act.FullName = proto.String(full)
	}
	if first != "" {
		act.FirstName = proto.String(first)
	}
	if lidJID != "" {
		act.LidJID = proto.String(lidJID)
	}
	if pnJID != "" {
		act.PnJID = proto.String(pnJID)
	}
	return &waSyncAction.SyncActionValue{ContactAction: act}
}

func TestAccount(t *testing.T) {
	t.Parallel()

	b, _ := newTestBackend(t, testOpts{})
	got := b.Account()
	want := wa.Account{JID: ownPhone + "@s.whatsapp.net", Phone: "+" + ownPhone, PushName: "Acme",
		IsBusiness: true, Paired: true, Platform: "smba", Device: ownPhone + ":12@s.whatsapp.net"}
	if got != want {
		t.Fatalf("Account() = %#v, want %#v", got, want)
	}

	p, _ := newTestBackend(t, testOpts{personal: true})
	if a := p.Account(); a.IsBusiness || !a.Paired || a.Platform != "android" {
		t.Fatalf("personal Account() = %#v", a)
	}

	u, _ := newTestBackend(t, testOpts{unpaired: true})
	if a := u.Account(); a.Paired || a.JID != "" || a.Phone != "" {
		t.Fatalf("unpaired Account() = %#v", a)
	}
}

func TestContactMutationRereadsContacts(t *testing.T) {
	t.Parallel()

	b, _ := newTestBackend(t, testOpts{})
	timers := useManualTimers(b)
	ctx := context.Background()
	st := b.client.Store

	// An address-book entry under the phone number that carries its LID.
	ada := dispatch(t, b, []string{appstate.IndexContact, "14155550101@s.whatsapp.net"},
		contactAction("Ada Lovelace", "Ada", "211111111111111@lid", ""))
	if _, ok := ada.(*events.Contact); !ok {
		t.Fatalf("dispatch gave %T, want *events.Contact", ada)
	}
	// Ada's push name, as whatsmeow stores it from a message.
	if _, _, err := st.Contacts.PutPushName(ctx, pn("14155550101"), "ada"); err != nil {
		t.Fatal(err)
	}
	// An entry stored under a LID, carrying its phone number; its push
	// name is stored under the phone number.
	grace := dispatch(t, b, []string{appstate.IndexContact, "233333333333333@lid"},
		contactAction("Grace Hopper", "", "", "14155550103@s.whatsapp.net"))
	if _, _, err := st.Contacts.PutPushName(ctx, pn("14155550103"), "grace"); err != nil {
		t.Fatal(err)
	}
	// A LID nobody knows the number of: not mirrored.
	ghost := dispatch(t, b, []string{appstate.IndexContact, "244444444444444@lid"},
		contactAction("Ghost", "", "", ""))
	// Someone seen in a group, not in the address book.
	if _, _, err := st.Contacts.PutPushName(ctx, pn("14155550104"), "Bob"); err != nil {
		t.Fatal(err)
	}
	// The account itself is not a contact.
	if _, _, err := st.Contacts.PutPushName(ctx, pn(ownPhone), "Acme"); err != nil {
		t.Fatal(err)
	}

	for _, evt := range []any{ada, grace, ghost} {
		b.handle(evt)
	}
	// Three changes, one re-read.
	timers.fire(t, b.contactsDelay)
	expect(t, b, wa.ContactsUpserted{Contacts: []model.Contact{
		{JID: "14155550101@s.whatsapp.net", Phone: "+14155550101", LID: "211111111111111@lid",
			FullName: "Ada Lovelace", FirstName: "Ada", PushName: "ada",
			IsMyContact: true, IsWAContact: true, Source: model.SourceWhatsApp},
		{JID: "14155550103@s.whatsapp.net", Phone: "+14155550103", LID: "233333333333333@lid",
			FullName: "Grace Hopper", PushName: "grace",
			IsMyContact: true, IsWAContact: true, Source: model.SourceWhatsApp},
		{JID: "14155550104@s.whatsapp.net", Phone: "+14155550104", PushName: "Bob",
			IsWAContact: true, Source: model.SourceWhatsApp},
	}})
	timers.expectNone(t)
	expectNothingMore(t, b)
}

func TestPushName(t *testing.T) {
	t.Parallel()

	b, _ := newTestBackend(t, testOpts{})
	timers := useManualTimers(b)
	ctx := context.Background()
	st := b.client.Store
	if err := st.LIDs.PutLIDMapping(ctx, lid("255555555555555"), pn("14155550105")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.Contacts.PutPushName(ctx, pn("14155550101"), "Ada L"); err != nil {
		t.Fatal(err)
	}

	b.handle(&events.PushName{JID: pn("14155550101"), NewPushName: "Ada L", OldPushName: "ada"})
	b.handle(&events.PushName{JID: lid("266666666666666"), JIDAlt: pn("14155550106"), NewPushName: "Alt"})
	b.handle(&events.PushName{JID: lid("255555555555555"), NewPushName: "Mapped"})
	b.handle(&events.PushName{JID: lid("277777777777777"), NewPushName: "Unknown"})
	b.handle(&events.PushName{JID: types.NewADJID(ownPhone, 0, 3), NewPushName: "Me"})
	// Five changes, one re-read.
	timers.fire(t, b.contactsDelay)
	expect(t, b,
		wa.PushNameChanged{JID: "14155550101@s.whatsapp.net", PushName: "Ada L"},
		wa.PushNameChanged{JID: "14155550106@s.whatsapp.net", PushName: "Alt"},
		wa.PushNameChanged{JID: "14155550105@s.whatsapp.net", PushName: "Mapped"},
		wa.ContactsUpserted{Contacts: []model.Contact{{
			JID: "14155550101@s.whatsapp.net", Phone: "+14155550101", PushName: "Ada L",
			IsWAContact: true, Source: model.SourceWhatsApp,
		}}},
	)
	timers.expectNone(t)
	expectNothingMore(t, b)
}

func TestBusinessName(t *testing.T) {
	t.Parallel()

	b, _ := newTestBackend(t, testOpts{})
	ctx := context.Background()
	if _, _, err := b.client.Store.Contacts.PutBusinessName(ctx, pn("14155550107"), "Widgets Ltd"); err != nil {
		t.Fatal(err)
	}
	b.handle(&events.BusinessName{JID: pn("14155550107"), NewBusinessName: "Widgets Ltd"})
	expect(t, b, wa.ContactsUpserted{Contacts: []model.Contact{{
		JID: "14155550107@s.whatsapp.net", Phone: "+14155550107",
		BusinessName: "Widgets Ltd", VerifiedName: "Widgets Ltd", IsBusiness: true,
		IsWAContact: true, Source: model.SourceWhatsApp,
	}}})
}

// teamGroup has a member by phone number, a LID member whose number
// WhatsApp sent, a LID member whose number the LID store knows, one whose
// number nobody knows and the account itself.
func teamGroup() *types.GroupInfo {
	return &types.GroupInfo{
		JID:       types.NewJID("120363000000000001", types.GroupServer),
		GroupName: types.GroupName{Name: "Team"},
		Participants: []types.GroupParticipant{
			{JID: pn("14155550101")},
			{JID: lid("288888888888888"), LID: lid("288888888888888"), PhoneNumber: pn("14155550108")},
			{JID: lid("211111111111111"), LID: lid("211111111111111")},
			{JID: lid("222222222222222"), LID: lid("222222222222222")},
			{JID: pn(ownPhone), IsAdmin: true},
		},
	}
}

var teamModel = model.Group{
	JID: "120363000000000001@g.us", Name: "Team", ParticipantCount: 5,
	Participants: []string{
		"14155550101@s.whatsapp.net",
		"14155550108@s.whatsapp.net",
		"14155550109@s.whatsapp.net",
		"222222222222222@lid",
		ownPhone + "@s.whatsapp.net",
	},
}

func TestConnectedRunsFullSync(t *testing.T) {
	t.Parallel()

	b, fake := newTestBackend(t, testOpts{contactsSynced: true})
	ctx := context.Background()
	if err := b.client.Store.LIDs.PutLIDMapping(ctx, lid("211111111111111"), pn("14155550109")); err != nil {
		t.Fatal(err)
	}
	if err := b.client.Store.Contacts.PutContactName(ctx, pn("14155550101"), "Ada", "Ada Lovelace"); err != nil {
		t.Fatal(err)
	}
	fake.groups = []*types.GroupInfo{teamGroup(), {JID: types.NewJID("120363000000000002", types.GroupServer)}}
	serveBlocklist(t, fake, "list_lid")
	clock := fakeClock(b)

	// Groups come first (issue 9: their participants teach LIDs the
	// contact read uses), then contacts, then the blocklist.
	b.handle(&events.Connected{})
	expect(t, b,
		wa.ConnectionChanged{State: wa.StateConnected},
		wa.SyncProgress{Stage: "groups", Done: 0, Total: 3},
		wa.GroupsReplaced{Groups: []model.Group{teamModel,
			{JID: "120363000000000002@g.us", Participants: []string{}}}},
		wa.SyncProgress{Stage: "contacts", Done: 1, Total: 3},
		wa.ContactsUpserted{Contacts: []model.Contact{{
			JID: "14155550101@s.whatsapp.net", Phone: "+14155550101", LID: "",
			FullName: "Ada Lovelace", FirstName: "Ada", IsMyContact: true, IsWAContact: true,
			Source: model.SourceWhatsApp,
		}}},
		wa.SyncProgress{Stage: "blocklist", Done: 2, Total: 3},
		wa.BlocklistReplaced{JIDs: []string{"14155550109@s.whatsapp.net", "14155550110@s.whatsapp.net",
			"233333333333333@lid", "14155550111@s.whatsapp.net"}},
		wa.SyncProgress{Stage: "done", Done: 3, Total: 3},
		wa.SyncCompleted{},
	)

	// A reconnect (once the pass is due again) runs the pass again; a
	// failing group fetch leaves the mirror's groups alone instead of
	// emptying them.
	fake.mu.Lock()
	fake.groupsErr = whatsmeow.ErrIQServiceUnavailable
	fake.mu.Unlock()
	serveBlocklist(t, fake, "list_empty")
	clock.advance(b.syncEvery)
	b.handle(&events.Disconnected{})
	b.handle(&events.Connected{})
	expect(t, b,
		wa.ConnectionChanged{State: wa.StateReconnecting, Attempt: 1, Detail: "the connection to WhatsApp was lost; reconnecting"},
		wa.ConnectionChanged{State: wa.StateConnected},
		wa.SyncProgress{Stage: "groups", Done: 0, Total: 3},
		wa.SyncProgress{Stage: "contacts", Done: 1, Total: 3},
		wa.ContactsUpserted{Contacts: []model.Contact{{
			JID: "14155550101@s.whatsapp.net", Phone: "+14155550101",
			FullName: "Ada Lovelace", FirstName: "Ada", IsMyContact: true, IsWAContact: true,
			Source: model.SourceWhatsApp,
		}}},
		wa.SyncProgress{Stage: "blocklist", Done: 2, Total: 3},
		wa.BlocklistReplaced{JIDs: []string{}},
		wa.SyncProgress{Stage: "done", Done: 3, Total: 3},
		wa.SyncCompleted{},
	)
}

func TestFirstSyncWaitsForContactList(t *testing.T) {
	t.Parallel()

	t.Run("contact list arrives", func(t *testing.T) {
		b, _ := newTestBackend(t, testOpts{})
		b.handle(&events.Connected{})
		expect(t, b,
			wa.ConnectionChanged{State: wa.StateConnected},
			wa.SyncProgress{Stage: "groups", Done: 0, Total: 3},
			wa.GroupsReplaced{Groups: []model.Group{}},
			wa.SyncProgress{Stage: "contacts", Done: 1, Total: 3},
			wa.SyncProgress{Stage: "blocklist", Done: 2, Total: 3},
			wa.BlocklistReplaced{JIDs: []string{}},
			wa.SyncProgress{Stage: "waiting for the phone's contact list", Done: 3, Total: 4},
		)
		expectNothingMore(t, b)
		// whatsmeow's full sync of critical_unblock_low stores the
		// contacts, then reports the sync complete.
		dispatch(t, b, []string{appstate.IndexContact, "14155550101@s.whatsapp.net"},
			contactAction("Ada Lovelace", "Ada", "", ""))
		b.handle(&events.AppStateSyncComplete{Name: appstate.WAPatchRegularHigh}) // not the contacts
		b.handle(&events.AppStateSyncComplete{Name: appstate.WAPatchCriticalUnblockLow})
		expect(t, b,
			wa.ContactsUpserted{Contacts: []model.Contact{{
				JID: "14155550101@s.whatsapp.net", Phone: "+14155550101",
				FullName: "Ada Lovelace", FirstName: "Ada", IsMyContact: true, IsWAContact: true,
				Source: model.SourceWhatsApp,
			}}},
			wa.SyncProgress{Stage: "done", Done: 3, Total: 3},
			wa.SyncCompleted{},
		)
	})
	t.Run("phone never sends it", func(t *testing.T) {
		b, _ := newTestBackend(t, testOpts{})
		b.contactsWait = 50 * time.Millisecond
		b.handle(&events.Connected{})
		for {
			if _, ok := next(t, b).(wa.SyncProgress); ok {
				break
			}
		}
		evs := []wa.Event{}
		for len(evs) == 0 || evs[len(evs)-1] != (wa.SyncCompleted{}) {
			evs = append(evs, next(t, b))
		}
		last := evs[len(evs)-2:]
		if last[0] != (wa.SyncProgress{Stage: "done", Done: 3, Total: 3}) {
			t.Fatalf("events: %s", describe(evs))
		}
	})
}

func TestGroupEvents(t *testing.T) {
	t.Parallel()

	b, fake := newTestBackend(t, testOpts{})
	ctx := context.Background()
	if err := b.client.Store.LIDs.PutLIDMapping(ctx, lid("211111111111111"), pn("14155550109")); err != nil {
		t.Fatal(err)
	}
	team := teamGroup()
	fake.groupInfo[team.JID] = team
	gone := types.NewJID("120363000000000003", types.GroupServer)
	fake.groupErr[gone] = whatsmeow.ErrGroupNotFound
	other := types.NewJID("120363000000000004", types.GroupServer)

	// A rename: the group is fetched again.
	b.handle(&events.GroupInfo{JID: team.JID, Name: &types.GroupName{Name: "Team"}})
	expect(t, b, wa.GroupUpserted{Group: teamModel})

	// The account removed from a group (by phone number or by LID).
	b.handle(&events.GroupInfo{JID: other, Leave: []types.JID{pn("14155550101"), types.NewADJID(ownPhone, 0, 3)}})
	b.handle(&events.GroupInfo{JID: other, Leave: []types.JID{lid("299999999999999")}})
	expect(t, b, wa.GroupLeft{JID: other.String()}, wa.GroupLeft{JID: other.String()})

	// A group deleted, or one WhatsApp no longer knows.
	b.handle(&events.GroupInfo{JID: other, Delete: &types.GroupDelete{Deleted: true}})
	b.handle(&events.GroupInfo{JID: gone, Join: []types.JID{pn("14155550101")}})
	expect(t, b, wa.GroupLeft{JID: other.String()}, wa.GroupLeft{JID: gone.String()})

	// Joined: fetched again; when the fetch fails the event's own info is used.
	joined := types.GroupInfo{
		JID:          other,
		GroupName:    types.GroupName{Name: "New"},
		Participants: []types.GroupParticipant{{JID: lid("233333333333333"), PhoneNumber: pn("14155550103")}},
	}
	b.handle(&events.JoinedGroup{Reason: "invite", GroupInfo: joined})
	expect(t, b, wa.GroupUpserted{Group: model.Group{
		JID: other.String(), Name: "New", ParticipantCount: 1,
		Participants: []string{"14155550103@s.whatsapp.net"},
	}})
	expectNothingMore(t, b)
}

func TestBlocklistEvents(t *testing.T) {
	t.Parallel()

	b, fake := newTestBackend(t, testOpts{})
	ctx := context.Background()
	if err := b.client.Store.LIDs.PutLIDMapping(ctx, lid("211111111111111"), pn("14155550109")); err != nil {
		t.Fatal(err)
	}
	srv := serveBlocklist(t, fake, "list_empty")
	b.handle(&events.Blocklist{Changes: []events.BlocklistChange{
		{JID: pn("14155550101"), Action: events.BlocklistChangeActionBlock},
		{JID: lid("211111111111111"), Action: events.BlocklistChangeActionUnblock},
	}})
	expect(t, b,
		wa.BlockChanged{JID: "14155550101@s.whatsapp.net", Blocked: true},
		wa.BlockChanged{JID: "14155550109@s.whatsapp.net", Blocked: false},
	)
	expectNothingMore(t, b)

	srv = serveBlocklist(t, fake, "list_lid")
	b.handle(&events.Blocklist{Action: events.BlocklistActionModify, DHash: "2", PrevDHash: "1"})
	expect(t, b, wa.BlocklistReplaced{JIDs: []string{"14155550109@s.whatsapp.net", "14155550110@s.whatsapp.net",
		"233333333333333@lid", "14155550111@s.whatsapp.net"}})
	if gets, _ := srv.calls(); gets != 1 {
		t.Fatalf("blocklist fetched %d times, want 1", gets)
	}
}

func TestLabelEvents(t *testing.T) {
	t.Parallel()

	b, _ := newTestBackend(t, testOpts{})
	ctx := context.Background()
	if err := b.client.Store.LIDs.PutLIDMapping(ctx, lid("211111111111111"), pn("14155550109")); err != nil {
		t.Fatal(err)
	}
	edit := func(name string, color int32, deleted bool) *waSyncAction.SyncActionValue {
		return &waSyncAction.SyncActionValue{LabelEditAction: &waSyncAction.LabelEditAction{
			Name: proto.String(name), Color: proto.Int32(color), Deleted: proto.Bool(deleted),
		}}
	}
	assoc := func(labeled bool) *waSyncAction.SyncActionValue {
		return &waSyncAction.SyncActionValue{LabelAssociationAction: &waSyncAction.LabelAssociationAction{Labeled: proto.Bool(labeled)}}
	}
	evts := []any{
		dispatch(t, b, []string{appstate.IndexLabelEdit, "3"}, edit("VIP", 4, false)),
		dispatch(t, b, []string{appstate.IndexLabelEdit, "5"}, edit("Old", 1, true)),
		dispatch(t, b, []string{appstate.IndexLabelAssociationChat, "3", "14155550101@s.whatsapp.net"}, assoc(true)),
		dispatch(t, b, []string{appstate.IndexLabelAssociationChat, "3", "211111111111111@lid"}, assoc(true)),
		dispatch(t, b, []string{appstate.IndexLabelAssociationChat, "3", "233333333333333@lid"}, assoc(false)),
		dispatch(t, b, []string{appstate.IndexLabelAssociationChat, "3", "120363000000000001@g.us"}, assoc(true)),
	}
	for _, e := range evts {
		b.handle(e)
	}
	expect(t, b,
		wa.LabelEdited{WALabelID: "3", Name: "VIP", Color: 4},
		wa.LabelEdited{WALabelID: "5", Name: "Old", Color: 1, Deleted: true},
		// WAChatJID: the form WhatsApp used, in which removals are sent
		// back (issue 9).
		wa.LabelAssociationChanged{WALabelID: "3", ChatJID: "14155550101@s.whatsapp.net",
			WAChatJID: "14155550101@s.whatsapp.net", Assigned: true},
		wa.LabelAssociationChanged{WALabelID: "3", ChatJID: "14155550109@s.whatsapp.net",
			WAChatJID: "211111111111111@lid", Assigned: true},
		wa.LabelAssociationChanged{WALabelID: "3", ChatJID: "233333333333333@lid",
			WAChatJID: "233333333333333@lid", Assigned: false},
		wa.LabelAssociationChanged{WALabelID: "3", ChatJID: "120363000000000001@g.us",
			WAChatJID: "120363000000000001@g.us", Assigned: true},
	)
}

func TestConnectionEvents(t *testing.T) {
	t.Parallel()

	b, _ := newTestBackend(t, testOpts{})
	b.handle(&events.KeepAliveTimeout{ErrorCount: 2})
	b.handle(&events.KeepAliveRestored{})
	b.handle(&events.StreamReplaced{})
	b.handle(&events.ConnectFailure{Reason: events.ConnectFailureBadUserAgent, Message: "bad ua"})
	expect(t, b,
		wa.ConnectionChanged{State: wa.StateReconnecting, Attempt: 2,
			Detail: "WhatsApp is not answering (2 keep-alive pings timed out); waiting for the connection to recover"},
		wa.ConnectionChanged{State: wa.StateConnected},
		wa.ConnectionChanged{State: wa.StateReplaced, Detail: "another program connected with this session, so this one stopped"},
		wa.ConnectionChanged{State: wa.StateOffline, Detail: "WhatsApp refused the connection (409: client user agent was rejected: bad ua)"},
	)
}

func TestTemporaryBan(t *testing.T) {
	t.Parallel()

	b, _ := newTestBackend(t, testOpts{})
	before := time.Now()
	b.handle(&events.TemporaryBan{Code: events.TempBanSentToTooManyPeople, Expire: 2 * time.Hour})
	ev, ok := next(t, b).(wa.ConnectionChanged)
	if !ok {
		t.Fatalf("got %#v", ev)
	}
	if ev.State != wa.StateTempBanned || ev.Attempt != 0 ||
		ev.Detail != "101: you sent too many messages to people who don't have you in their address books" {
		t.Fatalf("got %#v", ev)
	}
	if ev.Until.Before(before.Add(2*time.Hour)) || ev.Until.After(time.Now().Add(2*time.Hour)) {
		t.Fatalf("Until = %v, want about 2h from %v", ev.Until, before)
	}
}

func TestLoggedOut(t *testing.T) {
	t.Parallel()

	b, _ := newTestBackend(t, testOpts{})
	b.handle(&events.LoggedOut{OnConnect: true, Reason: events.ConnectFailureLoggedOut})
	reason := "this device was removed from the phone's linked devices"
	expect(t, b,
		wa.LoggedOut{Reason: reason},
		wa.ConnectionChanged{State: wa.StateLoggedOut, Detail: reason},
	)
	if a := b.Account(); a.Paired || a.JID != "" {
		t.Fatalf("Account() after logout = %#v", a)
	}
	if _, err := b.CheckNumbers(context.Background(), []string{"+14155550101"}); err != wa.ErrNotPaired {
		t.Fatalf("CheckNumbers after logout: %v, want ErrNotPaired", err)
	}

	b2, _ := newTestBackend(t, testOpts{})
	b2.handle(&events.LoggedOut{Reason: events.ConnectFailureMainDeviceGone})
	expect(t, b2,
		wa.LoggedOut{Reason: "WhatsApp on the phone was logged out or moved to another phone"},
		wa.ConnectionChanged{State: wa.StateLoggedOut, Detail: "WhatsApp on the phone was logged out or moved to another phone"},
	)
}

func TestIgnoredEvents(t *testing.T) {
	t.Parallel()

	b, _ := newTestBackend(t, testOpts{})
	b.handle(&events.Message{})
	b.handle(&events.Receipt{})
	b.handle(&events.OfflineSyncCompleted{})
	b.handle("not an event")
	expectNothingMore(t, b)
}
