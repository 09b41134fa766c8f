package ui

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
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
	"github.com/wabook/wabook/store/storetest"
)

// windowBook is a service over a mirror of n generated contacts (three
// update times, groups by JID and LID, labels) and the names whose order
// is easy to get wrong: equal but for case (ASCII and not, past the
// first eight bytes), emoji sequences the list sanitises, a name that is
// a phone number, contacts known only by number, hidden contacts.
func windowBook(t *testing.T, n int) (*app.Service, *store.Store) {
	t.Helper()
	svc, _, st := newTestWorld(t)
	ctx := context.Background()
	groups, labels := storetest.BookShape(n)
	cs, gs, ls := storetest.Generate(n, groups, labels, 7)
	tricky := []string{
		"Ana Maria Élise", "ANA MARIA ÉLISE", "ana maria élise", "Ana Maria Elise", "ana maria elise",
		"Família 👨\u200d👩\u200d👧", "Família 👨👩👧", "Família 👍🏽", "Família 👍", "Zé", "zé", "ZÉ",
		"+5511987650000", "", "", "Maria Silva", "maria silva", "MARIA SILVA",
		"Émile", "émile", "Émile", "émile", "Émile", "émile", "Émile", "émile",
	}
	for i, name := range tricky {
		c := &cs[i*7%len(cs)]
		c.FullName, c.FirstName, c.PushName, c.BusinessName, c.VerifiedName = name, "", "", "", ""
	}
	if err := storetest.Populate(ctx, st, cs, gs, ls); err != nil {
		t.Fatal(err)
	}
	// Later update times for two thirds of the book.
	for k, at := range []time.Time{time.Now().Add(time.Hour), time.Now().Add(2 * time.Hour)} {
		st.SetClock(func() time.Time { return at })
		var again []model.Contact
		for i := k; i < len(cs); i += 3 {
			c := cs[i]
			c.Note = fmt.Sprintf("seen %d", k)
			again = append(again, c)
		}
		if err := st.UpsertContacts(ctx, again); err != nil {
			t.Fatal(err)
		}
	}
	st.SetClock(time.Now)
	for i := 5; i < len(cs); i += 41 {
		if err := st.SetHidden(ctx, cs[i].JID, true); err != nil {
			t.Fatal(err)
		}
	}
	return svc, st
}

// windowBookIndexed is a windowBook of 600 contacts and its full index.
func windowBookIndexed(t *testing.T) (*app.Service, *index) {
	t.Helper()
	svc, _ := windowBook(t, 600)
	ix, err := fullIndex(context.Background(), svc)
	if err != nil {
		t.Fatal(err)
	}
	return svc, ix
}

// contactJIDs is the JIDs of contacts, in order.
func contactJIDs(cs []model.Contact) []string {
	out := make([]string, len(cs))
	for i := range cs {
		out[i] = cs[i].JID
	}
	return out
}

// rowJIDs is the JIDs of rows of ix, in order.
func rowJIDs(ix *index, rows []int32) []string {
	out := make([]string, len(rows))
	for k, i := range rows {
		out[k] = ix.jid(i)
	}
	return out
}

// The database reads each order of the list as the index sorts it, ties
// included: a window read from the database holds the rows the index
// puts there.
func TestDatabaseOrdersAreTheIndexOrders(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, ix := windowBookIndexed(t)
	for sort := sortByName; sort < sortModes; sort++ {
		want := rowJIDs(ix, ix.among(sortedOrder(ix, sort), false))
		page, total, err := svc.ContactPage(ctx, sortOrders[sort], false, len(ix.rows))
		if err != nil || total != len(want) {
			t.Fatalf("%s: %d contacts, %v; the index has %d", sort, total, err, len(want))
		}
		if got := contactJIDs(page.Contacts); !slices.Equal(got, want) {
			k := firstDiff(got, want)
			t.Errorf("%s: the database's order differs from the index's at %d: %s, the index %s", sort, k, got[k], want[k])
		}
		last, _, err := svc.ContactPage(ctx, sortOrders[sort], true, 10)
		if err != nil || !slices.Equal(contactJIDs(last.Contacts), want[len(want)-10:]) {
			t.Errorf("%s: the last page is not the index's end (%v)", sort, err)
		}
	}
}

// Whatever path a search takes before the index is built (the database,
// SearchContacts) or after (the index), it gives the same contacts in
// the same order, for random queries of every kind (words, phone
// fragments with punctuation, every filter) in every sort.
func TestSearchThroughTheDatabaseGivesTheIndexAnswers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, ix := windowBookIndexed(t)
	snap, err := svc.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(15, 2))
	some := 0
	for range 150 {
		text := randomQuery(r, snap)
		sort := sortMode(r.IntN(int(sortModes)))
		q, _ := model.ParseQuery(text)
		order := sortedOrder(ix, sort)
		shown, _, _ := filtered(ix, text, ix.among(order, q.WantsHidden()))
		if shown == nil {
			shown = ix.among(order, false)
		}
		want := rowJIDs(ix, shown)
		f, err := svc.SearchContacts(ctx, sortOrders[sort], text, len(ix.rows))
		if err != nil {
			t.Fatal(err)
		}
		if got := contactJIDs(f.Page.Contacts); !slices.Equal(got, want) || !f.Complete || f.Matched != len(want) {
			t.Fatalf("%q by %s: the database found %d (%d, complete %v), the index %d; first difference at %d",
				text, sort, len(got), f.Matched, f.Complete, len(want), firstDiff(got, want))
		}
		// A page: the first matches, and more said to exist.
		if len(want) > 5 {
			f, err := svc.SearchContacts(ctx, sortOrders[sort], text, 5)
			if err != nil || !slices.Equal(contactJIDs(f.Page.Contacts), want[:5]) || f.Complete || f.Matched <= 5 {
				t.Fatalf("%q by %s: a page of 5 gave %d, %d matched, complete %v (%v)", text, sort, len(f.Page.Contacts), f.Matched, f.Complete, err)
			}
			some++
		}
	}
	if some < 50 {
		t.Errorf("only %d of 150 queries matched more than a page: the test proves little", some)
	}
}

// heldBook is a service whose whole-book read waits until release is
// closed: the list shows its first page and the windows it reads from the
// database meanwhile.
type heldBook struct {
	Service
	release chan struct{}
}

func (h *heldBook) ReadBook(ctx context.Context, fn func(c *model.Contact) error) (*app.Snapshot, error) {
	select {
	case <-h.release:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return h.Service.ReadBook(ctx, fn)
}

// While the whole book loads, G shows the last contact with its place in
// the list, s the first page in the new order and a search the
// database's matches; then the whole index replaces the window, with the
// same sort, search and contact under the cursor.
func TestKeysReadTheDatabaseWhileTheBookLoads(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	real, _ := windowBook(t, 400)
	svc := &heldBook{Service: real, release: make(chan struct{})}
	t.Cleanup(func() {
		select {
		case <-svc.release:
		default:
			close(svc.release)
		}
	})
	m := New(t.Context(), svc, Options{})
	tm := newTestModel(t, m, teatest.WithInitialTermSize(120, 30))
	f, _ := framesOf.Load(tm)
	fr := f.(*frames)

	byName, total, err := real.ContactPage(ctx, app.OrderName, false, 1)
	if err != nil {
		t.Fatal(err)
	}
	fr.waitFrame(t, byName.Contacts[0].Phone)

	last, _, err := real.ContactPage(ctx, app.OrderName, true, 1)
	if err != nil {
		t.Fatal(err)
	}
	tm.Send(press("G"))
	fr.waitFrameFunc(t, "the last contact and its place", func(frame string) bool {
		return strings.Contains(frame, last.Contacts[0].Phone) && strings.Contains(frame, "–"+spaced(total)+" of "+spaced(total))
	})

	recent, _, err := real.ContactPage(ctx, app.OrderRecent, false, 1)
	if err != nil {
		t.Fatal(err)
	}
	tm.Send(press("s"))
	fr.waitFrameFunc(t, "the first contact most recently updated", func(frame string) bool {
		return strings.Contains(frame, recent.Contacts[0].Phone) && strings.Contains(frame, "rows 1–") &&
			strings.Contains(frame, "sort: recently updated") && !strings.Contains(frame, "sorting…")
	})

	// A word from a contact far past the first page in name order.
	var far model.Contact
	all, _, _ := real.ContactPage(ctx, app.OrderName, false, total)
	for i := len(all.Contacts) - 1; i > 200; i-- {
		if c := all.Contacts[i]; c.Note != "" && strings.HasPrefix(c.Note, "Met at the ") {
			far = c
			break
		}
	}
	if far.JID == "" {
		t.Fatal("no contact with a note past the first page")
	}
	word := strings.TrimPrefix(far.Note, "Met at the ")
	found, err := real.SearchContacts(ctx, app.OrderRecent, word, windowSize)
	if err != nil || len(found.Page.Contacts) == 0 {
		t.Fatalf("%q: %v", word, err)
	}
	tm.Send(press("/"))
	tm.Type(word)
	fr.waitFrameFunc(t, "the database's first match", func(frame string) bool {
		return strings.Contains(frame, found.Page.Contacts[0].Phone) && strings.Contains(frame, "contacts match") &&
			!strings.Contains(frame, "searching…")
	})

	close(svc.release)
	whole := fmt.Sprintf("%d of %d contacts", found.Matched, total)
	fr.waitFrameFunc(t, whole+" from the whole index", func(frame string) bool {
		return strings.Contains(frame, whole) && !strings.Contains(frame, "loading the whole book")
	})
	tm.Send(press("enter")) // leave the search box: the search stays
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*frames).Model
	c := final.contacts
	if c.ix.preview || c.sort != sortByRecent || c.search.Value() != word || c.currentJID() != found.Page.Contacts[0].JID {
		t.Errorf("after the whole book: preview %v, sort %s, search %q, cursor on %s; want the whole index, recently updated, %q, %s",
			c.ix.preview, c.sort, c.search.Value(), c.currentJID(), word, found.Page.Contacts[0].JID)
	}
}

// An answer to an older request (a sort or search superseded by the next
// key) is dropped: only the newest window is shown.
func TestStaleWindowsAreDropped(t *testing.T) {
	t.Parallel()
	svc, _ := windowBook(t, 300)
	m := New(t.Context(), svc, Options{})
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	m.Update(m.load()()) // the first page only
	c := m.contacts
	c.sort = sortByPhone
	older := c.requestWindow(false)
	c.sort = sortByRecent
	newer := c.requestWindow(false)
	first := m.ix
	m.Update(older())
	if m.ix != first || c.pending != "sorting…" {
		t.Fatalf("the superseded window was shown (laid out by %s), pending %q", m.ix.win.laidOut, c.pending)
	}
	m.Update(newer())
	if m.ix == first || m.ix.win.laidOut != sortByRecent || c.pending != "" {
		t.Errorf("the newest window is not shown: laid out by %s, pending %q", m.ix.win.laidOut, c.pending)
	}
}

// slowChats is a service whose page by most chats never comes before its
// context ends, and then fails as the driver fails an interrupted read.
type slowChats struct{ Service }

func (s slowChats) ContactPage(ctx context.Context, o app.Order, last bool, n int) (*app.Snapshot, int, error) {
	if o == app.OrderChats {
		<-ctx.Done()
		return nil, 0, errors.New("interrupted (9)")
	}
	return s.Service.ContactPage(ctx, o, last, n)
}

// The first page by most chats, which sorts the book, gets chatsBudget;
// past it the list says it sorts when the whole book is in, and keeps the
// rows on screen sorted.
func TestMostChatsWaitsForTheWholeBookPastItsBudget(t *testing.T) {
	t.Parallel()
	svc := newTestService(t)
	m := New(t.Context(), slowChats{svc}, Options{})
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	m.Update(m.load()())
	c := m.contacts
	c.sort = sortByChats
	read := c.requestWindow(false)
	m.Update(read())
	if c.pending != "sorting when the whole book is in…" || !m.ix.preview {
		t.Errorf("past the budget: %q", c.pending)
	}
	if !strings.HasPrefix(c.counts(), "sorting when the whole book is in…") {
		t.Errorf("the status bar says %q", c.counts())
	}
}

// countedSearches counts the searches read from the database.
type countedSearches struct {
	Service
	searches atomic.Int32
}

func (c *countedSearches) SearchContacts(ctx context.Context, o app.Order, text string, n int) (*app.Found, error) {
	c.searches.Add(1)
	return c.Service.SearchContacts(ctx, o, text, n)
}

// A word typed while the whole book loads is searched for in the database
// once typing pauses, not once per letter: each such read competes with
// the build of the index.
func TestTypingWhileLoadingSearchesTheDatabaseOnce(t *testing.T) {
	t.Parallel()
	real, _ := windowBook(t, 300)
	held := &heldBook{Service: real, release: make(chan struct{})}
	t.Cleanup(func() { close(held.release) })
	svc := &countedSearches{Service: held}
	m := New(t.Context(), svc, Options{})
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	m.Update(m.load()()) // the first page only
	m.handleKey(press("/"))
	var ticks []tea.Cmd
	for _, r := range "silva" {
		m.handleKey(press(string(r)))
		if cmd := m.contacts.followWindow(); cmd != nil {
			ticks = append(ticks, cmd)
		}
	}
	if len(ticks) != 5 || svc.searches.Load() != 0 {
		t.Fatalf("%d requests and %d searches read while typing; want 5 requests waiting for typing to pause and none read", len(ticks), svc.searches.Load())
	}
	// The pause comes: only the last letter's request reads.
	for _, tick := range ticks {
		if read := m.contacts.startSettledRead(tick().(windowSettledMsg)); read != nil {
			m.Update(read())
		}
	}
	if n := svc.searches.Load(); n != 1 {
		t.Errorf("%d searches read once typing paused, want 1", n)
	}
	if m.ix.win.searched != "silva" {
		t.Errorf("the window shows the search %q, want silva", m.ix.win.searched)
	}
}

// A window read while the whole book loads holds only some contacts: the
// detail open meanwhile stays open (its contact was not deleted), and a
// selection made before stays whole, its actions waiting for the whole
// book rather than leaving out the selected contacts the window lacks.
func TestWindowsKeepTheDetailAndTheSelection(t *testing.T) {
	t.Parallel()
	real, _ := windowBook(t, 400)
	held := &heldBook{Service: real, release: make(chan struct{})}
	t.Cleanup(func() { close(held.release) })
	m := New(t.Context(), held, Options{})
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	m.Update(m.load()()) // the first page only
	c := m.contacts
	first := c.currentJID()

	// Enter read before the window G asked for arrives.
	read := c.requestWindow(true)
	m.Update(press("enter"))
	if !m.inDetail {
		t.Fatal("enter did not open the detail")
	}
	m.Update(read())
	if !m.ix.preview || m.ix.find(first) >= 0 {
		t.Fatal("the window read holds the first contact; the test needs one that does not")
	}
	if !m.inDetail || strings.Contains(m.flash, "deleted") {
		t.Fatalf("the window closed the detail (open %v, flash %q)", m.inDetail, m.flash)
	}
	m.Update(press("esc"))

	// The first contact selected, then the end of the list read.
	m.Update(c.requestWindow(false)())
	if c.currentJID() != first {
		t.Fatalf("back at the start the cursor is on %s, want %s", c.currentJID(), first)
	}
	m.Update(press("space"))
	m.Update(c.requestWindow(true)())
	if len(c.selected) != 1 || !c.selected[first] {
		t.Fatalf("after the window from the end the selection is %v, want %s", c.selected, first)
	}
	m.Update(press("d"))
	if len(m.dialogs) != 0 || !strings.Contains(m.flash, "not among the rows read so far") {
		t.Fatalf("d on a selection outside the window: %d dialogs, flash %q", len(m.dialogs), m.flash)
	}

	full, err := fullIndex(t.Context(), real)
	if err != nil {
		t.Fatal(err)
	}
	m.installIndex(full)
	if len(c.selected) != 1 || c.selectionCount() != 1 || c.selectionAway() != "" {
		t.Errorf("with the whole book: selected %v, count %d, %q", c.selected, c.selectionCount(), c.selectionAway())
	}
}
