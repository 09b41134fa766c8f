package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/store"
)

// copySnapshot is a deep enough copy of snap for buildIndex, which
// reorders the contacts in place.
func copySnapshot(snap *app.Snapshot) *app.Snapshot {
	return &app.Snapshot{Contacts: slices.Clone(snap.Contacts), Labels: snap.Labels, Groups: snap.Groups}
}

// An index built from the last one plus the changes is the index a whole
// build of the changed book gives: the same contacts in the same order,
// the same haystacks, labels and groups; and the old index is untouched.
func TestApplyChangesEqualsAWholeBuild(t *testing.T) {
	t.Parallel()
	base := benchSnapshot(3_000)
	tests := []struct {
		name   string
		change func(cs []model.Contact) (after []model.Contact, changed []model.Contact, removed []string)
		labels bool
	}{
		{"nothing", func(cs []model.Contact) ([]model.Contact, []model.Contact, []string) { return cs, nil, nil }, false},
		{"added", func(cs []model.Contact) ([]model.Contact, []model.Contact, []string) {
			var added []model.Contact
			for i, name := range []string{"Aaron First", "Zz Last", "Middle Person", "", "Émile Accent"} {
				added = append(added, model.Contact{JID: fmt.Sprintf("1999000000%d@s.whatsapp.net", i), Phone: fmt.Sprintf("+1999000000%d", i), FullName: name})
			}
			return append(slices.Clone(cs), added...), added, nil
		}, false},
		{"removed", func(cs []model.Contact) ([]model.Contact, []model.Contact, []string) {
			var removed []string
			var after []model.Contact
			for i, c := range cs {
				if i%7 == 3 {
					removed = append(removed, c.JID)
				} else {
					after = append(after, c)
				}
			}
			return after, nil, append(removed, "19990000999@s.whatsapp.net") // one never shown
		}, false},
		{"renamed, relabelled, regrouped", func(cs []model.Contact) ([]model.Contact, []model.Contact, []string) {
			after := slices.Clone(cs)
			var changed []model.Contact
			for i := range after {
				if i%11 == 0 {
					c := after[i]
					c.FullName = "Renamed " + strings.Repeat("z", i%5) + c.Phone
					c.Labels = []string{"Fresh label"}
					c.Groups = nil
					after[i] = c
					changed = append(changed, c)
				}
			}
			return after, changed, nil
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := copySnapshot(base)
			old := buildIndex(before)
			old.hays = buildHaystacks(old)
			oldJIDs := jidsOf(old)

			after, changed, removed := tt.change(slices.Clone(base.Contacts))
			ch := &app.Changes{Contacts: changed, Removed: removed, Mark: app.Mark{Contacts: 42}}
			wantSnap := &app.Snapshot{Contacts: slices.Clone(after), Labels: base.Labels, Groups: base.Groups}
			if tt.labels {
				ch.LabelsChanged = true
				ch.Labels = append(slices.Clone(base.Labels), model.Label{ID: 999, Name: "Fresh label", Color: 5})
				wantSnap.Labels = ch.Labels
			}
			got := applyChanges(old, ch, true)
			want := buildIndex(wantSnap)
			want.hays = buildHaystacks(want)

			if g, w := jidsOf(got), jidsOf(want); !slices.Equal(g, w) {
				t.Fatalf("order differs from a whole build: %d vs %d entries; first difference at %d", len(g), len(w), firstDiff(g, w))
			}
			for i := range int32(len(got.rows)) {
				if got.name(i) != want.name(i) || got.hay(i) != want.hay(i) || got.flagText(i) != want.flagText(i) {
					t.Fatalf("entry %d: %q %q %q, whole build %q %q %q", i, got.name(i), got.hay(i), got.flagText(i), want.name(i), want.hay(i), want.flagText(i))
				}
			}
			if got.total != len(after) || got.mark.Contacts != 42 || !got.labelSync {
				t.Errorf("total %d (want %d), mark %+v, label sync %v", got.total, len(after), got.mark, got.labelSync)
			}
			if tt.labels && got.labelColor["fresh label"] != 5 {
				t.Errorf("the new label's colour is not known: %v", got.labelColor)
			}
			if !slices.Equal(jidsOf(old), oldJIDs) {
				t.Error("the old index changed")
			}
		})
	}
}

func jidsOf(ix *index) []string {
	out := make([]string, len(ix.rows))
	for i := range out {
		out[i] = ix.jid(int32(i))
	}
	return out
}

func firstDiff(a, b []string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// Two UIs of one process share one index: the second asks after the
// first built it and gets the very same one; after a change both get the
// same next one, built once.
func TestUIsShareOneIndex(t *testing.T) {
	t.Parallel()
	svc := newTestService(t)
	shared := NewIndexes(svc)
	a, b := New(t.Context(), svc, Options{Indexes: shared}), New(t.Context(), svc, Options{Indexes: shared})
	a.loaded, b.loaded = true, true // past the first page: load refreshes
	ixA := a.load()().(snapshotMsg)
	ixB := b.load()().(snapshotMsg)
	if ixA.err != nil || ixB.err != nil || ixA.ix != ixB.ix || !ixA.whole || ixB.whole {
		t.Fatalf("first loads: %p (whole %v, %v) and %p (whole %v, %v); want one index, read whole once", ixA.ix, ixA.whole, ixA.err, ixB.ix, ixB.whole, ixB.err)
	}
	if _, err := svc.AddContact(context.Background(), app.ContactInput{Name: "Zed Shared", Phone: "+14155550177"}); err != nil {
		t.Fatal(err)
	}
	nextB := b.load()().(snapshotMsg)
	nextA := a.load()().(snapshotMsg)
	if nextA.ix != nextB.ix || nextA.ix == ixA.ix || nextA.whole || nextB.whole {
		t.Fatalf("after a change: %p and %p (old %p), whole %v %v; want one new index built from the old", nextA.ix, nextB.ix, ixA.ix, nextA.whole, nextB.whole)
	}
	if nextA.ix.total != ixA.ix.total+1 || ixA.ix.total != 6 {
		t.Errorf("totals %d then %d; want 6 then 7", ixA.ix.total, nextA.ix.total)
	}
}

// A change written by another process (here another handle on the file)
// shows up in a running UI without a key: the search typed, the cursor's
// contact, the selection and the open detail view stay as they were.
func TestRefreshKeepsSearchCursorSelectionAndDetail(t *testing.T) {
	t.Parallel()
	svc, _, st := newTestWorld(t)
	other, err := store.Open(st.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	tm := newTestModel(t, New(t.Context(), svc, Options{}), teatest.WithInitialTermSize(100, 30))
	waitLoaded(t, tm)
	tm.Send(press("/"))
	tm.Type("a")
	tm.Send(press("enter")) // the search stays, the keys go to the list
	tm.Send(press("down"))
	tm.Send(press("space")) // selects and moves on
	waitFor(t, tm, "1 selected")

	ctx := context.Background()
	// Sorts first: every row below shifts by one.
	if _, err := other.InsertContact(ctx, model.Contact{Phone: "+14155550188", FullName: "Aardvark Able"}, nil); err != nil {
		t.Fatal(err)
	}
	waitFor(t, tm, "Aardvark Able")
	// The detail view of the contact under the cursor follows its changes.
	tm.Send(press("enter"))
	waitFor(t, tm, "14155550104@s.whatsapp.net")
	note := "Refreshed from elsewhere"
	if _, err := other.UpdateContact(ctx, "14155550104@s.whatsapp.net", store.ContactUpdate{Note: &note}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, tm, note)
	m, view := finalView(t, tm)
	if got := m.contacts.search.Value(); got != "a" {
		t.Errorf("search is %q after the refresh, want %q", got, "a")
	}
	// Ada, Alan (selected), Grace (the cursor), Mallory matched "a";
	// Aardvark came first and the cursor stayed on Grace.
	if i := m.contacts.current(); i < 0 || m.ix.name(i) != "Grace Hopper" || m.contacts.cursor != 3 {
		t.Errorf("cursor on row %d of the index at row %d after the refresh; want Grace Hopper, now row 3", i, m.contacts.cursor)
	}
	if len(m.contacts.selected) != 1 || !m.contacts.selected["442079460958@s.whatsapp.net"] {
		t.Errorf("selection %v after the refresh, want Alan T alone", m.contacts.selected)
	}
	if got := m.contacts.counts(); !strings.HasPrefix(got, "5 of 7 contacts · 1 selected") {
		t.Errorf("status bar counts %q", got)
	}
	if !m.inDetail || m.detail.c.JID != "14155550104@s.whatsapp.net" || m.detail.c.Note != note || !strings.Contains(view, note) {
		t.Errorf("detail view: open %v on %+v\n%s", m.inDetail, m.detail.c, view)
	}
}

// hangingChanges makes Indexes' change read hang once armed, until the
// test ends, and says when a read is hanging.
func hangingChanges(t *testing.T, x *Indexes) (arm func(), hanging <-chan struct{}) {
	var armed atomic.Bool
	entered := make(chan struct{}, 1)
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	read := x.changes
	x.changes = func(ctx context.Context, since app.Mark, limit int) (*app.Changes, error) {
		if armed.Load() {
			select {
			case entered <- struct{}{}:
			default:
			}
			select {
			case <-release:
			case <-ctx.Done():
			}
			return nil, context.Canceled
		}
		return read(ctx, since, limit)
	}
	return func() { armed.Store(true) }, entered
}

// ackWatch passes on every notice the UI acknowledges, that is, has read.
type ackWatch struct {
	Service
	acked chan app.Notice
}

func (a *ackWatch) Acknowledge(n app.Notice) {
	a.Service.Acknowledge(n)
	select {
	case a.acked <- n:
	default:
	}
}

// No key waits for a refresh: with the change read hanging (a database
// locked by another process, a slow disk), a change noticed starts a
// refresh that never ends, and every key still produces its frame.
func TestKeysNeverWaitForARefresh(t *testing.T) {
	t.Parallel()
	svc := newTestService(t)
	x := NewIndexes(svc)
	arm, hanging := hangingChanges(t, x)
	acks := &ackWatch{Service: svc, acked: make(chan app.Notice, 64)}
	tm := newTestModel(t, New(t.Context(), acks, Options{Indexes: x}), teatest.WithInitialTermSize(100, 30))
	waitLoaded(t, tm)
	arm()
	// A change of this process: the service says DataChanged.
	if _, err := svc.AddContact(context.Background(), app.ContactInput{Name: "Never Shown", Phone: "+14155550166"}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-hanging:
	case <-time.After(5 * time.Second):
		t.Fatal("the change did not start a refresh")
	}
	for len(acks.acked) > 0 {
		<-acks.acked
	}
	// More changes while the refresh hangs: they wait for it, keys do not.
	if _, err := svc.AddContact(context.Background(), app.ContactInput{Name: "Never Shown Either", Phone: "+14155550167"}); err != nil {
		t.Fatal(err)
	}
	// The UI has read the second change's notice (it acknowledges each;
	// those before the refresh began were acknowledged before it).
	for seen := false; !seen; {
		select {
		case n := <-acks.acked:
			seen = n.Kind == app.DataChanged
		case <-time.After(5 * time.Second):
			t.Fatal("the UI did not read the second change's notice")
		}
	}
	for i, step := range []struct {
		key  tea.KeyPressMsg
		text string
	}{
		{press("3"), "WhatsApp label sync"},
		{press("1"), "Ada Lovelace"},
		{press("?"), "Everywhere"},
		{press("esc"), "Ada Lovelace"}, // esc closes the help
		{press("/"), "label:vip, -label:x"},
	} {
		start := time.Now()
		// Sent aside: a blocked Update would block Send too, and the
		// test must fail then, not hang.
		go tm.Send(step.key)
		waitFor(t, tm, step.text)
		t.Logf("key %d (%s): frame after %v", i, step.key.String(), time.Since(start))
	}
	go tm.Type("Mallory")
	waitFor(t, tm, "Mallory Spam")
	m, view := finalView(t, tm)
	if got := m.contacts.counts(); !strings.HasPrefix(got, "1 of 6 contacts") || !strings.Contains(view, "Mallory Spam") {
		t.Errorf("typed a search while the refresh hangs: %q\n%s", got, view)
	}
	if strings.Contains(view, "Never Shown") || m.ix.total != 6 {
		t.Errorf("a refresh that hangs installed something: total %d\n%s", m.ix.total, view)
	}
	if !m.loading || !m.reloadPending {
		t.Errorf("loading %v, pending %v; want the hanging refresh in flight and the second change waiting for it", m.loading, m.reloadPending)
	}
}

// A refresh sorts and filters the new index for the list in the command
// that reads it: installing it uses that work as it is (here marked by a
// reversed order) instead of sorting and searching on the Update path; a
// list whose sort changed meanwhile computes its own.
func TestRefreshSortsAndFiltersOffTheUpdatePath(t *testing.T) {
	t.Parallel()
	svc := newTestService(t)
	m := New(t.Context(), svc, Options{})
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	drive(m, m.load())
	drive(m, m.completeIndex(m.ix))
	m.contacts.sort = sortByRecent
	m.contacts.setQuery("o")
	if _, err := svc.AddContact(context.Background(), app.ContactInput{Name: "Zed Off Path", Phone: "+14155550177"}); err != nil {
		t.Fatal(err)
	}
	msg := m.load()().(snapshotMsg)
	v := msg.view
	if v == nil || v.ix != msg.ix || v.sort != sortByRecent || v.query != "o" || v.shown == nil {
		t.Fatalf("the refresh prepared %+v", v)
	}
	if want := sortedOrder(msg.ix, sortByRecent); !slices.Equal(v.order, want) {
		t.Fatalf("prepared order %v, want %v", v.order, want)
	}
	slices.Reverse(v.shown) // a mark: used as it is, or recomputed
	marked := slices.Clone(v.shown)
	m.Update(msg)
	if !slices.Equal(m.contacts.shown, marked) {
		t.Errorf("install recomputed the rows instead of using the prepared ones")
	}

	// Prepared for another sort: recomputed.
	if _, err := svc.AddContact(context.Background(), app.ContactInput{Name: "Zoe Off Path", Phone: "+14155550178"}); err != nil {
		t.Fatal(err)
	}
	msg = m.load()().(snapshotMsg)
	m.contacts.sort = sortByPhone // a key pressed while the refresh ran
	m.Update(msg)
	if want := sortedOrder(m.contacts.ix, sortByPhone); !slices.Equal(m.contacts.order, want) {
		t.Errorf("a list sorted otherwise kept the prepared order")
	}
}

// Before the whole book is in, a key that needs all of it and that no
// indexed read answers (select all, invert) says "loading…" and waits: it
// never reads the mirror on the Update path. Keys that need only what is
// shown still act; the last contact and a sort read a window
// (window_test.go).
func TestKeysBeforeTheWholeBookWaitForIt(t *testing.T) {
	t.Parallel()
	svc := newTestService(t)
	m := New(t.Context(), svc, Options{})
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	m.Update(m.load()()) // the first page only
	if !m.ix.preview {
		t.Fatal("the first load is not the first page")
	}
	for _, k := range []string{"*", "!"} {
		m.Update(press(k))
		if !m.ix.preview || !strings.Contains(m.flash, "loading…") {
			t.Errorf("%s before the whole book: preview %v, flash %q; want it to wait and say loading…", k, m.ix.preview, m.flash)
		}
	}
	m.Update(press("j"))
	if m.flash != "" || m.contacts.cursor != 1 {
		t.Errorf("j on the first page: cursor %d, flash %q", m.contacts.cursor, m.flash)
	}
}

// Refreshes that come back to back (a sync's notices, one a thousand
// contacts) wait refreshGap times the last one's cost after it ended, and
// the changes meanwhile fold into the one waiting.
func TestRefreshesBackToBackWaitTheirTurn(t *testing.T) {
	t.Parallel()
	m := New(t.Context(), newTestService(t), Options{})
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	m.Update(m.load()()) // the first page: nothing under way now
	m.lastRefresh, m.refreshCost = time.Now(), time.Hour
	if cmd := m.reload(); cmd == nil || m.loading || !m.reloadWaiting {
		t.Fatalf("right after a costly refresh: loading %v, waiting %v; want a refresh waiting its turn", m.loading, m.reloadWaiting)
	}
	if cmd := m.reload(); cmd != nil || m.loading {
		t.Fatal("a second change made a second wait or a refresh")
	}
	m.refreshCost = 0 // its turn came
	m.Update(reloadDueMsg{})
	if !m.loading || m.reloadWaiting {
		t.Errorf("when its turn came: loading %v, waiting %v; want the refresh under way", m.loading, m.reloadWaiting)
	}
}
