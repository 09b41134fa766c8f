// The root model's drawing: the tab bar, the body of the screen shown, the
// status bar and the key help.
package ui

import (
	"fmt"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/model"
)

// chromeLines are the lines around the screen body: tabs, status bar, help.
func (m *Model) chromeLines() int {
	n := 3
	if m.opts.Banner != "" {
		n++
	}
	return n
}

func (m *Model) layout() {
	bodyH := max(1, m.height-m.chromeLines())
	for _, s := range m.screens() {
		s.SetSize(m.width, bodyH)
	}
	m.help.SetWidth(m.width)
}

// currentHelp is the keys of what takes them now: the dialog on top, or
// the screen shown.
func (m *Model) currentHelp() help.KeyMap {
	if d := m.topDialog(); d != nil {
		return d
	}
	return m.current()
}

func (m *Model) View() tea.View {
	var b strings.Builder
	b.WriteString(m.tabBar())
	if m.opts.Banner != "" {
		b.WriteString("\n" + m.st.Warn.Render(model.Truncate(model.Sanitize(m.opts.Banner), m.width)))
	}
	bodyH := max(1, m.height-m.chromeLines())
	b.WriteByte('\n')
	b.WriteString(fitHeight(m.body(), bodyH))
	b.WriteByte('\n')
	b.WriteString(m.statusBar())
	b.WriteByte('\n')
	b.WriteString(model.Truncate(m.help.ShortHelpView(m.currentHelp().ShortHelp()), m.width))
	v := tea.NewView(b.String())
	v.AltScreen = true
	v.WindowTitle = "wabook"
	return v
}

func (m *Model) body() string {
	switch {
	case len(m.dialogs) > 0:
		return m.topDialog().View(m.width, max(1, m.height-m.chromeLines()))
	case m.fullHelp:
		return m.fullHelpView()
	case m.err != "":
		return m.st.Error.Render(model.Truncate("Could not read the address book: "+m.err, m.width))
	case !m.loaded && (m.screen == screenContacts || m.screen == screenLabels):
		return m.st.Dim.Render("Loading the address book…")
	}
	return m.current().View()
}

func (m *Model) tabBar() string {
	var b strings.Builder
	b.WriteString(m.st.Brand.Render("wabook") + " ")
	for i, name := range screenNames {
		if screen(i) == m.screen {
			b.WriteString(m.st.ActiveTab.Render(name))
		} else {
			b.WriteString(m.st.Tab.Render(name))
		}
	}
	left := b.String()
	right := connText(m.status)
	if m.opts.ReadOnly {
		// Not offline: another wabook talks to WhatsApp for this one.
		right = "connection held by pid " + strconv.Itoa(m.opts.Holder)
		if m.opts.Holder == 0 {
			right = "connection held by another wabook"
		}
	}
	gap := m.width - lipgloss.Width(left) - lipgloss.Width(right) - 1
	if gap < 1 {
		return model.Truncate(left, m.width)
	}
	return left + strings.Repeat(" ", gap) + m.connStyle().Render(right)
}

func (m *Model) connStyle() lipgloss.Style {
	switch m.status.Conn.String() {
	case "connected":
		return m.st.OK
	case "logged out", "temporarily banned", "replaced by another session":
		return m.st.Error
	}
	return m.st.Warn
}

func (m *Model) statusBar() string {
	acc := m.status.Account
	left := " " + model.Sanitize(acc.PushName)
	if acc.Phone != "" {
		left += " " + acc.Phone
	}
	if !acc.Paired {
		left = " not paired"
	}
	right := m.contacts.counts() + " "
	switch {
	case !m.loaded:
		right = "loading the address book… "
	case m.ix.preview:
		// A search on the first page says what it searched.
		right = "loading… " + right
	}
	if q := m.checks.activeSummary(); q != "" {
		right = q + " · " + right
	}
	waiting := outboxSummary(m.status.Outbox)
	if waiting != "" {
		right = waiting + " · " + right
	}
	if m.flash != "" {
		// Flashes quote names (labels from WhatsApp, contacts); what
		// waits for WhatsApp stays in sight beside them.
		right = model.Sanitize(m.flash) + " "
		if waiting != "" {
			right = model.Sanitize(m.flash) + " · " + waiting + " "
		}
	}
	if m.working > 0 {
		// Asked for and not answered yet: a slow disk or a busy
		// database shows here, never as a key that does nothing.
		working := "working…"
		if m.working > 1 {
			working = fmt.Sprintf("working… (%d)", m.working)
		}
		right = working + " · " + right
	}
	if m.actionErr != "" {
		left := " " + model.Sanitize(m.actionErr) + " "
		return m.st.Error.Reverse(true).Render(model.Truncate(left+strings.Repeat(" ", max(0, m.width-lipgloss.Width(left))), m.width))
	}
	gap := m.width - lipgloss.Width(left) - lipgloss.Width(right)
	line := left + strings.Repeat(" ", max(1, gap)) + right
	return m.st.StatusBar.Render(model.Truncate(line, m.width))
}

// fullHelpView lists every key of every screen, grouped by screen.
func (m *Model) fullHelpView() string {
	lines := m.fullHelpLines()
	height := max(1, m.height-m.chromeLines())
	if len(lines) > height {
		// Keep the last line for the scroll hint. View only reads helpTop
		// (Update keeps it in range, clampHelpTop).
		top := helpTopIn(m.helpTop, len(lines), height)
		below := len(lines) - (top + height - 1)
		hint := fmt.Sprintf("↓ %d more lines · ↑/↓ scroll · any other key closes", below)
		if below == 0 {
			hint = "↑ scrolls back · any other key closes"
		}
		lines = append(lines[top:top+height-1], m.st.Dim.Render(hint))
	}
	return strings.Join(lines, "\n")
}

// fullHelpLines is every line of the full help, cut to the width.
func (m *Model) fullHelpLines() []string {
	sections := m.KeySections()
	// The search language first: it is what people come back for.
	lines := []string{
		m.st.Dim.Render("Search: words match name, phone, push name, business name and note;"),
		m.st.Dim.Render("label:vip  -label:vip  group:team  label:\"new customer\""),
		m.st.Dim.Render("is:blocked|business|internal|saved|unsaved|hidden  check:valid|invalid|unchecked"),
		"",
	}
	// Sections go to the shortest column, so the help is as short as the
	// width allows; what does not fit scrolls (↑/↓).
	cols := max(1, m.width/28)
	colW := m.width / cols
	columns := make([][]string, cols)
	for _, s := range sections {
		shortest := 0
		for i := range columns {
			if len(columns[i]) < len(columns[shortest]) {
				shortest = i
			}
		}
		block := []string{m.st.Title.Render(s.Title)}
		for _, b := range s.Keys {
			h := b.Help()
			block = append(block, model.Truncate(m.st.FieldName.Render(pad(h.Key, 9))+" "+h.Desc, colW-1))
		}
		if len(columns[shortest]) > 0 {
			columns[shortest] = append(columns[shortest], "")
		}
		columns[shortest] = append(columns[shortest], block...)
	}
	blocks := make([]string, cols)
	for i, c := range columns {
		blocks[i] = lipgloss.NewStyle().Width(colW).Render(strings.Join(c, "\n"))
	}
	lines = append(lines, strings.Split(lipgloss.JoinHorizontal(lipgloss.Top, blocks...), "\n")...)
	for i, l := range lines {
		lines[i] = model.Truncate(l, m.width)
	}
	return lines
}

// helpTopIn is top kept within the lines a full help of n lines can scroll
// in a body of height lines (the last one holds the scroll hint).
func helpTopIn(top, n, height int) int {
	if n <= height {
		return 0
	}
	return max(0, min(top, n-height+1))
}

// clampHelpTop keeps the full help's scroll position in range, in Update.
func (m *Model) clampHelpTop() {
	m.helpTop = helpTopIn(m.helpTop, len(m.fullHelpLines()), max(1, m.height-m.chromeLines()))
}

// fitHeight pads or cuts s to exactly h lines so the chrome never moves.
func fitHeight(s string, h int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

// outboxSummary is the status bar's word on changes for WhatsApp: how many
// wait and how many failed ("" when none).
func outboxSummary(c app.OutboxCounts) string {
	var parts []string
	if n := c.Pending; n > 0 {
		parts = append(parts, fmt.Sprintf("%d change%s waiting for WhatsApp", n, plural(n)))
	}
	if n := c.Failed; n > 0 {
		parts = append(parts, fmt.Sprintf("%d change%s failed (Account)", n, plural(n)))
	}
	return strings.Join(parts, " · ")
}
