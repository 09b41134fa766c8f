// The command palette (: or ctrl+p): every action of the screen shown and
// of every screen, found by its help text. Its rows are the key tables
// themselves, so it lists exactly what the keys do and cannot drift.
package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/wabook/wabook/model"
)

// paletteRow is an action the palette offers: a row of a key table.
type paletteRow struct {
	b     binding
	where string // the table it is from: "Contacts", "Everywhere"
}

// palette finds an action by typing part of its help text and runs it as
// its key would.
type palette struct {
	keyDialog
	rows   []paletteRow
	filter textinput.Model
	cursor int
}

// newPalette offers the rows of the tables given that act, once per key.
func newPalette(c *common, tables []titledTable) *palette {
	p := &palette{filter: newTextInput("> ", "type to find an action", 80)}
	p.keyDialog = newKeyDialog(c, p, p.keys)
	p.filter.Focus()
	seen := map[string]bool{}
	for _, t := range tables {
		for _, b := range t.rows {
			if b.do == nil || len(b.Keys()) == 0 || seen[b.Keys()[0]] {
				continue
			}
			seen[b.Keys()[0]] = true
			p.rows = append(p.rows, paletteRow{b: b, where: t.title})
		}
	}
	return p
}

// titledTable is a key table and the name the palette gives it.
type titledTable struct {
	title string
	rows  []binding
}

// shown is the rows whose help text or key holds what is typed.
func (p *palette) shown() []paletteRow {
	q := strings.ToLower(strings.TrimSpace(p.filter.Value()))
	if q == "" {
		return p.rows
	}
	var out []paletteRow
	for _, r := range p.rows {
		h := r.b.Help()
		if strings.Contains(strings.ToLower(h.Desc), q) || strings.ToLower(h.Key) == q {
			out = append(out, r)
		}
	}
	return out
}

func (p *palette) keys() []binding {
	k := p.common.keys
	return []binding{
		bind(k.Confirm, func(tea.KeyPressMsg) tea.Cmd {
			rows := p.shown()
			if p.cursor >= len(rows) {
				return nil
			}
			p.post(runBindingMsg{rows[p.cursor].b})
			return p.close(nil)
		}).offered(),
		bind(k.Cancel, func(tea.KeyPressMsg) tea.Cmd { return p.close(nil) }).offered(),
		bind(k.TypingUp, func(tea.KeyPressMsg) tea.Cmd { p.cursor = max(0, p.cursor-1); return nil }).offered(),
		bind(k.TypingDown, func(tea.KeyPressMsg) tea.Cmd {
			p.cursor = max(0, min(len(p.shown())-1, p.cursor+1))
			return nil
		}).offered(),
	}
}

func (p *palette) Update(msg tea.Msg) tea.Cmd {
	return p.typeFilter(&p.filter, p.keys, msg, func() { p.cursor = 0 })
}

// typeFilter is the Update of a dialog that is a list under a filter box:
// its table first, then typing into the box; edited runs when the text
// changed (the cursor goes back to the first match).
func (c *common) typeFilter(filter *textinput.Model, table func() []binding, msg tea.Msg, edited func()) tea.Cmd {
	if kp, ok := msg.(tea.KeyPressMsg); ok {
		if cmd, ok := c.dispatchTyping(table(), kp); ok {
			return cmd
		}
	}
	before := filter.Value()
	var cmd tea.Cmd
	*filter, cmd = filter.Update(msg)
	if filter.Value() != before {
		edited()
	}
	return cmd
}

// filterView draws a filter box; empty, its whole placeholder, faint, after
// the cursor: textinput draws the cursor over the placeholder's first
// letter, which then reads as typed, and with no width set draws only that
// letter.
func filterView(ti textinput.Model) string {
	if ti.Value() != "" || ti.Placeholder == "" || !ti.Focused() {
		return ti.View()
	}
	return ti.Styles().Focused.Prompt.Render(ti.Prompt) + cursorBlock.Render(" ") + placeholderStyle.Render(ti.Placeholder)
}

// cursorBlock is the cursor of an empty filter box.
var cursorBlock = lipgloss.NewStyle().Reverse(true)

func (p *palette) View(width, height int) string {
	inner := max(24, min(width-4, 72))
	// The title line padded to the box's width keeps the box one width
	// while the rows under it change with what is typed.
	lines := []string{pad(p.st.Title.Render("Find an action"), inner), filterView(p.filter), ""}
	rows := p.shown()
	room := max(3, height-8)
	first := max(0, min(p.cursor-room/2, len(rows)-room))
	for i := first; i < len(rows) && i < first+room; i++ {
		r := rows[i]
		h := r.b.Help()
		marker := "  "
		if i == p.cursor {
			marker = p.st.Prompt.Render("▸ ")
		}
		line := marker + p.st.FieldName.Render(pad(h.Key, 10)) + " " + h.Desc
		if r.b.whyNot != nil {
			if why := r.b.whyNot(); why != "" {
				line += p.st.Dim.Render("  (" + why + ")")
			}
		}
		line += p.st.Dim.Render("  " + r.where)
		lines = append(lines, model.Truncate(line, inner))
	}
	if len(rows) == 0 {
		lines = append(lines, p.st.Dim.Render("no action matches"))
	} else if len(rows) > room {
		lines = append(lines, p.st.Dim.Render(fmt.Sprintf("%d of %d actions · ↑/↓ choose", min(room, len(rows)), len(rows))))
	}
	lines = append(lines, "", p.st.Dim.Render("enter runs it · esc closes"))
	return p.st.Box.Render(strings.Join(lines, "\n"))
}

// runBindingMsg runs a row of a key table as its key would (the palette's
// choice), after the palette has closed.
type runBindingMsg struct{ b binding }

// pressOf is a key press that spells k, for a row run from the palette
// (the rows that look at the key, like the Checks screen's moves, see the
// key they are bound to).
func pressOf(k string) tea.KeyPressMsg {
	named := map[string]rune{
		"up": tea.KeyUp, "down": tea.KeyDown, "left": tea.KeyLeft, "right": tea.KeyRight, "pgup": tea.KeyPgUp, "pgdown": tea.KeyPgDown,
		"home": tea.KeyHome, "end": tea.KeyEnd, "enter": tea.KeyEnter, "esc": tea.KeyEscape,
		"tab": tea.KeyTab, "space": tea.KeySpace,
	}
	if code, ok := named[k]; ok {
		return tea.KeyPressMsg{Code: code}
	}
	if rest, ok := strings.CutPrefix(k, "shift+"); ok {
		if code, ok := named[rest]; ok {
			return tea.KeyPressMsg{Code: code, Mod: tea.ModShift}
		}
	}
	if rest, ok := strings.CutPrefix(k, "ctrl+"); ok && len([]rune(rest)) == 1 {
		return tea.KeyPressMsg{Code: []rune(rest)[0], Mod: tea.ModCtrl}
	}
	r := []rune(k)
	if len(r) == 1 {
		return tea.KeyPressMsg{Code: r[0], Text: k}
	}
	return tea.KeyPressMsg{}
}
