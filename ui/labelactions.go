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

// defaultLabelColor is a new label's colour when none is given.
const defaultLabelColor = 0

func (l *labelScreen) newLabelForm() tea.Cmd {
	svc := l.svc
	// The colour starts empty, its default in the placeholder: a value
	// there would be typed after ("0rose").
	f := newFormDialog(l.common, "New label").addText("Name", "", "VIP").
		addText("Colour", "", fmt.Sprintf("empty for %s (%d); or 0–19 or a name: red, sky…", model.LabelColorName(defaultLabelColor), defaultLabelColor))
	f.submit = func(v []string, _ []bool) (string, tea.Cmd) {
		name := model.NormalizeLabelName(v[0])
		if err := model.ValidateLabelName(name); err != nil {
			return err.Error(), nil
		}
		color := defaultLabelColor
		if strings.TrimSpace(v[1]) != "" {
			var err error
			if color, err = model.ParseLabelColor(v[1]); err != nil {
				return err.Error(), nil
			}
		}
		return "", l.run(func(ctx context.Context) (string, *app.Undo, error) {
			_, undo, err := svc.CreateLabel(ctx, name, color)
			return "created " + name, undo, err
		})
	}
	l.open(f)
	return nil
}

func (l *labelScreen) renameLabelForm(lb model.Label) tea.Cmd {
	svc, c := l.svc, l.common
	f := newFormDialog(c, "Rename "+model.Sanitize(lb.Name)).addText("New name", lb.Name, "")
	f.submit = func(v []string, _ []bool) (string, tea.Cmd) {
		name := model.NormalizeLabelName(v[0])
		if err := model.ValidateLabelName(name); err != nil {
			return err.Error(), nil
		}
		rename := func(merge bool) tea.Cmd {
			return c.run(func(ctx context.Context) (string, *app.Undo, error) {
				undo, err := svc.RenameLabel(ctx, lb.ID, name, merge)
				if merge {
					return fmt.Sprintf("merged %s into %s", lb.Name, name), undo, err
				}
				return fmt.Sprintf("renamed %s to %s", lb.Name, name), undo, err
			})
		}
		for _, other := range c.ix.labels {
			if other.ID != lb.ID && model.SameLabelName(other.Name, name) {
				// Merging is not a rename: ask first, once the form
				// has closed.
				c.open(newConfirm(c, fmt.Sprintf("%q exists already. Merge %s (%d contacts) into it?", model.Sanitize(other.Name), model.Sanitize(lb.Name), lb.Count),
					func() tea.Cmd { return rename(true) }))
				return "", nil
			}
		}
		return "", rename(false)
	}
	l.open(f)
	return nil
}

func (l *labelScreen) colorDialog(lb model.Label) tea.Cmd {
	svc, c := l.svc, l.common
	l.open(newColorPicker(c, lb, func(color int) tea.Cmd {
		return c.run(func(ctx context.Context) (string, *app.Undo, error) {
			undo, err := svc.SetLabelColor(ctx, lb.ID, color)
			return fmt.Sprintf("%s is now %s", lb.Name, model.LabelColorName(color)), undo, err
		})
	}))
	return nil
}

func (l *labelScreen) confirmDeleteLabel(lb model.Label) tea.Cmd {
	svc, c := l.svc, l.common
	l.open(newConfirm(c, fmt.Sprintf("Delete the label %s? %s", model.Sanitize(lb.Name), loseText(lb.Count)), func() tea.Cmd {
		return c.run(func(ctx context.Context) (string, *app.Undo, error) {
			undo, err := svc.DeleteLabel(ctx, lb.ID)
			return "deleted " + lb.Name + " (u undoes)", undo, err
		})
	}))
	return nil
}

func (l *labelScreen) toggleLabelSync() tea.Cmd {
	parent, svc, on := l.ctx, l.svc, !l.labelSync
	return l.track(func() tea.Msg {
		n, err := svc.SetLabelSync(parent, on)
		return labelSyncMsg{on: on, queued: n, err: err}
	})
}

// labelSyncMsg reports the label-sync setting after a toggle.
type labelSyncMsg struct {
	on     bool
	queued int // changes queued for WhatsApp by turning it on
	err    error
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

// colorPicker chooses one of WhatsApp's 20 label colours.
type colorPicker struct {
	keyDialog
	label  model.Label
	cursor int
	apply  func(int) tea.Cmd
}

func newColorPicker(c *common, l model.Label, apply func(int) tea.Cmd) *colorPicker {
	p := &colorPicker{label: l, cursor: l.Color, apply: apply}
	p.keyDialog = newKeyDialog(c, p, p.keys)
	return p
}

func (p *colorPicker) keys() []binding {
	step := func(by int) func(tea.KeyPressMsg) tea.Cmd {
		return func(tea.KeyPressMsg) tea.Cmd {
			p.cursor = (p.cursor + by + model.LabelColors) % model.LabelColors
			return nil
		}
	}
	return []binding{
		bind(key.NewBinding(key.WithKeys("left", "h", "up", "k"), key.WithHelp("↑/↓", "choose")), step(-1)).offered(),
		bind(key.NewBinding(key.WithKeys("right", "l", "down", "j"), key.WithHelp("↓", "next")), step(1)),
		bind(key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "set")), func(tea.KeyPressMsg) tea.Cmd { return p.close(p.apply(p.cursor)) }).offered(),
		bind(key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")), func(tea.KeyPressMsg) tea.Cmd { return p.close(nil) }).offered(),
	}
}

func (p *colorPicker) View(width, _ int) string {
	lines := []string{p.st.Title.Render("Colour of " + model.Sanitize(p.label.Name)), ""}
	half := model.LabelColors / 2
	cell := func(i int) string {
		s := fmt.Sprintf("%s %2d %-10s", p.st.Swatch(i), i, model.LabelColorName(i))
		if i == p.cursor {
			// A reversed swatch reads as a gap: the marker shows
			// which colour the cursor is on.
			return cursorMarker + " " + p.st.CursorRow.Render(s)
		}
		return "  " + s
	}
	// Two columns, so the palette fits an 80x24 terminal.
	for i := 0; i < half; i++ {
		lines = append(lines, cell(i)+"  "+cell(i+half))
	}
	lines = append(lines, "", p.st.Dim.Render("↑/↓ choose · enter sets · esc cancels"))
	return p.st.Box.Render(strings.Join(lines, "\n"))
}
