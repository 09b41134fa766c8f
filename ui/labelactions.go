// The Labels screen's actions: new, rename (merge), colour, delete, sync
// on/off, and the colour picker.
package ui

import (
	"context"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/wabook/wabook/app"
	"github.com/wabook/wabook/model"
)

func (m *Model) newLabelForm() tea.Cmd {
	svc := m.svc
	f := newFormDialog(m.st, "New label").addText("Name", "", "VIP").addText("Colour", "0", "0–19 or a name: red, sky, lime…")
	f.submit = func(v []string, _ []bool) (string, tea.Cmd) {
		name := model.NormalizeLabelName(v[0])
		if err := model.ValidateLabelName(name); err != nil {
			return err.Error(), nil
		}
		color, err := parseColor(v[1])
		if err != nil {
			return err.Error(), nil
		}
		return "", run(m.ctx, func(ctx context.Context) (string, *app.Undo, error) {
			_, undo, err := svc.CreateLabel(ctx, name, color)
			return "created " + name, undo, err
		})
	}
	m.dialog = f
	return nil
}

func (m *Model) renameLabelForm(l model.Label) tea.Cmd {
	svc, st := m.svc, m.st
	f := newFormDialog(m.st, "Rename "+model.Sanitize(l.Name)).addText("New name", l.Name, "")
	f.submit = func(v []string, _ []bool) (string, tea.Cmd) {
		name := model.NormalizeLabelName(v[0])
		if err := model.ValidateLabelName(name); err != nil {
			return err.Error(), nil
		}
		rename := func(merge bool) tea.Cmd {
			return run(m.ctx, func(ctx context.Context) (string, *app.Undo, error) {
				undo, err := svc.RenameLabel(ctx, l.ID, name, merge)
				if merge {
					return fmt.Sprintf("merged %s into %s", l.Name, name), undo, err
				}
				return fmt.Sprintf("renamed %s to %s", l.Name, name), undo, err
			})
		}
		for _, other := range m.ix.labels {
			if other.ID != l.ID && model.SameLabelName(other.Name, name) {
				// Merging is not a rename: ask first.
				return "", func() tea.Msg {
					return openDialogMsg{&confirmDialog{st: st,
						question: fmt.Sprintf("%q exists already. Merge %s (%d contacts) into it?", other.Name, l.Name, l.Count),
						yes:      func() tea.Cmd { return rename(true) }}}
				}
			}
		}
		return "", rename(false)
	}
	m.dialog = f
	return nil
}

func (m *Model) colorDialog(l model.Label) tea.Cmd {
	svc := m.svc
	m.dialog = &colorPicker{st: m.st, label: l, cursor: l.Color, apply: func(color int) tea.Cmd {
		return run(m.ctx, func(ctx context.Context) (string, *app.Undo, error) {
			undo, err := svc.SetLabelColor(ctx, l.ID, color)
			return fmt.Sprintf("%s is now %s", l.Name, model.LabelColorName(color)), undo, err
		})
	}}
	return nil
}

func (m *Model) confirmDeleteLabel(l model.Label) tea.Cmd {
	svc := m.svc
	m.dialog = &confirmDialog{st: m.st,
		question: fmt.Sprintf("Delete the label %s? %s", model.Sanitize(l.Name), loseText(l.Count)),
		yes: func() tea.Cmd {
			return run(m.ctx, func(ctx context.Context) (string, *app.Undo, error) {
				undo, err := svc.DeleteLabel(ctx, l.ID)
				return "deleted " + l.Name + " (u undoes)", undo, err
			})
		}}
	return nil
}

func (m *Model) toggleLabelSync() tea.Cmd {
	parent, svc, on := m.ctx, m.svc, !m.labelSync
	return func() tea.Msg {
		n, err := svc.SetLabelSync(parent, on)
		return labelSyncMsg{on: on, queued: n, err: err}
	}
}

// colorPicker chooses one of WhatsApp's 20 label colours.
type colorPicker struct {
	st     *Styles
	label  model.Label
	cursor int
	apply  func(int) tea.Cmd
}

func loseText(n int) string {
	switch n {
	case 0:
		return "No contact has it."
	case 1:
		return "1 contact loses it."
	}
	return fmt.Sprintf("%d contacts lose it.", n)
}

// parseColor reads a palette colour by number (0–19) or name ("red"), as
// the command line does.
func parseColor(s string) (int, error) { return model.ParseLabelColor(s) }

func (c *colorPicker) Update(msg tea.Msg) (bool, tea.Cmd) {
	kp, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return false, nil
	}
	switch kp.String() {
	case "esc":
		return true, nil
	case "enter":
		return true, c.apply(c.cursor)
	case "left", "h", "up", "k":
		c.cursor = (c.cursor + model.LabelColors - 1) % model.LabelColors
	case "right", "l", "down", "j":
		c.cursor = (c.cursor + 1) % model.LabelColors
	}
	return false, nil
}

func (c *colorPicker) View(width, _ int) string {
	lines := []string{c.st.Title.Render("Colour of " + model.Sanitize(c.label.Name)), ""}
	half := model.LabelColors / 2
	cell := func(i int) string {
		s := fmt.Sprintf("%s %2d %-10s", c.st.Swatch(i), i, model.LabelColorName(i))
		if i == c.cursor {
			return c.st.CursorRow.Render(s)
		}
		return s
	}
	// Two columns, so the palette fits an 80x24 terminal.
	for i := 0; i < half; i++ {
		lines = append(lines, cell(i)+"   "+cell(i+half))
	}
	lines = append(lines, "", c.st.Dim.Render("↑/↓ choose · enter sets · esc cancels"))
	return c.st.Box.Render(strings.Join(lines, "\n"))
}

func (c *colorPicker) help() helpMap {
	return helpMap{short: []key.Binding{
		key.NewBinding(key.WithKeys("up"), key.WithHelp("↑/↓", "choose")),
		key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "set")),
		key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
	}}
}
