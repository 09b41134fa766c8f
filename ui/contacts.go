package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/wabook/wabook/model"
)

// flagTexts are the words after a name, by blocked (1) and business (2);
// pendingFlagTexts the same while a block (4) or unblock (8) waits for
// WhatsApp. Fixed strings: an entry costs no allocation for them.
var (
	flagTexts        = [4]string{"", "blocked", "business", "blocked business"}
	pendingFlagTexts = map[int]string{
		4: "blocking…", 4 | 2: "business · blocking…", 4 | 1: "blocked",
		8 | 1: "blocked · unblocking…", 8 | 3: "blocked business · unblocking…", 8: "",
		4 | 3: "blocked business", 8 | 2: "business",
	}
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
	st   *Styles
	keys *KeyMap

	ix    *index
	shown []int32 // indexes into ix.entries, in display order
	// filteredBy is the search text shown was filtered with, "" when shown
	// is the whole list.
	filteredBy string
	filteredQ  model.Query
	order      []int32 // all entries in sort order
	cursor     int
	offset     int
	selected   map[string]bool // by JID
	sort       sortMode

	search    textinput.Model
	searching bool
	queryErr  string

	chips map[string]string // rendered chip per label name

	// openRequest is set by enter; the root opens the detail view. Navigation
	// stays synchronous so a key's effect is visible in the very next frame.
	openRequest *model.Contact

	width, height int
}

func newContactList(st *Styles, keys *KeyMap) *contactList {
	ti := newTextInput()
	ti.Prompt = "/ "
	ti.Placeholder = "search: words, label:vip, -label:x, group:team, is:blocked, check:valid"
	ti.CharLimit = 512
	return &contactList{
		st:       st,
		keys:     keys,
		ix:       &index{},
		selected: map[string]bool{},
		search:   ti,
		chips:    map[string]string{},
	}
}

// setIndex installs a new snapshot and keeps the cursor on the same contact.
func (m *contactList) setIndex(ix *index) { m.setIndexWith(ix, nil) }

// setIndexWith is setIndex using v, the order and rows prepared for ix off
// the Update path, when the list still shows what v was prepared for.
func (m *contactList) setIndexWith(ix *index, v *listView) {
	current := m.current()
	m.ix = ix
	m.chips = make(map[string]string, len(ix.labels))
	for _, l := range ix.labels {
		m.chips[strings.ToLower(l.Name)] = m.st.Chip(model.Sanitize(l.Name), l.Color)
	}
	// Forget selected contacts that no longer exist.
	if len(m.selected) > 0 {
		present := make(map[string]bool, len(m.selected))
		for i := range ix.entries {
			if m.selected[ix.entries[i].c.JID] {
				present[ix.entries[i].c.JID] = true
			}
		}
		m.selected = present
	}
	if text := m.search.Value(); v != nil && v.ix == ix && v.sort == m.sort && v.query == text &&
		(v.shown != nil || strings.TrimSpace(text) == "") {
		m.order, m.queryErr = v.order, v.queryErr
		m.shown, m.filteredBy, m.filteredQ = v.order, "", model.Query{}
		if v.shown != nil {
			m.shown, m.filteredBy, m.filteredQ = v.shown, text, v.q
		}
		m.clamp()
	} else {
		m.resort()
		m.refilter()
	}
	if current != nil {
		m.moveTo(current.JID)
	}
}

func (m *contactList) resort() {
	m.filteredBy = "" // the filtered rows were in the old order
	m.order = sortedOrder(m.ix, m.sort)
}

// refilter applies the search box to the sorted list.
func (m *contactList) refilter() {
	text := m.search.Value()
	q, err := model.ParseQuery(text)
	if q.Compile(m.ix.labels, m.ix.groups).Empty() {
		m.shown, m.filteredBy, m.queryErr = m.order, "", ""
		if err != nil {
			m.queryErr = err.Error()
		}
		m.clamp()
		return
	}
	if m.ix.hays == nil {
		// A search came before the background build finished.
		m.ix.hays = buildHaystacks(m.ix)
	}
	// Typing on narrows: when the new text only adds to the old and nothing
	// is negated, every match is among the rows shown already.
	candidates := m.order
	if err == nil && m.filteredBy != "" && strings.HasPrefix(text, m.filteredBy) && q.Narrows(m.filteredQ) {
		candidates = m.shown
	}
	m.shown, m.filteredQ, m.queryErr = filtered(m.ix, m.ix.hays, text, candidates)
	m.filteredBy = text
	if err != nil {
		m.filteredBy = "" // a dropped term may come back: never narrow from here
	}
	m.clamp()
}

func (m *contactList) current() *model.Contact {
	if m.cursor < 0 || m.cursor >= len(m.shown) {
		return nil
	}
	return m.ix.entries[m.shown[m.cursor]].c
}

func (m *contactList) moveTo(jid string) {
	for pos, i := range m.shown {
		if m.ix.entries[i].c.JID == jid {
			m.cursor = pos
			m.clamp()
			return
		}
	}
}

func (m *contactList) listHeight() int { return max(1, m.height-2) } // search line + header

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

func (m *contactList) setSize(w, h int) {
	m.width, m.height = w, h
	m.search.SetWidth(max(10, w-4))
	m.clamp()
}

// selection returns the selected contacts, or the one under the cursor when
// nothing is selected.
func (m *contactList) selection() []*model.Contact {
	if len(m.selected) == 0 {
		if c := m.current(); c != nil {
			return []*model.Contact{c}
		}
		return nil
	}
	out := make([]*model.Contact, 0, len(m.selected))
	for i := range m.ix.entries {
		if m.selected[m.ix.entries[i].c.JID] {
			out = append(out, m.ix.entries[i].c)
		}
	}
	return out
}

// setQuery replaces the search text (used by the Labels screen).
func (m *contactList) setQuery(q string) {
	// Queries built from label names carry text strangers wrote.
	m.search.SetValue(model.Sanitize(q))
	m.search.CursorEnd()
	m.refilter()
	m.cursor, m.offset = 0, 0
}

// capturesKeys reports whether typed keys belong to the search box.
func (m *contactList) capturesKeys() bool { return m.searching }

func (m *contactList) Update(msg tea.Msg) tea.Cmd {
	kp, ok := msg.(tea.KeyPressMsg)
	if !ok {
		if m.searching {
			// A paste is typing too: it filters like keys do.
			before := m.search.Value()
			var cmd tea.Cmd
			m.search, cmd = m.search.Update(msg)
			if m.search.Value() != before {
				m.refilter()
				m.cursor, m.offset = 0, 0
			}
			return cmd
		}
		return nil
	}
	if m.searching {
		switch {
		case key.Matches(kp, m.keys.CancelSearch):
			m.searching = false
			m.search.Blur()
			m.setQuery("")
			return nil
		case key.Matches(kp, m.keys.ApplySearch):
			m.searching = false
			m.search.Blur()
			return nil
		case kp.String() == "up" || kp.String() == "down" || kp.String() == "pgup" || kp.String() == "pgdown":
			m.move(kp)
			return nil
		}
		before := m.search.Value()
		var cmd tea.Cmd
		m.search, cmd = m.search.Update(msg)
		if m.search.Value() != before {
			m.refilter()
			m.cursor, m.offset = 0, 0
		}
		return cmd
	}
	switch {
	case key.Matches(kp, m.keys.Search):
		m.searching = true
		m.search.CursorEnd()
		return m.search.Focus()
	case key.Matches(kp, m.keys.Open):
		m.openRequest = m.current()
	case key.Matches(kp, m.keys.Select):
		if c := m.current(); c != nil {
			if m.selected[c.JID] {
				delete(m.selected, c.JID)
			} else {
				m.selected[c.JID] = true
			}
			m.cursor++
			m.clamp()
		}
	case key.Matches(kp, m.keys.SelectAll):
		for _, i := range m.shown {
			m.selected[m.ix.entries[i].c.JID] = true
		}
	case key.Matches(kp, m.keys.Sort):
		m.sort = (m.sort + 1) % sortModes
		current := m.current()
		m.resort()
		m.refilter()
		if current != nil {
			m.moveTo(current.JID)
		}
	case key.Matches(kp, m.keys.Back):
		// esc peels one layer at a time: first the search, then the selection.
		if m.search.Value() != "" {
			m.setQuery("")
		} else {
			clear(m.selected)
		}
	default:
		m.move(kp)
	}
	return nil
}

func (m *contactList) move(kp tea.KeyPressMsg) {
	page := m.listHeight()
	switch {
	case key.Matches(kp, m.keys.Up):
		m.cursor--
	case key.Matches(kp, m.keys.Down):
		m.cursor++
	case key.Matches(kp, m.keys.PageUp):
		m.cursor -= page
		m.offset -= page
	case key.Matches(kp, m.keys.PageDown):
		m.cursor += page
		m.offset += page
	case key.Matches(kp, m.keys.Top):
		m.cursor = 0
	case key.Matches(kp, m.keys.Bottom):
		m.cursor = len(m.shown) - 1
	default:
		return
	}
	m.clamp()
}

func (m *contactList) help() helpMap {
	k := m.keys
	if m.searching {
		return helpMap{short: []key.Binding{k.ApplySearch, k.CancelSearch, k.Up, k.Down}}
	}
	return helpMap{
		short: []key.Binding{k.Search, k.Open, k.Select, k.EditLabels, k.Help, k.Quit, k.CheckSelection, k.Add},
		full:  [][]key.Binding{k.section("Contacts"), k.section("Contacts: change"), k.section("Search")},
	}
}
