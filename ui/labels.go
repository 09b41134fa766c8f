package ui

import (
	"fmt"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/wabook/wabook/model"
)

// labelScreen lists every label with its colour and how many contacts carry
// it; enter shows those contacts.
type labelScreen struct {
	*common
	labels []model.Label
	cursor int
	offset int

	width, height int
}

func newLabelScreen(c *common) *labelScreen { return &labelScreen{common: c} }

// setLabels shows labels, keeping the cursor on the label it was on
// (another process may have added or removed one above it).
func (l *labelScreen) setLabels(labels []model.Label) {
	if l.cursor < len(l.labels) {
		id := l.labels[l.cursor].ID
		for i := range labels {
			if labels[i].ID == id {
				l.cursor = i
				break
			}
		}
	}
	l.labels = labels
	l.clamp()
}

func (l *labelScreen) SetSize(w, h int) {
	l.width, l.height = w, h
	l.clamp()
}

func (l *labelScreen) clamp() {
	l.cursor = max(0, min(l.cursor, len(l.labels)-1))
	h := max(1, l.height-2)
	if l.cursor < l.offset {
		l.offset = l.cursor
	}
	if l.cursor >= l.offset+h {
		l.offset = l.cursor - h + 1
	}
}

// current is the label under the cursor.
func (l *labelScreen) current() (model.Label, bool) {
	if l.cursor < 0 || l.cursor >= len(l.labels) {
		return model.Label{}, false
	}
	return l.labels[l.cursor], true
}

// Bindings is the Labels screen's key table.
func (l *labelScreen) Bindings() []binding {
	k := l.keys
	move := func(to func() int) func(tea.KeyPressMsg) tea.Cmd {
		return func(tea.KeyPressMsg) tea.Cmd {
			l.cursor = to()
			l.clamp()
			return nil
		}
	}
	onLabel := func(act func(model.Label) tea.Cmd) func(tea.KeyPressMsg) tea.Cmd {
		return func(tea.KeyPressMsg) tea.Cmd {
			lb, _ := l.current()
			return act(lb)
		}
	}
	noLabel := func() string {
		if _, ok := l.current(); !ok {
			return "No labels yet: n makes one."
		}
		return ""
	}
	return []binding{
		bind(k.ShowLabel, onLabel(func(lb model.Label) tea.Cmd {
			l.post(showLabelMsg{lb.Name})
			return nil
		})).offered().unless(noLabel),
		bind(k.NewLabel, func(tea.KeyPressMsg) tea.Cmd { return l.newLabelForm() }).offered(),
		bind(k.RenameLabel, onLabel(l.renameLabelForm)).offered().unless(noLabel),
		bind(k.LabelColor, onLabel(l.colorDialog)).offered().unless(noLabel),
		bind(k.DeleteLabel, onLabel(l.confirmDeleteLabel)).offered().unless(noLabel),
		bind(k.Undo, func(tea.KeyPressMsg) tea.Cmd { return l.undo() }).offered().unless(l.whyNotUndo),
		bind(k.LabelSync, func(tea.KeyPressMsg) tea.Cmd { return l.toggleLabelSync() }).offered().unless(func() string {
			if !l.status.Account.IsBusiness && !l.labelSync {
				return "Label sync needs a WhatsApp Business account; labels stay local."
			}
			return ""
		}),
		elsewhere(k.Help), elsewhere(k.Quit),
		bind(k.Up, move(func() int { return l.cursor - 1 })),
		bind(k.Down, move(func() int { return l.cursor + 1 })),
		bind(k.PageUp, move(func() int { return l.cursor - max(1, l.height-1) })),
		bind(k.PageDown, move(func() int { return l.cursor + max(1, l.height-1) })),
		bind(k.Top, move(func() int { return 0 })),
		bind(k.Bottom, move(func() int { return len(l.labels) - 1 })),
	}
}

// Update has nothing to do: the labels come with each index (setLabels).
func (l *labelScreen) Update(tea.Msg) tea.Cmd { return nil }

// CapturesTyping: the Labels screen has no field; its forms are dialogs.
func (l *labelScreen) CapturesTyping() bool { return false }

func (l *labelScreen) ShortHelp() []key.Binding  { return keyTable(l.Bindings).ShortHelp() }
func (l *labelScreen) FullHelp() [][]key.Binding { return keyTable(l.Bindings).FullHelp() }

func (l *labelScreen) View() string {
	syncLine := l.syncLine()
	nameW := max(10, min(40, l.width-46))
	var b strings.Builder
	b.WriteString(l.st.Dim.Render(model.Truncate(syncLine, l.width)) + "\n")
	b.WriteString(l.st.Header.Render(model.Truncate("      "+pad("Label", nameW)+" "+padLeft("Contacts", 8)+"  "+pad("Colour", 10)+" WhatsApp", l.width)))
	if len(l.labels) == 0 {
		b.WriteString("\n" + l.st.Dim.Render("  No labels yet."))
		return b.String()
	}
	end := min(len(l.labels), l.offset+max(1, l.height-2))
	for i := l.offset; i < end; i++ {
		lb := l.labels[i]
		// Measured as the terminal draws it, so the columns after it
		// never shift (model.CellWidth).
		name := model.CellTruncate(model.CellSafe(model.Sanitize(lb.Name)), nameW, l.joined)
		line := name + strings.Repeat(" ", max(0, nameW-model.CellWidth(name, l.joined))) + " " + padLeft(strconv.Itoa(lb.Count), 8) + "  " + pad(model.LabelColorName(lb.Color), 10)
		if lb.WALabelID != "" {
			line += l.st.Dim.Render(" label " + lb.WALabelID)
		}
		marker := "  "
		if i == l.cursor {
			// The marker, not only reverse video: a reversed swatch
			// reads as a gap, and reverse video is lost on some
			// terminals.
			marker = cursorMarker + " "
			line = l.st.CursorRow.Render(line)
		}
		b.WriteString("\n" + model.Truncate(marker+l.st.Swatch(lb.Color)+"  "+line, l.width))
	}
	return b.String()
}

// syncLine says where label changes go.
func (l *labelScreen) syncLine() string {
	switch {
	case !l.status.Account.IsBusiness && l.labelSync:
		// Turned on when the account was a Business one.
		return "WhatsApp label sync is on, but this is not a WhatsApp Business account: label changes fail (s turns sync off)."
	case !l.status.Account.IsBusiness:
		return "Labels are kept here (WhatsApp shares labels only on Business accounts)."
	case l.labelSync:
		return "WhatsApp label sync is on: changes go to the phone too (s turns it off)."
	}
	return "WhatsApp label sync is off: changes stay here (s sends them to WhatsApp)."
}

// statusRight is what the status bar says on the Labels screen: the labels,
// not the contact list's counts and sort.
func (l *labelScreen) statusRight() string {
	fromWA := 0
	for _, lb := range l.labels {
		if lb.WALabelID != "" {
			fromWA++
		}
	}
	s := fmt.Sprintf("%d label%s", len(l.labels), plural(len(l.labels)))
	if fromWA > 0 {
		s += fmt.Sprintf(" · %d on WhatsApp", fromWA)
	}
	return s
}
