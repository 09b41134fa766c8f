// Key routing: a key press goes to the dialog on top, else through the
// key tables (the full help's while it is open, the keys of every screen,
// the screen's own), else to the screen to type.
package ui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

func (m *Model) handleKey(kp tea.KeyPressMsg) tea.Cmd {
	if m.fatal {
		// A damaged database: nothing to do but leave.
		if key.Matches(kp, m.keys.Quit) {
			return tea.Quit
		}
		return nil
	}
	if kp.String() == "ctrl+c" {
		return tea.Quit
	}
	if d := m.topDialog(); d != nil {
		return d.Update(kp)
	}
	m.freshKey()
	s := m.current()
	if s.CapturesTyping() {
		return pressKey(m.common, s, kp)
	}
	if m.fullHelp {
		if _, ok := m.dispatch(m.fullHelpKeys(), kp); ok {
			m.clampHelpTop()
			return nil
		}
		// Any other key closes the help; esc, ? and q only close it (q
		// quit nothing from the help before), the rest then act as they
		// would have without it (a / read in the help starts a search).
		m.fullHelp = false
		// (ctrl+c quits from anywhere.)
		if key.Matches(kp, m.keys.Back, m.keys.Help) || key.Matches(kp, m.keys.Quit) && kp.String() != "ctrl+c" {
			return nil
		}
	}
	if m.global == nil {
		m.global = m.globalKeys() // built once: the rows read the state when a key comes
	}
	if cmd, ok := m.dispatch(m.global, kp); ok {
		return cmd
	}
	return pressKey(m.common, s, kp)
}

// freshKey clears what the status bar said before a key acts: the key's
// own answer (a flash, an error, why it cannot act) replaces it.
func (m *Model) freshKey() {
	m.flash, m.actionErr, m.flashUntilSent, m.flashSent = "", "", false, ""
}

// runBinding runs a row of a key table as its key would, for the palette:
// the same path as a key press (handleKey), so it clears what the bar said
// and says why when the row cannot act now.
func (m *Model) runBinding(b binding) tea.Cmd {
	m.freshKey()
	if len(b.Keys()) == 0 {
		return nil
	}
	cmd, _ := m.dispatch([]binding{b}, pressOf(b.Keys()[0]))
	return cmd
}

// globalKeys is the table of the keys that act on every screen (but not
// while a field takes typing).
func (m *Model) globalKeys() []binding {
	k := m.keys
	show := func(s screen) func(tea.KeyPressMsg) tea.Cmd {
		return func(tea.KeyPressMsg) tea.Cmd { return m.switchTo(s) }
	}
	return []binding{
		bind(k.NextTab, func(tea.KeyPressMsg) tea.Cmd { return m.switchTo((m.screen + 1) % screenCount) }),
		bind(k.PrevTab, func(tea.KeyPressMsg) tea.Cmd { return m.switchTo((m.screen + screenCount - 1) % screenCount) }),
		bind(k.Contacts, show(screenContacts)),
		bind(k.Checks, show(screenChecks)),
		bind(k.Labels, show(screenLabels)),
		bind(k.Account, show(screenAccount)),
		bind(k.Palette, func(tea.KeyPressMsg) tea.Cmd {
			m.open(newPalette(m.common, []titledTable{
				{m.currentTitle(), m.current().Bindings()},
				{"Everywhere", m.globalKeys()},
			}))
			return nil
		}),
		bind(k.Help, func(tea.KeyPressMsg) tea.Cmd {
			m.fullHelp, m.helpTop = true, 0
			return nil
		}),
		bind(k.Quit, func(tea.KeyPressMsg) tea.Cmd { return tea.Quit }),
	}
}

// currentTitle names the screen shown, as the palette and the full help do.
func (m *Model) currentTitle() string {
	if m.screen == screenContacts && m.inDetail {
		return "Detail"
	}
	return screenTitles[m.screen]
}

// fullHelpKeys scroll the full help; any other key closes it.
func (m *Model) fullHelpKeys() []binding {
	k := m.keys
	page := func() int { return max(1, m.height-m.chromeLines()-1) }
	scroll := func(by func() int) func(tea.KeyPressMsg) tea.Cmd {
		return func(tea.KeyPressMsg) tea.Cmd { m.helpTop += by(); return nil }
	}
	return []binding{
		bind(k.Down, scroll(func() int { return 1 })),
		bind(k.PageDown, scroll(func() int { return 1 + page() })),
		bind(k.Up, scroll(func() int { return -1 })),
		bind(k.PageUp, scroll(func() int { return -1 - page() })),
	}
}

// KeySections is every key table, titled, as the full help (?) lists them:
// the one place that says which keys act where.
func (m *Model) KeySections() []KeySection {
	return []KeySection{
		{"Everywhere", handled(m.globalKeys())},
		{"Contacts", handled(m.contacts.browseKeys())},
		{"Search", handled(m.contacts.searchKeys())},
		{"Detail", handled(m.detail.Bindings())},
		{"Checks", handled(m.checks.jobKeys())},
		{"New check", handled(m.checks.formKeys())},
		{"Labels", handled(m.labels.Bindings())},
		{"Account", handled(m.account.idleKeys())},
		{"Pairing by phone", handled(m.account.phoneKeys())},
		// The dialogs' own keys: their tables as they stand when they open.
		{"Label picker", handled(newLabelPicker(m.common, nil, nil, nil).keys())},
		{"Export form", handled(newFormDialog(m.common, "").addChoice("Format", exportFormats).addPath("File", "", "").keys())},
		{"Import form", handled(newFormDialog(m.common, "").addPath("File", "", "").addText("Labels", "", "").keys())},
	}
}

// dialogSections are the titles of KeySections that are dialogs': their
// first matching row acts (a row that cannot act lets the key through to
// the next, or to the field), so a key may name two rows there.
var dialogSections = map[string]bool{"Label picker": true, "Export form": true, "Import form": true}
