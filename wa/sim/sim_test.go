package sim

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/wa"
)

func exampleWorld(t *testing.T) *World {
	t.Helper()
	w, err := LoadWorldFile(filepath.Join("testdata", "example.json"))
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func newSim(t *testing.T, w *World, opts ...Option) *Backend {
	t.Helper()
	b := New(w, opts...)
	t.Cleanup(func() { b.Close() })
	return b
}

// collect reads events until stop returns true or the time runs out.
func collect(t *testing.T, b *Backend, stop func(wa.Event) bool) []wa.Event {
	t.Helper()
	var evs []wa.Event
	timeout := time.After(5 * time.Second)
	for {
		select {
		case ev, ok := <-b.Events():
			if !ok {
				t.Fatalf("events closed after %d events", len(evs))
			}
			evs = append(evs, ev)
			if stop(ev) {
				return evs
			}
		case <-timeout:
			t.Fatalf("timed out after %d events: %s", len(evs), kinds(evs))
		}
	}
}

func untilSynced(ev wa.Event) bool { _, ok := ev.(wa.SyncCompleted); return ok }

// kinds names the events: "ConnectionChanged(connecting) SyncProgress(contacts) …".
func kinds(evs []wa.Event) string {
	var out []string
	for _, ev := range evs {
		name := strings.TrimPrefix(fmt.Sprintf("%T", ev), "wa.")
		switch e := ev.(type) {
		case wa.ConnectionChanged:
			name += "(" + e.State.String() + ")"
		case wa.SyncProgress:
			name += "(" + e.Stage + ")"
		}
		out = append(out, name)
	}
	return strings.Join(out, " ")
}

// noMoreEvents fails when b reports anything after every session it started
// has ended: a marker injected then must be the next event. Waiting for the
// sessions first puts whatever a session could still send before the
// marker, so the check cannot pass because it looked too early.
func noMoreEvents(t *testing.T, b *Backend) {
	t.Helper()
	ended := make(chan struct{})
	go func() {
		b.sessions.Wait()
		close(ended)
	}()
	select {
	case <-ended:
	case <-time.After(5 * time.Second):
		t.Fatal("a session still runs")
	}
	marker := wa.PushNameChanged{JID: "marker@s.whatsapp.net", PushName: "the test's marker"}
	b.Inject(marker)
	for _, ev := range collect(t, b, func(ev wa.Event) bool { return ev == marker }) {
		if ev != marker {
			t.Errorf("unexpected event %#v", ev)
		}
	}
}

func TestConnectSyncExample(t *testing.T) {
	t.Parallel()

	b := newSim(t, exampleWorld(t))
	if err := b.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	evs := collect(t, b, untilSynced)
	wantKinds := "ConnectionChanged(connecting) ConnectionChanged(connected) " +
		"SyncProgress(contacts) ContactsUpserted SyncProgress(groups) GroupsReplaced " +
		"SyncProgress(blocklist) BlocklistReplaced SyncProgress(labels) LabelEdited LabelAssociationChanged " +
		"SyncProgress(done) SyncCompleted"
	if got := kinds(evs); got != wantKinds {
		t.Fatalf("events:\n got %s\nwant %s", got, wantKinds)
	}
	contact := evs[3].(wa.ContactsUpserted).Contacts
	wantContact := model.Contact{
		JID: "14155550101@s.whatsapp.net", Phone: "+14155550101", LID: "211111111111111@lid",
		FullName: "Ada Lovelace", FirstName: "Ada", PushName: "ada", About: "Hey there!",
		IsMyContact: true, IsWAContact: true, Source: model.SourceWhatsApp,
	}
	if len(contact) != 1 || !reflect.DeepEqual(contact[0], wantContact) {
		t.Errorf("contacts = %+v\nwant %+v", contact, wantContact)
	}
	groups := evs[5].(wa.GroupsReplaced).Groups
	wantGroups := []model.Group{{JID: "120363000000000001@g.us", Name: "Team", ParticipantCount: 2,
		Participants: []string{"14155550101@s.whatsapp.net", "211111111111111@lid"}}}
	if !reflect.DeepEqual(groups, wantGroups) {
		t.Errorf("groups = %+v", groups)
	}
	if got := evs[7].(wa.BlocklistReplaced).JIDs; !slices.Equal(got, []string{"14155550103@s.whatsapp.net"}) {
		t.Errorf("blocklist = %v", got)
	}
	if got := evs[9].(wa.LabelEdited); got != (wa.LabelEdited{WALabelID: "1", Name: "New customer", Color: 0}) {
		t.Errorf("label = %+v", got)
	}
	if got := evs[10].(wa.LabelAssociationChanged); got != (wa.LabelAssociationChanged{WALabelID: "1", ChatJID: "14155550101@s.whatsapp.net", Assigned: true}) {
		t.Errorf("association = %+v", got)
	}
	for i, ev := range evs {
		if p, ok := ev.(wa.SyncProgress); ok && (p.Total != 4 || p.Done > p.Total) {
			t.Errorf("event %d: progress %+v", i, p)
		}
	}
	if b.State() != wa.StateConnected {
		t.Errorf("state = %v", b.State())
	}
	acc := b.Account()
	if acc != (wa.Account{JID: "14155550100@s.whatsapp.net", Phone: "+14155550100", PushName: "Acme", IsBusiness: true, Paired: true, Platform: Platform,
		Device: "14155550100:1@s.whatsapp.net"}) {
		t.Errorf("account = %+v", acc)
	}

	// A second Connect on a running session does nothing.
	if err := b.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	noMoreEvents(t, b)
}

func TestConnectSyncDemo(t *testing.T) {
	t.Parallel()

	w := DemoWorld()
	b := newSim(t, w)
	if err := b.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	evs := collect(t, b, untilSynced)
	var contacts []model.Contact
	var groups []model.Group
	var blocked []string
	labels, assoc := 0, 0
	for _, ev := range evs {
		switch e := ev.(type) {
		case wa.ContactsUpserted:
			contacts = append(contacts, e.Contacts...)
		case wa.GroupsReplaced:
			groups = e.Groups
		case wa.BlocklistReplaced:
			blocked = e.JIDs
		case wa.LabelEdited:
			labels++
		case wa.LabelAssociationChanged:
			assoc++
		}
	}
	if len(contacts) != len(w.Contacts) || len(groups) != len(w.Groups) || len(blocked) != len(w.Blocked) || labels != len(w.Labels) {
		t.Fatalf("synced %d contacts, %d groups, %d blocked, %d labels", len(contacts), len(groups), len(blocked), labels)
	}
	lids := map[string]model.Contact{}
	business, blockedContacts := 0, 0
	for _, c := range contacts {
		if c.JID != model.JIDFromPhone(c.Phone) || !c.IsWAContact {
			t.Errorf("contact %+v", c)
		}
		if c.LID != "" {
			lids[c.LID] = c
		}
		if c.IsBusiness {
			business++
		}
		if c.IsBlocked {
			blockedContacts++
		}
	}
	if business == 0 || blockedContacts == 0 {
		t.Errorf("business %d, blocked contacts %d", business, blockedContacts)
	}
	lidMember := false
	for _, g := range groups {
		if g.ParticipantCount != len(g.Participants) {
			t.Errorf("group %q: count %d, %d participants", g.Name, g.ParticipantCount, len(g.Participants))
		}
		for _, p := range g.Participants {
			if _, ok := lids[p]; ok {
				lidMember = true
			}
			if s := model.JIDServer(p); s != model.UserServer && s != model.LIDServer {
				t.Errorf("group %q: participant %q", g.Name, p)
			}
		}
	}
	if !lidMember {
		t.Error("no group has a contact's LID as participant")
	}
	if assoc < 20 {
		t.Errorf("%d label associations", assoc)
	}
}

func TestPairingQR(t *testing.T) {
	t.Parallel()

	w := exampleWorld(t)
	f := false
	w.Account.Paired = &f
	w.Account.PairAfterMS = 50
	b := newSim(t, w, WithPairCodeInterval(15*time.Millisecond))
	if acc := b.Account(); acc.Paired || acc.JID != "" {
		t.Fatalf("unpaired account = %+v", acc)
	}
	if _, err := b.CheckNumbers(context.Background(), []string{"+14155550101"}); !errors.Is(err, wa.ErrNotPaired) {
		t.Errorf("CheckNumbers before pairing: %v", err)
	}
	start := time.Now()
	if err := b.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	evs := collect(t, b, untilSynced)
	if elapsed := time.Since(start); elapsed < 50*time.Millisecond {
		t.Errorf("paired after %v, want ≥ 50ms", elapsed)
	}
	if got := kinds(evs[:3]); got != "ConnectionChanged(connecting) ConnectionChanged(pairing) PairCode" {
		t.Errorf("first events: %s", got)
	}
	codes := map[string]bool{}
	succeeded := -1
	for i, ev := range evs {
		switch e := ev.(type) {
		case wa.PairCode:
			if succeeded >= 0 {
				t.Error("PairCode after PairSucceeded")
			}
			if !strings.HasPrefix(e.Code, "2@") || len(e.Code) < 200 || strings.Count(e.Code, ",") != 3 || e.Timeout != 15*time.Millisecond {
				t.Errorf("code %q (%d chars), timeout %v", e.Code, len(e.Code), e.Timeout)
			}
			codes[e.Code] = true
		case wa.PairSucceeded:
			succeeded = i
			if !e.Account.Paired || e.Account.JID != "14155550100@s.whatsapp.net" || !e.Account.IsBusiness {
				t.Errorf("paired account = %+v", e.Account)
			}
			if c, ok := evs[i+1].(wa.ConnectionChanged); !ok || c.State != wa.StateConnected {
				t.Errorf("after PairSucceeded: %#v", evs[i+1])
			}
		}
	}
	if succeeded < 0 {
		t.Fatalf("no PairSucceeded: %s", kinds(evs))
	}
	if len(codes) < 2 {
		t.Errorf("%d distinct codes, want the code to rotate", len(codes))
	}
	if !b.Account().Paired {
		t.Error("Account().Paired false after pairing")
	}
}

func TestPairPhone(t *testing.T) {
	t.Parallel()

	w := exampleWorld(t)
	f := false
	w.Account.Paired = &f
	b := newSim(t, w, WithPairAfter(30*time.Millisecond))
	if _, err := b.PairPhone(context.Background(), "not a phone"); err == nil {
		t.Error("PairPhone accepted garbage")
	}
	code, err := b.PairPhone(context.Background(), "+1 415 555 0100")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^[1-9A-Z]{4}-[1-9A-Z]{4}$`).MatchString(code) {
		t.Errorf("pairing code %q", code)
	}
	evs := collect(t, b, untilSynced)
	for _, ev := range evs {
		if _, ok := ev.(wa.PairCode); ok {
			t.Error("QR code shown while pairing by phone")
		}
	}
	if !strings.Contains(kinds(evs), "ConnectionChanged(pairing) PairSucceeded ConnectionChanged(connected)") {
		t.Errorf("events: %s", kinds(evs))
	}
	if _, err := b.PairPhone(context.Background(), "+14155550100"); !errors.Is(err, ErrAlreadyPaired) {
		t.Errorf("PairPhone when paired: %v", err)
	}
}

func TestPairPhoneDuringQR(t *testing.T) {
	t.Parallel()

	w := exampleWorld(t)
	f := false
	w.Account.Paired = &f
	b := newSim(t, w, WithPairAfter(80*time.Millisecond), WithPairCodeInterval(10*time.Millisecond))
	if err := b.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	collect(t, b, func(ev wa.Event) bool { _, ok := ev.(wa.PairCode); return ok })
	if _, err := b.PairPhone(context.Background(), "+14155550100"); err != nil {
		t.Fatal(err)
	}
	evs := collect(t, b, untilSynced)
	// At most one code was already on its way when the phone code was asked for.
	codes := strings.Count(kinds(evs), "PairCode")
	if codes > 1 {
		t.Errorf("%d QR codes after PairPhone", codes)
	}
}

func TestDisconnectLogoutClose(t *testing.T) {
	t.Parallel()

	b := newSim(t, exampleWorld(t))
	ctx := context.Background()
	if err := b.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	collect(t, b, untilSynced)

	b.Disconnect()
	evs := collect(t, b, func(wa.Event) bool { return true })
	if evs[0] != (wa.ConnectionChanged{State: wa.StateOffline}) {
		t.Errorf("Disconnect: %#v", evs[0])
	}
	if !b.Account().Paired {
		t.Error("Disconnect unpaired the account")
	}
	b.Disconnect() // already offline: nothing more
	noMoreEvents(t, b)

	if err := b.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	collect(t, b, untilSynced) // reconnecting syncs again

	if err := b.Logout(ctx); err != nil {
		t.Fatal(err)
	}
	evs = collect(t, b, func(ev wa.Event) bool { _, ok := ev.(wa.ConnectionChanged); return ok })
	if got := kinds(evs); got != "LoggedOut ConnectionChanged(logged out)" {
		t.Errorf("Logout: %s", got)
	}
	if acc := b.Account(); acc.Paired || acc.JID != "" {
		t.Errorf("account after logout = %+v", acc)
	}
	if err := b.Logout(ctx); !errors.Is(err, wa.ErrNotPaired) {
		t.Errorf("second Logout: %v", err)
	}

	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	for range b.Events() { // drains and ends: the channel is closed
	}
	if err := b.Connect(ctx); !errors.Is(err, ErrClosed) {
		t.Errorf("Connect after Close: %v", err)
	}
	if _, err := b.CheckNumbers(ctx, []string{"+14155550101"}); !errors.Is(err, ErrClosed) {
		t.Errorf("CheckNumbers after Close: %v", err)
	}
	b.Disconnect()
	b.Inject(wa.SyncCompleted{}) // no panic: nothing is sent after Close
}

func TestCloseWithoutReader(t *testing.T) {
	t.Parallel()

	// Nobody reads Events and the session is busy: Close must not hang.
	w := DemoWorld()
	f := false
	w.Account.Paired = &f
	b := New(w, WithPairAfter(time.Millisecond), WithPairCodeInterval(time.Millisecond))
	if err := b.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	for range 3 * EventBuffer {
		b.Inject(wa.SyncCompleted{})
	}
	time.Sleep(20 * time.Millisecond)
	done := make(chan struct{})
	go func() { b.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close hung")
	}
}

func TestDisconnectStopsSession(t *testing.T) {
	t.Parallel()

	w := exampleWorld(t)
	f := false
	w.Account.Paired = &f
	b := newSim(t, w, WithPairAfter(40*time.Millisecond), WithPairCodeInterval(5*time.Millisecond))
	if err := b.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	collect(t, b, func(ev wa.Event) bool { _, ok := ev.(wa.PairCode); return ok })
	b.Disconnect()
	evs := collect(t, b, func(ev wa.Event) bool { return ev == wa.ConnectionChanged{State: wa.StateOffline} })
	for _, ev := range evs {
		if _, ok := ev.(wa.PairCode); !ok && ev != (wa.ConnectionChanged{State: wa.StateOffline}) {
			t.Errorf("unexpected %#v", ev)
		}
	}
	noMoreEvents(t, b) // no code, no pairing after Disconnect
	if b.Account().Paired {
		t.Error("paired after Disconnect")
	}
}

func TestCheckNumbers(t *testing.T) {
	t.Parallel()

	var slept []time.Duration
	var mu sync.Mutex
	b := newSim(t, exampleWorld(t), WithSleep(func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		slept = append(slept, d)
		mu.Unlock()
		return ctx.Err()
	}))
	tests := []struct {
		query  string
		exists bool
		jid    string
		err    string
	}{
		{"+14155550101", true, "14155550101@s.whatsapp.net", ""},    // contact
		{"+14155550102", true, "14155550102@s.whatsapp.net", ""},    // registered
		{"+5511987654321", true, "551187654321@s.whatsapp.net", ""}, // rewritten
		{"+551187654321", true, "551187654321@s.whatsapp.net", ""},  // the rewritten number itself
		{"+14155550109", false, "", "timeout"},                      // failing
		{"+14155550199", false, "14155550199@s.whatsapp.net", ""},   // unknown
		{"+14155550100", true, "14155550100@s.whatsapp.net", ""},    // the account
		{"+14155550103", true, "14155550103@s.whatsapp.net", ""},    // blocked, not a contact
		{"+1 415 555 0101", true, "14155550101@s.whatsapp.net", ""}, // formatted
		{"garbage", false, "", "not a phone number"},                // not a number
	}
	var queries []string
	for _, tt := range tests {
		queries = append(queries, tt.query)
	}
	answers, err := b.CheckNumbers(context.Background(), queries)
	if err != nil {
		t.Fatal(err)
	}
	if len(answers) != len(tests) {
		t.Fatalf("%d answers for %d queries", len(answers), len(tests))
	}
	for i, tt := range tests {
		a := answers[i]
		if a.Query != tt.query || a.Exists != tt.exists || a.JID != tt.jid || !a.Answered {
			t.Errorf("%s: answer %+v, want exists %v jid %q", tt.query, a, tt.exists, tt.jid)
		}
		if (a.Err == nil) != (tt.err == "") || (a.Err != nil && !strings.Contains(a.Err.Error(), tt.err)) {
			t.Errorf("%s: error %v, want %q", tt.query, a.Err, tt.err)
		}
	}
	if !slices.Equal(slept, []time.Duration{150 * time.Millisecond}) {
		t.Errorf("slept %v, want the world's 150ms once", slept)
	}

	many := make([]string, 21)
	for i := range many {
		many[i] = fmt.Sprintf("+1415555%04d", 1000+i)
	}
	if _, err := b.CheckNumbers(context.Background(), many); err == nil || !strings.Contains(err.Error(), "at most 20") {
		t.Errorf("21 numbers: %v", err)
	}
	if _, err := b.CheckNumbers(context.Background(), many[:20]); err != nil {
		t.Errorf("20 numbers: %v", err)
	}
	if b.CheckCalls() != 3 {
		t.Errorf("CheckCalls = %d, want 3", b.CheckCalls())
	}
	if got := b.CheckedNumbers(); len(got) != len(tests)+21+20 || got[0] != "+14155550101" || got[len(tests)] != many[0] {
		t.Errorf("CheckedNumbers = %v", got)
	}
}

func TestCheckNumbersBusinessAndLatency(t *testing.T) {
	t.Parallel()

	w := exampleWorld(t)
	w.Contacts = append(w.Contacts, WorldContact{Phone: "+14155550120", BusinessName: "Lisbon Bakery"})
	b := newSim(t, w) // real 150ms latency
	a, err := b.CheckNumbers(context.Background(), []string{"+14155550120"})
	if err != nil {
		t.Fatal(err)
	}
	if !a[0].Exists || a[0].VerifiedName != "Lisbon Bakery" {
		t.Errorf("business answer %+v", a[0])
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if _, err := b.CheckNumbers(ctx, []string{"+14155550101"}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("cancelled during latency: %v", err)
	}
}

func TestCheckNumbersRateLimit(t *testing.T) {
	t.Parallel()

	w := exampleWorld(t)
	w.RateLimit = &RateLimit{Numbers: 40, PerS: 60}
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	b := newSim(t, w, WithCheckLatency(0), WithClock(func() time.Time { return now }))
	batch := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("+1415555%04d", 2000+i)
		}
		return out
	}
	steps := []struct {
		advance time.Duration
		n       int
		limited bool
	}{
		{0, 20, false},
		{10 * time.Second, 20, false}, // 40 in the window: at the limit
		{time.Second, 1, true},        // 41 would be over
		{0, 20, true},                 // refused calls do not count…
		{49 * time.Second, 20, false}, // …and the first batch has left the window (t=60s)
		{0, 1, true},
		{11 * time.Second, 20, false}, // t=71s: the second batch has left too
	}
	calls := 0
	for i, s := range steps {
		now = now.Add(s.advance)
		_, err := b.CheckNumbers(context.Background(), batch(s.n))
		calls++
		if limited := errors.Is(err, wa.ErrRateLimited); limited != s.limited || (!limited && err != nil) {
			t.Fatalf("step %d: err %v, want limited %v", i, err, s.limited)
		}
	}
	if b.CheckCalls() != calls {
		t.Errorf("CheckCalls = %d, want %d (refused calls count as calls)", b.CheckCalls(), calls)
	}
}

// throttle_lies_after: past N numbers in the window every number is "not
// on WhatsApp" (answered, no error), and lying calls are not counted.
func TestCheckNumbersThrottleLies(t *testing.T) {
	t.Parallel()

	w := exampleWorld(t)
	w.RateLimit = &RateLimit{Numbers: 1000, PerS: 60}
	w.ThrottleLiesAfter = 25
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	b := newSim(t, w, WithCheckLatency(0), WithClock(func() time.Time { return now }))
	registered := []string{"+14155550101", "+14155550102", "+14155550100"}
	pad := func(n int) []string {
		out := slices.Clone(registered)
		for i := len(out); i < n; i++ {
			out = append(out, fmt.Sprintf("+1415555%04d", 2000+i))
		}
		return out
	}
	steps := []struct {
		advance time.Duration
		n       int
		lies    bool
	}{
		{0, 20, false},
		{time.Second, 5, false},       // 25: at the threshold
		{time.Second, 3, true},        // 28 would be over: lies
		{0, 20, true},                 // lying calls do not count…
		{58 * time.Second, 5, false},  // …t=60s: the first call left the window
		{0, 20, true},                 // 5+5+20 = 30 > 25
		{59 * time.Second, 20, false}, // t=119s: only the t=60s call is left
	}
	for i, st := range steps {
		now = now.Add(st.advance)
		answers, err := b.CheckNumbers(context.Background(), pad(st.n))
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		for _, a := range answers[:len(registered)] {
			if !a.Answered || a.Err != nil || a.Exists == st.lies {
				t.Fatalf("step %d: %s answered %+v, want exists %v", i, a.Query, a, !st.lies)
			}
		}
	}
}

func TestFailNextAndBlock(t *testing.T) {
	t.Parallel()

	b := newSim(t, exampleWorld(t), WithCheckLatency(0))
	ctx := context.Background()
	boom := errors.New("boom")

	if got := b.Blocked(); !slices.Equal(got, []string{"14155550103@s.whatsapp.net"}) {
		t.Fatalf("Blocked = %v", got)
	}
	if err := b.SetBlocked(ctx, "14155550101@s.whatsapp.net", true); err != nil {
		t.Fatal(err)
	}
	ev := collect(t, b, func(wa.Event) bool { return true })[0]
	if ev != (wa.BlockChanged{JID: "14155550101@s.whatsapp.net", Blocked: true}) {
		t.Errorf("event %#v", ev)
	}
	b.FailNext("SetBlocked", boom)
	if err := b.SetBlocked(ctx, "14155550103@s.whatsapp.net", false); !errors.Is(err, boom) {
		t.Errorf("failing SetBlocked: %v", err)
	}
	noMoreEvents(t, b)
	if got := b.Blocked(); !slices.Equal(got, []string{"14155550103@s.whatsapp.net", "14155550101@s.whatsapp.net"}) {
		t.Errorf("Blocked after failed unblock = %v", got)
	}
	if err := b.SetBlocked(ctx, "+1 415 555 0103", false); err != nil {
		t.Fatal(err)
	}
	if got := b.Blocked(); !slices.Equal(got, []string{"14155550101@s.whatsapp.net"}) {
		t.Errorf("Blocked after unblock = %v", got)
	}
	if err := b.SetBlocked(ctx, "120363000000000001@g.us", true); err == nil {
		t.Error("blocked a group")
	}

	// The blocklist is part of the next sync.
	collect(t, b, func(ev wa.Event) bool { return ev == wa.BlockChanged{JID: "14155550103@s.whatsapp.net"} })
	b.Connect(ctx)
	for _, ev := range collect(t, b, untilSynced) {
		if bl, ok := ev.(wa.BlocklistReplaced); ok && !slices.Equal(bl.JIDs, []string{"14155550101@s.whatsapp.net"}) {
			t.Errorf("synced blocklist %v", bl.JIDs)
		}
	}

	for _, method := range []string{"CheckNumbers", "UserInfo", "SendLabelEdit", "SendLabelChat", "ProfilePictureURL"} {
		b.FailNext(method, boom)
	}
	b.FailNext("CheckNumbers", wa.ErrRateLimited) // queued behind boom
	if _, err := b.CheckNumbers(ctx, []string{"+14155550101"}); !errors.Is(err, boom) {
		t.Errorf("CheckNumbers: %v", err)
	}
	if _, err := b.CheckNumbers(ctx, []string{"+14155550101"}); !errors.Is(err, wa.ErrRateLimited) {
		t.Errorf("second CheckNumbers: %v", err)
	}
	if _, err := b.CheckNumbers(ctx, []string{"+14155550101"}); err != nil {
		t.Errorf("third CheckNumbers: %v", err)
	}
	if _, err := b.UserInfo(ctx, []string{"14155550101@s.whatsapp.net"}); !errors.Is(err, boom) {
		t.Errorf("UserInfo: %v", err)
	}
	if _, err := b.ProfilePictureURL(ctx, "14155550101@s.whatsapp.net"); !errors.Is(err, boom) {
		t.Errorf("ProfilePictureURL: %v", err)
	}
	if err := b.SendLabelEdit(ctx, wa.LabelEdit{WALabelID: "1", Name: "x"}); !errors.Is(err, boom) {
		t.Errorf("SendLabelEdit: %v", err)
	}
	if err := b.SendLabelChat(ctx, "1", "14155550101@s.whatsapp.net", true); !errors.Is(err, boom) {
		t.Errorf("SendLabelChat: %v", err)
	}
	if len(b.SentLabelEdits())+len(b.SentLabelChats()) != 0 {
		t.Error("failed label sends were recorded")
	}

	defer func() {
		if recover() == nil {
			t.Error("FailNext with an unknown method did not panic")
		}
	}()
	b.FailNext("CheckNumber", boom)
}

func TestLabels(t *testing.T) {
	t.Parallel()

	ctx := context.Background()
	b := newSim(t, exampleWorld(t))
	edits := []wa.LabelEdit{
		{WALabelID: "1", Name: "New client", Color: 3},
		{WALabelID: "2", Name: "VIP", Color: 19},
	}
	for _, e := range edits {
		if err := b.SendLabelEdit(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.SendLabelEdit(ctx, wa.LabelEdit{WALabelID: "3", Name: "x", Color: 20}); err == nil {
		t.Error("colour 20 accepted")
	}
	if err := b.SendLabelChat(ctx, "2", "14155550101@s.whatsapp.net", true); err != nil {
		t.Fatal(err)
	}
	if err := b.SendLabelChat(ctx, "1", "14155550101@s.whatsapp.net", false); err != nil {
		t.Fatal(err)
	}
	if err := b.SendLabelChat(ctx, "9", "14155550101@s.whatsapp.net", true); err == nil {
		t.Error("unknown label accepted")
	}
	if got := b.SentLabelEdits(); !reflect.DeepEqual(got, edits) {
		t.Errorf("SentLabelEdits = %+v", got)
	}
	wantChats := []LabelChat{{"2", "14155550101@s.whatsapp.net", true}, {"1", "14155550101@s.whatsapp.net", false}}
	if got := b.SentLabelChats(); !reflect.DeepEqual(got, wantChats) {
		t.Errorf("SentLabelChats = %+v", got)
	}
	// The account now has the edited labels.
	b.Connect(ctx)
	var got []string
	for _, ev := range collect(t, b, untilSynced) {
		switch e := ev.(type) {
		case wa.LabelEdited:
			got = append(got, fmt.Sprintf("%s=%s/%d", e.WALabelID, e.Name, e.Color))
		case wa.LabelAssociationChanged:
			got = append(got, fmt.Sprintf("%s+%s", e.WALabelID, e.ChatJID))
		}
	}
	if s := strings.Join(got, " "); s != "1=New client/3 2=VIP/19 2+14155550101@s.whatsapp.net" {
		t.Errorf("synced labels: %s", s)
	}
	if err := b.SendLabelEdit(ctx, wa.LabelEdit{WALabelID: "2", Deleted: true}); err != nil {
		t.Fatal(err)
	}
	if err := b.SendLabelChat(ctx, "2", "14155550101@s.whatsapp.net", true); err == nil {
		t.Error("deleted label accepted")
	}

	personal := exampleWorld(t)
	personal.Account.Business = false
	p := newSim(t, personal)
	if err := p.SendLabelEdit(ctx, edits[0]); !errors.Is(err, wa.ErrNotBusiness) {
		t.Errorf("personal SendLabelEdit: %v", err)
	}
	if err := p.SendLabelChat(ctx, "1", "14155550101@s.whatsapp.net", true); !errors.Is(err, wa.ErrNotBusiness) {
		t.Errorf("personal SendLabelChat: %v", err)
	}
	if len(p.SentLabelEdits())+len(p.SentLabelChats()) != 0 {
		t.Error("refused label sends were recorded")
	}
	if p.Account().IsBusiness {
		t.Error("personal account says business")
	}
}

func TestUserInfoAndPicture(t *testing.T) {
	t.Parallel()

	w := exampleWorld(t)
	w.Contacts[0].AvatarURL = "https://pps.whatsapp.net/v/t61/ada.jpg"
	w.Contacts = append(w.Contacts, WorldContact{Phone: "+14155550120", BusinessName: "Lisbon Bakery", About: "Pastéis"})
	b := newSim(t, w)
	ctx := context.Background()
	info, err := b.UserInfo(ctx, []string{"14155550101@s.whatsapp.net", "211111111111111@lid", "14155550120@s.whatsapp.net", "19999999999@s.whatsapp.net"})
	if err != nil {
		t.Fatal(err)
	}
	if len(info) != 3 {
		t.Errorf("info for %d users, want 3 (unknown left out): %v", len(info), info)
	}
	ada := info["14155550101@s.whatsapp.net"]
	if ada.About != "Hey there!" || ada.AvatarID == "" || ada.IsBusiness || ada.JID != "14155550101@s.whatsapp.net" {
		t.Errorf("ada = %+v", ada)
	}
	if info["211111111111111@lid"] != ada {
		t.Errorf("by LID = %+v", info["211111111111111@lid"])
	}
	if bakery := info["14155550120@s.whatsapp.net"]; !bakery.IsBusiness || bakery.VerifiedName != "Lisbon Bakery" || bakery.About != "Pastéis" {
		t.Errorf("bakery = %+v", bakery)
	}
	if _, err := b.UserInfo(ctx, []string{"19999999999@s.whatsapp.net"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown user: %v", err)
	}
	if url, err := b.ProfilePictureURL(ctx, "14155550101@s.whatsapp.net"); err != nil || url != w.Contacts[0].AvatarURL {
		t.Errorf("picture = %q, %v", url, err)
	}
	if url, err := b.ProfilePictureURL(ctx, "14155550102@s.whatsapp.net"); err != nil || url != "" {
		t.Errorf("registered, no picture = %q, %v", url, err)
	}
	if _, err := b.ProfilePictureURL(ctx, "19999999999@s.whatsapp.net"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown picture: %v", err)
	}
}

func TestNewCopiesWorld(t *testing.T) {
	t.Parallel()

	w := exampleWorld(t)
	b := newSim(t, w)
	w.Contacts[0].Phone = "+19999999999"
	w.Blocked[0] = "+19999999998"
	if got := b.Blocked(); !slices.Equal(got, []string{"14155550103@s.whatsapp.net"}) {
		t.Errorf("Blocked = %v", got)
	}
	if a, err := b.CheckNumbers(context.Background(), []string{"+14155550101"}); err != nil || !a[0].Exists {
		t.Errorf("answer %+v, %v after the caller changed its world", a, err)
	}
	defer func() {
		if recover() == nil {
			t.Error("New accepted an invalid world")
		}
	}()
	New(&World{Account: &WorldAccount{Phone: "nope"}})
}

func TestConcurrentUse(t *testing.T) {
	t.Parallel()

	b := newSim(t, DemoWorld(), WithCheckLatency(0))
	ctx := context.Background()
	go func() {
		for range b.Events() {
		}
	}()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range 20 {
				b.Connect(ctx)
				b.CheckNumbers(ctx, []string{fmt.Sprintf("+1415555%04d", 100+k)})
				b.SetBlocked(ctx, "+14155550101", k%2 == 0)
				b.UserInfo(ctx, []string{"14155550101@s.whatsapp.net"})
				b.SendLabelEdit(ctx, wa.LabelEdit{WALabelID: fmt.Sprint(i), Name: "x", Color: k % 20})
				b.Account()
				if k%7 == 0 {
					b.Disconnect()
				}
			}
		}()
	}
	wg.Wait()
	if b.CheckCalls() != 160 {
		t.Errorf("CheckCalls = %d", b.CheckCalls())
	}
}
