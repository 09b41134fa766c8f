// Drawing the contact list: columns, rows, label chips, counts.
package ui

import (
	"fmt"
	"strconv"
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/wabook/wabook/model"
)

// columns computes the column widths for the current width.
func (m *contactList) columns() (name, phone, labels, chats int) {
	phone, chats = 16, 5
	w := m.width - 2 // selection marker
	labels = max(8, min(32, w/4))
	name = w - phone - labels - chats - 3
	if name < 12 {
		labels = max(0, labels-(12-name))
		name = w - phone - labels - chats - 3
	}
	// On wide terminals names stop growing and labels get the room.
	if name > 48 {
		labels = min(80, labels+name-48)
		name = 48
	}
	return max(4, name), phone, labels, chats
}

func (m *contactList) View() string {
	var b strings.Builder
	b.Grow((m.height + 2) * (m.width + 16))
	// Search line.
	switch {
	case m.queryErr != "":
		input := strings.TrimRight(m.search.View(), " ")
		if below := m.queryErrLines(); below != nil {
			// Too long to share the line: under it, whole.
			b.WriteString(input)
			for _, l := range below {
				b.WriteString("\n" + m.st.Error.Render(l))
			}
			break
		}
		// The search box gives up room for the reason a term is ignored.
		inputW := min(lipgloss.Width(input), m.width/2)
		b.WriteString(model.Truncate(input, inputW) + "  " + m.st.Error.Render(model.Sanitize(m.queryErr)))
	case m.searching || m.search.Value() != "":
		b.WriteString(m.search.View())
	default:
		b.WriteString(m.st.Dim.Render("press / to search"))
	}
	b.WriteByte('\n')

	nameW, phoneW, labelsW, chatsW := m.columns()
	// Chips are padded by one cell: the header follows their text.
	header := "  " + pad("Name", nameW) + " " + pad("Phone", phoneW) + "  " + pad("Labels", labelsW-1) + " " + padLeft("Chats", chatsW)
	b.WriteString(m.st.Header.Render(model.Truncate(header, m.width)))

	h := m.listHeight()
	if len(m.shown) == 0 {
		b.WriteByte('\n')
		if m.ix.visible() == 0 && !m.hiddenShown {
			b.WriteString(m.st.Dim.Render("  The address book is empty. It fills as WhatsApp syncs."))
		} else {
			b.WriteString(m.st.Dim.Render("  No contact matches the search. esc clears it."))
		}
		return b.String()
	}
	end := min(len(m.shown), m.offset+h)
	for pos := m.offset; pos < end; pos++ {
		b.WriteByte('\n')
		b.WriteString(m.row(pos, nameW, phoneW, labelsW, chatsW))
	}
	return b.String()
}

func (m *contactList) row(pos, nameW, phoneW, labelsW, chatsW int) string {
	ix, i := m.ix, m.shown[pos]
	selected := m.selected[ix.jid(i)]
	marker := "  "
	switch {
	case pos == m.cursor && selected:
		marker = cursorMarker + "●"
	case pos == m.cursor:
		marker = cursorMarker + " "
	case selected:
		marker = "● "
	}
	// The name is measured the way the terminal will draw it, and its
	// emoji sequences broken up, so the columns after it never shift.
	text := model.CellSafe(ix.name(i))
	if flags := ix.flagText(i); flags != "" {
		text += " · " + flags
	}
	name := model.CellTruncate(text, nameW, m.joined)
	nameCell := name
	switch {
	case pos == m.cursor:
		// Only the name is highlighted: moving the cursor then rewrites two
		// names, not two whole rows, which keeps a key press under 100 bytes.
		nameCell = m.st.CursorRow.Render(name)
	case selected:
		nameCell = m.st.Selected.Render(name)
	}
	rest := strings.Repeat(" ", max(0, nameW-model.CellWidth(name, m.joined))) + " " + pad(model.Truncate(ix.phone(i), phoneW), phoneW) + " "
	m.labelBuf = ix.labelsOf(m.labelBuf[:0], i)
	return marker + nameCell + rest + m.renderChips(m.labelBuf, labelsW) + " " + padLeft(strconv.Itoa(1+int(ix.rows[i].nGroups)), chatsW)
}

// renderChips fits label chips into width cells, ending with "+N" when some
// do not fit. The result is always exactly width cells wide.
func (m *contactList) renderChips(labels []string, width int) string {
	if width <= 0 {
		return ""
	}
	var b strings.Builder
	used := 0
	for i, name := range labels {
		chip, ok := m.chips[strings.ToLower(name)]
		if !ok {
			chip = m.st.Chip(model.Sanitize(name), 0)
			m.chips[strings.ToLower(name)] = chip
		}
		cw := model.CellWidth(chip, m.joined)
		rest := len(labels) - i - 1
		reserve := 0
		if rest > 0 {
			reserve = len(fmt.Sprintf(" +%d", rest))
		}
		sep := 0
		if used > 0 {
			sep = 1
		}
		if used+sep+cw+reserve > width {
			more := fmt.Sprintf("+%d", len(labels)-i)
			if used > 0 {
				more = " " + more
			}
			if used+len(more) <= width {
				b.WriteString(m.st.Dim.Render(more))
				used += len(more)
			}
			break
		}
		if sep == 1 {
			b.WriteByte(' ')
		}
		b.WriteString(chip)
		used += sep + cw
	}
	if used < width {
		b.WriteString(strings.Repeat(" ", width-used))
	}
	return b.String()
}

// counts describes the list for the status bar.
func (m *contactList) counts() string {
	s := fmt.Sprintf("%d contacts", m.ix.total)
	switch {
	case m.ix.preview:
		s = m.windowCounts()
	case m.hiddenShown:
		s = fmt.Sprintf("%d of %d hidden contacts", len(m.shown), m.ix.hidden)
	case len(m.shown) != m.ix.visible():
		s = fmt.Sprintf("%d of %d contacts", len(m.shown), m.ix.total)
	}
	if n := len(m.selected); n > 0 {
		s += fmt.Sprintf(" · %d selected", n)
	}
	return s + " · sort: " + m.sort.String()
}

// pad fills s with spaces to width cells (s must already fit).
func pad(s string, width int) string {
	if w := lipgloss.Width(s); w < width {
		return s + strings.Repeat(" ", width-w)
	}
	return s
}

func padLeft(s string, width int) string {
	if w := lipgloss.Width(s); w < width {
		return strings.Repeat(" ", width-w) + s
	}
	return s
}
