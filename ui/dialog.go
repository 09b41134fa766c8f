package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
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

// Update is the Update of a dialog that takes only the keys of its table
// (confirm, colour); a dialog that does more has its own.
func (d keyDialog) Update(msg tea.Msg) tea.Cmd {
	if kp, ok := msg.(tea.KeyPressMsg); ok {
		cmd, _ := d.dispatch(d.table(), kp)
		return cmd
	}
	return nil
}

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

func (d *confirmDialog) View(width, height int) string {
	// A question is never cut: it wraps to the dialog's width.
	inner := max(20, width-4)
	// Sanitised here, so no caller that puts a name in a question can
	// forget to.
	lines := wrapStyled(d.st.Warn, model.Sanitize(d.question), inner)
	answer := "y " + d.yesWords + " · n " + d.noWords
	// The box's border takes two lines; the answer line always shows.
	if len(lines)+4 <= height {
		lines = append(lines, "")
	}
	lines = append(lines, answer)
	return d.st.Box.Render(strings.Join(lines, "\n"))
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
	body := []string{}
	for _, l := range d.body {
		body = append(body, wrapText(sanitizeLine(l), inner)...)
	}
	footer := d.st.Dim.Render("any key closes")
	if d.action != "" {
		footer = d.st.Dim.Render("enter " + d.action + " · esc cancels")
	}
	// Within the screen: the border, the title and the footer with their
	// blank lines take six; a body longer than the rest is cut, saying
	// how much, and the footer (what enter does) always shows.
	if room := max(1, height-6); len(body) > room {
		more := len(body) - (room - 1)
		body = append(body[:room-1], d.st.Dim.Render(fmt.Sprintf("… %d more line%s", more, plural(more))))
	}
	lines := append([]string{model.Truncate(d.st.Title.Render(model.Sanitize(d.title)), inner), ""}, body...)
	lines = append(lines, "", footer)
	return d.st.Box.Render(strings.Join(lines, "\n"))
}

// sanitizeLine is model.Sanitize keeping the line's indentation (a message
// body indents its lists): dialogs sanitise what they draw, so no caller
// that puts a name in one can forget to.
func sanitizeLine(l string) string {
	rest := strings.TrimLeft(l, " ")
	return l[:len(l)-len(rest)] + model.Sanitize(rest)
}
