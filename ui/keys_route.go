// Key routing: which screen or dialog a key press goes to, and the keys of
// the contact list and the Labels screen that act on the root.
package ui

import (
	"fmt"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/model"
)

func (m *Model) handleKey(kp tea.KeyPressMsg) tea.Cmd {
	m.flash, m.actionErr, m.flashUntilSent = "", "", false
	if m.fatal {
		// A damaged database: nothing to do but leave.
		if key.Matches(kp, m.keys.Quit) || kp.String() == "ctrl+c" {
			return tea.Quit
		}
		return nil
	}
	if m.ix.preview && m.needsWholeBook(kp) {
		// No key reads the mirror on the Update path: this one waits for
		// the background load, which is under way.
		m.flash = fmt.Sprintf("loading… %d of %d contacts so far; press it again in a moment", len(m.ix.entries), m.ix.total)
		return nil
	}
	if kp.String() == "ctrl+c" {
		return tea.Quit
	}
	typing := m.screen == screenContacts && !m.inDetail && m.contacts.capturesKeys() ||
		m.screen == screenAccount && m.account.capturesKeys() ||
		m.screen == screenChecks && m.checks.capturesKeys()
	if !typing {
		if m.fullHelp {
			switch {
			case key.Matches(kp, m.keys.Down), key.Matches(kp, m.keys.PageDown):
				m.helpTop++
				if key.Matches(kp, m.keys.PageDown) {
					m.helpTop += max(1, m.height-m.chromeLines()-1)
				}
			case key.Matches(kp, m.keys.Up), key.Matches(kp, m.keys.PageUp):
				m.helpTop--
				if key.Matches(kp, m.keys.PageUp) {
					m.helpTop -= max(1, m.height-m.chromeLines()-1)
				}
			default:
				m.fullHelp = false
			}
			m.clampHelpTop()
			return nil
		}
		switch {
		case key.Matches(kp, m.keys.Quit):
			return tea.Quit
		case key.Matches(kp, m.keys.Help):
			m.fullHelp, m.helpTop = true, 0
			return nil
		case key.Matches(kp, m.keys.NextTab):
			return m.switchTo((m.screen + 1) % screenCount)
		case key.Matches(kp, m.keys.PrevTab):
			return m.switchTo((m.screen + screenCount - 1) % screenCount)
		case key.Matches(kp, m.keys.Contacts):
			return m.switchTo(screenContacts)
		case key.Matches(kp, m.keys.Checks):
			return m.switchTo(screenChecks)
		case key.Matches(kp, m.keys.Labels):
			return m.switchTo(screenLabels)
		case key.Matches(kp, m.keys.Account):
			return m.switchTo(screenAccount)
		}
	}
	var cmd tea.Cmd
	switch {
	case m.screen == screenContacts && m.inDetail:
		if cmd, ok := m.contactKey(kp, []*model.Contact{m.detail.c}); ok {
			return cmd
		}
		if key.Matches(kp, m.keys.Refresh) {
			return m.refreshProfile(m.detail.c)
		}
		cmd = m.detail.Update(kp)
		if m.detail.closeRequest {
			m.detail.closeRequest = false
			m.inDetail = false
		}
	case m.screen == screenContacts:
		if !m.contacts.capturesKeys() {
			if key.Matches(kp, m.keys.CheckSelection) {
				return m.checkSelection()
			}
			if cmd, ok := m.contactKey(kp, m.contacts.selection()); ok {
				return cmd
			}
			switch {
			case key.Matches(kp, m.keys.Add):
				return m.contactForm(nil)
			case key.Matches(kp, m.keys.ExportContacts):
				return m.exportForm()
			case key.Matches(kp, m.keys.Import):
				return m.importForm()
			case key.Matches(kp, m.keys.Undo):
				return m.undo()
			}
		}
		cmd = m.contacts.Update(kp)
		if c := m.contacts.openRequest; c != nil {
			m.contacts.openRequest = nil
			m.openDetail(c)
		}
	case m.screen == screenChecks:
		cmd = m.checks.Update(kp)
	case m.screen == screenLabels:
		if cmd, ok := m.labelKey(kp); ok {
			return cmd
		}
		cmd = m.labels.Update(kp)
		if name := m.labels.showRequest; name != "" {
			m.labels.showRequest = ""
			m.switchTo(screenContacts)
			m.contacts.setQuery(`label:"` + name + `"`)
		}
	case m.screen == screenAccount:
		cmd = m.account.Update(kp, m.status)
	}
	return cmd
}

// needsWholeBook reports whether a key acts on the whole address book
// (the last contact, a sort, selecting all shown): while only the first
// page is loaded it waits for the rest instead of reading it on the Update
// path. A search types on and filters what is loaded; the whole book,
// once in, is filtered the same way.
func (m *Model) needsWholeBook(kp tea.KeyPressMsg) bool {
	if m.fullHelp || m.screen != screenContacts || m.inDetail || m.contacts.capturesKeys() || m.dialog != nil {
		return false
	}
	k := m.keys
	return key.Matches(kp, k.Bottom) || key.Matches(kp, k.Sort) || key.Matches(kp, k.SelectAll)
}

// contactKey handles the keys that act on contacts, from the list (the
// selection) or the detail view (its contact).
func (m *Model) contactKey(kp tea.KeyPressMsg, sel []*model.Contact) (tea.Cmd, bool) {
	var one *model.Contact
	if len(sel) == 1 {
		one = sel[0]
	}
	switch {
	case key.Matches(kp, m.keys.EditLabels):
		return m.openLabelPicker(sel), true
	case key.Matches(kp, m.keys.Edit):
		if one == nil {
			m.actionErr = "Edit works on one contact; select just one."
			return nil, true
		}
		return m.contactForm(one), true
	case key.Matches(kp, m.keys.Delete):
		if one == nil {
			m.actionErr = "Delete works on one contact at a time."
			return nil, true
		}
		return m.confirmDelete(one), true
	case key.Matches(kp, m.keys.Block):
		if one == nil {
			m.actionErr = "Block works on one contact at a time."
			return nil, true
		}
		return m.confirmBlock(one), true
	}
	return nil, false
}

// labelKey handles the Labels screen's editing keys.
func (m *Model) labelKey(kp tea.KeyPressMsg) (tea.Cmd, bool) {
	k := m.keys
	if key.Matches(kp, k.NewLabel) {
		return m.newLabelForm(), true
	}
	if key.Matches(kp, k.Undo) {
		return m.undo(), true
	}
	if key.Matches(kp, k.LabelSync) {
		if !m.status.Account.IsBusiness && !m.labelSync {
			m.actionErr = "Label sync needs a WhatsApp Business account; labels stay local."
			return nil, true
		}
		return m.toggleLabelSync(), true
	}
	l, ok := m.labels.current()
	if !ok {
		return nil, false
	}
	switch {
	case key.Matches(kp, k.RenameLabel):
		return m.renameLabelForm(l), true
	case key.Matches(kp, k.LabelColor):
		return m.colorDialog(l), true
	case key.Matches(kp, k.DeleteLabel):
		return m.confirmDeleteLabel(l), true
	}
	return nil, false
}

// checkSelection checks the numbers of the selected contacts (or the one
// under the cursor) and shows the job on the Checks screen.
func (m *Model) checkSelection() tea.Cmd {
	sel := m.contacts.selection()
	if len(sel) == 0 {
		return nil
	}
	phones := make([]string, 0, len(sel))
	for _, c := range sel {
		if c.Phone != "" {
			phones = append(phones, c.Phone)
		}
	}
	m.switchTo(screenChecks)
	return m.checks.enqueue(phones, app.CheckOptions{})
}
