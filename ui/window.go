// The list before its index of the whole book is built: a window of it
// read from the database (a page at either end of an order, a search's
// first matches), so that the last contact, a sort and a search answer at
// once instead of waiting for the whole book. The full index replaces the
// window when it comes (loading.go), keeping the sort, the search and the
// contact under the cursor.
package ui

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/model"
)

// windowSize is how many contacts a window holds: the first page's.
const windowSize = firstPageSize

// sortOrders are the database's orders of the list's sort modes: the same
// orders, ties included (store/contactpage_test.go, ui/window_test.go).
var sortOrders = [sortModes]app.Order{
	sortByName: app.OrderName, sortByRecent: app.OrderRecent,
	sortByChats: app.OrderChats, sortByPhone: app.OrderPhone,
}

// window is what a preview index (index.preview) holds of the list.
type window struct {
	// start is the position of the first row in the whole list in its
	// order (not 0 for a window read from the end).
	start int
	// laidOut is the sort mode the rows are in (sortedOrder keeps it).
	laidOut sortMode
	// searched is the query the rows are the first matches of ("": the
	// rows are a page of the list); matched how many contacts match, all
	// of them when complete, otherwise at least that many; scanned how
	// many contacts the search read (app.Found).
	searched string
	matched  int
	complete bool
	scanned  int
}

// chatsBudget is how long the first page by most chats may take to read
// before the list waits for the whole book instead: the read sorts the
// book (store.OrderChats; BenchmarkContactPage: seconds at 100 000
// contacts, a minute at 1 000 000 on a busy machine) and would only slow
// the index being built.
const chatsBudget = 3 * time.Second

// windowMsg brings a window read for the list; gen says which request.
type windowMsg struct {
	gen  int
	ix   *index
	last bool // the end of the list: the cursor goes to its last row
	err  error
}

// windowWant is what the list asked a window for.
type windowWant struct {
	sort  sortMode
	query string
}

// windowIndex makes a preview index of a page read in an order, keeping
// the page's order.
func windowIndex(snap *app.Snapshot, total int, w window) *index {
	b := newBuilder()
	for i := range snap.Contacts {
		b.add(&snap.Contacts[i])
	}
	ix := b.ix
	ix.rows, ix.hays, ix.chunks = b.rows, b.hays, []chunk{b.arena()}
	ix.labelPos, ix.groupPos = b.labelPos, b.groupPos
	ix.setLabels(snap.Labels)
	ix.setGroups(snap.Groups)
	for i := range ix.rows {
		if ix.rows[i].flags&fHidden != 0 {
			ix.hidden++ // a search with is:hidden: every row
		}
	}
	ix.total, ix.preview, ix.win = total, true, w
	return ix
}

// followWindow asks for the window the list needs when its sort or search
// changed while only a preview is loaded; nil otherwise. Root calls it
// after every message, so a key only changes the sort or the search and
// shows its own effect at once (the rows on screen sorted or filtered,
// "sorting…"); the window follows in a later frame.
func (m *contactList) followWindow() tea.Cmd {
	if !m.ix.preview {
		return nil
	}
	if m.want == m.wanted() {
		return nil
	}
	return m.requestWindow(false)
}

func (m *contactList) wanted() windowWant {
	return windowWant{m.sort, strings.TrimSpace(m.search.Value())}
}

// requestWindow reads, in a command, the window for the list's sort and
// search: the search's first matches, or the first page (the last, with
// last) in the sort. It cancels the read of the window asked for before:
// only the latest answer is shown (windowMsg.gen).
func (m *contactList) requestWindow(last bool) tea.Cmd {
	if m.winCancel != nil {
		m.winCancel()
	}
	ctx, cancel := context.WithCancel(m.ctx)
	m.winRead = nil
	m.winGen++
	m.winCancel, m.want = cancel, m.wanted()
	gen, svc, sort, text, total, labelSync := m.winGen, m.svc, m.sort, m.want.query, m.ix.total, m.ix.labelSync
	q, _ := model.ParseQuery(text)
	searching := !q.Compile(m.ix.labels, m.ix.groups).Empty() || q.WantsHidden()
	switch {
	case searching:
		m.pending = "searching…"
	case last:
		m.pending = "reading the end…"
	default:
		m.pending = "sorting…"
	}
	read := func() tea.Msg {
		defer cancel()
		o := sortOrders[sort]
		if o == app.OrderChats {
			// No index serves this order: the read (a search's too) sorts
			// the book before its first row, which at 1 000 000 contacts
			// takes longer than building the index.
			ctx, cancel = context.WithTimeout(ctx, chatsBudget)
			defer cancel()
		}
		if searching {
			f, err := svc.SearchContacts(ctx, o, text, windowSize)
			if err != nil {
				return windowMsg{gen: gen, err: cmp.Or(ctx.Err(), err)}
			}
			ix := windowIndex(f.Page, total, window{laidOut: sort, searched: text, matched: f.Matched, complete: f.Complete, scanned: f.Scanned})
			ix.labelSync = labelSync
			return windowMsg{gen: gen, ix: ix}
		}
		page, total, err := svc.ContactPage(ctx, o, last, windowSize)
		if err != nil {
			// The driver may say "interrupted" for a read its context ended.
			return windowMsg{gen: gen, err: cmp.Or(ctx.Err(), err)}
		}
		start := 0
		if last {
			start = total - len(page.Contacts)
		}
		ix := windowIndex(page, total, window{start: start, laidOut: sort})
		ix.labelSync = labelSync
		return windowMsg{gen: gen, last: last, ix: ix}
	}
	if !searching {
		return read
	}
	// A search through the database reads up to searchScanLimit contacts
	// beside the build of the whole index: typing a word would start one
	// such read per letter, each cancelled by the next, and at a million
	// contacts those reads slowed the build (and the keys, through the
	// collector) for nothing. The read starts once typing has paused.
	m.winRead = read
	return tea.Tick(searchSettle, func(time.Time) tea.Msg { return windowSettledMsg{gen} })
}

// searchSettle is how long typing must pause before a search is read from
// the database while the whole book loads.
const searchSettle = 150 * time.Millisecond

// windowSettledMsg says typing paused: the search read asked for gen may
// start if no later request replaced it.
type windowSettledMsg struct{ gen int }

// startSettledRead returns the search read held back for typing to pause,
// unless a later request or the full index overtook it.
func (m *contactList) startSettledRead(msg windowSettledMsg) tea.Cmd {
	read := m.winRead
	if msg.gen != m.winGen || read == nil || !m.ix.preview {
		return nil
	}
	m.winRead = nil
	return read
}

// installWindow shows a window the list asked for, unless a later request
// or the full index overtook it.
func (m *Model) installWindow(msg windowMsg) tea.Cmd {
	c := m.contacts
	if msg.gen != c.winGen || !m.ix.preview {
		return nil
	}
	c.pending = ""
	if msg.err != nil {
		switch {
		case errors.Is(msg.err, context.DeadlineExceeded):
			c.pending = "sorting when the whole book is in…"
		case !errors.Is(msg.err, context.Canceled):
			c.pending = "could not read the list: " + msg.err.Error()
		}
		return nil
	}
	cmd := m.installIndex(msg.ix)
	c.cursor, c.offset = 0, 0
	if msg.last {
		c.cursor = len(c.shown) - 1
	}
	c.clamp()
	return cmd
}

// leaveWindows ends what the windows were doing once a whole index is
// installed (the full load, or a refresh that came first): a window still
// being read, or a search waiting for typing to pause, is not needed now.
func (m *contactList) leaveWindows() {
	if m.winCancel != nil {
		m.winCancel()
		m.winCancel = nil
	}
	m.winRead, m.pending = nil, ""
}

// atEnd and atStart say whether the window holds the list's last and
// first contacts.
func (m *contactList) atEnd() bool   { return m.ix.win.start+m.ix.visible() >= m.ix.total }
func (m *contactList) atStart() bool { return m.ix.win.start == 0 }

// toEnd is G: the last row shown, reading the end of the list first when
// the window on screen does not hold it (a search's rows are what G acts
// on: their count may not be known yet).
func (m *contactList) toEnd() tea.Cmd {
	if m.ix.preview && !m.atEnd() && m.want.query == "" && m.wanted().query == "" {
		return m.requestWindow(true)
	}
	m.moveBy(len(m.shown) - 1 - m.cursor)
	return nil
}

// toStart is g: the first row, reading the start of the list first when
// the window on screen was read from its end.
func (m *contactList) toStart() tea.Cmd {
	if m.ix.preview && !m.atStart() && m.wanted().query == "" {
		return m.requestWindow(false)
	}
	m.moveBy(-m.cursor)
	return nil
}

// windowCounts is the status bar's count while a window is shown: the
// rows' positions in the whole list, or how many match the search.
func (m *contactList) windowCounts() string {
	w := &m.ix.win
	s := ""
	switch {
	case m.search.Value() != "" && w.searched == m.want.query && w.searched != "":
		of := spaced(m.ix.total) + " contacts"
		if m.hiddenShown {
			of = "the hidden contacts"
		}
		switch {
		case w.complete:
			s = fmt.Sprintf("%s of %s match", spaced(w.matched), of)
		case w.matched > len(m.ix.rows):
			s = fmt.Sprintf("at least %s of %s match (first %d shown)", spaced(w.matched), of, len(m.shown))
		default: // the search read only the start of the list
			s = fmt.Sprintf("%s of the first %s of %s match so far", spaced(w.matched), spaced(w.scanned), of)
		}
	case m.search.Value() != "":
		s = fmt.Sprintf("%d of the %d rows read match", len(m.shown), len(m.ix.rows))
	case len(m.shown) > 0:
		h := m.listHeight()
		from := w.start + m.offset + 1
		s = fmt.Sprintf("rows %s–%s of %s", spaced(from), spaced(w.start+min(len(m.shown), m.offset+h)), spaced(m.ix.total))
	default:
		s = fmt.Sprintf("%d contacts", m.ix.total)
	}
	if m.pending != "" {
		s = m.pending + " " + s
	}
	return s + " · loading the whole book…"
}

// spaced writes n with a thin space between thousands ("99 851").
func spaced(n int) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 && s[i-1] != '-' {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}
