package ui

import (
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/wabook/wabook/model"
)

// dialog is a modal on top of a screen: while one is open every key goes
// to the one on top. It closes itself by posting closeDialogMsg, and opens
// another (a form leading to a confirmation) by posting openDialogMsg.
type dialog interface {
	Update(msg tea.Msg) tea.Cmd
	View(width, height int) string
	help.KeyMap
}

// keyDialog is what every dialog shares: the UI's common state and its
// key table, like a screen's.
type keyDialog struct {
	*common
	table func() []binding
	self  dialog // the dialog it is part of, to close that one and no other
}

func newKeyDialog(c *common, self dialog, table func() []binding) keyDialog {
	return keyDialog{common: c, table: table, self: self}
}

func (d keyDialog) ShortHelp() []key.Binding  { return keyTable(d.table).ShortHelp() }
func (d keyDialog) FullHelp() [][]key.Binding { return keyTable(d.table).FullHelp() }

// close closes this dialog and returns next (what it leads to), if any.
func (d keyDialog) close(next tea.Cmd) tea.Cmd {
	d.post(closeDialogMsg{d.self})
	return next
}

// open puts d on top of the dialogs.
func (c *common) open(d dialog) { c.post(openDialogMsg{d}) }

// confirmDialog asks a yes/no question; yes runs the action.
type confirmDialog struct {
	keyDialog
	question string
	yes      func() tea.Cmd
	yesWords string // what yes does, in the help ("yes" when empty)
	noWords  string
}

func newConfirm(c *common, question string, yes func() tea.Cmd) *confirmDialog {
	d := &confirmDialog{question: question, yes: yes, yesWords: "yes", noWords: "no"}
	d.keyDialog = newKeyDialog(c, d, d.keys)
	return d
}

func (d *confirmDialog) keys() []binding {
	return []binding{
		bind(key.NewBinding(key.WithKeys("y", "Y", "enter"), key.WithHelp("y", d.yesWords)), func(tea.KeyPressMsg) tea.Cmd { return d.close(d.yes()) }).offered(),
		bind(key.NewBinding(key.WithKeys("n", "N", "esc", "q"), key.WithHelp("n", d.noWords)), func(tea.KeyPressMsg) tea.Cmd { return d.close(nil) }).offered(),
	}
}

func (d *confirmDialog) Update(msg tea.Msg) tea.Cmd {
	if kp, ok := msg.(tea.KeyPressMsg); ok {
		cmd, _ := d.dispatch(d.keys(), kp)
		return cmd
	}
	return nil
}

func (d *confirmDialog) View(width, _ int) string {
	return d.st.Box.Render(model.Truncate(d.st.Warn.Render(d.question), width-4) + "\n\n" + "y " + d.yesWords + " · n " + d.noWords)
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
	keyDialog
	title  string
	fields []*formField
	// initial holds each text field's value as first shown, so a submit
	// can tell what the user changed.
	initial []string
	focus   int
	err     string
	submit  func(values []string, toggles []bool) (string, tea.Cmd)
}

func newFormDialog(c *common, title string) *formDialog {
	f := &formDialog{title: title}
	f.keyDialog = newKeyDialog(c, f, f.keys)
	return f
}

func (f *formDialog) keys() []binding {
	return []binding{
		bind(key.NewBinding(key.WithKeys("tab", "down"), key.WithHelp("tab", "next field")), func(tea.KeyPressMsg) tea.Cmd {
			return f.setFocus((f.focus + 1) % len(f.fields))
		}).offered(),
		bind(key.NewBinding(key.WithKeys("shift+tab", "up"), key.WithHelp("shift+tab", "previous field")), func(tea.KeyPressMsg) tea.Cmd {
			return f.setFocus((f.focus + len(f.fields) - 1) % len(f.fields))
		}),
		bind(key.NewBinding(key.WithKeys("enter", "ctrl+s"), key.WithHelp("enter", "save")), func(tea.KeyPressMsg) tea.Cmd { return f.save() }).offered(),
		bind(key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")), func(tea.KeyPressMsg) tea.Cmd { return f.close(nil) }).offered(),
		bind(key.NewBinding(key.WithKeys("space"), key.WithHelp("space", "toggle")), func(tea.KeyPressMsg) tea.Cmd {
			*f.fields[f.focus].toggle = !*f.fields[f.focus].toggle
			return nil
		}).unless(func() string {
			if f.fields[f.focus].toggle == nil {
				return "space types into a text field"
			}
			return ""
		}),
	}
}

func (f *formDialog) addText(label, value, placeholder string) *formDialog {
	ti := newTextInput("", placeholder, 512)
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

func (f *formDialog) Update(msg tea.Msg) tea.Cmd {
	if kp, ok := msg.(tea.KeyPressMsg); ok {
		if cmd, ok := f.dispatchTyping(f.keys(), kp); ok {
			return cmd
		}
	}
	ff := f.fields[f.focus]
	if ff.toggle != nil {
		return nil
	}
	var cmd tea.Cmd
	ff.input, cmd = ff.input.Update(msg)
	return cmd
}

// save submits the values: the form closes, or shows what is wrong.
func (f *formDialog) save() tea.Cmd {
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
		return nil
	}
	return f.close(cmd)
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

// messageDialog shows a result (an import plan, an error) and closes on any
// key, or runs an action on enter.
type messageDialog struct {
	keyDialog
	title  string
	body   []string
	action string // what enter does; "" when enter just closes
	onOK   func() tea.Cmd
}

func newMessage(c *common, title string, body []string) *messageDialog {
	d := &messageDialog{title: title, body: body}
	d.keyDialog = newKeyDialog(c, d, d.keys)
	return d
}

func (d *messageDialog) keys() []binding {
	if d.action == "" {
		return []binding{bind(key.NewBinding(key.WithKeys("enter", "esc"), key.WithHelp("any key", "close")), func(tea.KeyPressMsg) tea.Cmd { return d.close(nil) })}
	}
	return []binding{
		bind(key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", d.action)), func(tea.KeyPressMsg) tea.Cmd { return d.close(d.onOK()) }).offered(),
		bind(key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")), func(tea.KeyPressMsg) tea.Cmd { return d.close(nil) }).offered(),
	}
}

func (d *messageDialog) Update(msg tea.Msg) tea.Cmd {
	kp, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	if cmd, ok := d.dispatch(d.keys(), kp); ok {
		return cmd
	}
	return d.close(nil) // any other key closes it too
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
