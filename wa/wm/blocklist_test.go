package wm

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"

	"go.mau.fi/whatsmeow"
	waBinary "go.mau.fi/whatsmeow/binary"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/wabook/wabook/wa"
)

// blocklistServer answers the fake's blocklist queries: "get" with the
// list fixture, "set" with setReply; it records the queries.
type blocklistServer struct {
	mu       sync.Mutex
	list     *waBinary.Node
	setReply *waBinary.Node
	gets     int
	sets     []waBinary.Node // the <item> of each set query
}

func serveBlocklist(t *testing.T, fake *fakeNet, list string) *blocklistServer {
	t.Helper()
	srv := &blocklistServer{list: wireFixture(t, "blocklist", list), setReply: wireFixture(t, "blocklist", "set_result")}
	fake.mu.Lock()
	defer fake.mu.Unlock()
	if fake.iq == nil {
		fake.iq = map[string]func(whatsmeow.DangerousInfoQuery) (*waBinary.Node, error){}
	}
	fake.iq["blocklist"] = srv.answer
	return srv
}

func (s *blocklistServer) answer(q whatsmeow.DangerousInfoQuery) (*waBinary.Node, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if q.To != types.ServerJID {
		return nil, fmt.Errorf("blocklist query sent to %s", q.To)
	}
	switch q.Type {
	case "get":
		if q.Content != nil {
			return nil, fmt.Errorf("blocklist get with content %v", q.Content)
		}
		s.gets++
		return s.list, nil
	case "set":
		items, ok := q.Content.([]waBinary.Node)
		if !ok || len(items) != 1 {
			return nil, fmt.Errorf("blocklist set with content %#v", q.Content)
		}
		s.sets = append(s.sets, items[0])
		return s.setReply, nil
	}
	return nil, fmt.Errorf("blocklist query of type %q", q.Type)
}

func (s *blocklistServer) calls() (int, []waBinary.Node) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gets, append([]waBinary.Node(nil), s.sets...)
}

func item(attrs waBinary.Attrs) waBinary.Node { return waBinary.Node{Tag: "item", Attrs: attrs} }

func TestParseBlocklistShapes(t *testing.T) {
	t.Parallel()

	for _, tc := range []struct {
		fixture string
		want    []blockedEntry
		err     error
	}{
		{"list_lid", []blockedEntry{
			{jid: lid("211111111111111"), pn: pn("14155550109")},
			{jid: pn("14155550110")},
			{jid: lid("233333333333333")},
			{jid: pn("14155550111"), pn: pn("14155550111")},
		}, nil},
		{"list_empty", []blockedEntry{}, nil},
		{"list_missing", nil, errNoBlocklist},
	} {
		t.Run(tc.fixture, func(t *testing.T) {
			got, err := parseBlocklist(wireFixture(t, "blocklist", tc.fixture))
			if !errors.Is(err, tc.err) || !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("parseBlocklist = %+v, %v; want %+v, %v", got, err, tc.want, tc.err)
			}
		})
	}
}

func TestBlocklistFetchLearnsLIDs(t *testing.T) {
	t.Parallel()

	b, fake := newTestBackend(t, testOpts{contactsSynced: true})
	ctx := context.Background()
	srv := serveBlocklist(t, fake, "list_lid")
	b.handle(&events.Blocklist{Action: events.BlocklistActionModify})
	expect(t, b, wa.BlocklistReplaced{JIDs: []string{
		"14155550109@s.whatsapp.net", // listed by LID, number from pn_jid
		"14155550110@s.whatsapp.net",
		"233333333333333@lid", // number unknown: the store maps it by the contact's LID
		"14155550111@s.whatsapp.net",
	}})
	if gets, _ := srv.calls(); gets != 1 {
		t.Fatalf("%d blocklist fetches, want 1", gets)
	}
	// The pn_jid went into whatsmeow's LID store.
	got, err := b.client.Store.LIDs.GetPNForLID(ctx, lid("211111111111111"))
	if err != nil || got != pn("14155550109") {
		t.Fatalf("LID store: %v, %v", got, err)
	}

	// An answer without a list changes nothing.
	serveBlocklist(t, fake, "list_missing")
	b.handle(&events.Blocklist{Action: events.BlocklistActionModify})
	expectNothingMore(t, b)
}

func TestSetBlockedByLID(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	b, fake := newTestBackend(t, testOpts{})
	srv := serveBlocklist(t, fake, "list_empty")
	st := b.client.Store
	if err := st.LIDs.PutLIDMapping(ctx, lid("211111111111111"), pn("14155550101")); err != nil {
		t.Fatal(err)
	}
	fake.userInfo = map[types.JID]types.UserInfo{
		pn("14155550102"): {LID: lid("222222222222222")},
		pn("14155550103"): {Status: "no LID in this answer"},
	}
	steps := []struct {
		jid     string
		blocked bool
		item    waBinary.Node
		event   wa.BlockChanged
	}{
		// The LID from the LID store, with the number as pn_jid.
		{"14155550101@c.us", true,
			item(waBinary.Attrs{"jid": lid("211111111111111"), "action": "block", "pn_jid": pn("14155550101")}),
			wa.BlockChanged{JID: "14155550101@s.whatsapp.net", Blocked: true}},
		// Unblocking by LID carries no pn_jid.
		{"+14155550101", false,
			item(waBinary.Attrs{"jid": lid("211111111111111"), "action": "unblock"}),
			wa.BlockChanged{JID: "14155550101@s.whatsapp.net", Blocked: false}},
		// The LID from WhatsApp's user info.
		{"14155550102@s.whatsapp.net", true,
			item(waBinary.Attrs{"jid": lid("222222222222222"), "action": "block", "pn_jid": pn("14155550102")}),
			wa.BlockChanged{JID: "14155550102@s.whatsapp.net", Blocked: true}},
		// No LID anywhere: the phone-number JID alone.
		{"+14155550103", true,
			item(waBinary.Attrs{"jid": pn("14155550103"), "action": "block"}),
			wa.BlockChanged{JID: "14155550103@s.whatsapp.net", Blocked: true}},
		// Given a LID: the number from the LID store.
		{"211111111111111@lid", true,
			item(waBinary.Attrs{"jid": lid("211111111111111"), "action": "block", "pn_jid": pn("14155550101")}),
			wa.BlockChanged{JID: "14155550101@s.whatsapp.net", Blocked: true}},
	}
	for i, s := range steps {
		if err := b.SetBlocked(ctx, s.jid, s.blocked); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		_, sets := srv.calls()
		if len(sets) != i+1 || !reflect.DeepEqual(sets[i], s.item) {
			t.Fatalf("step %d sent %v, want %v", i, sets[len(sets)-1].XMLString(), s.item.XMLString())
		}
		expect(t, b, s.event)
	}
	// The LID user info gave is remembered: the next block needs no lookup.
	if got, _ := st.LIDs.GetLIDForPN(ctx, pn("14155550102")); got != lid("222222222222222") {
		t.Fatalf("LID store after user info: %v", got)
	}

	// WhatsApp refuses: the error comes back and nothing is reported.
	srv.mu.Lock()
	srv.setReply = wireFixture(t, "blocklist", "set_error")
	srv.mu.Unlock()
	err := b.SetBlocked(ctx, "+14155550101", true)
	var iqErr *whatsmeow.IQError
	if !errors.As(err, &iqErr) || iqErr.Code != 400 {
		t.Fatalf("refused block: %v", err)
	}
	if err := b.SetBlocked(ctx, "120363000000000001@g.us", true); err == nil {
		t.Fatal("blocking a group: no error")
	}
	expectNothingMore(t, b)
}

// TestBlockLIDWithoutNumberRefused: WhatsApp refuses a LID block without
// pn_jid (PROTOCOL.md, "Blocklist"), and nothing can tell wabook the number
// of a LID it has not learnt, so such a block is refused before anything
// is sent; unblocking needs no number and goes through.
func TestBlockLIDWithoutNumberRefused(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	b, fake := newTestBackend(t, testOpts{})
	srv := serveBlocklist(t, fake, "list_empty")
	const unknown = "255555555555555@lid"

	err := b.SetBlocked(ctx, unknown, true)
	if !errors.Is(err, errNoNumberForLID) || !strings.Contains(err.Error(), unknown) || !strings.Contains(err.Error(), "phone number") {
		t.Fatalf("blocking a LID with no known number: %v", err)
	}
	if _, sets := srv.calls(); len(sets) != 0 {
		t.Fatalf("sent %v for a refused block", sets[0].XMLString())
	}
	expectNothingMore(t, b)

	if err := b.SetBlocked(ctx, unknown, false); err != nil {
		t.Fatal(err)
	}
	want := item(waBinary.Attrs{"jid": lid("255555555555555"), "action": "unblock"})
	if _, sets := srv.calls(); len(sets) != 1 || !reflect.DeepEqual(sets[0], want) {
		t.Fatalf("unblock sent %v, want %v", sets, want.XMLString())
	}
	expect(t, b, wa.BlockChanged{JID: unknown, Blocked: false})
}

func TestBlocklistChangeForUnknownLIDFetchesList(t *testing.T) {
	t.Parallel()

	b, fake := newTestBackend(t, testOpts{})
	srv := serveBlocklist(t, fake, "list_lid")
	b.handle(&events.Blocklist{Changes: []events.BlocklistChange{
		{JID: pn("14155550101"), Action: events.BlocklistChangeActionBlock},
		{JID: lid("211111111111111"), Action: events.BlocklistChangeActionBlock}, // number unknown
		{JID: lid("255555555555555"), Action: events.BlocklistChangeActionBlock}, // number unknown
	}})
	expect(t, b,
		wa.BlockChanged{JID: "14155550101@s.whatsapp.net", Blocked: true},
		wa.BlocklistReplaced{JIDs: []string{"14155550109@s.whatsapp.net", "14155550110@s.whatsapp.net",
			"233333333333333@lid", "14155550111@s.whatsapp.net"}},
	)
	expectNothingMore(t, b)
	if gets, _ := srv.calls(); gets != 1 {
		t.Fatalf("%d blocklist fetches, want one for the whole event", gets)
	}
}
