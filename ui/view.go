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
	"github.com/charmbracelet/x/ansi"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/model"
)

// chromeLines are the lines around the screen body: tabs, the banner,
// status bar (with the line a long message takes), help.
func (m *Model) chromeLines() int { return 3 + len(m.bannerLines()) + m.statusExtra }

// fitStatus gives the status bar the lines its message needs, and the
// screens what is left: Update calls it once the message may have
// changed, so View only draws.
func (m *Model) fitStatus() {
	if n := len(m.statusLines()) - 1; n != m.statusExtra {
		m.statusExtra = n
		m.layout()
	}
}

// bannerLines is the banner (another wabook holds the connection) wrapped
// to the width: it is read in full at 80 columns, in at most three lines.
func (m *Model) bannerLines() []string {
	if m.opts.Banner == "" {
		return nil
	}
	return wrapLines(model.Sanitize(m.opts.Banner), m.width, 3)
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
	for _, l := range m.bannerLines() {
		b.WriteString("\n" + m.st.Warn.Render(l))
	}
	bodyH := max(1, m.height-m.chromeLines())
	b.WriteByte('\n')
	b.WriteString(fitHeight(m.body(), bodyH))
	b.WriteByte('\n')
	// As many lines as fitStatus made room for (a test may draw a model
	// it changed without Update).
	status := m.statusLines()
	for len(status) < 1+m.statusExtra {
		status = append(status, m.st.StatusBar.Render(strings.Repeat(" ", m.width)))
	}
	b.WriteString(strings.Join(status[:1+m.statusExtra], "\n"))
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
	if m.readOnly {
		// Not offline: another wabook talks to WhatsApp for this one.
		right = "connection held by pid " + strconv.Itoa(m.holder)
		if m.holder == 0 {
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

// statusTeller is a screen that says what the right of the status bar
// shows; on the others it is the contact list's counts and sort.
type statusTeller interface{ statusRight() string }

// statusLines is the status bar: one line, or two when its message (a
// flash, an error) is longer than the bar. A message is read whole: the
// account name on the left gives way first, then the message takes a
// second line.
func (m *Model) statusLines() []string {
	if m.actionErr != "" {
		text := model.Sanitize(m.actionErr)
		lines := []string{text}
		if lipgloss.Width(text)+2 > m.width {
			lines = wrapLines(text, max(1, m.width-2), 2)
		}
		for i, l := range lines {
			l = " " + l + " "
			lines[i] = m.st.Error.Reverse(true).Render(model.Truncate(l+strings.Repeat(" ", max(0, m.width-lipgloss.Width(l))), m.width))
		}
		return lines
	}
	left, right := m.statusSides()
	var line string
	switch {
	case lipgloss.Width(left)+lipgloss.Width(right)+1 <= m.width:
		line = left + strings.Repeat(" ", m.width-lipgloss.Width(left)-lipgloss.Width(right)) + right
	case lipgloss.Width(right)+1 <= m.width:
		line = padLeft(right, m.width)
	default:
		lines := wrapLines(strings.TrimSpace(right), max(1, m.width-2), 2)
		for i, l := range lines {
			lines[i] = m.st.StatusBar.Render(model.Truncate(pad(" "+l, m.width), m.width))
		}
		return lines
	}
	return []string{m.st.StatusBar.Render(model.Truncate(line, m.width))}
}

// statusSides is the status bar's left (the account) and right (what the
// screen shown counts, work in flight, the flash).
func (m *Model) statusSides() (left, right string) {
	acc := m.status.Account
	left = " " + model.Sanitize(acc.PushName)
	if acc.Phone != "" {
		left += " " + acc.Phone
	}
	if !acc.Paired {
		left = " not paired"
	}
	right = m.contacts.counts() + " "
	switch {
	case !m.loaded:
		right = "loading the address book… "
	case m.ix.preview:
		// A search on the first page says what it searched.
		right = "loading… " + right
	}
	if s, ok := m.current().(statusTeller); ok {
		right = s.statusRight() + " "
	} else if m.screen == screenAccount {
		// The Account screen speaks of the account, not of the list's
		// search and sort.
		right = m.accountStatusRight()
	}
	if q := m.checks.activeSummary(); q != "" && m.screen != screenChecks {
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
	return left, strings.TrimRight(right, " ") + " "
}

// accountStatusRight is the right of the status bar on the Account
// screen: the size of the mirror, once it is read.
func (m *Model) accountStatusRight() string {
	if !m.loaded || m.ix.preview {
		return ""
	}
	return fmt.Sprintf("%d contacts in the mirror ", m.ix.total)
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
		hint := fmt.Sprintf("↓ %d more lines · ↑/↓ scroll · esc/q closes, other keys act", below)
		if below == 0 {
			hint = "↑ scrolls back · esc/q closes, other keys act"
		}
		lines = append(lines[top:top+height-1], m.st.Dim.Render(hint))
	}
	return strings.Join(lines, "\n")
}

// fullHelpLines is every line of the full help. Entries are never cut: the
// sections go in as many columns as fit their widest entries whole, and an
// entry wider than the whole screen wraps under its description.
func (m *Model) fullHelpLines() []string {
	var lines []string
	// The search language first: it is what people come back for.
	for _, l := range []string{
		"Search: words match name, phone, push name, business name and note;",
		`label:vip  -label:vip  group:team  label:"new customer"`,
		"is:blocked|business|internal|saved|unsaved|hidden  check:valid|invalid|unchecked",
	} {
		for _, w := range strings.Split(ansi.Wrap(l, max(1, m.width), " |"), "\n") {
			lines = append(lines, m.st.Dim.Render(w))
		}
	}
	lines = append(lines, "")
	blocks := m.helpBlocks()
	lines = append(lines, helpColumns(blocks, m.width)...)
	for i, l := range lines {
		// Nothing above is wider than the screen; this only guards
		// the layout against a terminal narrower than one cell.
		lines[i] = model.Truncate(l, m.width)
	}
	return lines
}

// helpGap is the room between two columns of the full help.
const helpGap = 2

// helpBlock is one section of the full help: its title and entries, and
// the width of the widest.
type helpBlock struct {
	lines []string
	width int
}

// helpBlocks renders every section of the full help, each entry whole: the
// keys padded to the widest key, entries wider than the screen wrapped with
// the description's indent.
func (m *Model) helpBlocks() []helpBlock {
	sections := m.KeySections()
	keyW := 0
	for _, s := range sections {
		for _, b := range s.Keys {
			keyW = max(keyW, lipgloss.Width(b.Help().Key))
		}
	}
	descW := max(1, m.width-keyW-1)
	blocks := make([]helpBlock, 0, len(sections))
	for _, s := range sections {
		bl := helpBlock{lines: []string{m.st.Title.Render(s.Title)}, width: lipgloss.Width(s.Title)}
		for _, b := range s.Keys {
			h := b.Help()
			desc := strings.Split(ansi.Wrap(h.Desc, descW, " "), "\n")
			for i, d := range desc {
				k := ""
				if i == 0 {
					k = h.Key
				}
				bl.lines = append(bl.lines, m.st.FieldName.Render(pad(k, keyW))+" "+d)
				bl.width = max(bl.width, keyW+1+lipgloss.Width(d))
			}
		}
		blocks = append(blocks, bl)
	}
	return blocks
}

// helpColumns lays the blocks out in as many columns as fit width: each
// block goes to the shortest column (so the help is as short as the width
// allows; what does not fit scrolls), and a column is as wide as its widest
// block.
func helpColumns(blocks []helpBlock, width int) []string {
	var columns [][]int
	var widths []int
	for n := len(blocks); n >= 1; n-- {
		columns, widths = stackBlocks(blocks, n)
		total := helpGap * (n - 1)
		for _, w := range widths {
			total += w
		}
		if total <= width {
			break
		}
	}
	var cols [][]string
	for _, c := range columns {
		var lines []string
		for _, i := range c {
			if len(lines) > 0 {
				lines = append(lines, "")
			}
			lines = append(lines, blocks[i].lines...)
		}
		cols = append(cols, lines)
	}
	height := 0
	for _, c := range cols {
		height = max(height, len(c))
	}
	out := make([]string, height)
	for row := range out {
		var b strings.Builder
		for i, c := range cols {
			cell := ""
			if row < len(c) {
				cell = c[row]
			}
			if i < len(cols)-1 {
				cell = pad(cell, widths[i]+helpGap)
			}
			b.WriteString(cell)
		}
		out[row] = strings.TrimRight(b.String(), " ")
	}
	return out
}

// stackBlocks puts each block, in order, in the shortest of n columns and
// returns the blocks of each column and each column's width.
func stackBlocks(blocks []helpBlock, n int) ([][]int, []int) {
	columns := make([][]int, n)
	heights := make([]int, n)
	widths := make([]int, n)
	for i, bl := range blocks {
		shortest := 0
		for c := range columns {
			if heights[c] < heights[shortest] {
				shortest = c
			}
		}
		if heights[shortest] > 0 {
			heights[shortest]++ // the blank line between two blocks
		}
		heights[shortest] += len(bl.lines)
		columns[shortest] = append(columns[shortest], i)
		widths[shortest] = max(widths[shortest], bl.width)
	}
	return columns, widths
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
