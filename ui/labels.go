package ui

import (
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/wabook/wabook/model"
)

// labelScreen lists every label with its colour and how many contacts carry
// it; enter shows those contacts.
type labelScreen struct {
	st     *Styles
	keys   *KeyMap
	labels []model.Label
	cursor int
	offset int

	showRequest string // set by enter: the root shows this label's contacts

	width, height int
}

func newLabelScreen(st *Styles, keys *KeyMap) *labelScreen {
	return &labelScreen{st: st, keys: keys}
}

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

func (l *labelScreen) setSize(w, h int) {
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

func (l *labelScreen) Update(msg tea.Msg) tea.Cmd {
	kp, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	switch {
	case key.Matches(kp, l.keys.Up):
		l.cursor--
	case key.Matches(kp, l.keys.Down):
		l.cursor++
	case key.Matches(kp, l.keys.PageUp):
		l.cursor -= max(1, l.height-1)
	case key.Matches(kp, l.keys.PageDown):
		l.cursor += max(1, l.height-1)
	case key.Matches(kp, l.keys.Top):
		l.cursor = 0
	case key.Matches(kp, l.keys.Bottom):
		l.cursor = len(l.labels) - 1
	case key.Matches(kp, l.keys.Open):
		if l.cursor < len(l.labels) {
			l.showRequest = l.labels[l.cursor].Name
		}
	}
	l.clamp()
	return nil
}

func (l *labelScreen) View(syncLine string) string {
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
		line := pad(model.Truncate(model.Sanitize(lb.Name), nameW), nameW) + " " + padLeft(strconv.Itoa(lb.Count), 8) + "  " + pad(model.LabelColorName(lb.Color), 10)
		if lb.WALabelID != "" {
			line += l.st.Dim.Render(" label " + lb.WALabelID)
		}
		if i == l.cursor {
			line = l.st.CursorRow.Render(line)
		}
		b.WriteString("\n" + model.Truncate("  "+l.st.Swatch(lb.Color)+"  "+line, l.width))
	}
	return b.String()
}

func (l *labelScreen) help() helpMap {
	k := l.keys
	open := key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "its contacts"))
	return helpMap{
		short: []key.Binding{open, k.NewLabel, k.RenameLabel, k.LabelColor, k.DeleteLabel, k.Undo, k.LabelSync, k.Help, k.Quit},
		full:  [][]key.Binding{k.section("Labels")},
	}
}
