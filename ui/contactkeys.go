// The contact list's key table and what its keys need: why a key cannot
// act now, the selection and its changes.
package ui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/wabook/wabook/model"
)

// Bindings is the list's key table: the search box's while typing a
// search, the list's otherwise.
func (m *contactList) Bindings() []binding {
	// Built once: the rows read the list's state when a key comes.
	if m.searchTable == nil {
		m.searchTable, m.browseTable = m.searchKeys(), m.browseKeys()
	}
	if m.searching {
		return m.searchTable
	}
	return m.browseTable
}

func (m *contactList) step(by func() int) func(tea.KeyPressMsg) tea.Cmd {
	return func(tea.KeyPressMsg) tea.Cmd { m.moveBy(by()); return nil }
}

// searchKeys act while a search is typed; every other key types.
func (m *contactList) searchKeys() []binding {
	k, step := m.keys, m.step
	page := func() int { return m.listHeight() }
	return []binding{
		bind(k.ApplySearch, func(tea.KeyPressMsg) tea.Cmd {
			m.searching = false
			m.search.Blur()
			return nil
		}).offered(),
		bind(k.CancelSearch, func(tea.KeyPressMsg) tea.Cmd {
			m.searching = false
			m.search.Blur()
			m.setQuery("")
			return nil
		}).offered(),
		bind(k.TypingUp, step(func() int { return -1 })).offered(),
		bind(k.TypingDown, step(func() int { return 1 })).offered(),
		bind(k.TypingPageUp, step(func() int { return -page() })),
		bind(k.TypingPageDown, step(func() int { return page() })),
	}
}

// browseKeys act on the list.
func (m *contactList) browseKeys() []binding {
	k, step := m.keys, m.step
	page := func() int { return m.listHeight() }
	sel := func(act func([]*model.Contact) tea.Cmd) func(tea.KeyPressMsg) tea.Cmd {
		return func(tea.KeyPressMsg) tea.Cmd { return act(m.selection()) }
	}
	one := func(act func(*model.Contact) tea.Cmd) func(tea.KeyPressMsg) tea.Cmd {
		return func(tea.KeyPressMsg) tea.Cmd { return act(m.selection()[0]) }
	}
	return []binding{
		bind(k.Search, func(tea.KeyPressMsg) tea.Cmd {
			m.searching = true
			m.search.CursorEnd()
			return m.search.Focus()
		}).offered(),
		bind(k.Open, func(tea.KeyPressMsg) tea.Cmd {
			if i := m.current(); i >= 0 {
				m.post(openDetailMsg{i})
			}
			return nil
		}).offered(),
		bind(k.Select, func(tea.KeyPressMsg) tea.Cmd { m.toggleSelected(); return nil }).offered(),
		bind(k.EditLabels, sel(m.openLabelPicker)).offered().unless(m.selectionAway),
		elsewhere(k.Help), elsewhere(k.Quit),
		bind(k.CheckSelection, func(tea.KeyPressMsg) tea.Cmd { return m.checkSelection() }).offered().unless(m.selectionAway),
		bind(k.Add, func(tea.KeyPressMsg) tea.Cmd { return m.contactForm(nil) }).offered(),
		bind(k.Up, step(func() int { return -1 })),
		bind(k.Down, step(func() int { return 1 })),
		bind(k.PageUp, func(tea.KeyPressMsg) tea.Cmd {
			m.offset -= page()
			m.moveBy(-page())
			return nil
		}),
		bind(k.PageDown, func(tea.KeyPressMsg) tea.Cmd {
			m.offset += page()
			m.moveBy(page())
			return nil
		}),
		bind(k.Top, func(tea.KeyPressMsg) tea.Cmd { return m.toStart() }),
		bind(k.Bottom, func(tea.KeyPressMsg) tea.Cmd { return m.toEnd() }),
		bind(k.SelectAll, func(tea.KeyPressMsg) tea.Cmd {
			m.searchUpToDate()
			for _, i := range m.shown {
				m.selected[m.ix.jid(i)] = true
			}
			return nil
		}).unless(m.wholeBookLoading),
		bind(k.Invert, func(tea.KeyPressMsg) tea.Cmd {
			m.searchUpToDate()
			m.invertSelection()
			return nil
		}).unless(m.wholeBookLoading),
		bind(k.Sort, func(tea.KeyPressMsg) tea.Cmd {
			m.sort = (m.sort + 1) % sortModes
			current := m.currentJID()
			m.resort()
			m.refilter()
			if current != "" {
				m.moveTo(current)
			}
			return nil // while a preview is shown, followWindow reads the new order's first page
		}),
		bind(k.Back, func(tea.KeyPressMsg) tea.Cmd {
			// esc peels one layer at a time: first the search, then the selection.
			if m.search.Value() != "" {
				m.setQuery("")
			} else {
				clear(m.selected)
			}
			return nil
		}),
		bind(k.Undo, func(tea.KeyPressMsg) tea.Cmd { return m.undo() }).unless(m.whyNotUndo),
		bind(k.Edit, one(m.editContact)).unless(m.oneContact("Edit works on one contact; select just one.")),
		bind(k.Delete, sel(func(cs []*model.Contact) tea.Cmd { return m.confirmRemove(cs, m.forgetSelection) })).unless(m.someContact),
		bind(k.Hide, sel(func(cs []*model.Contact) tea.Cmd { return m.toggleHidden(cs, m.forgetSelection) })).unless(m.someContact),
		bind(k.Block, sel(m.confirmBlockAll)).unless(m.someContact),
		bind(k.ExportContacts, func(tea.KeyPressMsg) tea.Cmd { return m.exportForm(m.search.Value(), len(m.shown)) }),
		bind(k.Import, func(tea.KeyPressMsg) tea.Cmd { return m.importForm() }),
	}
}

func (m *contactList) ShortHelp() []key.Binding { return keyTable(m.Bindings).ShortHelp() }

func (m *contactList) FullHelp() [][]key.Binding { return keyTable(m.Bindings).FullHelp() }

// wholeBookLoading is why a key that acts on every contact shown
// (selecting all, inverting the selection) waits while only a window of
// the list is loaded, instead of reading the rest on the Update path. The
// keys an indexed read answers (the last contact, a sort, a search) read
// a window from the database meanwhile (window.go).
func (m *contactList) wholeBookLoading() string {
	if !m.ix.preview {
		return ""
	}
	return "loading… the whole book is on its way; press it again in a moment"
}

// selectionAway is why a key that acts on the selection waits: while the
// whole book loads, the rows shown (a window read from the database) may
// not hold every selected contact, and the action would leave those out.
func (m *contactList) selectionAway() string {
	if m.ix.preview && m.selectionCount() < len(m.selected) {
		return "some selected contacts are not among the rows read so far; loading the whole book…"
	}
	return ""
}

// oneContact is why a key that acts on one contact cannot act on the
// selection (why), "" when the selection is one contact.
func (m *contactList) oneContact(why string) func() string {
	return func() string {
		if away := m.selectionAway(); away != "" {
			return away
		}
		switch m.selectionCount() {
		case 1:
			return ""
		case 0:
			return "No contact here."
		}
		return why
	}
}

// someContact is why a key that acts on the selection (or the contact
// under the cursor) cannot act: there is none.
func (m *contactList) someContact() string {
	if away := m.selectionAway(); away != "" {
		return away
	}
	if len(m.selected) == 0 && m.current() < 0 {
		return "No contact here."
	}
	return ""
}

// forgetSelection clears the selection once an action took it away from
// the list (deleted, hidden, shown again elsewhere).
func (m *contactList) forgetSelection() { clear(m.selected) }

// invertSelection selects the rows shown that are not selected and
// unselects those that are; a selection outside the rows shown stays.
func (m *contactList) invertSelection() {
	for _, i := range m.shown {
		jid := m.ix.jid(i)
		if m.selected[jid] {
			delete(m.selected, jid)
		} else {
			m.selected[jid] = true
		}
	}
}

func (m *contactList) toggleSelected() {
	if jid := m.currentJID(); jid != "" {
		if m.selected[jid] {
			delete(m.selected, jid)
		} else {
			m.selected[jid] = true
		}
		m.cursor++
		m.clamp()
	}
}

func (m *contactList) moveBy(n int) {
	m.cursor += n
	m.clamp()
}

// checkSelection checks the numbers of the selected contacts (or the one
// under the cursor) and shows the job on the Checks screen.
func (m *contactList) checkSelection() tea.Cmd {
	sel := m.selection()
	if len(sel) == 0 {
		return nil
	}
	phones := make([]string, 0, len(sel))
	for _, c := range sel {
		if c.Phone != "" {
			phones = append(phones, c.Phone)
		}
	}
	m.post(showScreenMsg{screenChecks})
	m.post(checkNumbersMsg{phones})
	return nil
}
