package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/model"
)

// sendText sends text to the UI a key at a time.
func sendText(tm *teatest.TestModel, text string) {
	for _, r := range text {
		tm.Send(press(string(r)))
	}
}

// keyStep is a key (or text typed, or "" for none) and what the frame
// drawn after it shows, and what it must not show ("" for nothing).
type keyStep struct{ keys, want, not string }

func driveKeys(t *testing.T, tm *teatest.TestModel, steps []keyStep) {
	t.Helper()
	f, _ := framesOf.Load(tm)
	for _, st := range steps {
		switch st.keys {
		case "":
		case "enter", "esc", "space", "down", "tab":
			tm.Send(press(st.keys))
		default:
			sendText(tm, st.keys)
		}
		f.(*frames).waitFrameFunc(t, fmt.Sprintf("%q without %q", st.want, st.not), func(frame string) bool {
			frame = ansi.Strip(frame)
			return strings.Contains(frame, st.want) && (st.not == "" || !strings.Contains(frame, st.not))
		})
	}
}

// A hidden contact is listed by a search with is:hidden, and only by it;
// h hides the contact under the cursor (after asking) and, on a hidden
// one, shows it again at once; u takes either back.
func TestHiddenContactsListedAndShownAgain(t *testing.T) {
	t.Parallel()
	tm := startUI(t, 120, 30)
	driveKeys(t, tm, []keyStep{
		{"h", "Hide Ada Lovelace from the list?", ""},
		{"y", "hidden Ada Lovelace (u shows it again)", ""},
		{"g", "5 contacts · sort", "Ada"},
		{"/is:hidden", "Ada Lovelace · hidden", "Grace"},
		{"enter", "1 of 1 hidden contacts", ""}, // the search stays, the keys act on the list
		{"h", "Ada Lovelace is listed again (u hides it again)", ""},
		{"g", "0 of 0 hidden contacts", "Ada"},
		{"u", "undone: show again 1 contact", ""},
		{"g", "Ada Lovelace · hidden", "Grace"},
		{"esc", "5 contacts · sort", "Ada"},
	})
	_, view := finalView(t, tm)
	if strings.Contains(view, "Ada Lovelace") {
		t.Errorf("a hidden contact is listed without is:hidden:\n%s", view)
	}
}

// d, h and b act on the whole selection after one question naming the
// count: d deletes the contacts added here and hides those from WhatsApp,
// and u shows those again.
func TestSelectionDeleteHideBlock(t *testing.T) {
	t.Parallel()
	svc := newTestService(t)
	if _, err := svc.AddContact(t.Context(), app.ContactInput{Name: "Aaron Local", Phone: "+1 415 555 0177"}); err != nil {
		t.Fatal(err)
	}
	tm := newTestModel(t, New(t.Context(), svc, Options{}), teatest.WithInitialTermSize(160, 30))
	waitLoadedAs(t, tm, "7 contacts")
	driveKeys(t, tm, []keyStep{
		// Aaron Local, Ada Lovelace, Alan T: the first three rows.
		{"space", "1 selected", ""},
		{"space", "2 selected", ""},
		{"space", "3 selected", ""},
		{"d", "Delete 3 contacts? 2 come from WhatsApp and will be hidden instead.", ""},
		{"y", "deleted 1 contact, hid 2 from WhatsApp (u shows those again)", ""},
		{"g", "4 contacts · sort", "Ada"},
		{"u", "undone: hide 2 contacts", ""},
		// The undo's refresh, with Ada and Alan back, before g: g on
		// the list as it was would leave the cursor off the top.
		{"", "Ada Lovelace", "Aaron"},
		{"g", "6 contacts · sort", "Aaron"},
		{"space", "1 selected", ""},
		{"space", "2 selected", ""},
		{"h", "Hide 2 contacts from the list?", ""},
		{"y", "hidden 2 contacts (u shows them again)", ""},
		{"g", "4 contacts · sort", "Ada"},
		{"/is:hidden", "2 of 2 hidden contacts", ""},
		{"enter", "enter open", ""},
		{"*", "2 selected", ""},
		{"d", "Nothing to delete: 2 contacts are from WhatsApp and hidden already.", ""},
		{"h", "2 contacts are listed again (u hides them again)", ""},
		{"g", "0 of 0 hidden contacts", ""},
		{"esc", "6 contacts · sort", ""},
		{"space", "1 selected", ""},
		{"space", "2 selected", ""},
		{"b", "Block 2 contacts on WhatsApp?", ""},
		{"y", "blocked 2 contacts (sent to WhatsApp)", ""},
	})
	m, _ := finalView(t, tm)
	if n := len(m.contacts.selected); n != 2 {
		t.Errorf("%d selected after the block; the selection stays for what comes next", n)
	}
}

// ! inverts the selection of the rows shown.
func TestInvertSelection(t *testing.T) {
	t.Parallel()
	tm := startUI(t, 120, 30)
	driveKeys(t, tm, []keyStep{
		{"space", "1 selected", ""},
		{"!", "5 selected", ""},
		{"!", "1 selected", ""},
		{"/ada", "1 of 6 contacts · 1 selected", ""},
		{"enter", "enter open", ""},
		{"!", "1 of 6 contacts · sort", ""}, // Ada was the one selected
		{"!", "1 selected", ""},
	})
	m, _ := finalView(t, tm)
	for jid := range m.contacts.selected {
		if !strings.HasPrefix(jid, "14155550101") {
			t.Errorf("%s selected; want only Ada", jid)
		}
	}
}

// After a (add) the cursor is on the new contact, in view, even when the
// list is longer than the screen and a search left it out.
func TestAddedContactUnderTheCursor(t *testing.T) {
	t.Parallel()
	svc := newTestService(t)
	ctx := context.Background()
	for i := range 40 {
		if _, err := svc.AddContact(ctx, app.ContactInput{Name: fmt.Sprintf("Person %02d", i), Phone: fmt.Sprintf("+1 415 555 02%02d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	tm := newTestModel(t, New(t.Context(), svc, Options{}), teatest.WithInitialTermSize(80, 24))
	waitLoadedAs(t, tm, "46 contacts")
	add := func(name, phone string) {
		tm.Send(press("a"))
		waitFor(t, tm, "Add a contact")
		sendText(tm, name)
		tm.Send(press("tab"))
		sendText(tm, phone)
		tm.Send(press("enter"))
	}
	add("Zoe Newcomer", "+1 415 555 0300")
	driveKeys(t, tm, []keyStep{
		{"", "▸ Zoe Newcomer", ""},
		{"g", "▸ Ada Lovelace", ""},
		{"/grace", "1 of 47 contacts", ""},
		{"enter", "enter open", ""},
	})
	add("Mia Later", "+1 415 555 0301")
	driveKeys(t, tm, []keyStep{{"", "▸ Mia Later", ""}})
	_, view := finalView(t, tm)
	if !strings.Contains(view, "press / to search") {
		t.Errorf("the search that left the new contact out is still on:\n%s", view)
	}
}

// The hidden contacts sit apart at the end of an index, whether it was
// built whole or from the last one plus changes that hide, show again
// and change hidden contacts; the list shows them only for is:hidden, in
// every sort.
func TestIndexKeepsHiddenContactsApart(t *testing.T) {
	t.Parallel()
	base := benchSnapshot(500)
	split := func(cs []model.Contact) *app.Snapshot {
		s := &app.Snapshot{Labels: base.Labels, Groups: base.Groups}
		for _, c := range cs {
			if c.Hidden {
				s.Hidden = append(s.Hidden, c)
			} else {
				s.Contacts = append(s.Contacts, c)
			}
		}
		return s
	}
	all := slices.Clone(base.Contacts)
	for i := range all {
		all[i].Hidden = i%50 == 7
	}
	old := buildIndex(split(slices.Clone(all)))
	old.hays = buildHaystacks(old)
	if old.hidden != 10 || old.total != 490 || old.visible() != 490 {
		t.Fatalf("a whole build: %d hidden, total %d", old.hidden, old.total)
	}

	// Hide some, show some again, rename a hidden one.
	ch := &app.Changes{Mark: app.Mark{Contacts: 9}}
	for i := range all {
		c := &all[i]
		switch {
		case i%50 == 7 && i%100 == 7: // shown again
			c.Hidden = false
			ch.Contacts = append(ch.Contacts, *c)
		case i%50 == 7: // hidden still, renamed
			c.FullName = "Zz renamed " + c.FullName
			ch.Hidden = append(ch.Hidden, *c)
			ch.Removed = append(ch.Removed, c.JID)
		case i%60 == 11: // hidden now
			c.Hidden = true
			ch.Hidden = append(ch.Hidden, *c)
			ch.Removed = append(ch.Removed, c.JID)
		}
	}
	got := applyChanges(old, ch, true)
	want := buildIndex(split(slices.Clone(all)))
	want.hays = buildHaystacks(want)
	if g, w := jidsOf(got), jidsOf(want); !slices.Equal(g, w) {
		t.Fatalf("order differs from a whole build: %d vs %d entries; first difference at %d", len(g), len(w), firstDiff(g, w))
	}
	if got.hidden != want.hidden || got.total != want.total || got.hidden == 0 {
		t.Errorf("%d hidden, total %d; a whole build: %d, %d", got.hidden, got.total, want.hidden, want.total)
	}
	for i := range int32(len(got.rows)) {
		hidden := got.rows[i].flags&fHidden != 0
		if hidden != (int(i) >= got.visible()) || got.hay(i) != want.hay(i) || got.flagText(i) != want.flagText(i) {
			t.Fatalf("entry %d (%s): hidden %v, flags %q; a whole build: %q", i, got.name(i), hidden, got.flagText(i), want.flagText(i))
		}
		if hidden && !strings.HasPrefix(got.flagText(i), "hidden") {
			t.Errorf("entry %d is hidden, its flags say %q", i, got.flagText(i))
		}
	}

	l := newContactList(testCommon(t, app.Status{}, false))
	l.SetSize(100, 40)
	for sort := range sortModes {
		l.sort = sort
		for _, q := range []string{"", "is:hidden", "e", "is:hidden zz", "-is:hidden"} {
			l.setIndex(got)
			l.setQuery(q)
			wantHidden := strings.HasPrefix(q, "is:hidden")
			if len(l.shown) == 0 {
				t.Errorf("sort %v, %q: nothing shown", sort, q)
			}
			for _, i := range l.shown {
				if hidden := got.rows[i].flags&fHidden != 0; hidden != wantHidden {
					t.Fatalf("sort %v, %q shows %s, hidden %v", sort, q, got.name(i), hidden)
				}
			}
			if v := prepareView(got, sort, q); v.shown != nil && !slices.Equal(v.shown, l.shown) || v.shown == nil && !slices.Equal(l.shown, got.among(v.order, false)) {
				t.Errorf("sort %v, %q: the view prepared for a refresh shows other rows", sort, q)
			}
		}
	}
}
