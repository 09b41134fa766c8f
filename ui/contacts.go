package ui

import (
	"context"
	"slices"
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/wabook/wabook/model"
)

// flagTexts are the words after a name, by blocked (1) and business (2),
// while a block (4) or unblock (8) waits for WhatsApp; hiddenFlagTexts the
// same for a hidden contact. Fixed strings: a row costs no allocation for
// them (index.flagText).
var (
	flagTexts = [12]string{
		"", "blocked", "business", "blocked business",
		"blocking…", "blocked", "business · blocking…", "blocked business",
		"", "blocked · unblocking…", "business", "blocked business · unblocking…",
	}
	hiddenFlagTexts = func() (out [12]string) {
		for i, t := range flagTexts {
			// Shown only by is:hidden, few.
			out[i] = strings.TrimSuffix("hidden · "+t, " · ")
		}
		return out
	}()
)

// sortMode orders the list.
type sortMode int

const (
	sortByName sortMode = iota
	sortByRecent
	sortByChats
	sortByPhone
	sortModes
)

func (s sortMode) String() string {
	return [...]string{"name", "recently updated", "most chats", "phone"}[s]
}

// contactList is the Contacts screen: a virtualised list that renders only
// the rows on screen, with search as you type, sort and multi-select.
type contactList struct {
	contactActions

	ix    *index  // the index the rows below are of (common.ix once installed)
	shown []int32 // indexes into ix.entries, in display order
	// filteredBy is the search text shown was filtered with, "" when shown
	// is the whole list.
	filteredBy string
	filteredQ  model.Query
	// hiddenShown: the search asks for hidden contacts (is:hidden) and
	// shown is among them.
	hiddenShown bool
	order       []int32 // all entries in sort order
	cursor      int
	offset      int
	selected    map[string]bool // by JID
	sort        sortMode
	// focus is the JID of a contact just added: the cursor goes to it as
	// soon as the index holds it (focusAdded).
	focus string

	search    textinput.Model
	searching bool
	queryErr  string

	chips    map[string]string // rendered chip per label name
	labelBuf []string          // a row's label names, reused by every row drawn

	searchTable, browseTable []binding // Bindings, built once

	// While only a preview is loaded (window.go): the window asked for
	// last, the request's number (an answer to an older one is dropped)
	// and how to cancel its read, and what it is doing ("sorting…").
	want      windowWant
	winGen    int
	winCancel context.CancelFunc
	winRead   tea.Cmd // a search read waiting for typing to pause (searchSettle)
	pending   string

	// A search typed on a long list runs in a command (refilterSoon):
	// searchGen counts what replaced shown (an older search's answer is
	// dropped), searchDirty says shown lags the search box, searchRunning
	// that a search is in its command.
	searchGen                  int
	searchDirty, searchRunning bool
	searchMem                  searchMemory // the rows of texts searched lately

	width, height int
}

func newContactList(c *common) *contactList {
	ti := newTextInput("/ ", "search: words, label:vip, -label:x, group:team, is:blocked, check:valid", 512)
	return &contactList{
		contactActions: contactActions{c},
		ix:             &index{},
		selected:       map[string]bool{},
		search:         ti,
		chips:          map[string]string{},
	}
}

// setIndexWith installs a new index and keeps the cursor on the same
// contact, using v, the order and rows prepared for ix off
// the Update path, when the list still shows what v was prepared for.
func (m *contactList) setIndexWith(ix *index, v *listView) tea.Cmd {
	var cmd tea.Cmd
	current := m.currentJID()
	m.searchGen++ // a search running is of the old index
	m.ix = ix
	m.chips = make(map[string]string, len(ix.labels))
	for _, l := range ix.labels {
		m.chips[strings.ToLower(l.Name)] = m.st.Chip(model.Sanitize(l.Name), l.Color)
	}
	// Forget selected contacts that no longer exist. A window read while
	// the whole book loads holds only some contacts: the others still
	// exist, and the selection keeps them (selectionAway).
	if len(m.selected) > 0 && !ix.preview {
		present := make(map[string]bool, len(m.selected))
		for i := range ix.rows {
			if jid := ix.jid(int32(i)); m.selected[jid] {
				present[jid] = true
			}
		}
		m.selected = present
	}
	if text := m.search.Value(); v != nil && v.ix == ix && v.sort == m.sort && v.query == text &&
		(v.shown != nil || strings.TrimSpace(text) == "") {
		m.order, m.queryErr = v.order, v.queryErr
		m.shown, m.filteredBy, m.filteredQ, m.hiddenShown = ix.among(v.order, false), "", model.Query{}, false
		if v.shown != nil {
			m.shown, m.filteredBy, m.filteredQ, m.hiddenShown = v.shown, text, v.q, v.q.WantsHidden()
		}
		m.clamp()
	} else if v != nil && v.ix == ix && v.sort == m.sort {
		// Prepared for an earlier text of the search box (typing went on
		// while it was): its rows show, and the text typed since is
		// matched as a keystroke's is, in a command on a long list.
		m.order, m.queryErr = v.order, v.queryErr
		m.shown, m.filteredBy, m.filteredQ, m.hiddenShown = ix.among(v.order, false), "", model.Query{}, false
		if v.shown != nil {
			m.shown, m.filteredBy, m.filteredQ, m.hiddenShown = v.shown, v.query, v.q, v.q.WantsHidden()
		}
		m.clamp()
		cmd = m.refilterSoon()
	} else {
		m.resort()
		m.refilter()
	}
	if current != "" {
		m.moveTo(current)
	}
	m.focusAdded()
	return cmd
}

func (m *contactList) resort() {
	m.filteredBy = "" // the filtered rows were in the old order
	m.order = sortedOrder(m.ix, m.sort)
}

// refilter applies the search box to the sorted list, now (searchsoon.go
// has the parts, and the way a keystroke does it on a long list).
func (m *contactList) refilter() { m.filterNow(m.planFilter()) }

// current is the row under the cursor, -1 when none.
func (m *contactList) current() int32 {
	if m.cursor < 0 || m.cursor >= len(m.shown) {
		return -1
	}
	return m.shown[m.cursor]
}

// currentJID is the JID of the contact under the cursor, "" when none.
func (m *contactList) currentJID() string {
	if i := m.current(); i >= 0 {
		return m.ix.jid(i)
	}
	return ""
}

func (m *contactList) moveTo(jid string) {
	if pos := slices.Index(m.shown, m.ix.find(jid)); pos >= 0 {
		m.cursor = pos
		m.clamp()
	}
}

// focusAdded puts the cursor on the contact just added (focus) once the
// index holds it, clearing a search that leaves it out: what was added is
// what the user wants to see next.
func (m *contactList) focusAdded() {
	if m.focus == "" {
		return
	}
	i := m.ix.find(m.focus)
	if i < 0 || int(i) >= m.ix.visible() {
		return
	}
	if !slices.Contains(m.shown, i) {
		m.searching = false
		m.search.Blur()
		m.setQuery("")
	}
	m.moveTo(m.focus)
	m.focus = ""
}

// listHeight is the rows left under the search line, the reason a search
// term is ignored (when it does not fit beside the box) and the header.
func (m *contactList) listHeight() int { return max(1, m.height-2-len(m.queryErrLines())) }

// queryErrLines is the reason a search term is ignored, wrapped under the
// search box when it does not fit beside it (nil when it does, or there is
// none).
func (m *contactList) queryErrLines() []string {
	if m.queryErr == "" {
		return nil
	}
	inputW := min(lipgloss.Width(strings.TrimRight(m.search.View(), " ")), m.width/2)
	if inputW+2+lipgloss.Width(m.queryErr) <= m.width {
		return nil
	}
	return wrapLines(model.Sanitize(m.queryErr), m.width, 2)
}

func (m *contactList) clamp() {
	m.cursor = max(0, min(m.cursor, len(m.shown)-1))
	h := m.listHeight()
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if m.cursor >= m.offset+h {
		m.offset = m.cursor - h + 1
	}
	m.offset = max(0, min(m.offset, len(m.shown)-h))
}

func (m *contactList) SetSize(w, h int) {
	m.width, m.height = w, h
	m.search.SetWidth(max(10, w-4))
	m.clamp()
}

// selection returns the selected contacts, or the one under the cursor when
// nothing is selected, as the rows keep them (index.contact): enough for
// the actions on a selection, not for the edit form (editContact).
func (m *contactList) selection() []*model.Contact {
	if len(m.selected) == 0 {
		if i := m.current(); i >= 0 {
			return []*model.Contact{m.ix.contact(i)}
		}
		return nil
	}
	out := make([]*model.Contact, 0, len(m.selected))
	for i := range m.ix.rows {
		if m.selected[m.ix.jid(int32(i))] {
			out = append(out, m.ix.contact(int32(i)))
		}
	}
	return out
}

// selectionCount is len(selection()) without making the contacts.
func (m *contactList) selectionCount() int {
	if len(m.selected) == 0 {
		if m.current() >= 0 {
			return 1
		}
		return 0
	}
	n := 0
	for i := range m.ix.rows {
		if m.selected[m.ix.jid(int32(i))] {
			n++
		}
	}
	return n
}

// editContact opens the edit form on c (a row's contact) once it is read
// whole, in a command.
func (m *contactList) editContact(c *model.Contact) tea.Cmd {
	return readContact(m.common, c.JID, true)
}

// setQuery replaces the search text (used by the Labels screen).
func (m *contactList) setQuery(q string) {
	// Queries built from label names carry text strangers wrote.
	m.search.SetValue(model.Sanitize(q))
	m.search.CursorEnd()
	m.refilter()
	m.cursor, m.offset = 0, 0
}

// CapturesTyping reports whether typed keys belong to the search box.
func (m *contactList) CapturesTyping() bool { return m.searching }

// Update types into the search box (keys and pastes alike: a paste
// filters as keys do) and opens the import plan read for this screen.
func (m *contactList) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case importPlanMsg:
		m.showImportPlan(msg)
		return nil
	case contactAddedMsg:
		m.focus = msg.jid
		m.focusAdded()
		m.post(msg.action)
		return nil
	case searchedMsg:
		return m.searched(msg)
	case contactReadMsg:
		if !msg.edit {
			return nil
		}
		if msg.err != nil {
			m.post(actionMsg{err: msg.err})
			return nil
		}
		return m.contactForm(&msg.c)
	}
	if !m.searching {
		return nil
	}
	if _, ok := msg.(tea.KeyPressMsg); !ok {
		if _, ok := msg.(tea.PasteMsg); !ok {
			return nil
		}
	}
	before := m.search.Value()
	var cmd tea.Cmd
	m.search, cmd = m.search.Update(msg)
	if m.search.Value() != before {
		cmd = tea.Batch(cmd, m.refilterSoon())
		m.cursor, m.offset = 0, 0
	}
	return cmd
}
