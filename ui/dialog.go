package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/wabook/wabook/model"
)

// dialog is a modal on top of a screen: while one is open every key goes to
// it. Update reports done when the dialog should close.
type dialog interface {
	Update(msg tea.Msg) (done bool, cmd tea.Cmd)
	View(width, height int) string
	help() helpMap
}

// confirmDialog asks a yes/no question; yes runs the action.
type confirmDialog struct {
	st       *Styles
	question string
	yes      func() tea.Cmd
}

func (d *confirmDialog) Update(msg tea.Msg) (bool, tea.Cmd) {
	kp, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return false, nil
	}
	switch kp.String() {
	case "y", "Y", "enter":
		return true, d.yes()
	case "n", "N", "esc", "q":
		return true, nil
	}
	return false, nil
}

func (d *confirmDialog) View(width, _ int) string {
	return d.st.Box.Render(model.Truncate(d.st.Warn.Render(d.question), width-4) + "\n\n" + "y yes · n no")
}

func (d *confirmDialog) help() helpMap {
	return helpMap{short: []key.Binding{
		key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "yes")),
		key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "no")),
	}}
}

// formField is one line of a form: a text input or a yes/no toggle.
type formField struct {
	label  string
	input  textinput.Model
	toggle *bool
}

// formDialog is a small form (add/edit contact, rename, import options).
// submit validates and returns an error message to show, or "" and the
// command to run.
type formDialog struct {
	st     *Styles
	title  string
	fields []*formField
	// initial holds each text field's value as first shown, so a submit
	// can tell what the user changed.
	initial []string
	focus   int
	err     string
	submit  func(values []string, toggles []bool) (string, tea.Cmd)
}

func newFormDialog(st *Styles, title string) *formDialog {
	return &formDialog{st: st, title: title}
}

func (f *formDialog) addText(label, value, placeholder string) *formDialog {
	ti := newTextInput()
	ti.Prompt = ""
	ti.CharLimit = 512
	ti.Placeholder = placeholder
	// Values may be names strangers chose: what is edited is what is shown.
	ti.SetValue(model.Sanitize(value))
	ti.CursorEnd()
	if len(f.fields) == 0 {
		ti.Focus()
	}
	f.fields = append(f.fields, &formField{label: label, input: ti})
	f.initial = append(f.initial, ti.Value())
	return f
}

func (f *formDialog) addToggle(label string, on bool) *formDialog {
	f.fields = append(f.fields, &formField{label: label, toggle: &on})
	f.initial = append(f.initial, "")
	return f
}

func (f *formDialog) Update(msg tea.Msg) (bool, tea.Cmd) {
	kp, ok := msg.(tea.KeyPressMsg)
	if !ok {
		if ff := f.fields[f.focus]; ff.toggle == nil {
			var cmd tea.Cmd
			ff.input, cmd = ff.input.Update(msg)
			return false, cmd
		}
		return false, nil
	}
	switch kp.String() {
	case "esc":
		return true, nil
	case "tab", "down":
		return false, f.setFocus((f.focus + 1) % len(f.fields))
	case "shift+tab", "up":
		return false, f.setFocus((f.focus + len(f.fields) - 1) % len(f.fields))
	case "enter", "ctrl+s":
		values := make([]string, len(f.fields))
		toggles := make([]bool, len(f.fields))
		for i, ff := range f.fields {
			if ff.toggle != nil {
				toggles[i] = *ff.toggle
			} else {
				values[i] = ff.input.Value()
			}
		}
		errText, cmd := f.submit(values, toggles)
		if errText != "" {
			f.err = errText
			return false, nil
		}
		return true, cmd
	case "space":
		if ff := f.fields[f.focus]; ff.toggle != nil {
			*ff.toggle = !*ff.toggle
			return false, nil
		}
	}
	ff := f.fields[f.focus]
	if ff.toggle != nil {
		return false, nil
	}
	var cmd tea.Cmd
	ff.input, cmd = ff.input.Update(kp)
	return false, cmd
}

func (f *formDialog) setFocus(i int) tea.Cmd {
	f.fields[f.focus].input.Blur()
	f.focus = i
	if f.fields[i].toggle == nil {
		return f.fields[i].input.Focus()
	}
	return nil
}

func (f *formDialog) View(width, _ int) string {
	labelW := 0
	for _, ff := range f.fields {
		labelW = max(labelW, len(ff.label))
	}
	inner := max(20, width-4)
	lines := []string{f.st.Title.Render(f.title), ""}
	for i, ff := range f.fields {
		marker := "  "
		if i == f.focus {
			marker = f.st.Prompt.Render("▸ ")
		}
		var value string
		if ff.toggle != nil {
			value = "[ ]"
			if *ff.toggle {
				value = "[x]"
			}
			value += f.st.Dim.Render("  space toggles")
		} else {
			ff.input.SetWidth(max(10, inner-labelW-6))
			value = ff.input.View()
		}
		lines = append(lines, model.Truncate(marker+f.st.FieldName.Render(pad(ff.label, labelW))+"  "+value, inner))
	}
	if f.err != "" {
		lines = append(lines, "", model.Truncate(f.st.Error.Render(f.err), inner))
	}
	lines = append(lines, "", f.st.Dim.Render("tab next field · enter saves · esc cancels"))
	return f.st.Box.Render(strings.Join(lines, "\n"))
}

func (f *formDialog) help() helpMap {
	return helpMap{short: []key.Binding{
		key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next field")),
		key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "save")),
		key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
	}}
}

// messageDialog shows a result (an import plan, an error) and closes on any
// key, or runs an action on enter.
type messageDialog struct {
	st     *Styles
	title  string
	body   []string
	action string // what enter does; "" when enter just closes
	onOK   func() tea.Cmd
}

func (d *messageDialog) Update(msg tea.Msg) (bool, tea.Cmd) {
	kp, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return false, nil
	}
	if kp.String() == "enter" && d.onOK != nil {
		return true, d.onOK()
	}
	return true, nil
}

func (d *messageDialog) View(width, height int) string {
	inner := max(20, width-4)
	lines := []string{d.st.Title.Render(d.title), ""}
	for _, l := range d.body {
		lines = append(lines, model.Truncate(l, inner))
	}
	lines = append(lines, "")
	if d.action != "" {
		lines = append(lines, d.st.Dim.Render("enter "+d.action+" · esc cancels"))
	} else {
		lines = append(lines, d.st.Dim.Render("any key closes"))
	}
	if len(lines) > height-2 {
		lines = append(lines[:max(1, height-3)], "…")
	}
	return d.st.Box.Render(strings.Join(lines, "\n"))
}

func (d *messageDialog) help() helpMap {
	if d.action == "" {
		return helpMap{}
	}
	return helpMap{short: []key.Binding{
		key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", d.action)),
		key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
	}}
}
