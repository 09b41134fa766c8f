package ui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/model"
)

// step sends keys and waits until the model shows what they changed.
func settle(t *testing.T, tm *teatest.TestModel, text string) {
	t.Helper()
	waitFor(t, tm, text)
}

func contactsWithLabel(t *testing.T, svc *app.Service, label string) []string {
	t.Helper()
	snap, err := svc.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range snap.Contacts {
		if slices.Contains(c.Labels, label) {
			names = append(names, c.DisplayName())
		}
	}
	slices.Sort(names)
	return names
}

// Select three contacts, create a label in the picker, apply, find them with
// label:, undo.
func TestLabelPickerCreateApplyUndo(t *testing.T) {
	t.Parallel()
	svc := newTestService(t)
	tm := newTestModel(t, New(t.Context(), svc, Options{}), teatest.WithInitialTermSize(100, 30))
	waitLoaded(t, tm)
	// The list is in name order: Ada, Alan T, Evegnp.exe, …
	for i := 0; i < 3; i++ {
		tm.Send(press("space"))
	}
	tm.Send(press("l"))
	tm.Type("Gold")
	tm.Send(press("enter")) // create «Gold»
	tm.Send(press("enter")) // apply
	settle(t, tm, "added Gold on 3 contacts")
	want := []string{"Ada Lovelace", "Alan T", "Eve\x1b]52;c;ZXZpbA==\a\x1b[2J\u202egnp.exe"}
	if got := contactsWithLabel(t, svc, "Gold"); !slices.Equal(got, want) {
		t.Fatalf("contacts with Gold: %q, want %q", got, want)
	}
	tm.Send(press("esc")) // clear the selection
	tm.Send(press("/"))
	tm.Type("label:gold")
	tm.Send(press("enter"))
	tm.Send(press("u"))
	settle(t, tm, "undone")
	m, _ := finalView(t, tm)
	if got := contactsWithLabel(t, svc, "Gold"); len(got) != 0 {
		t.Errorf("after undo, Gold is still on %q", got)
	}
	// The search was typed before the undo landed: it found exactly three.
	if !strings.HasPrefix(m.contacts.counts(), "0 of 6") && !strings.HasPrefix(m.contacts.counts(), "3 of 6") {
		t.Errorf("label:gold shows %q", m.contacts.counts())
	}
}

func TestLabelSearchFindsExactlyTheLabelled(t *testing.T) {
	t.Parallel()
	svc := newTestService(t)
	tm := newTestModel(t, New(t.Context(), svc, Options{}), teatest.WithInitialTermSize(100, 30))
	waitLoaded(t, tm)
	tm.Send(press("down"))
	tm.Send(press("space")) // Alan T
	tm.Send(press("space")) // Eve…
	tm.Send(press("l"))
	tm.Type("vip, Brand new")
	tm.Send(press("enter"))
	settle(t, tm, "added VIP, Brand new on 2 contacts")
	tm.Send(press("esc"))
	tm.Send(press("/"))
	tm.Type(`label:"brand new"`)
	// The search filters again when the refresh with the new label lands;
	// a query typed halfway ("label:\"brand") may count 2 already.
	f, _ := framesOf.Load(tm)
	f.(*frames).waitFrameFunc(t, "2 of 6 for the whole query", func(f string) bool {
		return strings.Contains(f, `label:"brand new"`) && strings.Contains(f, "2 of 6 contacts")
	})
	m, view := finalView(t, tm)
	if got := m.contacts.counts(); !strings.HasPrefix(got, "2 of 6") {
		t.Errorf("label:\"brand new\" shows %q:\n%s", got, view)
	}
	if got := contactsWithLabel(t, svc, "VIP"); len(got) != 3 {
		t.Errorf("VIP on %q, want Grace plus the two", got)
	}
}

// TestBlockFromTheDetailView: b queues the block for WhatsApp and says so;
// the holder (this test's service) sends it and the detail follows what
// WhatsApp confirmed; a change WhatsApp keeps refusing leaves the mirror as
// it was and the status bar counts it failed.
func TestBlockFromTheDetailView(t *testing.T) {
	t.Parallel()
	svc, backend, _ := newTestWorld(t)
	tm := newTestModel(t, New(t.Context(), svc, Options{}), teatest.WithInitialTermSize(100, 30))
	waitLoaded(t, tm)
	tm.Send(press("/"))
	tm.Type("grace")
	tm.Send(press("enter"))
	tm.Send(press("enter"))
	tm.Send(press("b"))
	settle(t, tm, "Block Grace Hopper on WhatsApp?")
	// The sender held back, the queued block is seen as such.
	svc.StopOutbox()
	tm.Send(press("y"))
	settle(t, tm, "blocking Grace Hopper… (queued for WhatsApp) · 1 change waiting for WhatsApp")
	if c, _ := svc.FindContact(context.Background(), "14155550104"); c.IsBlocked || c.BlockPending != 1 {
		t.Errorf("queued: blocked %v, pending %d; want not blocked yet, block pending", c.IsBlocked, c.BlockPending)
	}
	svc.StartOutbox(context.Background())
	deadline := time.Now().Add(10 * time.Second)
	for !slices.Contains(backend.Blocked(), "14155550104@s.whatsapp.net") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if !slices.Contains(backend.Blocked(), "14155550104@s.whatsapp.net") {
		t.Errorf("sim blocklist %q lacks Grace", backend.Blocked())
	}
	for c, _ := svc.FindContact(context.Background(), "14155550104"); c.BlockPending != 0 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
		c, _ = svc.FindContact(context.Background(), "14155550104")
	}
	c, _ := svc.FindContact(context.Background(), "14155550104")
	if !c.IsBlocked || c.BlockPending != 0 {
		t.Errorf("mirror: blocked %v, pending %d; want blocked, confirmed", c.IsBlocked, c.BlockPending)
	}

	// WhatsApp refusing every time: the unblock fails, the mirror keeps
	// what WhatsApp confirmed, and the status bar says a change failed.
	// The detail shows what WhatsApp confirmed once the list has read it
	// (a refresh after the change): b then offers the unblock.
	f, _ := framesOf.Load(tm)
	f.(*frames).waitFrameFunc(t, "the detail saying blocked, confirmed", func(frame string) bool {
		for _, l := range strings.Split(ansi.Strip(frame), "\n") {
			if strings.Contains(l, "Blocked") && strings.HasSuffix(strings.TrimSpace(l), "yes") {
				return true
			}
		}
		return false
	})
	for range 5 {
		backend.FailNext("SetBlocked", errors.New("server said no"))
	}
	tm.Send(press("b"))
	settle(t, tm, "Unblock Grace Hopper")
	tm.Send(press("y"))
	waitFor(t, tm, "1 change failed")
	_, _ = finalView(t, tm)
	if c, _ := svc.FindContact(context.Background(), "14155550104"); !c.IsBlocked || c.BlockPending != -1 {
		t.Errorf("after a failed unblock: blocked %v, pending %d; want blocked with the unblock still pending", c.IsBlocked, c.BlockPending)
	}
}

// Editing only the note of a contact whose name carries control codes (from
// the phone's address book) saves the note and leaves name and labels.
func TestNoteOnlyEditOfAWhatsAppContact(t *testing.T) {
	t.Parallel()
	svc := newTestService(t)
	m := New(t.Context(), svc, Options{})
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	drive(m, m.load())
	drive(m, m.completeIndex(m.ix))
	m.contacts.setQuery("gnp")
	eve := wholeCurrent(t, m)
	m.contacts.contactForm(eve)
	m.applyIntents()
	f := m.topDialog().(*formDialog)
	f.fields[3].input.SetValue("met at the conference")
	_, cmd := m.Update(press("enter"))
	drive(m, cmd)
	if m.actionErr != "" {
		t.Fatalf("note-only edit refused: %s", m.actionErr)
	}
	c, err := svc.FindContact(context.Background(), "14155550105")
	if err != nil || c.Note != "met at the conference" || c.FullName != eve.FullName {
		t.Errorf("after the edit: note %q, name %q (was %q), %v", c.Note, c.FullName, eve.FullName, err)
	}
}

// TestFailedChangesOnTheAccountScreen: a change WhatsApp kept refusing is
// listed on the Account screen with WhatsApp's reason; f queues the failed
// changes again, x drops the one under the cursor after a question.
func TestFailedChangesOnTheAccountScreen(t *testing.T) {
	t.Parallel()
	svc, backend, _ := newTestWorld(t)
	ctx := context.Background()
	for range 10 {
		backend.FailNext("SetBlocked", errors.New("server said no"))
	}
	for _, id := range []string{"14155550104", "14155550101"} {
		if err := svc.SetBlocked(ctx, id, true); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for c, _ := svc.OutboxCounts(ctx); c.Failed < 2; c, _ = svc.OutboxCounts(ctx) {
		if time.Now().After(deadline) {
			t.Fatalf("the blocks never failed: %+v", c)
		}
		time.Sleep(10 * time.Millisecond)
	}
	tm := newTestModel(t, New(t.Context(), svc, Options{}), teatest.WithInitialTermSize(100, 30))
	waitFor(t, tm, "2 changes failed")
	tm.Send(press("4"))
	// One frame shows the counts and the list: wait for all of it at once.
	f, _ := framesOf.Load(tm)
	f.(*frames).waitFrameFunc(t, "the counts and the list", func(frame string) bool {
		return strings.Contains(frame, "0 waiting, 2 failed") && strings.Contains(frame, "server said no")
	})
	tm.Send(press("j"))
	tm.Send(press("x"))
	settle(t, tm, "Drop block +14155550101?")
	tm.Send(press("y"))
	settle(t, tm, "Dropped: block +14155550101")
	if c, _ := svc.OutboxCounts(ctx); c.Failed != 1 {
		t.Errorf("after the drop: %+v, want 1 failed", c)
	}
	tm.Send(press("f"))
	settle(t, tm, "Queued again: 1 change for WhatsApp")
	deadline = time.Now().Add(10 * time.Second)
	for c, _ := svc.OutboxCounts(ctx); c.Failed+c.Pending > 0; c, _ = svc.OutboxCounts(ctx) {
		if time.Now().After(deadline) {
			t.Fatalf("the retried block was not sent: %+v", c)
		}
		time.Sleep(10 * time.Millisecond)
	}
	_, _ = finalView(t, tm)
	if c, _ := svc.FindContact(ctx, "14155550104"); !c.IsBlocked {
		t.Error("the retried block did not reach the mirror")
	}
}

// TestStatusBarCountsChangesWaitingForWhatsApp: with nobody sending (as in
// a UI whose connection another wabook holds, before it sends), what is
// queued for WhatsApp is counted in the status bar.
func TestStatusBarCountsChangesWaitingForWhatsApp(t *testing.T) {
	t.Parallel()
	svc := newTestService(t)
	svc.StopOutbox()
	tm := newTestModel(t, New(t.Context(), svc, Options{}), teatest.WithInitialTermSize(120, 30))
	waitLoaded(t, tm)
	ctx := context.Background()
	for _, id := range []string{"14155550104", "14155550101"} {
		if err := svc.SetBlocked(ctx, id, true); err != nil {
			t.Fatal(err)
		}
	}
	// The renderer redraws only the cells that changed ("1 change" became
	// "2 changes"): wait for those, then read the whole status bar.
	waitFor(t, tm, "2 changes")
	if _, view := finalView(t, tm); !strings.Contains(view, "2 changes waiting for WhatsApp") {
		t.Errorf("the status bar does not count the two blocks waiting:\n%s", view)
	}
}

// A contact whose block or unblock waits for WhatsApp says so in the list.
func TestListShowsPendingBlocks(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		blocked, business bool
		pending           int
		want              string
	}{
		{false, false, 0, ""},
		{false, false, 1, "blocking…"},
		{false, true, 1, "business · blocking…"},
		{true, false, -1, "blocked · unblocking…"},
		{true, true, -1, "blocked business · unblocking…"},
		{true, false, 0, "blocked"},
	} {
		ix := buildIndex(&app.Snapshot{Contacts: []model.Contact{{JID: "1@s.whatsapp.net", FullName: "A", IsBlocked: c.blocked, IsBusiness: c.business, BlockPending: c.pending}}})
		if flags := ix.flagText(0); flags != c.want {
			t.Errorf("blocked %v business %v pending %d: %q, want %q", c.blocked, c.business, c.pending, flags, c.want)
		}
	}
}

// The flash saying a block is queued goes once nothing waits for WhatsApp;
// other flashes stay until a key.
func TestQueuedFlashGoesWhenSent(t *testing.T) {
	t.Parallel()
	svc := newTestService(t)
	m := New(t.Context(), svc, Options{})
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	m.handleAction(actionMsg{flash: "block Grace Hopper: queued for WhatsApp", untilSent: true})
	m.Update(noticeMsg{n: app.Notice{Kind: app.StatusChanged}})
	if m.flash != "" {
		t.Errorf("flash %q stayed with nothing waiting", m.flash)
	}
	m.handleAction(actionMsg{flash: "added Gold on 1 contact"})
	m.Update(noticeMsg{n: app.Notice{Kind: app.StatusChanged}})
	if m.flash == "" {
		t.Error("a flash about something else went too")
	}
	// One that says what was sent takes its place, unless the outbox
	// failed a change meanwhile.
	m.handleAction(actionMsg{flash: "blocking Grace Hopper… (queued for WhatsApp)", sent: "blocked Grace Hopper (sent to WhatsApp)", untilSent: true})
	if m.flash != "blocked Grace Hopper (sent to WhatsApp)" {
		t.Errorf("flash %q with nothing waiting, want the sent one", m.flash)
	}
	m.handleAction(actionMsg{flash: "blocking Grace Hopper… (queued for WhatsApp)", sent: "blocked Grace Hopper (sent to WhatsApp)", untilSent: true, failedBefore: -1})
	if m.flash != "" {
		t.Errorf("flash %q though a change failed meanwhile", m.flash)
	}
}

// Another process removes a label above the cursor: the cursor stays on
// its label, as the contact list's stays on its contact.
func TestLabelsScreenKeepsTheCursorOnItsLabel(t *testing.T) {
	t.Parallel()
	l := newLabelScreen(testCommon(t, app.Status{}, false))
	l.SetSize(80, 20)
	all := []model.Label{{ID: 1, Name: "Hot"}, {ID: 2, Name: "Batch1"}, {ID: 3, Name: "Imported"}, {ID: 4, Name: "VIP"}}
	l.setLabels(all)
	l.cursor = 2 // Imported
	l.setLabels([]model.Label{all[1], all[2], all[3]})
	if got := l.labels[l.cursor].Name; got != "Imported" {
		t.Errorf("cursor on %q after a label above it went, want Imported", got)
	}
	l.setLabels([]model.Label{all[1], all[3]}) // its own label gone: stays in range
	if l.cursor < 0 || l.cursor >= len(l.labels) {
		t.Errorf("cursor %d out of range", l.cursor)
	}
}

// On an account that is no longer a Business one, label sync left on is
// told as it is and s can turn it off.
func TestLabelSyncOnAPersonalAccount(t *testing.T) {
	t.Parallel()
	svc := newTestService(t)
	m := New(t.Context(), svc, Options{})
	m.labelSync = true
	m.status.Account.IsBusiness = false
	if line := m.labels.syncLine(); !strings.Contains(line, "not a WhatsApp Business account") || !strings.Contains(line, "s turns sync off") {
		t.Errorf("label sync line: %q", line)
	}
	m.switchTo(screenLabels)
	if cmd := m.handleKey(press("s")); cmd == nil || m.actionErr != "" {
		t.Fatalf("s on a personal account with sync on: cmd %v, error %q", cmd, m.actionErr)
	}
}

// Twenty failed changes at 80x24: the Account screen's list scrolls with
// the cursor, and each change keeps WhatsApp's reason in sight.
func TestFailedChangesScrollAt80x24(t *testing.T) {
	t.Parallel()
	svc, _, st := newTestWorld(t)
	svc.StopOutbox()
	ctx := context.Background()
	for i := range 20 {
		if err := svc.SetBlocked(ctx, fmt.Sprintf("+1 631 555 %04d", i), true); err != nil {
			t.Fatal(err)
		}
	}
	items, err := svc.Outbox(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if err := st.TriedOutbox(ctx, it.ID, "labels need a WhatsApp Business account", true); err != nil {
			t.Fatal(err)
		}
	}
	m := New(t.Context(), svc, Options{})
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	m.status = svc.Status()
	drive(m, m.switchTo(screenAccount))
	for range 12 {
		m.handleKey(press("j"))
	}
	view := m.View().Content
	if !strings.Contains(view, cursorMarker+" block +16315550012") {
		t.Errorf("the cursor's change is not on screen:\n%s", view)
	}
	if !strings.Contains(view, "labels need a WhatsApp Business account") {
		t.Errorf("WhatsApp's reason is cut off:\n%s", view)
	}
	m.Update(press("x")) // the question is a dialog: Update opens it
	if view := m.View().Content; !strings.Contains(boxText(view), "Drop block +16315550012?") {
		t.Errorf("the drop question names another change:\n%s", view)
	}
}

// The flash after applying labels counts the contacts that changed, not
// those selected: a contact that had the label already is not counted.
func TestLabelFlashCountsTheContactsChanged(t *testing.T) {
	t.Parallel()
	svc := newTestService(t)
	tm := newTestModel(t, New(t.Context(), svc, Options{}), teatest.WithInitialTermSize(100, 30))
	waitLoaded(t, tm)
	tm.Send(press("space")) // Ada
	tm.Send(press("l"))
	tm.Type("Gold")
	tm.Send(press("enter")) // create «Gold»
	tm.Send(press("enter")) // apply
	settle(t, tm, "added Gold on 1 contact")
	// The picker offers Gold once the list's index has it.
	f, _ := framesOf.Load(tm)
	f.(*frames).waitFrameFunc(t, "Ada's row with Gold", func(f string) bool {
		for _, line := range strings.Split(ansi.Strip(f), "\n") {
			if strings.Contains(line, "Ada Lovelace") && strings.Contains(line, "Gold") {
				return true
			}
		}
		return false
	})
	tm.Send(press("esc")) // clear the selection
	tm.Send(press("g"))
	for range 3 {
		tm.Send(press("space")) // Ada (has Gold), Alan T, Eve…
	}
	tm.Send(press("l"))
	tm.Type("gold")
	tm.Send(press("tab"))
	tm.Send(press("enter"))
	settle(t, tm, "added Gold on 2 contacts")
}
